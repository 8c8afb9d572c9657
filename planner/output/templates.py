"""A block's lines from a template: the record path's own text of a model plan, with slots.

Owns writing a PlanBlock (planner.planning.blocks: a stream's free plans as columns) as
JSON Lines or CSV rows without making its plans. The block's model plan, with a marker in
each slot (every value that differs between its plans), is written by the record path
itself (jsonl.text, the CSV columns' own cells); each marker's text becomes a slot, and
each line of the block is that text with the line's values in the slots: a float as
float.__repr__ (as both writers give it), an int as int.__repr__, text and notices as
jsonl.text writes them. The template is made twice, with two sets of markers, and must
come out the same: where a marker is not found exactly once, a cell is worked out from a
slot rather than read from it, or a constant cell needs CSV's quoting, there is no
template and the block is written plan by plan.
"""

from __future__ import annotations

from planner.output.jsonl import text
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
    if slot in ("draws", "failed"):
        return _INT
    if slot == "method":
        return _TEXT
    if slot == "notices":
        return _NOTICES
    return _FLOAT


def _markers(block: PlanBlock, seed: int) -> dict[str, Any]:
    """A marker for each slot of the block: values no plan holds, each with its own text."""
    out: dict[str, Any] = {}
    for number, slot in enumerate(block.slots):
        kind = _kind(slot)
        tag = f"{seed}{number:03d}"
        if kind == _FLOAT:
            out[slot] = float(f"7.{tag}13579e+301")
        elif kind == _INT:
            out[slot] = int(f"97531{tag}")
        elif kind == _TEXT:
            out[slot] = f"<slot {tag}>"
        else:
            out[slot] = (Notice(f"slot-{tag}", f"<slot {tag}>"),)
    return out


def _marker_text(value: Any) -> str:
    return float.__repr__(value) if type(value) is float else text(value)


def _cut(whole: str, found: dict[str, str]) -> tuple[str, list[str]] | None:
    """`whole` as a %-template with a slot for each marker text of `found` (in the order
    they appear), or None where one does not appear exactly once."""
    places = []
    for slot, marker in found.items():
        if whole.count(marker) != 1:
            return None
        places.append((whole.index(marker), slot, marker))
    places.sort()
    parts, order, at = [], [], 0
    for where, slot, marker in places:
        parts.append(whole[at:where].replace("%", "%%"))
        parts.append("%s" if _kind(slot) in (_TEXT, _NOTICES) else "%r")
        order.append(slot)
        at = where + len(marker)
    parts.append(whole[at:].replace("%", "%%"))
    return "".join(parts), order


def _template(block: PlanBlock, render: Callable[[Plan], str | None]) -> tuple[str, list[str]] | None:
    """The template of `render`'s text of the block's model, checked with a second set of markers."""
    made = []
    for seed in (1, 2):
        markers = _markers(block, seed)
        whole = render(block.plan_of(markers))
        if whole is None:
            return None
        shown = {slot: _marker_text(value) for slot, value in markers.items()}
        cut = _cut(whole, {slot: marker for slot, marker in shown.items() if marker in whole})
        if cut is None:
            return None
        made.append(cut)
    return made[0] if made[0] == made[1] else None


def _values(block: PlanBlock, order: list[str], start: int, stop: int) -> Iterator[tuple[Any, ...]]:
    """Each line's slot values in the template's order, text and notices as their JSON."""
    columns = []
    for slot in order:
        column = block.columns[slot][start:stop]
        kind = _kind(slot)
        if kind == _TEXT:
            said: dict[str, str] = {}
            column = [
                said[value] if value in said else said.setdefault(value, text(value)) for value in column
            ]
        elif kind == _NOTICES:
            column = [text(value) if value else "[]" for value in column]
        columns.append(column)
    return zip(*columns, strict=True)


CHUNK = 256
"""Lines written at a time: a few hundred kB, which the allocator reuses (a block's lines
joined at once would be megabytes of new memory, and the kernel's time to map it)."""


def _lines(block: PlanBlock, made: tuple[str, list[str]], one: Callable[[Plan], str]) -> Iterator[str]:
    """The block's text from its template, CHUNK lines at a time; `one` writes a line
    planned in full."""
    template, order = made
    template += "\n"
    for run in block.runs():
        if isinstance(run, tuple):
            start, stop = run
            for first in range(start, stop, CHUNK):
                last = min(first + CHUNK, stop)
                yield "".join(map(template.__mod__, _values(block, order, first, last)))
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
