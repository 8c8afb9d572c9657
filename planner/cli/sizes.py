"""Numbers written with a size suffix: 7B, 70M, 2T, 32k; and the suffixes refused.

Owns what k, M, B and T mean (thousand, million, billion, trillion: docs/cli.md) and the
message for a suffix that is ambiguous (m: milli or million; G: 1e9 or 2**30) or not ours.
Loaded only when a number's text is not a plain float, so a plain plan never reads it.
Standard library only.
"""

from __future__ import annotations

from planner.errors import InputError

SUFFIXES = {"k": "e3", "K": "e3", "M": "e6", "B": "e9", "T": "e12"}
"""What a number may end with: thousand, million, billion (1e9, as in 7B), trillion (1e12)."""
REFUSED = {
    "m": "m could mean milli or million; give {0}M for million or {0}e-3",
    "b": "write billion as B, e.g. {0}B",
    "t": "write trillion as T, e.g. {0}T",
    "g": "G could mean 1e9 or 2**30; give {0}B for billion (1e9)",
    "p": "P (peta) is not taken; give {0}e15",
}
"""Suffixes refused, and what to give instead: the letter is ambiguous, or not one of ours."""


def suffixed(flag: str, example: str, text: str) -> float:
    """A number with a size suffix (7B, 1.5T, 70M), or InputError naming the option `flag`
    and saying what to give (`example`: a value the option takes)."""
    word = text.strip().replace("_", "")
    head, letter = word[:-1], word[-1:]
    digits = head.lstrip("+-").replace(".", "", 1)
    if digits.isascii() and digits.isdigit():
        if letter in SUFFIXES:
            return float(head + SUFFIXES[letter]) + 0.0
        if letter.lower() in REFUSED:
            raise InputError(f"{flag} {text!r}: {REFUSED[letter.lower()].format(head)}")
    raise InputError(f"{flag} {text!r} is not a number; give e.g. {flag} {example}")


def is_size(text: str) -> bool:
    """Whether text is a plain decimal with one of SUFFIXES (7B, 1.5T), as a parser sees it."""
    head = text[:-1].replace(".", "", 1)
    return text[-1:] in SUFFIXES and head.isascii() and head.isdigit()
