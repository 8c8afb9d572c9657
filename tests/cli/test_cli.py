"""The `plan` command: exit codes, stdout versus stderr, JSON Lines, the installed script."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from planner.version import FORMAT
from tests.conftest import ROOT, Run

BAD_LAW = str(ROOT / "tests" / "bad_laws" / "typo.toml")


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--flops", "1e21"], 0, ""),
        (["--flops", "1e21", "--max-params", "1e12"], 0, ""),
        (["--flops", "1e21", "--max-params", "1e9"], 0, "max_params 1e+09 binds"),
        (["--flops", "0"], 2, "--flops must be a finite number above zero (got '0')"),
        (["--flops", "-1e21"], 2, "--flops must be a finite number above zero (got '-1e21')"),
        (["--flops", "nan"], 2, "--flops must be a finite number above zero (got 'nan')"),
        (["--flops", "inf"], 2, "--flops must be a finite number above zero (got 'inf')"),
        (["--flops", "lots"], 2, "--flops 'lots' is not a number; give e.g. --flops 1e21"),
        (["--flops", "1e21", "--max-params", "-3"], 2, "--max-params must be a finite number above zero"),
        ([], 2, "give at least one --flops budget"),
        (["--flops"], 2, "option '--flops' requires an argument; run 'plan --help' for usage"),
        (["--flopz", "1e21"], 2, "no such option: --flopz"),
        (
            ["--flops", "1e21", "--law", "nope"],
            2,
            "no law named 'nope'; choose one of: besiroglu2024, deepseek2024",
        ),
        (["--flops", "1e21", "--law", "missing/law2024.toml"], 2, "cannot read the file"),
        (["--flops", "1e21", "--law", BAD_LAW], 2, "params.betta: unknown key"),
        (["--flops", "1e21", "--max-params", "1e8", "--max-tokens", "1e9"], 2, "cannot be spent within"),
        (["--flops", "1e21", "--law", "kaplan2020", "--max-params", "1e9"], 2, "frontier only"),
        (["--flops", "1e21", "--compare", "--law", "hoffmann2022"], 2, "--compare plans under every law"),
        (["--flops", "1e22", "--unique-tokens", "25e9"], 0, "note: 10.1 epochs of 2.5e+10 unique tokens"),
        (
            ["--flops", "1e22", "--unique-tokens", "0"],
            2,
            "--unique-tokens must be a finite number above zero",
        ),
        (
            ["--flops", "1e22", "--unique-tokens", "-5e9"],
            2,
            "--unique-tokens must be a finite number above zero",
        ),
        (["--flops", "1e22", "--unique-tokens", "lots"], 2, "--unique-tokens 'lots' is not a number"),
        (
            ["--flops", "1e22", "--unique-tokens", "1e9", "--law", "kaplan2020"],
            2,
            "cannot price repeated data",
        ),
        (["--flops", "1e22", "--unique-tokens", "1e9", "--compare"], 2, "drop --law, --max-params"),
        (
            ["--flops", "1e22", "--repeated-fraction", "0.001", "--repeats", "100"],
            0,
            "warning: a subset of 0.1%",
        ),
        (
            ["--flops", "1e22", "--repeated-fraction", "0", "--repeats", "100"],
            2,
            "--repeated-fraction must be above 0",
        ),
        (
            ["--flops", "1e22", "--repeated-fraction", "1", "--repeats", "100"],
            2,
            "--repeated-fraction must be above 0",
        ),
        (["--flops", "1e22", "--repeated-fraction", "1.5", "--repeats", "2"], 2, "and below 1 (got 1.5)"),
        (
            ["--flops", "1e22", "--repeated-fraction", "nan", "--repeats", "2"],
            2,
            "--repeated-fraction must be above 0",
        ),
        (
            ["--flops", "1e22", "--repeated-fraction", "0.01", "--repeats", "0.5"],
            2,
            "--repeats must be a finite",
        ),
        (
            ["--flops", "1e22", "--repeated-fraction", "0.01", "--repeats", "0"],
            2,
            "--repeats must be a finite",
        ),
        (["--flops", "1e22", "--repeats", "100"], 2, "--repeats needs --repeated-fraction"),
        (["--flops", "1e22", "--repeated-fraction", "0.01"], 2, "--repeated-fraction needs --repeats"),
        (["--flops", "1e22", "--repeated-fraction", "0.5", "--repeats", "3"], 2, "would be 150% of the run"),
        (
            ["--flops", "1e22", "--repeated-fraction", "0.001", "--repeats", "many"],
            2,
            "--repeats 'many' is not a",
        ),
        (["laws"], 0, ""),
        (["laws", "show", "besiroglu2024"], 0, ""),
        (["laws", "show", "nope"], 2, "no law named 'nope'"),
        (["laws", "show"], 2, "missing argument 'ID|PATH'"),
        (["transfer", "--params", "1e9", "--finetune-chars", "1e8"], 0, ""),
        (["transfer", "--params", "1e9", "--finetune-tokens", "3e7", "--chars-per-token", "3.3"], 0, ""),
        (
            ["transfer", "--params", "0", "--finetune-chars", "1e8"],
            2,
            "--params must be a finite number above zero",
        ),
        (
            ["transfer", "--params", "1e9", "--finetune-chars", "-1"],
            2,
            "--finetune-chars must be a finite number",
        ),
        (
            ["transfer", "--params", "1e9", "--finetune-tokens", "3e7"],
            2,
            "--finetune-tokens needs --chars-per-token",
        ),
        (
            ["transfer", "--params", "1e9", "--finetune-tokens", "3e7", "--chars-per-token", "0"],
            2,
            "--chars-per-token must be a finite number above zero",
        ),
        (
            ["transfer", "--params", "1e9", "--finetune-chars", "1e8", "--finetune-tokens", "3e7"],
            2,
            "give --finetune-chars or --finetune-tokens, not both",
        ),
        (
            ["transfer", "--params", "1e9"],
            2,
            "give the fine-tuning set with --finetune-chars or --finetune-tokens",
        ),
        (["transfer", "--finetune-chars", "1e8"], 2, "give at least one --params model size"),
        (
            ["transfer", "--params", "1e9", "--finetune-chars", "lots"],
            2,
            "--finetune-chars 'lots' is not a number",
        ),
        (
            ["transfer", "--params", "1e9", "--finetune-chars", "1e8", "--law", "besiroglu2024"],
            2,
            "has form chinchilla, not transfer",
        ),
        (
            ["transfer", "--params", "1e9", "--finetune-chars", "1e8", "--law", "nope"],
            2,
            "no law named 'nope'; choose one of: hernandez2021-text, hernandez2021-text-code",
        ),
        (["transfer", "--params", "1e9", "stray", "--finetune-chars"], 2, "requires an argument"),
        (["--flops", "1e21", "--law", "hernandez2021-text"], 2, "hernandez2021-text is a transfer law"),
        (["--flops", "1e21", "--finetune-tokens", "1e8"], 2, "need --transfer LAW"),
        (
            ["--flops", "1e21", "--finetune-tokens", "1e8", "--transfer", "hernandez2021-text"],
            2,
            "--finetune-tokens needs --chars-per-token",
        ),
        (
            [
                "--flops",
                "1e21",
                "--finetune-chars",
                "1e8",
                "--finetune-tokens",
                "1e8",
                "--transfer",
                "hernandez2021-text",
            ],
            2,
            "not both",
        ),
        (
            [
                *("--flops", "1e21", "--finetune-chars", "3e8", "--transfer", "hernandez2021-text"),
                "--max-tokens",
                "1e8",
            ],
            2,
            "--max-tokens with --transfer plans a data-limited fine-tune, which needs --chars-per-token",
        ),
        (
            [
                *("--flops", "1e21", "--finetune-chars", "3e8", "--transfer", "hernandez2021-text"),
                "--compare",
            ],
            2,
            "--compare plans without a fine-tune",
        ),
        (
            [
                *("--flops", "1e18", "--finetune-tokens", "1e8", "--chars-per-token", "3.3"),
                *("--transfer", "hernandez2021-text", "--max-tokens", "1e8"),
            ],
            2,
            "no best size without a cap; give max_params (--max-params)",
        ),
        # Hardware, cost and time.
        (["--flops", "1e21", "--gpu", "h100"], 0, "note: MFU 0.462 assumed"),
        (["--flops", "1e21", "--gpu", "h100", "--mfu", "1"], 0, ""),
        (["--gpu", "tpu-v5p", "--gpus", "256", "--hours", "12", "--mfu", "0.5"], 0, ""),
        (["--flops", "1e21", "--gpu", "h1000"], 2, "no GPU named 'h1000'; choose one of: a100-40gb"),
        (
            ["--flops", "1e21", "--gpu", "h100", "--mfu", "0"],
            2,
            "--mfu must be above 0 and at most 1 (got 0.0)",
        ),
        (["--flops", "1e21", "--gpu", "h100", "--mfu", "1.5"], 2, "--mfu must be above 0 and at most 1"),
        (["--flops", "1e21", "--gpu", "h100", "--mfu", "-0.4"], 2, "--mfu must be above 0 and at most 1"),
        (
            ["--flops", "1e21", "--gpu", "h100", "--mfu", "most"],
            2,
            "--mfu 'most' is not a number; give e.g. --mfu 0.4",
        ),
        (
            ["--gpu", "h100", "--gpus", "8", "--days", "-3"],
            2,
            "--days must be a finite number above zero (got '-3')",
        ),
        (
            ["--gpu", "h100", "--gpus", "8", "--hours", "-1"],
            2,
            "--hours must be a finite number above zero (got '-1')",
        ),
        (["--gpu", "h100", "--gpus", "8", "--days", "0"], 2, "--days must be a finite number above zero"),
        (
            ["--gpu", "h100", "--gpus", "0", "--days", "1"],
            2,
            "--gpus must be a whole number of GPUs, 1 or more",
        ),
        (
            ["--gpu", "h100", "--gpus", "2.5", "--days", "1"],
            2,
            "--gpus must be a whole number of GPUs, 1 or more",
        ),
        (
            ["--gpu", "h100", "--gpus", "8", "--days", "1", "--hours", "2"],
            2,
            "give one of --days, --weeks and --hours (found --days, --hours)",
        ),
        (["--gpu", "h100", "--days", "30"], 2, "--days needs --gpus, the number of GPUs running at once"),
        (["--days", "30"], 2, "--days needs --gpu; name the chip, e.g. --gpu h100"),
        (["--flops", "1e21", "--mfu", "0.4"], 2, "--mfu needs --gpu"),
        (["--flops", "1e21", "--price-per-gpu-hour", "2"], 2, "--price-per-gpu-hour needs --gpu"),
        (
            ["--flops", "1e21", "--gpu", "h100", "--price-per-gpu-hour", "-2"],
            2,
            "--price-per-gpu-hour must be a finite number above zero",
        ),
        (["--flops", "1e21", "--gpu", "h100", "--gpus", "8", "--days", "1"], 2, "give one kind of budget"),
        (["--gpu", "h100"], 2, "give at least one --flops budget"),
        # A given run.
        (["--params", "7e9", "--tokens", "2e12"], 0, "(the given run): tokens 2e+12 is 6.29x above"),
        (["--params", "7e9"], 0, ""),
        (["--tokens", "2e12"], 0, "extrapolation"),
        (["--params", "-7e9", "--tokens", "2e12"], 2, "--params must be a finite number above zero"),
        (
            ["--params", "7e9", "--tokens", "2e12", "--law", "kaplan2020"],
            2,
            "frontier only, so it cannot evaluate a run",
        ),
        (["--params", "7e9", "--tokens", "2e12", "--max-params", "1e9"], 2, "a given run has its own params"),
        (["--params", "7e9", "--tokens", "2e12", "--compare"], 2, "--compare plans under every law"),
        (
            ["--params", "7e9", "--tokens", "2e12", "--flops", "1e21"],
            2,
            "make 8.4e+22 FLOPs (C = 6ND), not --flops 1e+21",
        ),
        (["--params", "7e9", "--tokens", "2e12", "--flops", "8.4e22"], 0, "(the given run)"),
        # Output formats and files.
        (["--flops", "1e21", "--format", "csv"], 0, ""),
        (["--flops", "1e21", "--format", "markdown"], 0, ""),
        (["--flops", "1e21", "--format", "json", "--json"], 0, ""),
        (
            ["--flops", "1e21", "--format", "xml"],
            2,
            "--format must be one of table, json, csv, markdown (got 'xml')",
        ),
        (["--flops", "1e21", "--format", "csv", "--json"], 2, "drop one of --json and --format csv"),
        (["--from", "missing-budgets.txt"], 2, "cannot read --from file 'missing-budgets.txt'"),
        (["gpus"], 0, ""),
        (["gpus", "--json"], 0, ""),
        (["schema"], 0, ""),
        (
            ["schema", "nope"],
            2,
            "no schema named 'nope'; choose one of: plan, comparison, transfer, size-curve, fit, design, check",
        ),
    ],
)
def test_exit_codes(run: Run, args: list[str], code: int, message: str) -> None:
    result = run(*args)
    assert result.exit_code == code, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    if code == 2:
        assert result.stdout == ""
        assert result.stderr.startswith("error: ")
        assert len(result.stderr.splitlines()) == 1 or result.stderr.splitlines()[1].startswith("  ")


def test_json_lines_one_object_per_budget(run: Run) -> None:
    result = run("--flops", "1e21", "--flops", "1e23", "--json")
    assert result.exit_code == 0
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["flops"] for line in lines] == [1e21, 1e23]
    first = lines[0]
    assert first["format"] == FORMAT
    assert first["law"]["id"] == "besiroglu2024"
    assert set(first["optimum"]) == {"params", "tokens", "tokens_per_param", "loss"}
    assert first["notices"] == []
    assert "extrapolation" in {notice["code"] for notice in lines[1]["notices"]}
    # Warnings reach stderr too, never stdout.
    assert "warning: extrapolation" in result.stderr


def test_named_law_and_compare_as_json(run: Run) -> None:
    named = json.loads(run("--flops", "5.76e23", "--law", "hoffmann2022", "--json").stdout)
    assert named["optimum"]["params"] == pytest.approx(32.2e9, rel=0.01)
    compared = json.loads(run("--flops", "1e21", "--compare", "--json").stdout)
    assert next(plan["law"]["id"] for plan in compared["plans"]) == "besiroglu2024"
    assert compared["spread"]["params"] > 1


def test_table_shows_the_plan_and_its_provenance(run: Run) -> None:
    result = run("--flops", "1e21")
    assert result.exit_code == 0
    assert "2.78B" in result.stdout
    assert "59.9B" in result.stdout
    assert "2.3048" in result.stdout
    assert "besiroglu2024" in result.stdout
    assert "arXiv:2404.10102" in result.stdout
    assert "C = 6ND" in result.stdout
    assert "\x1b[" not in result.stdout  # NO_COLOR: no escape codes


def test_unique_tokens_as_json(run: Run) -> None:
    result = run("--flops", "1e22", "--unique-tokens", "25e9", "--law", "muennighoff2023", "--json")
    assert result.exit_code == 0, result.stderr
    line = json.loads(result.stdout)
    data = line["data"]
    assert list(data) == [
        "unique_tokens",
        "epochs",
        "effective_tokens",
        "effective_params",
        "saturation_tokens",
        "unlimited",
        "loss_penalty",
        "loss_per_ln_flops",
        "unlimited_loss_per_ln_flops",
        "R_D_star",
        "R_N_star",
        "decay_source",
    ]
    assert data["epochs"] == pytest.approx(9.49, rel=1e-3)
    assert line["optimum"]["params"] == pytest.approx(7.0e9, rel=0.03)
    assert data["loss_penalty"] == pytest.approx(line["optimum"]["loss"] - data["unlimited"]["loss"])
    assert data["loss_per_ln_flops"] < 0
    assert line["repeated_subset"] is None
    assert [notice["code"] for notice in line["notices"]] == ["range_unknown", "many_epochs"]
    # Notices go to stderr as well, never to stdout.
    assert "note: 9.49 epochs of 2.5e+10 unique tokens" in result.stderr
    assert json.loads(run("--flops", "1e22", "--json").stdout)["data"] is None


def test_where_more_compute_stops_paying(run: Run) -> None:
    args = ["--flops", "1e20", "--flops", "1e21", "--flops", "1e22", "--flops", "1e23", "--flops", "1e24"]
    result = run(*args, "--unique-tokens", "25e9", "--law", "muennighoff2023")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "Compute-optimal plan under muennighoff2023 with 25.0B unique tokens" in out
    for column in ("epochs", "D'", "N'", "+loss", "dL/dlnC", "returns"):
        assert column in out
    assert "tokens/param" not in out
    returns = [line.split()[-2] for line in out.splitlines() if line.startswith("│")]
    assert returns == ["100%", "90.8%", "71.6%", "30%", "0.539%"]
    assert "R_D* 15.387756 and R_N* 5.309743" in out
    assert "warning: 120 epochs of 2.5e+10 unique tokens is past U_D (1 + R_D*)" in result.stderr


def test_repeated_subset_warning_quotes_the_evidence(run: Run) -> None:
    result = run("--flops", "1e22", "--repeated-fraction", "0.001", "--repeats", "100", "--json")
    assert result.exit_code == 0
    subset = json.loads(result.stdout)["repeated_subset"]
    assert subset["token_share"] == pytest.approx(0.1)
    assert subset["fraction"] == 0.001
    (warning,) = [line for line in result.stderr.splitlines() if "Hernandez" in line]
    assert warning.startswith("warning: a subset of 0.1% of the training tokens")
    assert "(400M params) by repeating 0.1% of the data 100 times" in warning
    assert "arXiv:2205.10487" in warning
    table = run("--flops", "1e22", "--repeated-fraction", "0.001", "--repeats", "100")
    assert "repeated subset: 0.1% of the training tokens seen 100 times, 10% of the run" in table.stdout


def test_catalog_as_json(run: Run) -> None:
    records = [json.loads(line) for line in run("laws", "--json").stdout.splitlines()]
    assert {r["id"] for r in records} >= {
        "besiroglu2024",
        "hoffmann2022",
        "hoffmann2022-exact",
        "kaplan2020",
        "kaplan2020-nd",
    }
    shown = json.loads(run("laws", "show", "hoffmann2022-exact", "--json").stdout)
    assert shown["params"]["log_A"] == 6.0073404
    assert "log_E" in shown["params"]
    assert "E" not in shown["params"]  # alternatives not given are left out


def test_law_detail_shows_parameters_errors_and_range(run: Run) -> None:
    out = run("laws", "show", "besiroglu2024").stdout
    for expected in ("482.006", "124.522", "1.4e18 to 1.3e22", "2404.10102", "data_analysis.ipynb"):
        assert expected in out


def test_an_unexpected_exception_exits_70_with_one_line(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    import planner.planning.budget

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(planner.planning.budget, "plan", broken)
    result = run("--flops", "1e21")
    assert result.exit_code == 70
    assert result.stderr.startswith("error: internal error: RuntimeError: boom")
    assert "PLANNER_DEBUG=1" in result.stderr
    assert "Traceback" not in result.stderr


def _plan_process(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("plan")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "planner"]
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, env={**os.environ, **env}, timeout=60, check=False
    )


def test_installed_script_and_module_agree() -> None:
    script = _plan_process("--flops", "1e21", "--json")
    module = subprocess.run(
        [sys.executable, "-m", "planner", "--flops", "1e21", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert script.returncode == module.returncode == 0
    assert json.loads(script.stdout)["optimum"] == json.loads(module.stdout)["optimum"]
    assert _plan_process("--flops", "-1").returncode == 2


@pytest.mark.parametrize(
    "args",
    [
        ["--flops", "1e21", "--json"],
        ["transfer", "--params", "1e8", "1e9", "--finetune-chars", "1e8", "--json"],
        ["--flops", "1e18", "--transfer", "hernandez2021-text", "--finetune-chars", "3e8", "--json"],
        [
            *("--flops", "1e18", "--transfer", "hernandez2021-text", "--finetune-tokens", "1e8"),
            *("--chars-per-token", "3.3", "--max-tokens", "1e8", "--max-params", "1e10", "--json"),
        ],
        ["--target-loss", "2.0", "--json"],
        ["--params", "7e9", "--flops", "1e23", "--json"],
        ["--flops", "1e22", "--size-range", "0.25", "2", "--json"],
        ["--target-loss", "1.947", "--inference-tokens", "2e12", "--json"],
    ],
)
def test_json_path_loads_no_heavy_modules(args: list[str]) -> None:
    """`plan --flops 1e21 --json` must start fast: no scipy, numpy, pydantic or rich.

    So must `plan transfer --json`, a plan with a fine-tune (its search is stdlib only) and
    the inverse and inference-aware questions (closed forms and stdlib searches).
    """
    code = (
        "import atexit, sys\n"
        "heavy = ('scipy', 'numpy', 'pydantic', 'rich', 'typer')\n"
        "atexit.register(lambda: print(sorted(m for m in heavy if m in sys.modules), file=sys.stderr))\n"
        "from planner.cli.main import main\n"
        f"main({args!r})\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[-1] == "[]"  # notices come first


@pytest.mark.parametrize(
    "args",
    [
        ["--flops", "1e21", "--json"],
        ["--flops", "1e21"],
        ["laws"],
        ["gpus"],
        ["--flops", "1e21", "--gpu", "h100"],
    ],
)
def test_the_common_commands_start_without_what_costs_start_up(args: list[str]) -> None:
    """typing, dataclasses (and inspect), pathlib and tomllib cost 6-25 ms each at start:
    records, text type aliases and the index of the shipped data keep them off these paths."""
    code = (
        "import atexit, sys\n"
        "costly = ('typing', 'dataclasses', 'inspect', 'pathlib', 'tomllib', 'shutil', 'rich')\n"
        "atexit.register(lambda: print(sorted(m for m in costly if m in sys.modules), file=sys.stderr))\n"
        "from planner.cli.main import main\n"
        f"main({args!r})\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[-1] == "[]"


def test_a_json_plan_starts_with_no_standard_module_beyond_the_interpreter_own() -> None:
    """json imports re, which imports enum; enum imports functools and collections; the five
    with importlib and warnings cost a plain plan about a third of bare python's start."""
    code = (
        "import atexit, sys\n"
        "costly = ('json', 're', 'enum', 'functools', 'collections', 'importlib', 'warnings', 'types')\n"
        "atexit.register(lambda: print(sorted(m for m in costly if m in sys.modules), file=sys.stderr))\n"
        "from planner.cli.main import main\n"
        "main(['--flops', '1e21', '--json'])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[-1] == "[]"


@pytest.mark.parametrize(
    "args",
    [
        ["--flops", "1e21"],
        ["--flops", "1e21", "--flops", "1e23", "--json"],
        ["--flops=5.76e23", "--law=hoffmann2022"],
        ["--json", "--flops", "1e21", "--max-params", "1e9", "--max-tokens", "1e13"],
        ["--flops", "1e21", "--compare"],
        ["--flops", "1e21", "--domain", "video", "--json"],
        ["--flops", "1e21", "--compare", "--domain", "image"],
        ["--flops", "1e21", "--domain", "audio"],
        ["--flops", "-1"],
        ["--flops", "1e21", "--law", "nope"],
        ["--flops", "1e22", "--unique-tokens", "25e9"],
        ["--flops", "1e20", "--flops", "1e23", "--unique-tokens=25e9", "--law", "muennighoff2023", "--json"],
        ["--flops", "1e22", "--unique-tokens", "25e9", "--repeated-fraction", "0.001", "--repeats", "100"],
        ["--flops", "1e22", "--repeated-fraction=0.001", "--repeats=100", "--json"],
        ["--flops", "1e22", "--unique-tokens", "0"],
        ["--flops", "1e22", "--repeats", "100"],
        ["--flops", "1e22", "--repeated-fraction", "2", "--repeats", "100"],
        ["--flops", "1e22", "--max-params", "3e9", "--unique-tokens", "25e9"],
        [],
        ["laws"],
        ["laws", "--json"],
        ["laws", "show", "kaplan2020"],
        ["laws", "show", "kaplan2020-nd", "--json"],
        ["laws", "show", "hernandez2021-text"],
        [
            "--flops",
            "1e21",
            "--finetune-tokens",
            "1e8",
            "--chars-per-token",
            "3.3",
            "--transfer",
            "hernandez2021-text",
        ],
        ["--flops=1e21", "--finetune-chars=3.3e8", "--transfer=hernandez2021-text-code", "--json"],
        [
            *("--flops", "1e18", "--flops", "1e17", "--finetune-tokens", "1e8", "--chars-per-token", "3.3"),
            *("--transfer", "hernandez2021-text", "--max-tokens", "1e8", "--max-params", "1e10"),
        ],
        ["--flops", "1e21", "--finetune-tokens", "1e8", "--transfer", "hernandez2021-text"],
        ["--flops", "1e21", "--chars-per-token", "3.3"],
        ["transfer", "--params", "1e9", "--finetune-chars", "1e8"],
        ["transfer", "--params", "1e8", "1e9", "--finetune-chars=1e6", "1e8", "--json"],
        [
            "transfer",
            "--params",
            "1e9",
            "--params",
            "1e10",
            "--finetune-tokens",
            "3e7",
            "--chars-per-token",
            "3.3",
        ],
        [
            "transfer",
            "--json",
            "--law",
            "hernandez2021-text-code",
            "--params",
            "1e9",
            "--finetune-chars",
            "1e8",
        ],
        ["transfer", "--params", "1e6", "--finetune-chars", "1e10"],
        ["transfer", "--params", "-1", "--finetune-chars", "1e8"],
        ["transfer", "--params", "1e9", "--finetune-tokens", "3e7"],
        ["transfer", "--params", "1e9", "--finetune-chars", "1e8", "--law", "besiroglu2024"],
        ["gpus"],
        ["gpus", "--json"],
        ["--gpu", "h100", "--gpus", "512", "--days", "30", "--mfu", "0.4", "--price-per-gpu-hour", "2.5"],
        ["--flops=1e23", "--gpu=h100", "--mfu=0.4", "--price-per-gpu-hour=2.5", "--gpus=1024", "--json"],
        ["--gpu", "tpu-v5e", "--gpus", "64", "--hours", "36", "--format", "csv"],
        ["--params", "7e9", "--tokens", "2e12"],
        ["--params", "7e9", "--tokens", "2e12", "--law", "kaplan2020-nd", "--format", "markdown"],
        ["--target-loss", "2.0"],
        ["--target-loss=2.0", "--gpu", "h100", "--gpus", "256", "--json"],
        ["--target-loss", "1.5"],
        ["--params", "7e9"],
        ["--tokens", "2e12", "--law", "kaplan2020-nd", "--format", "csv"],
        ["--params", "7e9", "--flops", "1e23"],
        ["--params", "7e9", "--tokens", "2e12", "--flops", "1e21"],
        ["--flops", "1e22", "--size-range", "0.25", "2"],
        ["--flops", "1e22", "--size-range=0.25:2", "--json"],
        ["--flops", "1e22", "--size-range", "0.25"],
        ["--target-loss", "1.947", "--inference-tokens", "2e12", "--law", "hoffmann2022"],
        [
            *(
                "--flops",
                "1e23",
                "--inference-tokens",
                "1e13",
                "--gpu",
                "h100",
                "--price-per-gpu-hour",
                "2.5",
            ),
            *("--objective", "cost", "--inference-mfu", "0.2", "--json"),
        ],
        ["--flops", "1e23", "--inference-tokens", "1e13", "--objective", "cost"],
        ["--from", "-", "--json"],
        ["--from", "-", "--flops", "1e22", "--format", "csv"],
        ["--flops", "1e21", "--gpu", "h1000"],
        ["--gpu", "h100", "--gpus", "8", "--days", "-3"],
        ["--from", "-", "--law", "nope"],
        ["--params", "7B", "--tokens", "2T", "--json"],
        ["--flops", "1.5e21", "--max-params", "1B", "--quiet"],
        ["--flops", "1e25", "--verbose"],
        ["--flops", "1e25", "-q", "--json"],
        ["--flops", "1e25", "-v"],
        ["--flops", "1e21", "--quiet", "--verbose"],
        ["--params", "7m"],
        ["--params", "7G"],
        ["--gpu", "h100", "--gpus", "512", "--weeks", "2", "--json"],
        ["--gpu", "h100", "--gpus", "1k", "--days", "30", "--size-range", "0.5", "2"],
    ],
)
def test_fast_path_and_typer_agree(run: Run, monkeypatch: pytest.MonkeyPatch, args: list[str]) -> None:
    from planner.cli.main import command_of
    from planner.cli.parse import normalise, parse

    budgets = '1e20\n# a comment\n\n{"flops": 1e21, "law": "hoffmann2022", "max_params": 1e9}\n'
    fast = run(*args, stdin=budgets)
    monkeypatch.setenv("PLANNER_NO_FAST_PATH", "1")
    slow = run(*args, stdin=budgets)
    assert (fast.exit_code, fast.stdout, fast.stderr) == (slow.exit_code, slow.stdout, slow.stderr)
    command = command_of(args)
    assert parse(command, normalise(command, args[len(command.name.split()) :])) is not None


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["--flops"],
        ["--flops", "1e21", "--law", "a", "--law", "b"],
        ["--flops", "1e21", "--unique-tokens", "1e9", "--unique-tokens", "2e9"],
        ["--flops", "1e21", "--repeats"],
        ["laws", "show"],
        ["-h"],
    ],
)
def test_fast_path_leaves_the_rest_to_typer(args: list[str]) -> None:
    from planner.cli.main import command_of
    from planner.cli.parse import parse

    command = command_of(args)
    assert parse(command, args[len(command.name.split()) :]) is None


