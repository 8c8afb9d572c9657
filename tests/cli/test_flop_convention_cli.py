"""`plan --flop-convention 6N|6N+attn`: which convention is in force, always said."""

from __future__ import annotations

import json

import pytest

from planner import plan
from tests.conftest import Run


def test_json_says_the_convention_and_what_it_assumed(run: Run) -> None:
    done = run("--flops", "1e21", "--flop-convention", "6N+attn", "--seq-len", "8192", "--json")
    assert done.exit_code == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["flop_convention"] == "6N+attn"
    counted = found["attention"]
    assert counted["seq_len"] == 8192
    assert counted["flops_per_token"] * found["optimum"]["tokens"] == pytest.approx(1e21, rel=1e-12)
    expected = plan(1e21, flop_convention="6N+attn", seq_len=8192)
    assert found["optimum"]["params"] == expected.optimum.params
    plain = json.loads(run("--flops", "1e21", "--json").stdout)
    assert plain["flop_convention"] == "6N"
    assert plain["attention"] is None


def test_the_table_says_which_convention_is_in_force(run: Run) -> None:
    done = run("--flops", "1e21", "--flop-convention", "6N+attn", "--no-intervals")
    assert done.exit_code == 0
    flat = " ".join(done.stdout.split())
    assert "FLOPs counted as 6N+attn: C = (6N + 12 n_layer d_model l_seq) D, l_seq 4096" in flat
    assert "the law's FLOPs: C = 6ND, N total parameters" in flat
    assert "FLOPs: C = 6ND, N total parameters" in " ".join(run("--flops", "1e21").stdout.split())


def test_streams_and_time_budgets_honour_it(run: Run, tmp_path) -> None:
    budgets = tmp_path / "budgets.txt"
    budgets.write_text("1e20\n1e21\n")
    done = run("--from", str(budgets), "--flop-convention", "6N+attn", "--json", "--no-intervals")
    assert done.exit_code == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["flop_convention"] for line in lines] == ["6N+attn", "6N+attn"]
    assert lines[1]["optimum"]["params"] == plan(1e21, flop_convention="6N+attn", level=None).optimum.params
    timed = run("--gpu", "h100", "--gpus", "64", "--days", "10", "--flop-convention", "6N+attn", "--json")
    assert timed.exit_code == 0, timed.stderr
    found = json.loads(timed.stdout)
    assert found["attention"]["flops_per_token"] * found["optimum"]["tokens"] == pytest.approx(found["flops"])


def test_the_recipe_times_the_plan_with_its_cost_a_token(run: Run) -> None:
    done = run(
        "--flops",
        "1e21",
        "--flop-convention",
        "6N+attn",
        "--recipe",
        "--gpu",
        "h100",
        "--gpus",
        "64",
        "--json",
    )
    assert done.exit_code == 0, done.stderr
    found = json.loads(done.stdout)
    time = found["recipe"]["time"]
    assert found["recipe"]["flop_convention"] == "6N+attn"
    seconds = time["days"] * 86400
    assert time["tokens_per_second"] * seconds == pytest.approx(found["optimum"]["tokens"], rel=1e-9)
    assert "where the plan counts C = (6N + 12 n_layer d_model l_seq) D" in done.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--flops", "1e21", "--flop-convention", "6n"], "--flop-convention"),
        (
            ["--flops", "1e21", "--flop-convention", "6N", "--law", "deepseek2024"],
            "error: law deepseek2024 counts its C with attention",
        ),
        (
            ["--target-loss", "2.2", "--flop-convention", "6N+attn"],
            "error: --flop-convention is honoured by plans of budgets",
        ),
        (
            ["--flops", "1e21", "--size-range", "0.5", "2", "--flop-convention", "6N+attn"],
            "error: --flop-convention is honoured by plans of budgets",
        ),
        (["--flops", "1e21", "--seq-len", "8192"], "error: --seq-len sets the recipe"),
        (
            ["--flops", "1e21", "--flop-convention", "6N+attn", "--seq-len", "0"],
            "error: --seq-len must be a whole number above zero",
        ),
    ],
)
def test_bad_input_gets_one_line_and_exit_2(run: Run, args: list[str], message: str) -> None:
    done = run(*args)
    assert done.exit_code == 2
    assert done.stdout == ""
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
