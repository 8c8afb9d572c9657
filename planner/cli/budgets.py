"""Budgets read from a file or stdin (`plan --from FILE|-`), one per line.

Owns the budget-file format: plain numbers (`1e21`, or a size such as `2T`: planner.cli.sizes),
`#` comments and blank lines, or JSON objects with a `flops` key and optional per-line
options `law`, `max_params`, `max_tokens` (JSON Lines). Reads stdin only when given `-`; reports every bad line at once. Never prints;
a large file shows its progress on a terminal through planner.output.progress.
Standard library only.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable, Iterable, Iterator

from planner.errors import InputError
from planner.inputs import JSONError, describe, finite, loads_json
from planner.records import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

BLOCK = 1 << 16
"""Bytes read at a time: the lines in them are planned and printed before more is read."""
MAX_LINE = 1 << 20
"""The longest line taken (1 MiB): far beyond any budget, and a bound on what is held."""
PROGRESS_BYTES = 2 * BLOCK
"""A file larger than this may show its progress: at some 50 kB of budgets a second, it
takes a few seconds (planner.output.progress shows nothing for work under a second)."""

OPTIONS = ("flops", "law", "max_params", "max_tokens")
"""The keys a JSON line may have; `flops` is required."""


class Budget(Record):
    """One line of a budget file: a FLOP budget and the options that line sets."""

    flops: float
    law: str | None = None
    max_params: float | None = None
    max_tokens: float | None = None


class BudgetFileError(InputError):
    """A budget file with lines that are not budgets; lists every such line."""

    def __init__(self, name: str, problems: list[str]) -> None:
        super().__init__(name)
        self.name = name
        self.problems = problems

    def __str__(self) -> str:
        detail = "".join(f"\n  {problem}" for problem in self.problems)
        return f"{self.name} holds lines that are not budgets; fix these and retry:{detail}"


def read_budgets(source: str) -> list[Budget]:
    """Every budget of a file, or of stdin when `source` is `-`; BudgetFileError naming each
    bad line. Reads it all: `budget_blocks` streams."""
    budgets: list[Budget] = []
    for block in budget_blocks(source):
        budgets += block
    return budgets


def parse_budgets(text: str, name: str) -> list[Budget]:
    """Every budget in `text`; BudgetFileError naming each bad line (`name` labels them)."""
    budgets, problems = _parse(enumerate(text.splitlines(), start=1))
    if problems:
        raise BudgetFileError(name, [f"line {number}: {problem}" for number, problem in problems])
    if not budgets:
        raise InputError(f"{name} holds no budgets; give one FLOP budget per line, e.g. 1e21")
    return [budget for _, budget in budgets]


def budget_blocks(source: str) -> Iterator[list[Budget]]:
    """The budgets of a file, or of stdin for `-`, a block at a time as the lines arrive.

    Each block holds the lines read so far (at most BLOCK bytes at once, and what a pipe has
    ready), so a caller that plans and prints each block shows line 1 before the input ends
    and holds one block at a time. A bad line stops the blocks: the lines before it come
    first, then BudgetFileError names every bad line of the rest of the input.
    """
    from planner.inputs import open_source

    read, label, close = open_source(source, "--from file")
    problems: list[str] = []
    seen = 0
    progress = _progress(source, read)
    if progress is not None:
        read = progress.read
    try:
        for first, lines in _lines(read, label):
            budgets, found = _parse_block(first, lines)
            seen += len(budgets)
            if not problems:
                before = [budget for number, budget in budgets if not found or number < found[0][0]]
                if before:
                    yield before
            problems += [f"line {number}: {problem}" for number, problem in found]
            if progress is not None:
                progress.planned()
    finally:
        close()
        if progress is not None:
            progress.display.close()
    if problems:
        raise BudgetFileError(label, problems)
    if not seen:
        raise InputError(f"{label} holds no budgets; give one FLOP budget per line, e.g. 1e21")


class _Progress:
    """A large file's progress on a terminal: its bytes read, once their lines are planned."""

    def __init__(self, read: Callable[[int], bytes], name: str, size: int, display: Any) -> None:
        self._read = read
        self.name = name
        self.size = size
        self.display = display
        self.taken = 0

    def read(self, size: int) -> bytes:
        data = self._read(size)
        self.taken += len(data)
        return data

    def planned(self) -> None:
        self.display(self.name, min(self.taken, self.size), self.size)


def _progress(source: str, read: Callable[[int], bytes]) -> _Progress | None:
    """The progress of reading `source`, for a file of more than PROGRESS_BYTES when stdout
    is not a terminal (where the lines would mix with it) and progress is wanted
    (planner.output.progress); None for stdin, a pipe, a small file or a run without it."""
    import os
    import stat

    if source == "-":
        return None
    try:
        facts = os.stat(source)
        if not stat.S_ISREG(facts.st_mode) or facts.st_size <= PROGRESS_BYTES or sys.stdout.isatty():
            return None
    except (OSError, ValueError, AttributeError):
        return None
    from planner.output.progress import Display, wanted

    if not wanted():
        return None
    name = os.path.basename(source)
    return _Progress(read, name, facts.st_size, Display(in_bytes=True))


