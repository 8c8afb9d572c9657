"""JSON text of results: exactly what `json.dumps(result.to_dict(), separators=(",", ":"))`
gives, written fast enough for a stream of 1e5 plans.

Owns the encoding of records (planner.records) as JSON: each record class gets a formatter
compiled once, and a `Writer` keeps the text of each top-level field while the next result
holds the very same object (a stream's plans share their law, units and caveats), so a
plan's line costs its few new numbers. A NaN or an infinity raises ValueError, as
json.dumps(allow_nan=False) does: a non-finite number in a result is a bug. Standard
library only; the tests check every result type against json.dumps.
"""

from __future__ import annotations

import math

from planner.jsontext import escape
from planner.records import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

_escape = escape  # json.dumps's own (ensure_ascii)


def text(value: Any) -> str:
    """The JSON text of a value: a record, a tuple or list, a dict, text, a number or None."""
    kind = type(value)
    if kind is float:
        if math.isfinite(value):
            return float.__repr__(value)
        raise ValueError(f"Out of range float values are not JSON compliant: {value!r}")
    if kind is str:
        return _escape(value)
    if value is None:
        return "null"
    if kind is tuple or kind is list:
        return "[" + ",".join(map(text, value)) + "]"
    if isinstance(value, Record):
        return _formatter(kind)(value)
    if kind is dict and all(type(key) is str for key in value):
        return "{" + ",".join(_escape(key) + ":" + text(item) for key, item in value.items()) + "}"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if kind is int:
        return int.__repr__(value)
    import json  # anything else json knows (an int or str subclass, say)

    return json.JSONEncoder(allow_nan=False, separators=(",", ":")).encode(value)


_FORMATTERS: dict[type, Callable[[Any], str]] = {}


_SEEN: dict[type, int] = {}
COMPILE_AFTER = 32
"""A record class written this many times gets a compiled formatter (compiling costs about
a quarter of a millisecond, which one plan's output would feel)."""


def _generic(record: Any) -> str:
    return "{" + ",".join(f'"{name}":{text(value)}' for name, value in record.__dict__.items()) + "}"


def _formatter(kind: type[Record]) -> Callable[[Any], str]:
    """`text` for one record class: generic at first, then compiled: each field in order,
    floats inline."""
    found = _FORMATTERS.get(kind)
    if found is None:
        seen = _SEEN[kind] = _SEEN.get(kind, 0) + 1
        if seen <= COMPILE_AFTER:
            return _generic
        lines = ["def format(record):", "    values = record.__dict__"]
        parts = []
        for index, name in enumerate(kind.__fields__):
            lines += [f"    x = values[{name!r}]", *_field_text(f"t{index}", "    ")]
            parts.append(f"{'{' if index == 0 else ','}{_escape(name)}:")
        body = ", ".join(f"{part!r}, t{index}" for index, part in enumerate(parts))
        lines.append(f"    return ''.join(({body or repr('{')}, '}}'))")
        found = _FORMATTERS[kind] = _compiled("\n".join(lines), "format")
    return found


def formatter(kind: type[Record]) -> Callable[[Any], str]:
    """`text` for many records of one class (a stream block's notices), compiled at once."""
    _SEEN[kind] = max(_SEEN.get(kind, 0), COMPILE_AFTER)
    return _formatter(kind)


def _field_text(target: str, indent: str) -> list[str]:
    """Lines that set `target` to the text of the value `x`: a float, None and a record of a
    class with a compiled formatter without the dispatch of `text`."""
    return [
        f"{indent}kind = type(x)",
        f"{indent}if kind is float and finite(x):",
        f"{indent}    {target} = repr_(x)",
        f"{indent}elif x is None:",
        f"{indent}    {target} = 'null'",
        f"{indent}else:",
        f"{indent}    found = formatters(kind)",
        f"{indent}    {target} = found(x) if found is not None else text(x)",
    ]


def _compiled(source: str, name: str) -> Callable[..., Any]:
    scope: dict[str, Any] = {
        "repr_": float.__repr__,
        "finite": math.isfinite,
        "text": text,
        "formatters": _FORMATTERS.get,
    }
    exec(source, scope)
    compiled: Callable[..., Any] = scope[name]
    return compiled


def plain(result: Any) -> dict[str, Any]:
    """A result as plain data for JSON: its `to_dict()` (records, and the fit's report)."""
    data: dict[str, Any] = result.to_dict()
    return data


class Writer:
    """JSON Lines of results, each field's text kept while the next result holds the same
    object in it; a result that is no record is written through `plain`."""

    def __init__(self) -> None:
        self.kind: type | None = None
        self.kept: list[Any] = []
        self.write: Callable[[Any, list[Any]], str] | None = None
        self.lines = 0
        self.writers: dict[type, tuple[Callable[[Any, list[Any]], str], list[Any]]] = {}

    def line(self, result: Any) -> str:
        """The result's JSON object on one line, newline included."""
        kind = type(result)
        if not isinstance(result, Record):
            return text(plain(result)) + "\n"
        self.lines += 1
        if self.lines <= COMPILE_AFTER:  # a few lines: not worth compiling a writer
            return _generic(result) + "\n"
        if kind is not self.kind:  # each class's writer compiled once (a stream may mix them)
            found = self.writers.get(kind)
            if found is None:
                found = self.writers[kind] = (_line_writer(kind), [_UNSEEN, ""] * len(kind.__fields__))
            self.kind, (self.write, self.kept) = kind, found
        assert self.write is not None
        return self.write(result, self.kept)


def _line_writer(kind: type[Record]) -> Callable[[Any, list[Any]], str]:
    """For one record class: its line, each field's text recomputed only when its object
    changed (kept[2i] holds the object, kept[2i + 1] its text), compiled once."""
    lines = ["def write(record, kept):", "    values = record.__dict__"]
    for index, name in enumerate(kind.__fields__):
        lines += [
            f"    x = values[{name!r}]",
            f"    if x is not kept[{2 * index}]:",
            f"        kept[{2 * index}] = x",
            *_field_text("t", "        "),
            f"        kept[{2 * index + 1}] = {_escape(name) + ':'!r} + t",
        ]
    texts = ", ".join(f"kept[{2 * index + 1}]" for index in range(len(kind.__fields__)))
    lines.append(f"    return '{{' + ','.join(({texts},)) + '}}\\n'")
    return _compiled("\n".join(lines), "write")


_UNSEEN = object()
