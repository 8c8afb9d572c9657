"""Budgets read from a file or stdin (`plan --from FILE|-`), one per line.

Owns the budget-file format: plain numbers (`1e21`), `#` comments and blank lines, or JSON
objects with a `flops` key and optional per-line options `law`, `max_params`, `max_tokens`
(JSON Lines). Reads stdin only when given `-`; reports every bad line at once. Never prints.
Standard library only.
"""

from __future__ import annotations

import json
import math

from planner.errors import InputError
from planner.inputs import JSONError, describe, finite, loads_json
from planner.records import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

MAX_LINES = 1_000_000
"""The most lines a budget file may have: a million plans take about a gigabyte and minutes.

Measured on a 2-core x86_64 machine: `seq 1 20000 | sed 's/$/e18/' > b.txt; time plan
--from b.txt --json > out.jsonl` took 3.3 s of CPU (0.17 ms a budget), and each JSON line is
about 1.1 KB; every plan is built before the first line prints."""

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
    """Budgets from a file path, or from stdin when `source` is `-` (planner.inputs reads it)."""
    from planner.inputs import read_text

    text, label = read_text(source, "--from file")
    return parse_budgets(text, label)


def parse_budgets(text: str, name: str) -> list[Budget]:
    """Every budget in `text`; BudgetFileError naming each bad line (`name` labels them)."""
    budgets: list[Budget] = []
    problems: list[str] = []
    lines = text.splitlines()
    if len(lines) > MAX_LINES:
        raise InputError(
            f"{name} has {len(lines):,} lines; at most {MAX_LINES:,} budgets are planned in one run "
            "(all are planned before the first prints, about 1 KB and 0.2 ms each); split the file"
        )
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if line.startswith("{"):
            found = _json_budget(line)
        else:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            found = _number_budget(line)
        if isinstance(found, Budget):
            budgets.append(found)
        else:
            problems.extend(f"line {number}: {problem}" for problem in found)
    if problems:
        raise BudgetFileError(name, problems)
    if not budgets:
        raise InputError(f"{name} holds no budgets; give one FLOP budget per line, e.g. 1e21")
    return budgets


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
    try:
        value = float(text.replace("_", ""))
    except ValueError:
        return [f"{describe(text)} is neither a number nor a JSON object with a flops key"]
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
