"""The plain streams: JSON Lines on stdout, one-line messages on stderr, and their guards.

Owns the few writers every command needs, kept apart from the tables so that
`plan --flops 1e21 --json` and error paths load only this; `clean`, which neutralises
terminal control sequences in text users supplied (a spec's name, a law file's caveat);
and `Guarded`, the stream planner.cli.main puts in front of stdout and stderr so that a
closed, broken or full stream never turns into a traceback or a wrong exit code. Must not
import rich, compute plans or read files.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterable

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from planner.planning.results import Notice


CONTROL = {code: f"\\x{code:02x}" for code in (*range(0, 9), *range(11, 32), 127, *range(128, 160))}
"""Control characters but tab and newline, shown as \\x1b and the like instead of obeyed."""


def clean(text: str) -> str:
    """Text with terminal control characters shown, not obeyed (no escape sequences in CI logs)."""
    return text.translate(CONTROL)


class Guarded:
    """A text stream that never raises: a broken pipe or a failed write is recorded, not fatal.

    `broken` is set when the reader went away (EPIPE: `plan ... | head`); `failure` names any
    other reason the output could not be written (a full disk, a closed stream).
    """

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.broken = False
        self.failure: str | None = None

    def write(self, text: str) -> int:
        if self.stream is None:
            self.failure = self.failure or "the stream is closed"
        elif text and not self.broken and self.failure is None:
            self._guard(self.stream.write, text)
        return len(text)

    def flush(self) -> None:
        if self.stream is not None and not self.broken and self.failure is None:
            self._guard(self.stream.flush)

    def _guard(self, action: Any, *args: Any) -> None:
        try:
            action(*args)
        except BrokenPipeError:
            self.broken = True
        except (OSError, ValueError) as err:  # ENOSPC, EBADF; ValueError: I/O on a closed file
            self.failure = getattr(err, "strerror", None) or str(err)

    def isatty(self) -> bool:
        try:
            return bool(self.stream is not None and self.stream.isatty())
        except (OSError, ValueError):
            return False

    def __getattr__(self, name: str) -> Any:
        if self.stream is None:
            raise AttributeError(name)
        return getattr(self.stream, name)


def error(message: str) -> None:
    """One `error: ...` line on stderr (indented detail lines may follow)."""
    sys.stderr.write(f"error: {clean(message)}\n")


def note(message: str) -> None:
    """A `note: ...` line on stderr, about the run rather than a result."""
    sys.stderr.write(f"note: {clean(message)}\n")


def text(message: str) -> None:
    """A result that is already text (e.g. a JSON Schema), on stdout."""
    sys.stdout.write(message + "\n")


def notices(items: Iterable[Notice]) -> None:
    """Warnings and notes about results, on stderr, one line each; a repeated one once."""
    for line in dict.fromkeys(f"{notice.level}: {clean(notice.message)}" for notice in items):
        sys.stderr.write(f"{line}\n")


def _json_line(data: dict[str, Any]) -> None:
    sys.stdout.write(_dumps(data) + "\n")


def json_lines(results: Iterable[Any]) -> None:
    """One compact JSON object per result (a record, or a fit's dataclass) per line."""
    lines = _Lines()
    sys.stdout.write("".join(lines.line(result) for result in results))


class _Lines:
    """JSON lines of records, each top-level field's text kept while the next result holds
    the very same object (a stream of plans shares its law, units and caveats): the text is
    what json.dumps gives, at a fraction of its cost for such streams."""

    def __init__(self) -> None:
        self.kind: type | None = None
        self.values: tuple[Any, ...] = ()
        self.texts: list[str] = []

    def line(self, result: Any) -> str:
        kind = type(result)
        if not hasattr(kind, "__fields__"):
            return _dumps(plain(result)) + "\n"
        values = tuple(result.__dict__.values())  # a record's fields, in order
        names = kind.__fields__
        if kind is not self.kind:
            self.kind, self.values, self.texts = (
                kind,
                values,
                [_field(*pair) for pair in zip(names, values, strict=True)],
            )
        else:
            texts = self.texts
            for index in [
                index for index, (new, old) in enumerate(zip(values, self.values, strict=True)) if new is not old
            ]:
                texts[index] = _field(names[index], values[index])
            self.values = values
        return "{" + ",".join(self.texts) + "}\n"


def _field(name: str, value: Any) -> str:
    return f'"{name}":{_text(value)}'


_FORMATS: dict[tuple[type, tuple[type, ...]], str] = {}
"""For a record of numbers and text only: its JSON object as a %-format of its values."""


def _text(value: Any) -> str:
    kind = type(value)
    if kind is float:
        if not math.isfinite(value):
            raise ValueError(f"Out of range float values are not JSON compliant: {value!r}")
        return float.__repr__(value)
    if value is None:
        return "null"
    if kind is tuple:
        return "[" + ",".join(map(_text, value)) + "]"
    fields = getattr(value, "__dict__", None)
    if fields is not None and hasattr(kind, "__fields__"):
        items = tuple(fields.values())
        kinds = tuple(map(type, items))
        if set(kinds) <= _FLAT:  # numbers and text only: one format per class and kinds
            form = _FORMATS.get((kind, kinds))
            if form is None:
                marks = {float: "%r", str: "%s"}
                parts = (f'"{name}":{marks[each]}' for name, each in zip(fields, kinds, strict=True))
                form = _FORMATS[(kind, kinds)] = "{" + ",".join(parts) + "}"
            if float in kinds and not all(math.isfinite(item) for item in items if type(item) is float):
                raise ValueError(f"Out of range float values are not JSON compliant: {value!r}")
            return form % tuple(_escape(item) if type(item) is str else item for item in items)
    if kind is str:
        return _escape(value)
    return _dumps(_plain_value(value))


_FLAT = {float, str}
_escape = json.encoder.encode_basestring_ascii  # json.dumps's own, with ensure_ascii


def _plain_value(value: Any) -> Any:
    to_dict = getattr(value, "to_dict", None)
    if to_dict is not None:
        return to_dict()
    if isinstance(value, (tuple, list)):
        return [_plain_value(item) for item in value]
    return value


_ENCODER = json.JSONEncoder(allow_nan=False, separators=(",", ":"))
"""allow_nan=False: a NaN in a result is a bug, and it must fail loudly, not print NaN."""


def _dumps(data: Any) -> str:
    return _ENCODER.encode(data)


def plain(result: Any) -> dict[str, Any]:
    """A result as plain data for JSON: a record's `to_dict`, else a dataclass's fields."""
    to_dict = getattr(result, "to_dict", None)
    if to_dict is not None:
        data: dict[str, Any] = to_dict()
        return data
    import dataclasses  # the fitting results, which load numpy anyway

    def convert(value: Any) -> Any:
        if hasattr(value, "to_dict"):
            return value.to_dict()
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return {field.name: convert(getattr(value, field.name)) for field in dataclasses.fields(value)}
        if isinstance(value, (tuple, list)):
            return [convert(item) for item in value]
        if isinstance(value, dict):
            return {key: convert(item) for key, item in value.items()}
        return value

    data = convert(result)
    return data


def coded_notices(items: Iterable[Notice]) -> None:
    """Diagnostics on stderr, one line each, with the code that JSON output carries."""
    for notice in items:
        sys.stderr.write(f"{notice.level}[{notice.code}]: {clean(notice.message)}\n")
