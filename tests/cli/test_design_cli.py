"""plan design on the command line: exit codes, one-line refusals, and runs files that
plan fit reads back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Run


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--target-flops", "1e24", "--ladder-budget", "1e15"], "give at least --ladder-budget 7.3e18"),
        (["--target-flops", "1e20", "--ladder-budget", "1e21"], "give a target above 1e21 FLOPs"),
        (["--target-flops", "1e24", "--ladder-budget", "1e21", "--budgets", "2"], "give --budgets 3 or more"),
        (["--target-flops", "1e24", "--ladder-budget", "1e21", "--sizes", "2"], "give --sizes 3 or more"),
        (
            ["--target-flops", "1e24", "--ladder-budget", "1e21", "--spread", "1.1"],
            "give --spread 1.25 or more",
        ),
        (
            ["--target-flops", "1e24", "--ladder-budget", "1e21", "--budget-step", "1.1"],
            "give --budget-step 1.25 or more",
        ),
        (["--ladder-budget", "1e21"], "give the target"),
        (["--target-flops", "1e24"], "give --ladder-budget FLOPS"),
        (["--target-params", "7e10", "--ladder-budget", "1e21"], "--target-params N with --target-tokens D"),
        (["--target-flops", "1e24", "--ladder-budget", "1e21", "--designs"], "add --format csv"),
        (["--target-flops", "1e24", "--ladder-budget", "1e21", "--law", "kaplan2020"], "chinchilla form"),
    ],
)
def test_bad_designs_exit_2_with_one_line(run: Run, args: list[str], message: str) -> None:
    result = run("design", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert result.stdout == ""
    assert "Traceback" not in result.stderr


def test_the_runs_file_reads_back_into_plan_fit(run: Run, tmp_path: Path, besiroglu: object) -> None:
    result = run(
        "design",
        "--target-flops",
        "1e24",
        "--ladder-budget",
        "1e21",
        "--simulations",
        "20",
        "--format",
        "csv",
    )
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "budget,params,tokens,flops,loss"
    filled = [lines[0]]
    for line in lines[1:]:
        cells = line.split(",")
        n, d = float(cells[1]), float(cells[2])
        filled.append(line + repr(1.82 + 482 / n**0.348 + 2085 / d**0.366))
    path = tmp_path / "ladder.csv"
    path.write_text("\n".join(filled) + "\n")
    fitted = run("fit", str(path), "--bootstrap", "0", "--isoflop", "--json")
    assert fitted.exit_code == 0, fitted.stderr
    report = json.loads(fitted.stdout)
    assert report["runs"]["count"] == 25
    assert report["params"][4]["value"] == pytest.approx(0.366, rel=1e-3)
    assert len(report["isoflop"]["budgets"]) == 5


def test_json_runs_carry_a_loss_to_fill_in(run: Run) -> None:
    result = run(
        "design",
        "--target-flops",
        "1e24",
        "--ladder-budget",
        "1e21",
        "--simulations",
        "20",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 25
    assert all(row["loss"] is None for row in rows)
    assert sum(row["flops"] for row in rows) <= 1e21


def test_designs_as_csv_and_json(run: Run) -> None:
    base = ("design", "--target-flops", "1e24", "--ladder-budget", "1e21", "--simulations", "20", "--designs")
    table = run(*base, "--format", "csv")
    assert table.exit_code == 0, table.stderr
    rows = table.stdout.splitlines()
    assert rows[0].startswith("table,name,budgets,sizes")
    assert [row.split(",")[0] for row in rows[1:]].count("series") == 4
    assert [row.split(",")[0] for row in rows[1:]].count("design") == 5
    whole = run(*base, "--format", "json")
    data = json.loads(whole.stdout)
    assert data["favoured"] in [item["name"] for item in data["designs"]]
    assert len(data["series"]) == 4


def test_fit_isoflop_refusals_are_one_line(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "runs.csv"
    path.write_text(
        "params,tokens,loss\n1e8,1e10,3.0\n2e8,5e9,2.9\n4e8,2.5e9,2.95\n1e9,1e10,2.7\n2e9,5e9,2.6\n"
    )
    result = run("fit", str(path), "--bootstrap", "0", "--isoflop")
    assert result.exit_code == 2
    assert "a parabola needs at least 3" in result.stderr
    assert result.stderr.count("\n") == 1
    bad = run("fit", str(path), "--isoflop-budgets", "1e19,x")
    assert bad.exit_code == 2
    assert "--isoflop-budgets 'x' is not a number" in bad.stderr


def test_a_bad_design_is_refused_before_numpy_loads() -> None:
    import subprocess
    import sys

    script = (
        "import sys\nfrom planner.cli.main import main\ntry:\n"
        "    main(['design', '--target-flops', '1e24', '--ladder-budget', '1e15'])\n"
        "except SystemExit as done:\n    print(done.code, 'numpy' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout == "2 False\n"
