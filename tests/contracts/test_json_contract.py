"""The `--json` contract: every schema and some outputs, frozen in golden files.

If a change here is intended, regenerate with UPDATE_GOLDEN=1. Adding a field is
compatible; renaming or removing one, or changing its meaning, must also bump
planner.planning.budget.FORMAT, because consumers rely on it. `plan schema NAME` prints the same
schemas, and a test below checks the CLI and the goldens agree.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from planner.output.schema import SCHEMAS
from planner.version import FORMAT
from tests.conftest import ROOT, Run

GOLDEN = Path(__file__).parents[1] / "golden"


def _check(name: str, actual: Any) -> Any:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(json.dumps(actual, indent=2) + "\n")
    return json.loads(path.read_text())


@pytest.mark.parametrize("name", list(SCHEMAS))
def test_schema_matches_golden(name: str) -> None:
    schema = SCHEMAS[name]()
    assert schema == _check(f"{name}.v1.schema.json", schema)


@pytest.mark.parametrize("name", list(SCHEMAS))
def test_plan_schema_command_prints_the_golden(run: Run, name: str) -> None:
    result = run("schema", name)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == json.loads((GOLDEN / f"{name}.v1.schema.json").read_text())


def test_output_schemas_allow_fields_added_later() -> None:
    for name in ("plan", "comparison", "transfer", "size-curve", "check", "gpus", "laws", "fit", "design"):
        assert '"additionalProperties": false' not in json.dumps(SCHEMAS[name]())
    assert '"additionalProperties": false' in json.dumps(SCHEMAS["spec"]())


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


@pytest.mark.parametrize(
    ("golden", "args"),
    [
        ("plan_1e21.json", ["--flops", "1e21"]),
        (
            "plan_h100_512_30d.json",
            ["--gpu", "h100", "--gpus", "512", "--days", "30", "--mfu", "0.4", "--price-per-gpu-hour", "2.5"],
        ),
        ("plan_run_7b_2t.json", ["--params", "7e9", "--tokens", "2e12"]),
        ("check_example.json", ["check", str(ROOT / "tests" / "examples" / "run.toml")]),
        ("transfer_1e9_1e8.json", ["transfer", "--params", "1e9", "--finetune-chars", "1e8"]),
        ("plan_1e21_image.json", ["--flops", "1e21", "--domain", "image"]),
        ("plan_target_loss_2.json", ["--target-loss", "2.0"]),
        ("plan_7b_at_1e23.json", ["--params", "7e9", "--flops", "1e23"]),
        ("size_curve_1e22.json", ["--flops", "1e22", "--size-range", "0.25", "2"]),
        (
            "plan_inference_1e13.json",
            [
                *("--flops", "1e23", "--inference-tokens", "1e13", "--gpu", "h100"),
                *("--price-per-gpu-hour", "2.5", "--objective", "cost", "--inference-mfu", "0.2"),
            ],
        ),
    ],
)
def test_output_matches_golden(run: Run, golden: str, args: list[str]) -> None:
    result = run(*args, "--json")
    assert result.exit_code == 0, result.stderr
    line = json.loads(result.stdout)
    if "spec" in line:
        line["spec"] = "run.toml"  # the path depends on where the checkout is
    _same(line, _check(golden, line))
    assert line["format"] == FORMAT


def test_output_validates_against_its_schema(run: Run) -> None:
    from pydantic import TypeAdapter

    from planner.check import CheckReport
    from planner.hardware import GpuRecord
    from planner.planning.results import Comparison, Plan, Transfer

    for args in (
        ["--flops", "1e21"],
        ["--flops", "1e23", "--max-params", "1e9"],
        ["--flops", "1e21", "--law", "kaplan2020"],
        ["--flops", "1e21", "--domain", "video"],
        ["--flops", "1e22", "--unique-tokens", "25e9", "--repeated-fraction", "0.001", "--repeats", "100"],
        ["--flops", "1e21", "--transfer", "hernandez2021-text", "--finetune-chars", "3e8"],
        [
            *("--flops", "1e18", "--transfer", "hernandez2021-text", "--finetune-tokens", "1e8"),
            *("--chars-per-token", "3.3", "--max-tokens", "1e8", "--max-params", "1e10"),
        ],
        ["--flops", "1e21", "--gpu", "tpu-v5p", "--gpus", "8"],
        ["--params", "7e9", "--tokens", "2e12", "--gpu", "mi300x", "--price-per-gpu-hour", "3"],
        ["--target-loss", "2.1", "--law", "kaplan2020-nd", "--gpu", "h100"],
        ["--tokens", "2e12", "--law", "kaplan2020"],
        ["--tokens", "1e11", "--flops", "1e21"],
        ["--target-loss", "2.0", "--inference-tokens", "1e12"],
    ):
        line = run(*args, "--json").stdout
        TypeAdapter(Plan).validate_json(line)
    from planner.planning.results import SizeCurve

    curves = run(
        "--flops", "1e21", "--flops", "1e22", "--size-range", "0.1:10", "--law", "kaplan2020-nd", "--json"
    )
    assert len(curves.stdout.splitlines()) == 2, curves.stderr
    for line in curves.stdout.splitlines():
        TypeAdapter(SizeCurve).validate_json(line)
    TypeAdapter(Comparison).validate_json(run("--flops", "1e21", "--compare", "--json").stdout)
    TypeAdapter(Comparison).validate_json(
        run("--flops", "1e21", "--compare", "--domain", "multimodal", "--json").stdout
    )
    for line in run(
        "transfer", "--params", "1e8", "1e9", "--finetune-chars", "1e6", "--json"
    ).stdout.splitlines():
        TypeAdapter(Transfer).validate_json(line)
    TypeAdapter(CheckReport).validate_json(
        run("check", str(ROOT / "tests" / "examples" / "run.toml"), "--json").stdout
    )
    for line in run("gpus", "--json").stdout.splitlines():
        TypeAdapter(GpuRecord).validate_json(line)


def test_law_lines_validate_against_the_laws_schema(run: Run) -> None:
    """The laws schema is hand-extended from the law-file schema: check real lines meet it."""
    from planner.laws.validate import law_adapter

    for line in run("laws", "--json").stdout.splitlines():
        record = json.loads(line)
        assert list(record)[:2] == ["format", "planner_version"]
        assert list(record)[-2:] == ["citation", "default"]
        for key in ("format", "planner_version", "citation", "default"):
            record.pop(key)
        law_adapter().validate_python(record)
