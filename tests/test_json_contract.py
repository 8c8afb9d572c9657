"""The `--json` contract: the schema and one plan, frozen in golden files.

If a change here is intended, regenerate with UPDATE_GOLDEN=1. Adding a field is
compatible; renaming or removing one, or changing its meaning, must also bump
planner.planning.FORMAT, because consumers rely on it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from planner.planning import FORMAT
from planner.schema import comparison_schema, plan_schema
from tests.conftest import Run

GOLDEN = Path(__file__).parent / "golden"


def _check(name: str, actual: Any) -> Any:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(json.dumps(actual, indent=2) + "\n")
    return json.loads(path.read_text())


def test_plan_schema_matches_golden() -> None:
    assert plan_schema() == _check("plan.v1.schema.json", plan_schema())
    assert comparison_schema() == _check("comparison.v1.schema.json", comparison_schema())


def _same(actual: Any, expected: Any) -> None:
    """Same keys in the same order, same strings, numbers within rel 1e-9."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict)
        assert list(actual) == list(expected)
        for key in expected:
            _same(actual[key], expected[key])
    elif isinstance(expected, list):
        assert isinstance(actual, list)
        assert len(actual) == len(expected)
        for got, want in zip(actual, expected, strict=True):
            _same(got, want)
    elif isinstance(expected, float):
        assert actual == pytest.approx(expected, rel=1e-9)
    else:
        assert actual == expected


def test_plan_output_matches_golden(run: Run) -> None:
    line = json.loads(run("--flops", "1e21", "--json").stdout)
    _same(line, _check("plan_1e21.json", line))
    assert line["format"] == FORMAT


def test_output_validates_against_its_schema(run: Run) -> None:
    from pydantic import TypeAdapter

    from planner.planning import Plan

    for args in (
        ["--flops", "1e21"],
        ["--flops", "1e23", "--max-params", "1e9"],
        ["--flops", "1e21", "--law", "kaplan2020"],
        ["--flops", "1e22", "--unique-tokens", "25e9", "--repeated-fraction", "0.001", "--repeats", "100"],
    ):
        line = run(*args, "--json").stdout
        TypeAdapter(Plan).validate_json(line)
