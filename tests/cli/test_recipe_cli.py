"""`plan --recipe`: the recipe in the table and in JSON, and its refusals."""

from __future__ import annotations

import json

import pytest

from tests.conftest import Run


def test_the_recipe_is_in_json_under_recipe(run: Run) -> None:
    done = run("--flops", "1e21", "--recipe", "--seq-len", "2048", "--json")
    assert done.exit_code == 0, done.stderr
    found = json.loads(done.stdout)["recipe"]
    assert found["seq_len"] == 2048
    laws = [estimate["law"]["id"] for estimate in found["hyperparameters"]]
    assert laws == ["deepseek2024-hparams", "li2025-steplaw"]
    first = found["hyperparameters"][0]
    assert first["batch_sequences"] == pytest.approx(first["batch_tokens"] / 2048)
    assert found["learning_rate"]["low"] <= first["learning_rate"] <= found["learning_rate"]["high"]
    assert json.loads(run("--flops", "1e21", "--json").stdout)["recipe"] is None


def test_the_recipe_table_follows_the_plan_and_its_notices_go_to_stderr(run: Run) -> None:
    done = run("--flops", "1e21", "--recipe", "--gpu", "h100", "--gpus", "64")
    assert done.exit_code == 0
    assert "Shapes of 2.78B parameters" in done.stdout
    assert "Hyper-parameters at 1e21 FLOPs" in done.stdout
    assert "memory: fits at tp 1, pp 1, dp 64" in done.stdout
    assert "deepseek2024-hparams" in done.stdout
    assert "days at Llama 3 405B's 38-43% MFU" in done.stdout
    assert "beyond the runs behind deepseek2024-hparams (hyper-parameters)" in done.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--seq-len", "4096"], "error: --seq-len sets the recipe; add --recipe, or drop --seq-len"),
        (["--untied"], "error: --untied sets the recipe; add --recipe, or drop --untied"),
        (["--recipe", "--zero", "4"], "error: --zero must be one of 0, 1, 2, 3 (got '4')"),
        (["--recipe", "--vocab", "0"], "error: --vocab must be a whole number above zero"),
        (
            ["--recipe", "--seq-len", "0"],
            "error: --seq-len must be a whole number of tokens, at least 1 (got 0)",
        ),
        (["--recipe", "--seq-len", "100.5"], "error: --seq-len must be a whole number of tokens, at least 1"),
        (["--recipe", "--seq-len", "x"], "error: --seq-len 'x' is not a number; give e.g. --seq-len 4096"),
        (
            ["--recipe", "--compare"],
            "error: --recipe is given for each plan of --flops, --params or --target-loss",
        ),
        (["--recipe", "--domain", "image"], "error: no shipped hyper-parameter law covers the image domain"),
    ],
)
def test_bad_recipe_options_are_one_line_and_exit_2(run: Run, args: list[str], message: str) -> None:
    done = run("--flops", "1e21", *args)
    assert done.exit_code == 2, done.stderr
    assert done.stdout == ""
    assert done.stderr.startswith(message)
    assert done.stderr.count("\n") == 1


def test_every_plan_question_takes_a_recipe(run: Run) -> None:
    for question in (
        ["--params", "7e9", "--tokens", "2e12"],
        ["--target-loss", "2.1"],
        ["--params", "7e9"],
        ["--gpu", "h100", "--gpus", "512", "--days", "30"],
    ):
        done = run(*question, "--recipe", "--json")
        assert done.exit_code == 0, done.stderr
        assert json.loads(done.stdout)["recipe"]["hyperparameters"], question
