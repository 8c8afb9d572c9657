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
    [["--help"], ["--flops"], ["--flops", "1e21", "--law", "a", "--law", "b"], ["laws", "show"], ["-h"]],
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