def _lines(read: Callable[[int], bytes], label: str) -> Iterator[tuple[int, list[str]]]:
    """Lines of text, a block at a time, each block with the number of its first line;
    ReadError for bytes that are not UTF-8."""
    from planner.inputs import decode, unreadable

    pending = b""
    number = 0
    first = True
    while True:
        try:
            data = read(BLOCK)
        except OSError as err:
            raise unreadable(err, "--from file", label) from None
        if data:
            pending += data
            cut = pending.rfind(b"\n") + 1
            if not cut:
                if len(pending) > MAX_LINE:
                    raise InputError(
                        f"line {number + 1} of {label} is longer than {MAX_LINE:,} bytes; give one budget per line"
                    )
                continue
            ready, pending = pending[:cut], pending[cut:]
        else:
            ready, pending = pending, b""
            if not ready:
                return
        if first and ready.startswith(b"\xef\xbb\xbf"):
            ready = ready[3:]
        first = False
        try:
            text = ready.decode("utf-8")
        except UnicodeDecodeError as err:  # said as for a whole file, at the right line
            head = ready[: err.start].count(b"\n")
            decode(
                b"\n" * (number + head) + ready[ready.rfind(b"\n", 0, err.start) + 1 :], label, "--from file"
            )
            raise
        lines = text.split("\n")
        if lines[-1] == "":
            lines.pop()
        yield number + 1, lines
        number += len(lines)


def _parse_block(first: int, lines: list[str]) -> tuple[list[tuple[int, Budget]], list[tuple[int, str]]]:
    """`_parse` of a block of lines numbered from `first`: at once where every line is a
    bare number above zero (the common file), else line by line."""
    try:
        values = list(map(float, lines))
    except ValueError:
        values = None
    if values is not None and all(0 < value < math.inf for value in values):
        return list(zip(range(first, first + len(values)), map(Budget, values), strict=True)), []
    return _parse(enumerate(lines, start=first))


def _parse(lines: Iterable[tuple[int, str]]) -> tuple[list[tuple[int, Budget]], list[tuple[int, str]]]:
    """(numbered budgets, numbered problems) of numbered lines: numbers, JSON, comments."""
    budgets: list[tuple[int, Budget]] = []
    problems: list[tuple[int, str]] = []
    for number, raw in lines:
        try:  # the common line, a bare number: read as _number_budget would read it
            value = float(raw)
        except ValueError:
            pass
        else:
            if 0 < value < math.inf:
                budgets.append((number, Budget(value)))
                continue
        line = raw.strip()
        if line.startswith("{"):
            found = _json_budget(line)
        else:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            found = _number_budget(line)
        if isinstance(found, Budget):
            budgets.append((number, found))
        else:
            problems.extend((number, problem) for problem in found)
    return budgets, problems


def _positive(key: str, value: Any) -> tuple[float | None, str | None]:
    number = finite(value)
    if number is None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None, f"{key} must be a number, e.g. 1e21 (got {describe(value, as_json=True)})"
        return None, f"{key} must be a finite number above zero (got {describe(value)})"
    if number <= 0:
        return None, f"{key} must be a finite number above zero (got {describe(value)})"
    return number, None


def _number_budget(text: str) -> Budget | list[str]:
    word = text.replace("_", "")
    try:
        value = float(word)
    except ValueError:
        from planner.cli.sizes import SUFFIXES, is_size

        if not is_size(word):
            return [f"{describe(text)} is neither a number nor a JSON object with a flops key"]
        value = float(word[:-1] + SUFFIXES[word[-1]])
    if not math.isfinite(value) or value <= 0:
        return [f"flops must be a finite number above zero (got {text!r})"]
    return Budget(value)


def _json_budget(text: str) -> Budget | list[str]:
    try:
        data = loads_json(text)
    except JSONError as err:
        # One line: its column says where.
        return [str(err) if err.column is None else f"{err.reason} (column {err.column})"]
    if not isinstance(data, dict):
        return ["a JSON line must be an object with a flops key"]
    problems = [
        f"unknown key {key!r}; a line may have {', '.join(OPTIONS)}" for key in data if key not in OPTIONS
    ]
    if "flops" not in data:
        problems.append("flops is missing; every line needs a budget")
    values: dict[str, Any] = {}
    for key in ("flops", "max_params", "max_tokens"):
        if key in data:
            values[key], problem = _positive(key, data[key])
            if problem:
                problems.append(problem)
    if "law" in data:
        if isinstance(data["law"], str) and data["law"].strip():
            values["law"] = data["law"]
        else:
            problems.append(f"law must be a law id or path (got {json.dumps(data['law'])})")
    return problems or Budget(**values)
