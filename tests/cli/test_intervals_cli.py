"""--level and --no-intervals on every question: exit codes, one-line errors, and what shows."""

from __future__ import annotations

import csv
import io
import json

import pytest

from planner.output.grid import text_width
from tests.conftest import Run


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--level", "95"],
            "error: --level must be between 0 and 1, exclusive (got 95); for 95% give --level 0.95",
        ),
        (
            ["--level", "1"],
            "error: --level must be between 0 and 1, exclusive (got 1); give e.g. --level 0.9",
        ),
        (
            ["--level", "0"],
            "error: --level must be between 0 and 1, exclusive (got 0); give e.g. --level 0.9",
        ),
        (
            ["--level", "nan"],
            "error: --level must be between 0 and 1, exclusive (got nan); give e.g. --level 0.9",
        ),
        (["--level", "x"], "error: --level 'x' is not a number; give e.g. --level 0.9"),
        (["--level", "0.9", "--no-intervals"], "error: --level sets the intervals that --no-intervals drops"),
    ],
)
@pytest.mark.parametrize(
    "question",
    [
        ["--flops", "1e21"],
        ["--params", "7e9", "--tokens", "2e12"],
        ["--target-loss", "2.1"],
        ["--params", "7e9"],
    ],
)
def test_a_bad_level_is_one_line_and_exit_2(
    run: Run, question: list[str], args: list[str], message: str
) -> None:
    done = run(*question, *args, "--json")
    assert done.exit_code == 2
    assert done.stdout == ""
    assert done.stderr.startswith(message)
    assert done.stderr.count("\n") == 1


@pytest.mark.parametrize(
    "question",
    [
        ["--flops", "1e21"],
        ["--flops", "1e21", "--max-tokens", "1e10"],
        ["--flops", "1e21", "--unique-tokens", "1e10"],
        ["--gpu", "h100", "--gpus", "64", "--days", "7"],
        ["--params", "7e9", "--tokens", "2e12"],
        ["--target-loss", "2.1", "--gpu", "h100", "--gpus", "64"],
        ["--params", "7e9"],
        ["--tokens", "2e12"],
        ["--flops", "1e22", "--size-range", "0.5", "2"],
    ],
)
def test_every_question_carries_intervals_at_the_asked_level_or_none(run: Run, question: list[str]) -> None:
    shown = json.loads(run(*question, "--json", "--level", "0.8").stdout.splitlines()[0])
    bounds = shown["intervals"]
    assert bounds["level"] == 0.8
    assert bounds["draws"] + bounds["failed"] == 4000
    for name in ("params", "tokens", "tokens_per_param", "loss", "flops", "run_loss", "days", "cost"):
        band = bounds.get(name)
        if band is not None:
            assert 0 < band["low"] <= band["high"], name
    bare = json.loads(run(*question, "--json", "--no-intervals").stdout.splitlines()[0])
    assert bare["intervals"] is None
    table = run(*question)
    assert table.exit_code == 0, table.stderr
    assert "95% interval" in table.stdout or "loss, 95%" in table.stdout
    assert "intervals: 4000 draws from the bootstrap covariance of besiroglu2024" in table.stdout


def test_the_table_is_readable_at_80_columns(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    for question in (["--flops", "1e21", "--flops", "1e24"], ["--params", "7e9", "--tokens", "2e12"]):
        lines = run(*question).stdout.splitlines()
        assert all(text_width(line) <= 80 for line in lines)
        assert any(line.startswith("│ 95% interval") for line in lines)


def test_a_law_without_a_covariance_says_so_only_in_its_notes(run: Run) -> None:
    done = run("--flops", "1e21", "--law", "hoffmann2022", "--json")
    assert json.loads(done.stdout)["intervals"] is None
    assert "95% interval" not in run("--flops", "1e21", "--law", "hoffmann2022").stdout
    assert "no interval on a plan can be given" in run("laws", "show", "kaplan2020").stdout


def test_a_stream_carries_the_intervals_of_each_budget(run: Run) -> None:
    lines = run("--from", "-", "--json", stdin="1e20\n1e22\n").stdout.splitlines()
    one = [json.loads(run("--flops", flops, "--json").stdout) for flops in ("1e20", "1e22")]
    for line, alone in zip(lines, one, strict=True):
        got = json.loads(line)["intervals"]
        assert got["params"]["low"] == pytest.approx(alone["intervals"]["params"]["low"], rel=1e-12)
        assert got["loss"]["high"] == pytest.approx(alone["intervals"]["loss"]["high"], rel=1e-12)
    rows = list(csv.DictReader(io.StringIO(run("--from", "-", "--format", "csv", stdin="1e21\n").stdout)))
    assert float(rows[0]["params_low"]) < float(rows[0]["params"]) < float(rows[0]["params_high"])
    plain = run("--from", "-", "--format", "csv", "--no-intervals", stdin="1e21\n").stdout
    assert "params_low" not in plain


def test_every_plan_says_it_predicts_loss_not_capabilities(run: Run) -> None:
    assert "pre-training loss, not capabilities (Ganguli et al. 2022)" in run("--flops", "1e21").stdout
    assert json.loads(run("--flops", "1e21", "--json").stdout)["predicts"].startswith("pre-training loss")
