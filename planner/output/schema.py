"""JSON Schemas of planner's JSON output and of the files it reads, from the code's types.

Owns the published contract of `--json` (`plan schema NAME`); imports pydantic, so only
`plan schema` and the tests load it, never the planning path. Output schemas never forbid
extra keys: a consumer must accept fields added later (see FORMAT in planner.version).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import TypeAdapter

from planner.planning.results import Comparison, Plan, Transfer


def _open(schema: Any) -> Any:
    """The schema without `additionalProperties: false`, which inputs use and outputs must not."""
    if isinstance(schema, dict):
        return {
            key: _open(value)
            for key, value in schema.items()
            if not (key == "additionalProperties" and value is False)
        }
    if isinstance(schema, list):
        return [_open(item) for item in schema]
    return schema


def plan_schema() -> dict[str, Any]:
    """The JSON Schema of one `plan --json` line."""
    return TypeAdapter(Plan).json_schema(mode="serialization")


def fit_schema() -> dict[str, Any]:
    """The JSON Schema of the `plan fit --json` object."""
    from planner.fitting.report import FitReport

    return TypeAdapter(FitReport).json_schema(mode="serialization")


def comparison_schema() -> dict[str, Any]:
    """The JSON Schema of one `plan --compare --json` line."""
    return TypeAdapter(Comparison).json_schema(mode="serialization")


def transfer_schema() -> dict[str, Any]:
    """The JSON Schema of one `plan transfer --json` line."""
    return TypeAdapter(Transfer).json_schema(mode="serialization")


def size_curve_schema() -> dict[str, Any]:
    """The JSON Schema of one `plan --flops C --size-range LOW HIGH --json` line."""
    from planner.planning.results import SizeCurve

    return TypeAdapter(SizeCurve).json_schema(mode="serialization")


def design_schema() -> dict[str, Any]:
    """The JSON Schema of the `plan design --format json --designs` object."""
    from planner.planning.design_results import LadderDesign

    return TypeAdapter(LadderDesign).json_schema(mode="serialization")


def check_schema() -> dict[str, Any]:
    """The JSON Schema of the `plan check --json` report."""
    from planner.check import CheckReport

    return TypeAdapter(CheckReport).json_schema(mode="serialization")


def gpus_schema() -> dict[str, Any]:
    """The JSON Schema of one `plan gpus --json` line."""
    from planner.hardware import GpuRecord

    schema: dict[str, Any] = _open(TypeAdapter(GpuRecord).json_schema(mode="serialization"))
    return schema


def laws_schema() -> dict[str, Any]:
    """The JSON Schema of one `plan laws --json` line: a law file plus four fields."""
    from planner.laws.validate import law_adapter

    schema: dict[str, Any] = _open(law_adapter().json_schema())
    added = {
        "format": {"title": "Format", "type": "string"},
        "planner_version": {"title": "Planner Version", "type": "string"},
        "citation": {"title": "Citation", "type": "string"},
        "default": {"title": "Default", "type": "boolean"},
    }
    for name in (
        "ChinchillaLaw",
        "DataConstrainedLaw",
        "KaplanNDLaw",
        "FrontierLaw",
        "ModelSizeLaw",
        "TransferLaw",
    ):
        definition = schema["$defs"][name]
        definition["properties"] = {**definition["properties"], **added}
        definition["required"] = [*definition["required"], *added]
    return schema


def law_file_schema() -> dict[str, Any]:
    """The JSON Schema of a law file (`laws/<domain>/<id>.toml`), as an input."""
    from planner.laws.validate import law_adapter

    return law_adapter().json_schema()


def spec_schema() -> dict[str, Any]:
    """The JSON Schema of a `plan check` spec, as an input."""
    from planner.check import Spec

    return TypeAdapter(Spec).json_schema()


def figure_schema() -> dict[str, Any]:
    """The JSON Schema of `plan plot KIND --format json`: a picture's panels and series."""
    from planner.planning.picture_results import Figure

    return TypeAdapter(Figure).json_schema(mode="serialization")


SCHEMAS: dict[str, Callable[[], dict[str, Any]]] = {
    "plan": plan_schema,
    "comparison": comparison_schema,
    "transfer": transfer_schema,
    "size-curve": size_curve_schema,
    "fit": fit_schema,
    "design": design_schema,
    "check": check_schema,
    "gpus": gpus_schema,
    "laws": laws_schema,
    "figure": figure_schema,
    "spec": spec_schema,
    "law-file": law_file_schema,
}
"""Every schema `plan schema` prints, by name: outputs first, then the input formats."""
