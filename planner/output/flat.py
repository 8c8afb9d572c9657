"""Flat rows of JSON objects, for the CSV and Markdown of results that have no table of
columns of their own (the chip table, the law catalog, transfer estimates).

Owns the flattening: a nested object's fields become columns named by their path
(`source_authors`, `params_alpha`), a list of plain values one cell joined by "; ", and a
list of objects (a law's quoted reproductions, say) is left to --json, with a note naming
it, never dropped silently. Columns are the union over the rows, in first-seen order.
"""

from __future__ import annotations

from planner.output.tabular import Cell, Row, csv_table, markdown_table

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

SKIPPED = ("format", "planner_version", "schema_version", "notices")
"""The contract's version fields (in --json, not a column of every row) and the notices
(written on stderr, as with every format)."""


def flat_rows(objects: Iterable[dict[str, Any]]) -> tuple[list[str], list[Row], list[str]]:
    """(columns, rows, left out): one row an object; `left out` names the lists of objects
    that only --json carries."""
    rows: list[Row] = []
    left: dict[str, None] = {}
    for data in objects:
        row: Row = {}
        _flatten("", {key: value for key, value in data.items() if key not in SKIPPED}, row, left)
        rows.append(row)
    columns = list(dict.fromkeys(name for row in rows for name in row))
    return columns, [{name: row.get(name) for name in columns} for row in rows], list(left)


def _flatten(prefix: str, value: Any, row: Row, left: dict[str, None]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(f"{prefix}_{key}" if prefix else key, item, row, left)
    elif isinstance(value, (list, tuple)):
        if any(isinstance(item, (dict, list, tuple)) for item in value):
            left[prefix] = None
        else:
            row[prefix] = "; ".join(_text(item) for item in value) if value else None
    else:
        row[prefix] = _cell(value)


def _cell(value: Any) -> Cell:
    if isinstance(value, bool):
        return "true" if value else "false"  # as JSON writes them
    if value is None or isinstance(value, (int, float, str)):
        return value
    return str(value)


def _text(value: Any) -> str:
    return repr(value) if isinstance(value, float) else str(value)


def write(objects: Iterable[dict[str, Any]], fmt: str, what: str, left: Iterable[str] = ()) -> None:
    """The objects as CSV or Markdown, and a note on stderr for what only --json has (the
    lists of objects, and the parts `left` names)."""
    columns, rows, lists = flat_rows(objects)
    left = [*lists, *left]
    if fmt == "csv":
        csv_table(columns, rows)
    else:
        words = [
            name
            for name in columns
            if all(isinstance(row[name], (str, type(None))) for row in rows)
            and any(isinstance(row[name], str) for row in rows)
        ]
        markdown_table(columns, rows, text=words)
    if left:
        from planner.output.streams import note

        note(f"--format {fmt} leaves out {', '.join(left)} of the {what}; see --json")
