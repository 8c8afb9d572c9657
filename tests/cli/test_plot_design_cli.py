"""`plan plot design`: the picture of plan design's simulation, its data against plan
design's own numbers, the file it saves, and bad input."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from planner.output.grid import text_width
from tests.conftest import Result, Run, invoke

LADDER = ("--target-flops", "1e24", "--ladder-budget", "1e21", "--simulations", "20", "--seed", "3")
"""A small simulation (20 ladders per point), so each command takes about a second."""


@pytest.fixture(scope="module")
def picture() -> Result:
    return invoke("plot", "design", *LADDER, "--format", "json")


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    result = invoke("design", *LADDER, "--format", "json", "--designs")
    assert result.exit_code == 0, result.stderr
    found: dict[str, Any] = json.loads(result.stdout)
    return found


def _series(figure: dict[str, Any], panel: int) -> dict[str, dict[str, Any]]:
    return {series["name"].partition(" (")[0]: series for series in figure["panels"][panel]["series"]}


def test_json_is_one_figure_on_stdout(picture: Result) -> None:
    assert picture.exit_code == 0, picture.stderr
    assert picture.stderr == ""
    (line,) = picture.stdout.splitlines()
    figure = json.loads(line)
    assert figure["kind"] == "design"
    assert [panel["y"] for panel in figure["panels"]] == ["loss_half_width", "params_width"]
    assert all(panel["x_log"] for panel in figure["panels"])
    assert figure["laws"][0]["id"] == "besiroglu2024"


def test_the_proposed_series_is_plan_designs(picture: Result, report: dict[str, Any]) -> None:
    figure = json.loads(picture.stdout)
    loss, params = (_series(figure, panel)["proposed"] for panel in (0, 1))
    assert loss["x"] == [item["ladder_budget"] for item in report["series"]]
    assert loss["y"] == [item["loss_width"] / 2 for item in report["series"]]
    assert params["y"] == [item["params_width"] for item in report["series"]]


def test_every_design_passes_through_its_point_at_the_asked_budget(
    picture: Result, report: dict[str, Any]
) -> None:
    figure = json.loads(picture.stdout)
    loss, params = _series(figure, 0), _series(figure, 1)
    assert [name for name in loss if not name.startswith("favoured")] == [
        item["name"] for item in report["designs"]
    ]
    for item in report["designs"]:
        at = loss[item["name"]]["x"].index(item["ladder_budget"])
        assert loss[item["name"]]["y"][at] == item["loss_width"] / 2
        assert params[item["name"]]["y"][at] == item["params_width"]
        assert loss[item["name"]]["x"] == sorted(loss[item["name"]]["x"])


def test_the_favoured_design_is_marked_and_the_verdict_is_the_summary(
    picture: Result, report: dict[str, Any]
) -> None:
    figure = json.loads(picture.stdout)
    (marker,) = [s for s in figure["panels"][1]["series"] if s["style"] == "marker"]
    favoured = next(item for item in report["designs"] if item["name"] == report["favoured"])
    assert marker["name"] == f"favoured at 1e21 FLOPs: {report['favoured']}"
    assert marker["x"] == [favoured["ladder_budget"]]
    assert marker["y"] == [favoured["params_width"]]
    assert report["verdict"] in figure["summary"]
    assert "20 simulated ladders per point, seed 3" in figure["caption"]


def test_csv_has_a_row_per_point(run: Run) -> None:
    result = run("plot", "design", *LADDER, "--format", "csv")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {row["x_quantity"] for row in rows} == {"ladder_flops"}
    assert {row["y_quantity"] for row in rows} == {"loss_half_width", "params_width"}
    assert all(float(row["y"]) > 0 for row in rows)


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_terminal_picture_fits_and_names_every_design(
    run: Run, monkeypatch: pytest.MonkeyPatch, report: dict[str, Any], columns: int
) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    result = run("plot", "design", *LADDER, "--format", "text")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert max(text_width(line) for line in result.stdout.splitlines()) <= columns
    assert any(0x2800 <= ord(char) <= 0x28FF for char in result.stdout)
    assert "ladder compute (FLOPs of all its runs), log scale" in result.stdout
    for item in report["designs"]:
        assert f" {item['name']} (" in result.stdout
    assert "The simulation's verdict at a 1e21-FLOP ladder:" in result.stdout
    assert f"favoured at 1e21 FLOPs: {report['favoured']}" in result.stdout


def test_svg_is_written(run: Run, tmp_path: Path, report: dict[str, Any]) -> None:
    pytest.importorskip("matplotlib")
    out = tmp_path / "design.svg"
    result = run("plot", "design", *LADDER, "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    text = out.read_text()
    assert text.lstrip().startswith("<?xml")
    assert "</svg>" in text
    assert f"favoured at 1e21 FLOPs: {report['favoured']}" in text  # text stays text in the SVG
    assert [path.name for path in tmp_path.iterdir()] == [out.name]


def test_help_lists_the_ladder_and_the_output_options(run: Run) -> None:
    result = run("plot", "design", "--help")
    assert result.exit_code == 0, result.stderr
    for flag in ("--target-flops", "--ladder-budget", "--budgets", "--simulations", "--seed", "--out"):
        assert flag in result.stdout


def test_plot_without_a_kind_names_design(run: Run) -> None:
    result = run("plot")
    assert result.exit_code == 2
    assert "plan plot isoflop|frontier|fit|size-curve|design" in result.stderr


BAD = [
    (["--target-flops", "1e24", "--ladder-budget", "1e15"], "give at least --ladder-budget 7.3e18"),
    (["--target-flops", "1e20", "--ladder-budget", "1e21"], "give a target above 1e21 FLOPs"),
    (["--target-flops", "1e24", "--ladder-budget", "1e21", "--budgets", "2"], "give --budgets 3 or more"),
    (["--target-flops", "1e24", "--ladder-budget", "1e21", "--sizes", "2"], "give --sizes 3 or more"),
    (["--target-flops", "1e24", "--ladder-budget", "1e21", "--simulations", "5"], "--simulations must be"),
    (["--ladder-budget", "1e21"], "give the target"),
    (["--target-flops", "1e24"], "give --ladder-budget FLOPS"),
    (["--target-params", "7e10", "--ladder-budget", "1e21"], "--target-params N with --target-tokens D"),
    (["--target-flops", "1e24", "--ladder-budget", "1e21", "--law", "kaplan2020"], "chinchilla form"),
    (["--target-flops", "1e24", "--ladder-budget", "-1"], "--ladder-budget must be a finite number"),
]


@pytest.mark.parametrize(("args", "message"), BAD)
def test_bad_designs_are_refused_as_plan_design_refuses_them(run: Run, args: list[str], message: str) -> None:
    pictured, reported = run("plot", "design", *args, "--format", "json"), run("design", *args)
    for result in (pictured, reported):
        assert result.exit_code == 2
        assert result.stdout == ""
        assert len(result.stderr.splitlines()) == 1
        assert result.stderr.startswith("error: ")
        assert message in result.stderr
    assert pictured.stderr == reported.stderr


def test_a_bad_out_name_is_refused(run: Run) -> None:
    result = run("plot", "design", "--target-flops", "1e24", "--ladder-budget", "1e21", "--out", "x.jpg")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "give a file name ending .png, .svg or .pdf" in result.stderr