@pytest.mark.parametrize(
    "args",
    [
        ["transfer", "--help"],
        ["transfer", "--params"],
        ["transfer", "--law", "a", "stray"],
        ["transfer", "--params", "1e9", "--flops", "1e21"],
    ],
)
def test_fast_transfer_path_leaves_the_rest_to_typer(args: list[str]) -> None:
    from planner.cli.main import load
    from planner.cli.parse import normalise, parse

    transfer = load("transfer")
    assert parse(transfer, normalise(transfer, args[1:])) is None


@pytest.mark.parametrize(
    ("argv", "spread"),
    [
        (["transfer", "--params", "1", "2"], ["transfer", "--params", "1", "--params", "2"]),
        (["transfer", "--params=1", "2", "--json"], ["transfer", "--params=1", "--params", "2", "--json"]),
        (["transfer", "--law", "x", "y"], ["transfer", "--law", "x", "y"]),
        (["--flops", "1", "2"], ["--flops", "1", "2"]),  # only subcommands without arguments spread
    ],
)
def test_space_separated_values_are_spread_only_where_unambiguous(argv: list[str], spread: list[str]) -> None:
    from planner.cli.main import command_of
    from planner.cli.parse import normalise

    command = command_of(argv)
    words = len(command.name.split())
    assert argv[:words] + normalise(command, argv[words:]) == spread


