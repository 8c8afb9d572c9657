"""`plan check SPEC`: limits at, just under and just over, bad specs, formats, exit codes."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from planner.check import QUANTITIES, parse_spec, run_checks
from planner.errors import DataFileError
from tests.conftest import ROOT, Run

EXAMPLE = ROOT / "tests" / "examples" / "run.toml"

BASE: dict[str, Any] = {
    "name": "7B on 2T",
    "law": "besiroglu2024",
    "run": {"params": 7e9, "tokens": 2e12},
    "hardware": {"gpu": "h100-sxm", "gpus": 512, "mfu": 0.4, "price_per_gpu_hour": 2.5},
    "limits": {},
}


def values() -> dict[str, float]:
    """What the base run measures against each limit (with generous limits everywhere)."""
    spec = json.loads(json.dumps(BASE))
    spec["limits"] = dict.fromkeys(QUANTITIES, 1e300)
    report = run_checks(parse_spec(json.dumps(spec), "base", is_json=True), "base")
    return {check.name: check.value for check in report.checks}


VALUES = values()


def with_limit(name: str, limit: float) -> str:
    spec = json.loads(json.dumps(BASE))
    spec["limits"] = {name: limit}
    return json.dumps(spec)


@pytest.mark.parametrize("name", list(QUANTITIES))
@pytest.mark.parametrize(
    ("where", "passes"),
    [("at", True), ("just above the value", True), ("just below the value", False)],
)
def test_each_limit_at_just_under_and_just_over(run: Run, name: str, where: str, passes: bool) -> None:
    value = VALUES[name]
    limit = {
        "at": value,
        "just above the value": math.nextafter(value, math.inf),
        "just below the value": math.nextafter(value, -math.inf),
    }[where]
    if name == "max_params_factor" and limit < 1:
        pytest.skip("a factor limit is at least 1")
    result = run("check", "-", "--json", stdin=with_limit(name, limit))
    assert result.exit_code == (0 if passes else 1), result.stderr
    report = json.loads(result.stdout)
    (check,) = report["checks"]
    assert check["name"] == name
    assert check["value"] == value
    assert check["limit"] == limit
    assert check["passed"] is passes
    assert report["passed"] is passes
    assert check["margin"] == limit - value
    assert (check["margin"] >= 0) is passes


def test_values_are_what_the_run_implies() -> None:
    assert VALUES["max_flops"] == 6 * 7e9 * 2e12
    hours = 6 * 7e9 * 2e12 / (989.5e12 * 0.4 * 3600)
    assert VALUES["max_gpu_hours"] == pytest.approx(hours)
    assert VALUES["max_cost"] == pytest.approx(hours * 2.5)
    assert VALUES["max_loss"] == pytest.approx(2.0642368, rel=1e-7)
    assert VALUES["max_loss_above_optimum_percent"] == pytest.approx(1.2714, rel=1e-4)
    assert VALUES["max_params_factor"] == pytest.approx(3.8523, rel=1e-4)  # optimum 27.0B vs 7B


def test_the_example_spec_passes_as_a_table(run: Run) -> None:
    result = run("check", str(EXAMPLE))
    assert result.exit_code == 0, result.stderr
    assert "Budget checks: 7B on 2T tokens under besiroglu2024" in result.stdout
    assert result.stdout.count("PASS") == 6
    assert "all 6 checks passed" in result.stdout
    assert "FLOPs (6ND)" in result.stdout
    assert "+16.0%" in result.stdout  # 8.4e22 against 1e23


def test_a_failing_check_exits_1_and_says_which(run: Run) -> None:
    spec = with_limit("max_cost", 100_000)
    table = run("check", "-", stdin=spec)
    assert table.exit_code == 1
    assert "FAIL" in table.stdout
    assert "1 of 1 checks failed" in table.stdout
    markdown = run("check", "-", "--format", "markdown", stdin=spec)
    assert markdown.exit_code == 1
    assert markdown.stdout.splitlines()[0] == "### Budget checks: 7B on 2T: 1 of 1 checks failed"
    assert "| cost | $147,381 | $100,000 | **FAIL** | -47.4% |" in markdown.stdout
    rows = run("check", "-", "--format", "csv", stdin=spec).stdout.splitlines()
    assert rows[0] == "check,quantity,value,limit,result,margin,headroom"
    assert rows[1].startswith("max_cost,cost,147380.83")
    assert ",FAIL," in rows[1]


def test_json_spec_file_and_toml_on_stdin(run: Run, tmp_path: Path) -> None:
    as_json = tmp_path / "run.json"
    as_json.write_text(with_limit("max_flops", 1e23))
    assert run("check", str(as_json), "--json").exit_code == 0
    assert run("check", "-", "--json", stdin=EXAMPLE.read_text()).exit_code == 0


def test_a_run_given_as_flops_is_planned_at_its_optimum(run: Run) -> None:
    spec = {"run": {"flops": 1e22}, "limits": {"max_loss": 2.2, "max_flops": 1e22}}
    report = json.loads(run("check", "-", "--json", stdin=json.dumps(spec)).stdout)
    assert report["passed"] is True
    assert report["plan"]["run"] is None
    assert report["checks"][1]["value"] == report["plan"]["optimum"]["loss"]


def test_a_run_given_as_time_on_hardware(run: Run) -> None:
    spec = {
        "run": {"days": 30, "params": 70e9},
        "hardware": {"gpu": "h100", "gpus": 512, "mfu": 0.4},
        "limits": {"max_gpu_hours": 368_640, "max_params_factor": 1.5},
    }
    result = run("check", "-", "--json", stdin=json.dumps(spec))
    report = json.loads(result.stdout)
    assert result.exit_code == 0, result.stdout
    assert report["checks"][0]["value"] == 368_640  # exactly 30 days x 24 h x 512, at the limit
    assert report["plan"]["run"]["tokens"] == pytest.approx(report["plan"]["flops"] / (6 * 70e9))


def test_the_check_report_has_one_object(run: Run) -> None:
    result = run("check", str(EXAMPLE), "--json")
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    report = json.loads(lines[0])
    assert list(report) == ["format", "planner_version", "spec", "name", "passed", "checks", "plan"]
    assert [check["name"] for check in report["checks"]] == list(QUANTITIES)


def problems_of(text: str, is_json: bool = True) -> list[str]:
    with pytest.raises(DataFileError) as caught:
        parse_spec(text, "spec", is_json)
    return caught.value.problems


def test_unknown_keys_and_wrong_types_are_all_listed() -> None:
    spec = {
        "run": {"params": "7e9", "tokenz": 2e12},
        "hardware": {"gpu": "h100", "gpus": 8.5, "mfu": 1.5},
        "limits": {"max_flops": True, "max_cost": -1},
        "extra": 1,
    }
    assert problems_of(json.dumps(spec)) == [
        "run.params: Input should be a valid number",
        "run.tokenz: unknown key; the check spec has no such field (check the spelling)",
        "limits.max_flops: Input should be a valid number",
        "limits.max_cost: Input should be greater than 0",
        "hardware.gpus: Input should be a valid integer",
        "hardware.mfu: Input should be less than or equal to 1",
        "extra: unknown key; the check spec has no such field (check the spelling)",
    ]


def test_keys_that_cannot_mean_anything_together_are_all_listed() -> None:
    spec = {
        "law": "nope",
        "run": {"tokens": 1e12, "days": 3},
        "limits": {"max_gpu_hours": 10, "max_cost": 10, "max_params_factor": 2},
    }
    found = problems_of(json.dumps(spec))
    assert found[:5] == [
        "run: give only one of flops, tokens, days, hours (found tokens, days)",
        "run.tokens: needs run.params (the run is params x tokens)",
        "run.days: needs [hardware] with gpu and gpus to turn time into FLOPs",
        "limits.max_gpu_hours: needs [hardware] with gpu (and mfu) to count GPU-hours",
        "limits.max_cost: needs hardware.price_per_gpu_hour",
    ]
    assert (
        found[5] == "limits.max_params_factor: needs run.params (a run without one is planned at the optimum)"
    )
    assert found[6].startswith("law: no law named 'nope'")


def test_an_empty_run_and_no_limits() -> None:
    assert problems_of('{"run": {}, "limits": {}}') == [
        "run: give the budget as one of flops, tokens (with params), days or hours (with [hardware])",
        "limits: give at least one of " + ", ".join(QUANTITIES),
    ]
    assert problems_of("{}") == ["run: Field required", "limits: Field required"]


def test_unknown_gpu_in_a_spec() -> None:
    spec = {"run": {"flops": 1e21}, "hardware": {"gpu": "h1000"}, "limits": {"max_gpu_hours": 1}}
    (problem,) = problems_of(json.dumps(spec))
    assert problem.startswith("hardware.gpu: no GPU named 'h1000'; choose one of: a100-40gb")


def test_malformed_files(run: Run, tmp_path: Path) -> None:
    bad_json = run("check", "-", "--json", stdin='{"run": {"params": 7e9,}')
    assert bad_json.exit_code == 2
    assert bad_json.stdout == ""
    assert bad_json.stderr.splitlines() == [
        "error: stdin is not a valid check spec; fix these and retry:",
        "  not valid JSON: Expecting property name enclosed in double quotes (line 1, column 24)",
    ]
    bad_toml = run("check", "-", stdin="[run\nparams = 7e9\n")
    assert bad_toml.exit_code == 2
    assert "not valid TOML" in bad_toml.stderr
    array = tmp_path / "run.json"
    array.write_text("[1, 2]")
    not_object = run("check", str(array))
    assert not_object.exit_code == 2
    assert "(top level): give an object with [run] and [limits]" in not_object.stderr


@pytest.mark.parametrize(
    ("args", "stdin", "code", "message"),
    [
        (["check", str(EXAMPLE)], "", 0, ""),
        (["check", "-"], with_limit("max_flops", 1e23), 0, ""),
        (["check", "-"], with_limit("max_flops", 1e22), 1, ""),
        (["check", "-"], '{"run": {"params": 1}}', 2, "limits: Field required"),
        (["check", "missing.toml"], "", 2, "missing.toml is not a valid check spec"),
        (["check"], "", 2, "missing argument 'SPEC'"),
        (["check", "-", "--format", "xml"], with_limit("max_flops", 1e23), 2, "--format must be one of"),
        (
            ["check", "-"],
            json.dumps(
                {
                    "law": "kaplan2020",
                    **{k: v for k, v in BASE.items() if k != "law"},
                    "limits": {"max_flops": 1e30},
                }
            ),
            2,
            "frontier only, so it cannot evaluate a run",
        ),
    ],
)
def test_exit_codes(run: Run, args: list[str], stdin: str, code: int, message: str) -> None:
    result = run(*args, stdin=stdin)
    assert result.exit_code == code, result.stderr
    assert message in result.stderr
    if code == 2:
        assert result.stdout == ""
        assert result.stderr.startswith("error: ")
        assert all(line.startswith("  ") for line in result.stderr.splitlines()[1:])


def test_a_spec_whose_gpu_time_is_beyond_floating_point_is_refused(run: Run, tmp_path: Path) -> None:
    """A subnormal MFU makes the GPU-hours infinite: one line and exit 2, not a crash."""
    spec = (ROOT / "tests" / "examples" / "over-budget.toml").read_text().replace("mfu = 0.4", "mfu = 5e-324")
    (tmp_path / "tiny.toml").write_text(spec)
    done = run("check", str(tmp_path / "tiny.toml"), "--json")
    assert done.exit_code == 2
    assert done.stdout == ""
    assert done.stderr.splitlines()[-1].startswith("error: the plan of the spec would hold inf")


def test_a_gpu_count_beyond_floating_point_is_refused(run: Run, tmp_path: Path) -> None:
    """The file fuzz found it: an integer of 400 digits could not be made a float (exit 70)."""
    spec = (
        (ROOT / "tests" / "examples" / "over-budget.toml")
        .read_text()
        .replace("gpus = 512", "gpus = 1" + "0" * 400)
    )
    (tmp_path / "huge.toml").write_text(spec)
    done = run("check", str(tmp_path / "huge.toml"), "--json")
    assert done.exit_code == 2
    assert done.stdout == ""
    assert done.stderr.startswith("error: gpus must be a whole number of GPUs, 1 or more")


def test_a_limit_so_small_its_headroom_is_beyond_floating_point_is_refused(run: Run, tmp_path: Path) -> None:
    """The file fuzz found it: max_cost 6.7e-308 made the headroom infinite (exit 70)."""
    spec = (
        (ROOT / "tests" / "examples" / "over-budget.toml")
        .read_text()
        .replace("max_cost = 100_000", "max_cost = 6.7e-308")
    )
    (tmp_path / "tiny.toml").write_text(spec)
    done = run("check", str(tmp_path / "tiny.toml"), "--json")
    assert done.exit_code == 2
    assert done.stdout == ""
    assert done.stderr.splitlines()[-1].startswith("error: the checks of the spec would hold -inf")
