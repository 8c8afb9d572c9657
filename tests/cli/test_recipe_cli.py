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
    assert laws == ["deepseek2024-hparams", "kaplan2020-critical-batch", "li2025-steplaw"]
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
            "error: --seq-len must be a whole number of tokens per sequence, 1 or more (got 0.0)",
        ),
        (
            ["--recipe", "--seq-len", "100.5"],
            "error: --seq-len must be a whole number of tokens per sequence, 1 or more",
        ),
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


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--shape", "48x7168x50"],
            "error: n_heads (50) must divide d_model (7168); give a head count that does",
        ),
        (
            ["--shape", "4x0x3"],
            "error: --shape takes layers x d_model x heads as three whole numbers above zero",
        ),
        (["--split", "64,4,2"], "error: data 64 x tensor 4 x pipeline 2 is 512 GPUs, not 256"),
        (["--split", "64,4"], "error: --split takes data,tensor,pipeline degrees as three whole numbers"),
        (
            ["--precision", "fp16"],
            "error: --precision must be one of mixed, mixed-fp32-grads, fp32 (got 'fp16')",
        ),
        (
            ["--optimizer", "sgd-momentum"],
            "error: no source we cite counts the bytes of sgd-momentum with mixed",
        ),
    ],
)
def test_a_bad_shape_split_or_optimizer_is_one_line_and_exit_2(
    run: Run, args: list[str], message: str
) -> None:
    done = run("--flops", "1e23", "--recipe", "--gpu", "h100", "--gpus", "256", *args)
    assert done.exit_code == 2, done.stderr
    assert done.stdout == ""
    assert done.stderr.startswith(message)
    assert done.stderr.count("\n") == 1


def test_a_given_shape_and_split_are_the_recipes(run: Run) -> None:
    done = run(
        "--flops",
        "1e23",
        "--recipe",
        "--gpu",
        "h100",
        "--gpus",
        "256",
        "--shape",
        "48x7168x56",
        "--split",
        "32,8,1",
        "--json",
    )
    assert done.exit_code == 0, done.stderr
    found = json.loads(done.stdout)["recipe"]
    (shape,) = found["shapes"]
    assert (shape["shape"]["n_layer"], shape["shape"]["d_model"], shape["shape"]["n_heads"]) == (48, 7168, 56)
    assert found["memory"]["split"] == {"data_parallel": 32, "tensor_parallel": 8, "pipeline_parallel": 1}
    assert found["memory"]["fits"] is True
    short = json.loads(run("--flops", "1e25", "--recipe", "--gpu", "h100", "--gpus", "16", "--json").stdout)
    assert short["recipe"]["memory"]["fits"] is False