def test_debug_variable_shows_the_real_exception(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    import planner.planning.budget

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(planner.planning.budget, "plan", broken)
    monkeypatch.setenv("PLANNER_DEBUG", "1")
    result = run("--flops", "1e21")
    # The real exception, with its traceback, and still the exit code of a bug.
    assert result.exit_code == 70
    assert "Traceback" in result.stderr
    assert "RuntimeError: boom" in result.stderr
    monkeypatch.setenv("PLANNER_DEBUG", "0")  # 0 is off, as unset
    quiet = run("--flops", "1e21")
    assert quiet.exit_code == 70
    assert "Traceback" not in quiet.stderr


def test_transfer_json_lines_one_object_per_pair(run: Run) -> None:
    result = run("transfer", "--params", "1e8", "1e9", "1e10", "--finetune-chars", "1e6", "1e8", "--json")
    assert result.exit_code == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(line["params"], line["finetune_chars"]) for line in lines] == [
        (n, d) for n in (1e8, 1e9, 1e10) for d in (1e6, 1e8)
    ]
    first = lines[0]
    assert first["format"] == FORMAT
    assert first["law"]["id"] == "hernandez2021-text"
    assert first["effective"] == pytest.approx(first["finetune_chars"] + first["transferred"])
    assert first["multiplier"] == pytest.approx(first["effective"] / first["finetune_chars"])
    assert "range_unknown" in {notice["code"] for notice in first["notices"]}
    # The same note for every pair is written to stderr once.
    assert result.stderr.count("note: hernandez2021-text records no endpoints") == 1


