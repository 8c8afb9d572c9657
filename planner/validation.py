"""Rendering pydantic validation errors for people: one `dotted.key: message` line each.

Owns the wording shared by every validated input file (law files, the chip table, check
specs). Imported only where a file is validated, so it may import pydantic.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pydantic import ValidationError
from pydantic_core import ErrorDetails

_KEYED = re.compile(r"[a-z_]+(\.[a-z_]+)*: ")
"""A message that starts with the dotted key it is about, as checks across tables write them."""

MESSAGES = {
    "unexpected_keyword_argument": "unknown key; the {kind} has no such field (check the spelling)",
    "missing_keyword_argument": "required key is missing",
    "missing_argument": "required key is missing",
}


def describe(error: ErrorDetails, kind: str, skip: Sequence[str] = ()) -> str:
    """One line: where (dotted keys, leading `skip` parts dropped) and what is wrong.

    `kind` names the format in messages, e.g. "law format".
    """
    loc = list(error["loc"])
    while loc and loc[0] in skip:
        loc = loc[1:]
    message = MESSAGES.get(error["type"], error["msg"]).replace("{kind}", kind)
    message = message.removeprefix("Value error, ")
    if not loc and _KEYED.match(message):
        return message  # a check across tables that names the key it refuses
    where = ".".join(str(part) for part in loc) or "(top level)"
    return f"{where}: {message}"


def problems(err: ValidationError, kind: str, skip: Sequence[str] = ()) -> list[str]:
    """Every problem of a validation error, one line each, in the order pydantic found them."""
    return [describe(error, kind, skip) for error in err.errors()]
