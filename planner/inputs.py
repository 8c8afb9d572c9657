"""Reading what users give: files or stdin, their encoding and size, JSON, and numbers in them.

Owns the one hardened layer every reader (budget files, check specs, runs files, law files)
goes through: a path or `-` for stdin read as bytes, at most MAX_BYTES, decoded as UTF-8
with or without a byte-order mark (the same message for a path and for stdin when it is
not); JSON parsed with its depth and its integers bounded and NaN refused; and a value that
must be a number checked to be a real, finite one (not a boolean, not text, not a 5,000-digit
integer), with -0 read as 0. Raises ReadError (an InputError) or JSONError (a
ValueError), whose parts let a reader list every problem of a file at once. Standard library only.
"""

from __future__ import annotations

import math
import sys

from planner.errors import InputError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

MAX_BYTES = 256 * 2**20
"""The largest input read whole (256 MiB): far beyond any budget list, spec, law file or set
of training runs, and small enough that reading it cannot exhaust a machine's memory."""
MAX_DEPTH = 64
"""Deepest nesting of JSON arrays and objects taken: specs and runs nest two or three levels."""


class ReadError(InputError):
    """A file or stdin that could not be read as text: `detail` is the problem alone, for
    readers that list a file's problems under its name; str() is the one-line message."""

    def __init__(self, what: str, label: str, detail: str, message: str) -> None:
        super().__init__(message)
        self.what = what
        self.label = label
        self.detail = detail

    def __str__(self) -> str:
        return str(self.args[0])


def read_bytes(source: str, what: str) -> tuple[bytes, str]:
    """(the bytes of a file, or of stdin for `-`, its label); ReadError if unreadable or too big."""
    label = "stdin" if source == "-" else source
    try:
        if source == "-":
            stream = getattr(sys.stdin, "buffer", None)
            data = stream.read(MAX_BYTES + 1) if stream is not None else sys.stdin.read().encode("utf-8")
        else:
            with open(source, "rb") as file:
                data = file.read(MAX_BYTES + 1)
    except (OSError, ValueError) as err:
        raise unreadable(err, what, label) from None
    if len(data) > MAX_BYTES:
        detail = f"the file is larger than {MAX_BYTES // 2**20} MiB"
        raise ReadError(
            what, label, detail, f"{what} {label} is larger than {MAX_BYTES // 2**20} MiB; split it"
        )
    return data, label


def open_source(source: str, what: str) -> tuple[Callable[[int], bytes], str, Callable[[], None]]:
    """(read: at most n bytes, what has arrived, b"" at the end; the label; close) for a path
    or `-` for stdin, to read as the input arrives; ReadError as read_bytes gives it."""
    if source == "-":
        stream = getattr(sys.stdin, "buffer", None)
        if stream is None:  # a text stream without bytes underneath (an embedding program's)
            return (lambda size: sys.stdin.read(size).encode("utf-8")), "stdin", lambda: None
        return getattr(stream, "read1", stream.read), "stdin", lambda: None
    try:
        file = open(source, "rb")  # noqa: SIM115 (closed by the caller, when the stream ends)
    except (OSError, ValueError) as err:
        raise unreadable(err, what, source) from None
    return file.read1, source, file.close


def unreadable(err: OSError | ValueError, what: str, label: str) -> ReadError:
    """The ReadError for a file that could not be opened or read (a ValueError: an empty
    path, or one with a NUL byte)."""
    if isinstance(err, FileNotFoundError):
        return _unreadable(what, label, "no such file", "give a path, or - for stdin")
    if isinstance(err, IsADirectoryError):
        return _unreadable(what, label, "it is a folder", "give a file")
    if isinstance(err, OSError):
        return _unreadable(what, label, (err.strerror or str(err)).lower(), "give a readable file")
    return _unreadable(what, label, "not a file name", "give a path, or - for stdin")


def _unreadable(what: str, label: str, reason: str, hint: str) -> ReadError:
    return ReadError(
        what, label, f"cannot read the file: {reason}", f"cannot read {what} {label!r}: {reason}; {hint}"
    )


def decode(data: bytes, label: str, what: str) -> str:
    """UTF-8 text, with or without a byte-order mark; ReadError naming the first bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        where = f"byte 0x{data[err.start]:02x} on line {line}"
        raise ReadError(
            what,
            label,
            f"the file is not UTF-8 text ({where}); save it as UTF-8",
            f"{what} {label} is not UTF-8 text ({where}); save it as UTF-8",
        ) from None


def read_text(source: str, what: str) -> tuple[str, str]:
    """(the text of a file, or of stdin for `-`, its label), through read_bytes and decode."""
    data, label = read_bytes(source, what)
    return decode(data, label, what), label


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


class JSONError(ValueError):
    """Text that is no plain JSON; `line` and `column` are set where the parser stopped, and
    `reason` is the message without them."""

    def __init__(self, reason: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(reason if line is None else f"{reason} (line {line}, column {column})")
        self.reason = reason
        self.line = line
        self.column = column


def loads_json(text: str) -> Any:
    """JSON as Python values; ValueError (with a message for users) for anything not plain JSON.

    NaN and Infinity are refused, integers longer than Python's digit limit are refused, and
    so is nesting deeper than MAX_DEPTH (checked before parsing, so it never recurses deep).
    """
    depth = deepest(text)
    if depth > MAX_DEPTH:
        raise JSONError(f"nested {depth} levels deep; at most {MAX_DEPTH} are taken")
    import json  # user data files only: not on the way to a plain plan

    try:
        return json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as err:
        raise JSONError(f"not valid JSON: {err.msg}", err.lineno, err.colno) from None
    except RecursionError:
        raise JSONError(f"nested too deeply; at most {MAX_DEPTH} levels are taken") from None
    except ValueError as err:
        if "integer string conversion" in str(err):
            raise JSONError("holds an integer of over 4,300 digits; write numbers like 1e21") from None
        raise JSONError(f"not valid JSON: {err}") from None


def loads_toml(text: str) -> dict[str, Any]:
    """TOML as Python values; ValueError (tomllib's, or for nesting too deep to parse).
    Flat documents (a check spec) are read without tomllib (planner.flat_toml)."""
    from planner.flat_toml import read

    flat = read(text)
    if flat is not None:
        return flat
    import tomllib

    try:
        return tomllib.loads(text)
    except RecursionError:
        raise ValueError("nested too deeply to read") from None


def deepest(text: str) -> int:
    """The deepest nesting of [ and { in JSON text, ignoring brackets inside strings."""
    depth = most = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            most = max(most, depth)
        elif char in "]}":
            depth -= 1
    return most


def finite(value: Any) -> float | None:
    """A parsed value as a finite float, or None if it is no real, finite number.

    Booleans and text are not numbers, however they look; an integer too large for a float
    is not finite; -0 is 0.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    if not math.isfinite(number):
        return None
    return number + 0.0  # -0.0 + 0.0 is 0.0


def describe(value: Any, *, as_json: bool = False) -> str:
    """A value for a message, shortened: as JSON writes it, or text as Python quotes it."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**40:
        return f"an integer of {len(str(abs(value))) if abs(value) < 10**4000 else 'over 4,000'} digits"
    import json  # a message about bad input: its cost does not matter

    try:
        text = repr(value) if isinstance(value, str) and not as_json else json.dumps(value)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 40 else f"{text[:37]}..."