def test_space_separated_and_repeated_values_agree(run: Run) -> None:
    spaced = run("transfer", "--params", "1e8", "1e9", "--finetune-chars", "1e6", "1e8", "--json")
    repeated = run(
        "transfer",
        "--params",
        "1e8",
        "--params=1e9",
        "--finetune-chars",
        "1e6",
        "--finetune-chars",
        "1e8",
        "--json",
    )
    assert spaced.exit_code == repeated.exit_code == 0
    assert spaced.stdout == repeated.stdout
    assert len(spaced.stdout.splitlines()) == 4


def test_transfer_tokens_need_and_use_the_ratio(run: Run) -> None:
    line = json.loads(
        run(
            "transfer", "--params", "1e9", "--finetune-tokens", "3e7", "--chars-per-token", "3.3", "--json"
        ).stdout
    )
    assert line["finetune_tokens"] == 3e7
    assert line["chars_per_token"] == 3.3
    assert line["finetune_chars"] == pytest.approx(9.9e7)


def test_transfer_table_is_one_table_with_the_formula(run: Run) -> None:
    result = run(
        "transfer",
        "--params",
        "1e8",
        "1e9",
        "--finetune-chars",
        "1e6",
        "1e8",
        "--law",
        "hernandez2021-text-code",
    )
    assert result.exit_code == 0
    out = result.stdout
    assert out.count("Effective data from pre-training under hernandez2021-text-code") == 1
    assert "k 2.1e5, alpha 0.096, beta 0.38" in out
    assert "arXiv:2102.01293" in out
    assert "Secondary-source" in out
    assert "\x1b[" not in out


