"""Flat TOML without tomllib: what a `plan check` spec is written in, read at a plain start's cost.

Owns `read(text)`: the document as tomllib would give it, for documents made only of
comments, `[table]` headers of bare keys, and `key = value` lines whose value is a basic
string without escapes, a decimal integer, a decimal float or a boolean; None for anything
else (arrays, inline tables, dotted or quoted keys, escapes, dates, hex, inf, a repeated key
or table), which tomllib then reads or refuses as usual. It exists because importing tomllib
costs more than the rest of `plan check` (it imports re, typing and datetime; see
docs/speed.md); it accepts a strict subset of TOML 1.0 and gives tomllib's values for it, as
the tests check on generated documents. Standard library only.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

BARE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
DIGITS = frozenset("0123456789")


def read(text: str) -> dict[str, Any] | None:
    """The document as a dict, or None where it is not flat TOML of the kinds above."""
    document: dict[str, Any] = {}
    table = document
    seen_tables: set[tuple[str, ...]] = set()
    for raw in text.split("\n"):
        line = raw[:-1] if raw.endswith("\r") else raw
        if "\r" in line or any(c < " " and c != "\t" for c in line):
            return None  # control characters: tomllib's to judge
        stripped = line.strip(" \t")
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("["):
            path = _header(stripped)
            if path is None or path in seen_tables:
                return None
            seen_tables.add(path)
            table = document
            for key in path:
                inner = table.setdefault(key, {})
                if not isinstance(inner, dict):
                    return None
                table = inner
            if table:  # a table given keys before its header (as a parent): tomllib's to judge
                return None
            continue
        key, _, rest = stripped.partition("=")
        key = key.strip(" \t")
        if not _bare(key) or key in table:
            return None
        value = _value(rest.strip(" \t"))
        if value is None:
            return None
        table[key] = value[0]
    return document


def _bare(key: str) -> bool:
    return bool(key) and BARE.issuperset(key)


def _header(line: str) -> tuple[str, ...] | None:
    """The keys of a `[a.b]` header (bare keys only), or None."""
    if line.startswith("[["):
        return None
    end = line.find("]")
    if end < 0 or not _comment_or_nothing(line[end + 1 :]):
        return None
    keys = tuple(part.strip(" \t") for part in line[1:end].split("."))
    return keys if all(_bare(key) for key in keys) else None


def _comment_or_nothing(rest: str) -> bool:
    rest = rest.strip(" \t")
    return not rest or rest.startswith("#")


def _value(text: str) -> tuple[Any] | None:
    """(value,) of one value and what may follow it (a comment), or None."""
    if text.startswith('"'):
        end = text.find('"', 1)
        if (
            end < 0
            or "\\" in text[1:end]
            or text.startswith('"""')
            or not _comment_or_nothing(text[end + 1 :])
        ):
            return None
        return (text[1:end],)
    word = text.partition("#")[0]
    word = word.strip(" \t")
    if not word or any(c in " \t" for c in word):
        return None
    if word == "true":
        return (True,)
    if word == "false":
        return (False,)
    return _number(word)


def _digits(part: str) -> bool:
    """Digits with single underscores between them (TOML's decimal digit groups)."""
    if not part or part[0] == "_" or part[-1] == "_" or "__" in part:
        return False
    return DIGITS.issuperset(part.replace("_", ""))


def _number(word: str) -> tuple[Any] | None:
    body = word[1:] if word[0] in "+-" else word
    mantissa, e, exponent = body.replace("E", "e").partition("e")
    whole, dot, fraction = mantissa.partition(".")
    if not _digits(whole) or (len(whole) > 1 and whole[0] == "0"):
        return None  # no leading zeros; hex, octal, binary, inf and nan are tomllib's
    if dot and not _digits(fraction):
        return None
    if e:
        digits = exponent[1:] if exponent[:1] in ("+", "-") else exponent
        if not _digits(digits):
            return None
    plain = word.replace("_", "")
    if not dot and not e:
        return (int(plain),)
    return (float(plain),)
