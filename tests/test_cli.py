"""The `plan` command: exit codes, stdout versus stderr, JSON Lines, the installed script."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

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
            "no law named 'nope'; choose one of: besiroglu2024, henighan2020",
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
    assert first["format"] == "1"
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
    import planner.planning

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(planner.planning, "plan", broken)
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


def test_json_path_loads_no_heavy_modules() -> None:
    """`plan --flops 1e21 --json` must start fast: no scipy, numpy, pydantic or rich."""
    code = (
        "import atexit, sys\n"
        "heavy = ('scipy', 'numpy', 'pydantic', 'rich')\n"
        "atexit.register(lambda: print(sorted(m for m in heavy if m in sys.modules), file=sys.stderr))\n"
        "from planner.launch import main\n"
        "main(['--flops', '1e21', '--json'])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == "[]"


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
    ],
)
def test_fast_path_and_typer_agree(run: Run, monkeypatch: pytest.MonkeyPatch, args: list[str]) -> None:
    from planner.launch import fast_request

    fast = run(*args)
    monkeypatch.setenv("PLANNER_NO_FAST_PATH", "1")
    slow = run(*args)
    assert (fast.exit_code, fast.stdout, fast.stderr) == (slow.exit_code, slow.stdout, slow.stderr)
    if args and args[0] != "laws":
        assert fast_request(args) is not None


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
    from planner.launch import fast_request

    assert fast_request(args) is None


def test_debug_variable_shows_the_real_exception(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    import planner.planning

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(planner.planning, "plan", broken)
    monkeypatch.setenv("PLANNER_DEBUG", "1")
    with pytest.raises(RuntimeError, match="boom"):
        run("--flops", "1e21")