def test_transfer_notices_reach_stderr_and_json(run: Run) -> None:
    result = run("transfer", "--params", "1e6", "--finetune-chars", "1e10", "--json")
    line = json.loads(result.stdout)
    found = {notice["code"] for notice in line["notices"]}
    assert {"low_data_regime", "ossification"} <= found
    assert "warning: ossification" in result.stderr
    assert "warning: D_F 1e+10" in result.stderr


def test_plan_with_a_fine_tune_labels_the_combination(run: Run) -> None:
    args = ["--flops", "1e21", "--finetune-tokens", "1e8", "--chars-per-token", "3.3"]
    result = run(*args, "--transfer", "hernandez2021-text")
    assert result.exit_code == 0, result.stderr
    assert "Fine-tuning set at the plan's N, under hernandez2021-text" in result.stdout
    assert "note: this plan combines two laws from different papers" in result.stderr
    assert "warning: besiroglu2024 counts N as total parameters" in result.stderr
    line = json.loads(run(*args, "--transfer", "hernandez2021-text", "--json").stdout)
    assert line["finetune"]["mode"] == "report"
    assert line["finetune"]["transfer"]["params"] == line["optimum"]["params"]
    assert line["finetune"]["effective_tokens"] == pytest.approx(
        line["finetune"]["transfer"]["effective"] / 3.3
    )
    assert {"combined_laws", "units_differ"} <= {notice["code"] for notice in line["notices"]}


