"""Full validation of law files with pydantic.

Owns turning a parsed law file into a `Law`, or into a `LawFileError` that lists every
problem at once as `dotted.key: message` lines. Imported only when a file must be
validated, so that `plan` itself starts without pydantic.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Union

from pydantic import AfterValidator, Field, TypeAdapter, ValidationError

from planner.errors import LawFileError
from planner.forms import form_names, law_classes
from planner.forms.base import Law
from planner.records import mirror, record_of
from planner.validation import problems


@cache
def law_adapter() -> TypeAdapter[Law]:
    """The validator for a whole law file, one model per form chosen by `form`."""
    # A discriminated union takes dataclasses, not the records they build: one mirror per form.
    mirrors = tuple(mirror(cls) for cls in law_classes())
    union: Any = Annotated[Union[mirrors], Field(discriminator="form"), AfterValidator(record_of)]  # noqa: UP007
    adapter: TypeAdapter[Law] = TypeAdapter(union)
    return adapter


def validate_law(raw: dict[str, Any], path: Path) -> Law:
    """Validate parsed TOML as a law file named `path`."""
    if isinstance(raw.get("schema_version"), bool):  # True == 1, but a boolean is no version
        raise LawFileError(
            path, [f"schema_version: give the number 1 (got {str(raw['schema_version']).lower()})"]
        )
    if raw.get("form") not in form_names():
        forms = ", ".join(repr(form) for form in form_names())
        raise LawFileError(path, [f"form: give one of {forms} (got {raw.get('form')!r})"])
    try:
        # Strict, through JSON: a boolean or a string is never read as a number, and in JSON
        # mode strict pydantic still takes arrays for tuples and tables for dataclasses.
        law = law_adapter().validate_json(json.dumps(raw, default=str), strict=True)
    except ValidationError as err:
        # The union puts the form first in every location; users never wrote it.
        raise LawFileError(path, problems(err, "law format", skip=(str(raw["form"]),))) from None
    if law.id != path.stem:
        raise LawFileError(path, [f"id: {law.id!r} must equal the file name {path.stem!r}"])
    return law
