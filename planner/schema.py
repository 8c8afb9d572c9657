"""JSON Schemas of planner's JSON output, generated from the result types.

Owns the published contract of `--json`; imports pydantic, so only `plan schema` and the
tests load it, never the planning path.
"""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from planner.planning import Comparison, Plan


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