def test_plan_for_a_data_limited_fine_tune(run: Run) -> None:
    result = run(
        *("--flops", "1e18", "--finetune-tokens", "1e8", "--chars-per-token", "3.3"),
        *("--transfer", "hernandez2021-text", "--max-tokens", "1e8", "--max-params", "1e10", "--json"),
    )
    assert result.exit_code == 0, result.stderr
    line = json.loads(result.stdout)
    assert line["finetune"]["mode"] == "data_limited"
    assert line["optimum"]["params"] == 1e10
    assert line["optimum"]["loss"] < line["finetune"]["loss_from_scratch"]
    assert line["constraints"]["binding"] == "max_params"
    assert "note: N chosen for a data-limited fine-tune" in result.stderr


@pytest.mark.parametrize("law_id", [path.stem for path in sorted((ROOT / "laws").glob("*/*.toml"))])
def test_every_shipped_law_shows_in_full(run: Run, law_id: str) -> None:
    shown = run("laws", "show", law_id)
    assert (shown.exit_code, shown.stderr) == (0, "")
    assert law_id in shown.stdout
    assert json.loads(run("laws", "show", law_id, "--json").stdout)["id"] == law_id


def test_budgets_from_stdin(run: Run) -> None:
    result = run(
        "--from",
        "-",
        "--json",
        stdin='1e20\n# a comment\n\n1e21\n{"flops": 5.76e23, "law": "hoffmann2022"}\n',
    )
    assert result.exit_code == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["flops"] for line in lines] == [1e20, 1e21, 5.76e23]
    assert [line["law"]["id"] for line in lines] == ["besiroglu2024", "besiroglu2024", "hoffmann2022"]
    assert lines[2]["optimum"]["params"] == pytest.approx(32.2e9, rel=0.01)


