"""A block's lines from a template: the record path's own text of a model plan, with slots.

Owns writing a PlanBlock (planner.planning.blocks: a stream's free plans as columns) as
JSON Lines or CSV rows without making its plans. The block's model plan, with a marker in
each slot (every value that differs between its plans), is written by the record path
itself (jsonl.text, the CSV columns' own cells); each marker's text becomes a slot, and
each line of the block is that text with the line's values in the slots: a float as
float.__repr__ (as both writers give it), an int as int.__repr__, text and notices as
jsonl.text writes them (the line is one compiled f-string). The template is made twice, with two sets of markers, and must
come out the same: where a marker is not found exactly once, a cell is worked out from a
slot rather than read from it, or a constant cell needs CSV's quoting, there is no
template and the block is written plan by plan.
"""

from __future__ import annotations

from planner.output.jsonl import formatter, text
from planner.planning.blocks import COUNTS, REPEATING
from planner.planning.results import Notice

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import Any

    from planner.planning.blocks import PlanBlock
    from planner.planning.results import Plan

    Column = tuple[str, Callable[[Plan], Any]]

_FLOAT, _INT, _TEXT, _NOTICES = "float", "int", "text", "notices"


def _kind(slot: str) -> str:
    """What a slot of planner.planning.blocks holds."""
    if slot in COUNTS:
        return _INT
    if slot == "method":
        return _TEXT
    if slot == "notices":
        return _NOTICES
    return _FLOAT


def _markers(block: PlanBlock, seed: int) -> dict[str, Any]:
    """A marker for each slot of the block: values no plan holds, each with its own text.
    The two seeds' markers differ in sign, size and length (huge and positive, one notice;
    tiny and negative, two notices), so that a cell worked out from a slot (a comparison, a
    count) comes out differently under each and the template is refused."""
    out: dict[str, Any] = {}
    for number, slot in enumerate(block.slots):
        kind = _kind(slot)
        tag = f"{seed}{number:03d}"
        if kind == _FLOAT:
            out[slot] = float(f"7.{tag}13579e+301") if seed == 1 else float(f"-2.{tag}97531e-299")
        elif kind == _INT:
            out[slot] = int(f"97531{tag}") if seed == 1 else -int(f"8642{tag}")
        elif kind == _TEXT:
            out[slot] = f"<slot {tag}>" if seed == 1 else f"<the other slot {tag}>"
        else:
            out[slot] = tuple(Notice(f"slot-{tag}-{i}", f"<slot {tag}>") for i in range(seed))
    return out


def _marker_text(value: Any) -> str:
    return float.__repr__(value) if type(value) is float else text(value)


def _cut(whole: str, found: dict[str, str]) -> tuple[list[str], list[str]] | None:
    """`whole` cut at each marker text of `found`: (the texts between them, the slots in
    the order they appear), or None where a marker does not appear exactly once."""
    places = []
    for slot, marker in found.items():
        if whole.count(marker) != 1:
            return None
        places.append((whole.index(marker), slot, marker))
    places.sort()
    texts, order, at = [], [], 0
    for where, slot, marker in places:
        texts.append(whole[at:where])
        order.append(slot)
        at = where + len(marker)
    texts.append(whole[at:])
    return texts, order


Template = tuple[list[str], list[str]]
"""The texts between a template's slots, and its slots in order."""


def _template(block: PlanBlock, render: Callable[[Plan], str | None]) -> Template | None:
    """The template of `render`'s text of the block's model, checked with a second set of markers."""
    made = []
    for seed in (1, 2):
        markers = _markers(block, seed)
        try:
            whole = render(block.plan_of(markers))
        except (ArithmeticError, ValueError, TypeError):  # a record or a cell that checks its value
            return None
        if whole is None:
            return None
        shown = {slot: _marker_text(value) for slot, value in markers.items()}
        cut = _cut(whole, {slot: marker for slot, marker in shown.items() if marker in whole})
        if cut is None:
            return None
        made.append(cut)
    return made[0] if made[0] == made[1] else None


def _written(template: Template) -> Callable[..., str]:
    """A function of the slots' values (numbers as they are, the rest as text) that returns
    the template's line, newline included: one f-string, compiled once a block, which
    Python builds in one allocation without scanning a format."""
    texts, order = template
    body = []
    for index, (between, slot) in enumerate(zip(texts, order, strict=False)):
        body.append(between.replace("{", "{{").replace("}", "}}"))
        body.append(
            f"{{v{index}!r}}" if _kind(slot) in (_FLOAT, _INT) and slot not in REPEATING else f"{{v{index}}}"
        )
    body.append(texts[-1].replace("{", "{{").replace("}", "}}") + "\n")
    names = ", ".join(f"v{index}" for index in range(len(order)))
    scope: dict[str, Any] = {}
    exec(f"def line({names}):\n    return f{''.join(body)!r}\n", scope)
    written: Callable[..., str] = scope["line"]
    return written


def _columns(block: PlanBlock, order: list[str], start: int, stop: int) -> list[list[Any]]:
    """The slots' values of lines start to stop, in the template's order: numbers as they
    are, the rest as their text."""
    columns = []
    for slot in order:
        column = block.columns[slot][start:stop]
        kind = _kind(slot)
        if slot in REPEATING:  # the same few values line after line: each written once (never
            # -0.0, which a cache of texts by value would write as 0.0)
            written: dict[Any, str] = {}
            column = [
                written[value] if value in written else written.setdefault(value, repr(value))
                for value in column
            ]
        elif kind == _TEXT:
            said: dict[str, str] = {}
            column = [
                said[value] if value in said else said.setdefault(value, text(value)) for value in column
            ]
        elif kind == _NOTICES:
            notice = formatter(Notice)  # jsonl.text of a tuple of notices, without its dispatch
            column = ["[" + ",".join(map(notice, value)) + "]" if value else "[]" for value in column]
        columns.append(column)
    return columns


CHUNK = 256
"""Lines written at a time: a few hundred kB, which the allocator reuses (a block's lines
joined at once would be megabytes of new memory, and the kernel's time to map it)."""


def _lines(block: PlanBlock, template: Template, one: Callable[[Plan], str]) -> Iterator[str]:
    """The block's text from its template, CHUNK lines at a time; `one` writes a line
    planned in full."""
    line = _written(template)
    order = template[1]
    for run in block.runs():
        if isinstance(run, tuple):
            start, stop = run
            for first in range(start, stop, CHUNK):
                yield "".join(map(line, *_columns(block, order, first, min(first + CHUNK, stop))))
        else:
            yield one(run)


def json_lines(block: PlanBlock, line: Callable[[Plan], str]) -> Iterator[str]:
    """The block's JSON Lines; `line` writes a line planned in full (the stream's Writer)."""
    made = _template(block, lambda plan: text(plan))
    if made is None:
        yield from (line(plan) for plan in block)
        return
    yield from _lines(block, made, line)


def csv_lines(
    block: PlanBlock, columns: tuple[Column, ...], csv_cell: Callable[[Any], str], row: Callable[[Plan], str]
) -> Iterator[str]:
    """The block's CSV rows, each cell as `csv_cell` writes it; `row` writes a line planned
    in full, and every line of a block without a template."""

    def render(plan: Plan) -> str | None:
        cells = [csv_cell(read(plan)) for _, read in columns]
        if any("," in cell or '"' in cell or "\n" in cell or "\r" in cell for cell in cells):
            return None
        return ",".join(cells)

    made = _template(block, render)
    if made is None:
        yield from (row(plan) for plan in block)
        return
    yield from _lines(block, made, row)
