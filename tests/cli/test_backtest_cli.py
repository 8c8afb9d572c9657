"""`plan backtest`: exit codes, stdout versus stderr, the table, JSON Lines and CSV.

The successful runs are shared by module-scoped fixtures (a backtest fits a law per cut);
the error cases fail before any fitting.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from planner.version import FORMAT
from tests.conftest import Result, invoke, synthetic_runs, write_runs

BASE = ("backtest", "runs.csv", "--cut", "3e19", "--cut", "3e20", "--bootstrap", "20")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("backtest")
    write_runs(path / "runs.csv", synthetic_runs(0))
    write_runs(path / "few.csv", synthetic_runs(0)[:5])
    grouped = ["set,params,tokens,loss"] + [
        f"{name},{r['params']!r},{r['tokens']!r},{r['loss'] * scale!r}"
        for name, scale in (("a", 1.0), ("b", 1.3))
        for r in synthetic_runs(0)
    ]
    (path / "groups.csv").write_text("\n".join(grouped) + "\n")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(path)
        patch.setenv("NO_COLOR", "1")
        patch.setenv("COLUMNS", "100")
        yield path


@pytest.fixture(scope="module")
def table(folder: Path) -> Result:
    return invoke(*BASE)


@pytest.fixture(scope="module")
def lines(folder: Path) -> Result:
    return invoke(*BASE, "--recipe", "huber", "--recipe", "squares", "--json")


def test_table_on_stdout_and_nothing_else(table: Result) -> None:
    assert table.exit_code == 0, table.stderr
    out = table.stdout
    assert "huber fit of the 15 runs below 3e19 FLOPs in runs.csv, predicting the 21 at or above it" in out
    assert "95% interval" in out
    assert "bootstrap only" in out
    assert "with model error" in out
    assert "Summary: error on the held-out runs" in out
    assert "Calibration: held-out runs inside their intervals, over the 2 backtests" in out
    assert "k = 0.02106 per decade" in out
    assert out.endswith("\n")
    assert "error" not in table.stderr
    assert "Traceback" not in table.stderr


def test_summary_leaves_out_the_runs(folder: Path, table: Result) -> None:
    result = invoke(*BASE, "--summary")
    assert result.exit_code == 0
    assert "predicting the" not in result.stdout
    assert "Summary" in result.stdout
    assert "Calibration" in result.stdout
    assert len(result.stdout) < len(table.stdout)


def test_json_lines_one_per_recipe_and_cut(lines: Result) -> None:
    assert lines.exit_code == 0, lines.stderr
    objects = [json.loads(line) for line in lines.stdout.splitlines()]
    assert [(o["recipe"]["name"], o["cut"]) for o in objects] == [
        ("huber", 3e19),
        ("huber", 3e20),
        ("squares", 3e19),
        ("squares", 3e20),
    ]
    first = objects[0]
    assert first["format"] == FORMAT
    assert list(first)[:4] == ["format", "planner_version", "source", "sha256"]
    assert [c["level"] for c in first["coverage"]] == [0.5, 0.8, 0.95]
    assert len(first["runs"]) == first["held_out"] == 21
    assert first["model_error"]["per_decade"] == 0.02106
    assert {"row", "loss", "predicted", "relative_error", "intervals", "parameter_intervals"} <= set(
        first["runs"][0]
    )


def test_csv_one_row_per_held_out_run(folder: Path, lines: Result) -> None:
    result = invoke(*BASE, "--format", "csv")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == sum(json.loads(line)["held_out"] for line in lines.stdout.splitlines()[:2])
    assert {"recipe", "cut", "row", "loss", "predicted", "low_95", "high_95", "covered_95"} <= set(rows[0])
    assert {row["covered_50"] for row in rows} <= {"true", "false"}
    first = json.loads(lines.stdout.splitlines()[0])
    assert float(rows[0]["predicted"]) == first["runs"][0]["predicted"]


def test_where_selects_one_group(folder: Path) -> None:
    args = ("--cut", "3e20", "--bootstrap", "0", "--json")
    plain = json.loads(invoke("backtest", "runs.csv", *args).stdout)
    result = invoke("backtest", "groups.csv", "--where", "set=b", *args)
    assert result.exit_code == 0, result.stderr
    grouped = json.loads(result.stdout)
    # The same runs with every loss 1.3 times higher: rows numbered in the file, the same fit shape.
    assert [run["row"] for run in grouped["runs"]] == [36 + run["row"] for run in plain["runs"]]
    assert grouped["params"]["alpha"] != plain["params"]["alpha"]


def test_holdout_largest(folder: Path) -> None:
    result = invoke("backtest", "runs.csv", "--holdout-largest", "3", "--bootstrap", "0", "--json")
    assert result.exit_code == 0, result.stderr
    (line,) = result.stdout.splitlines()
    assert json.loads(line)["held_out"] >= 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("runs.csv",),
            "give --cut FLOPS (fit the runs below it, predict those above) or --holdout-largest K",
        ),
        (("runs.csv", "--cut", "1e10"), "--cut 1e+10 is outside the runs"),
        (("runs.csv", "--cut", "1e30"), "no run is at or above it"),
        (("runs.csv", "--cut", "1e18"), "leaves 3 runs below it to fit"),
        (("few.csv", "--cut", "1e19"), "few.csv has 5 runs; the chinchilla form has 5 parameters"),
        (("runs.csv", "--holdout-largest", "36"), "holds out every one of the 36 runs"),
        (("runs.csv", "--cut", "0"), "--cut must be a finite number above zero"),
        (("runs.csv", "--cut", "lots"), "--cut 'lots' is not a number"),
        (
            ("runs.csv", "--cut", "3e20", "--recipe", "nope"),
            "--recipe must be one of huber, squares, envelope",
        ),
        (("runs.csv", "--cut", "3e20", "--where", "set"), "--where takes COLUMN=VALUE"),
        (("runs.csv", "--cut", "3e20", "--where", "set=a"), "has no column 'set' to select rows by"),
        (("groups.csv", "--cut", "3e20", "--where", "set=c"), "no run of groups.csv has set = 'c'"),
        (("runs.csv", "--cut", "3e20", "--json", "--format", "csv"), "--json asks for --format json"),
        (("runs.csv", "--cut", "3e20", "--bootstrap", "1"), "--bootstrap must be 0"),
        (("missing.csv", "--cut", "3e20"), "missing.csv"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(folder: Path, args: tuple[str, ...], message: str) -> None:
    result = invoke("backtest", *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("error: ")
    assert message in result.stderr