def test_budgets_from_a_file_and_flops_together(run: Run, tmp_path: Path) -> None:
    budgets = tmp_path / "budgets.txt"
    budgets.write_text("1e21  # the first\n2e21\n")
    result = run("--flops", "1e20", "--from", str(budgets), "--json")
    assert [json.loads(line)["flops"] for line in result.stdout.splitlines()] == [1e20, 1e21, 2e21]


def test_stdin_is_never_read_unless_asked(run: Run) -> None:
    import io

    stream = io.StringIO("1e30\n")
    saved = sys.stdin
    sys.stdin = stream
    try:
        from planner.cli.main import main

        with pytest.raises(SystemExit):
            main(["--flops", "1e21", "--json"])
    finally:
        sys.stdin = saved
    assert stream.tell() == 0


def test_bad_budget_lines_are_all_reported_after_the_plans_of_the_lines_before(run: Run) -> None:
    """A stream prints as lines arrive: line 1's plan is out before line 2 is read."""
    result = run("--from", "-", "--json", stdin='1e21\nabc\n{"flops": -1, "lawz": 1}\n{bad\n')
    assert result.exit_code == 2
    assert [json.loads(line)["flops"] for line in result.stdout.splitlines()] == [1e21]
    assert result.stderr.splitlines() == [
        "error: stdin holds lines that are not budgets; fix these and retry:",
        "  line 2: 'abc' is neither a number nor a JSON object with a flops key",
        "  line 3: unknown key 'lawz'; a line may have flops, law, max_params, max_tokens",
        "  line 3: flops must be a finite number above zero (got -1)",
        "  line 4: not valid JSON: Expecting property name enclosed in double quotes (column 2)",
    ]


def test_hardware_plan_from_time(run: Run) -> None:
    result = run(
        "--gpu",
        "h100",
        "--gpus",
        "512",
        "--days",
        "30",
        "--mfu",
        "0.4",
        "--price-per-gpu-hour",
        "2.5",
        "--json",
    )
    assert result.exit_code == 0, result.stderr
    line = json.loads(result.stdout)
    assert line["flops"] == pytest.approx(512 * 30 * 86400 * 989.5e12 * 0.4)
    assert line["hardware"] == {
        "gpu": "h100-sxm",
        "gpu_name": "NVIDIA H100 SXM",
        "precision": "bf16",
        "peak_flops_per_second": 989.5e12,
        "mfu": 0.4,
        "mfu_source": "given",
        "gpu_hours": 368640.0,
        "gpus": 512,
        "days": 30.0,
        "price_per_gpu_hour": 2.5,
        "cost": 921600.0,
    }


