"""JSON text in and out without importing the `json` package on the way to a plan.

Owns `loads` and `escape`. Importing `json` imports `re`, which imports `enum`, and the three
cost a plain `plan --flops 1e21 --json` about as much as everything else it imports (see
docs/speed.md). `json`'s own C accelerator, `_json`, needs none of them: `loads` drives its
scanner (`_json.make_scanner`, which `json.JSONDecoder` itself uses) and `escape` is its
`encode_basestring_ascii`, so both give exactly what `json.loads` and `json.dumps` give.
An interpreter without the accelerator falls back to `json` itself. Standard library only.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any


def _constant(name: str) -> float:
    return {"-Infinity": float("-inf"), "Infinity": float("inf"), "NaN": float("nan")}[name]


class _Context:
    """What `_json.make_scanner` reads off a decoder (json.JSONDecoder's defaults)."""

    __slots__ = (
        "memo",
        "object_hook",
        "object_pairs_hook",
        "parse_constant",
        "parse_float",
        "parse_int",
        "strict",
    )

    def __init__(self, object_hook: Callable[[dict[str, Any]], Any] | None) -> None:
        self.object_hook = object_hook
        self.object_pairs_hook = None
        self.parse_float = float
        self.parse_int = int
        self.parse_constant = _constant
        self.strict = True
        self.memo: dict[str, str] = {}


_SCANNERS: dict[object, Callable[[str, int], tuple[Any, int]]] = {}

WHITESPACE = " \t\n\r"


def loads(text: str, object_hook: Callable[[dict[str, Any]], Any] | None = None) -> Any:
    """`json.loads(text, object_hook=object_hook)`; ValueError for text that is not one JSON value."""
    scanner = _SCANNERS.get(object_hook)
    if scanner is None:
        try:
            from _json import make_scanner
        except ImportError:  # no C accelerator: json itself
            import json

            return json.loads(text, object_hook=object_hook)
        scanner = _SCANNERS[object_hook] = make_scanner(_Context(object_hook))  # type: ignore[arg-type]
    start = len(text) - len(text.lstrip(WHITESPACE))
    try:
        value, end = scanner(text, start)
    except StopIteration:
        raise ValueError(f"no JSON value at character {start}") from None
    if text[end:].strip(WHITESPACE):
        raise ValueError(f"extra data after the JSON value at character {end}")
    return value


def _escape() -> Callable[[str], str]:
    try:
        from _json import encode_basestring_ascii
    except ImportError:  # no C accelerator: json itself
        from json.encoder import encode_basestring_ascii
    found: Callable[[str], str] = encode_basestring_ascii
    return found


escape = _escape()
"""`json.dumps(text)` for a str (ensure_ascii, as json.dumps's default)."""
