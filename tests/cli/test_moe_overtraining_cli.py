"""`plan` with the over-training laws (gadre2024-*) and the fine-grained MoE law
(krajewski2024, --granularity, --experts): exit codes, stdout and stderr apart."""

from __future__ import annotations

import json

import pytest

from tests.conftest import Run


def one_line_error(result: object, *pieces: str) -> None:
    """Exit 2, nothing on stdout, one `error:` line on stderr holding every piece."""
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert result.stdout == ""  # type: ignore[attr-defined]
    lines = result.stderr.splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: ")
    assert "Traceback" not in lines[0]
    for piece in pieces:
        assert piece in lines[0]


def test_gadre_plan_json_carries_the_labelled_error_proxy(run: Run) -> None:
    result = run("--flops", "1e21", "--law", "gadre2024-c4", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["law"]["form"] == "overtraining"
    proxies = data["average_top1_error_proxy"]
    assert [(p["tasks"], p["run_error"]) for p in proxies] == [(46, None), (17, None)]
    assert all(0 < p["error"] < 1 for p in proxies)
    assert data["mixture_of_experts"] is None
    assert data["optimum"]["tokens_per_param"] == pytest.approx(3.36, rel=0.01)
    assert "extrapolation beyond the runs behind gadre2024-c4" in result.stderr


def test_gadre_given_run_prices_an_over_trained_run(run: Run) -> None:
    result = run("--params", "1.4e9", "--tokens", "9e11", "--law", "gadre2024-c4", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["run"]["tokens_per_param"] == pytest.approx(642.857, rel=1e-5)
    assert data["run"]["loss"] > data["optimum"]["loss"]
    for proxy in data["average_top1_error_proxy"]:
        assert proxy["run_error"] > proxy["error"]  # the run's loss is higher, so is its error


@pytest.mark.parametrize("columns", ["60", "80", "120"])
def test_gadre_tables_label_the_proxy_at_every_width(
    run: Run, monkeypatch: pytest.MonkeyPatch, columns: str
) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    for args in (["--flops", "1e21"], ["--params", "1.4e9", "--tokens", "9e11"]):
        result = run(*args, "--law", "gadre2024-rw")
        assert result.exit_code == 0, result.stderr
        assert "err46*" in result.stdout
        assert "err17*" in result.stdout
        flat = " ".join(result.stdout.split())
        assert "average top-1 error proxy" in flat
        assert "not a capability" in flat
        assert "Do not use this law to choose N at a fixed budget" in flat


def test_other_laws_tables_and_json_are_unchanged_by_the_new_fields(run: Run) -> None:
    result = run("--flops", "1e21")
    assert "err46" not in result.stdout
    assert "total params" not in result.stdout
    data = json.loads(run("--flops", "1e21", "--json").stdout)
    assert data["average_top1_error_proxy"] == []
    assert data["mixture_of_experts"] is None


def test_krajewski_plan_json_says_what_params_count(run: Run) -> None:
    result = run("--flops", "1.41e21", "--law", "krajewski2024", "--granularity", "16", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["units"]["flops"].startswith("C = 6 N_act D")
    mixture = data["mixture_of_experts"]
    assert (mixture["experts"], mixture["granularity"]) == (64, 16)
    assert mixture["total_params"] == pytest.approx(43 * data["optimum"]["params"])
    assert data["optimum"]["params"] == pytest.approx(3e9, rel=0.06)  # Table 2: 64 x 3B at 1.41e21
    assert data["average_top1_error_proxy"] == []


def test_krajewski_given_run_and_table(run: Run) -> None:
    result = run("--params", "1e9", "--tokens", "28.94e9", "--law", "krajewski2024", "--granularity", "16")
    assert result.exit_code == 0, result.stderr
    flat = " ".join(result.stdout.split())
    assert "total params" in flat
    assert "43.0B" in flat  # 43 x the run's 1B active parameters
    assert "1024 experts, 16 active a token" in flat
    assert "params: active non-embedding" in flat
    data = json.loads(
        run(
            "--params",
            "1e9",
            "--tokens",
            "28.94e9",
            "--law",
            "krajewski2024",
            "--granularity",
            "16",
            "--json",
        ).stdout
    )
    assert data["run"]["loss"] == pytest.approx(
        2.491 - 0.0196, abs=0.001
    )  # Table 2's 2.491, less 0.011-0.023
    assert data["mixture_of_experts"]["run_total_params"] == pytest.approx(43e9)


def test_krajewski_streams_from_a_file_at_the_granularity(run: Run) -> None:
    result = run(
        "--from", "-", "--law", "krajewski2024", "--granularity", "8", "--json", stdin="1e20\n1e21\n"
    )
    assert result.exit_code == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["flops"] for line in lines] == [1e20, 1e21]
    assert all(line["mixture_of_experts"]["granularity"] == 8 for line in lines)


def test_krajewski_answers_inverse_questions_at_the_granularity(run: Run) -> None:
    result = run("--target-loss", "2.5", "--law", "krajewski2024", "--granularity", "8", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["optimum"]["loss"] == pytest.approx(2.5, rel=1e-9)
    assert data["mixture_of_experts"]["granularity"] == 8


@pytest.mark.parametrize(
    ("args", "pieces"),
    [
        (
            ["--flops", "1e21", "--law", "krajewski2024"],
            ["needs the granularity", "--granularity G", "1 to 64"],
        ),
        (["--params", "1e9", "--tokens", "3e10", "--law", "krajewski2024"], ["needs the granularity"]),
        (["--target-loss", "2.5", "--law", "krajewski2024"], ["needs the granularity"]),
        (
            ["--flops", "1e21", "--law", "krajewski2024", "--granularity", "128"],
            ["outside", "--granularity from 1 to 64"],
        ),
        (["--flops", "1e21", "--law", "krajewski2024", "--granularity", "0.5"], ["outside"]),
        (["--flops", "1e21", "--law", "krajewski2024", "--granularity", "0"], ["--granularity"]),
        (["--flops", "1e21", "--law", "krajewski2024", "--granularity", "-8"], ["--granularity"]),
        (["--flops", "1e21", "--law", "krajewski2024", "--granularity", "nan"], ["--granularity"]),
        (["--flops", "1e21", "--law", "krajewski2024", "--granularity", "eight"], ["--granularity", "e.g."]),
        (
            ["--flops", "1e21", "--law", "krajewski2024", "--granularity", "8", "--experts", "32"],
            ["E = 64", "--experts 64"],
        ),
        (
            ["--flops", "1e21", "--granularity", "8"],
            ["besiroglu2024 has no experts or granularity", "krajewski2024"],
        ),
        (["--flops", "1e21", "--law", "gadre2024-c4", "--experts", "64"], ["has no experts or granularity"]),
        (["--flops", "1e21", "--compare", "--granularity", "8"], ["--compare", "drop --granularity"]),
        (
            ["--flops", "1e21", "--law", "krajewski2024", "--granularity", "8", "--recipe"],
            ["Mixture-of-Experts"],
        ),
        (
            ["--flops", "1e21", "--law", "gadre2024-c4", "--unique-tokens", "1e10"],
            ["cannot price repeated data"],
        ),
    ],
)
def test_bad_moe_and_overtraining_input_is_one_line_exit_2(
    run: Run, args: list[str], pieces: list[str]
) -> None:
    one_line_error(run(*args), *pieces)


def test_compare_notes_why_the_new_laws_are_left_out(run: Run) -> None:
    result = run("--flops", "1e21", "--compare")
    assert result.exit_code == 0, result.stderr
    assert "gadre2024-c4 is left out" in result.stderr
    assert "krajewski2024 is left out: it needs the granularity" in result.stderr
    assert "gadre2024" not in result.stdout.split("spread")[0]


def test_laws_show_lists_each_table_2_row_at_its_granularity(run: Run) -> None:
    result = run("laws", "show", "krajewski2024")
    assert result.exit_code == 0, result.stderr
    flat = " ".join(result.stdout.split())
    assert "at 2.95e18 FLOPs, granularity 8, params 1e8 (gives" in flat
    assert "experts" in flat