def test_how_long_and_how_much_for_a_budget(run: Run) -> None:
    result = run(
        "--flops",
        "1e23",
        "--gpu",
        "h100",
        "--mfu",
        "0.4",
        "--price-per-gpu-hour",
        "2.5",
        "--gpus",
        "1024",
        "--json",
    )
    spent = json.loads(result.stdout)["hardware"]
    hours = 1e23 / (989.5e12 * 0.4 * 3600)
    assert spent["gpu_hours"] == pytest.approx(hours)
    assert spent["days"] == pytest.approx(hours / 1024 / 24)
    assert spent["cost"] == pytest.approx(hours * 2.5)
    table = run(
        "--flops", "1e23", "--gpu", "h100", "--mfu", "0.4", "--price-per-gpu-hour", "2.5", "--gpus", "1024"
    ).stdout
    assert "GPU-hours" in table
    assert f"{hours:,.0f}" in table
    assert "NVIDIA H100 SXM (h100-sxm), 989.5 TFLOP/s dense bf16 peak per GPU x MFU 0.4 (given)" in table


def test_the_default_mfu_is_announced_on_stderr_and_in_json(run: Run) -> None:
    result = run("--flops", "1e21", "--gpu", "tpu-v4", "--json")
    line = json.loads(result.stdout)
    assert line["hardware"]["mfu"] == 0.462
    assert "mfu_default" in {notice["code"] for notice in line["notices"]}
    assert (
        "note: MFU 0.462 assumed: PaLM 540B's MFU (Chowdhery et al. 2022, arXiv:2204.02311, Table 3)"
        in result.stderr
    )


def test_csv_and_markdown(run: Run) -> None:
    import csv
    import io

    rows = list(
        csv.DictReader(io.StringIO(run("--flops", "1e21", "--flops", "1e22", "--format", "csv").stdout))
    )
    assert [float(row["flops"]) for row in rows] == [1e21, 1e22]
    assert (
        float(rows[0]["params"]) == json.loads(run("--flops", "1e21", "--json").stdout)["optimum"]["params"]
    )
    assert "gpu_hours" not in rows[0]
    with_hardware = run("--flops", "1e21", "--gpu", "b200", "--gpus", "8", "--format", "csv").stdout
    assert "loss,gpu,mfu,gpus,gpu_hours,days,price_per_gpu_hour,cost,level,params_low," in with_hardware
    bounds = ("level", "params_low", "params_high", "tokens_low", "tokens_high", "loss_low", "loss_high")
    assert float(rows[0]["params_low"]) < float(rows[0]["params"]) < float(rows[0]["params_high"])
    assert all(name in rows[0] for name in bounds)
    assert "run_loss_low" not in rows[0]  # an interval no plan here has is no column
    markdown = run("--flops", "1e21", "--format", "markdown", "--no-intervals").stdout.splitlines()
    assert markdown[0] == "| law | flops | params | tokens | tokens_per_param | loss |"
    assert markdown[1] == "|---|---:|---:|---:|---:|---:|"
    assert markdown[2] == "| besiroglu2024 | 1e21 | 2.78e9 | 5.99e10 | 21.5 | 2.3048 |"


def test_gpus_table_and_json(run: Run) -> None:
    table = run("gpus").stdout
    for expected in (
        "h100-sxm",
        "989.5",
        "1979",
        "mi300x",
        "1307.4",
        "tpu-v4",
        "32 GiB",
        "https://cloud.google.com/tpu/docs/v4",
    ):
        assert expected in table
    records = [json.loads(line) for line in run("gpus", "--json").stdout.splitlines()]
    h100 = next(record for record in records if record["id"] == "h100-sxm")
    assert h100["peak_bf16_flops_per_second"] == 989.5e12
    assert h100["aliases"] == ["h100"]
    assert h100["source"]["sparse"] is True
    assert "1,979 TFLOPS*" in h100["source"]["quote"]


@pytest.mark.parametrize(
    ("argv", "paired"),
    [
        (["--size-range", "0.25", "2"], ["--size-range=0.25:2"]),
        (["--size-range=0.25", "2", "--json"], ["--size-range=0.25:2", "--json"]),
        (["--size-range", "0.25:2"], ["--size-range", "0.25:2"]),
        (["--size-range", "0.25", "--json"], ["--size-range", "0.25", "--json"]),
        (["--size-range", "0.25", "laws"], ["--size-range", "0.25", "laws"]),
        (["--flops", "1", "2"], ["--flops", "1", "2"]),
    ],
)
def test_two_valued_options_are_joined_only_when_both_are_numbers(argv: list[str], paired: list[str]) -> None:
    from planner.cli.main import load
    from planner.cli.parse import normalise

    assert normalise(load(""), argv) == paired


@pytest.mark.parametrize(
    ("args", "example"),
    [
        (["--flops", "1e22", "--size-range", "a:b"], "--size-range 0.25 2"),
        (["--params", "x"], "--params 7e9"),
        (["--flops", "1e21", "--gpu", "h100", "--mfu", "lots"], "--mfu 0.4"),
    ],
)
def test_a_word_where_a_number_belongs_gets_an_example_of_the_option(
    run: Run, args: list[str], example: str
) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert f"give e.g. {example}" in result.stderr


@pytest.mark.parametrize("args", [["--help"], ["fit", "--help"], ["check", "--help"]])
def test_help_into_a_pipe_is_written_whole(args: list[str]) -> None:
    """The help goes through typer, which writes bytes to a stream that is not a terminal."""
    done = subprocess.run(
        [sys.executable, "-m", "planner", *args], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.lstrip().startswith("Usage: plan")
    assert done.stderr == ""
