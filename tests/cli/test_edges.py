"""The contract at the edges: what a hostile or unlucky user can throw at `plan`.

Every case gives a correct finite answer (exit 0 or 1) or exit 2 with one line on stderr
saying what was wrong and nothing on stdout; exit 70 is kept for real bugs. Streams that
are closed, full or cut short never change what the exit code means.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from planner import InputError, plan
from planner.version import FORMAT
from tests.conftest import ROOT, Run

EXAMPLES = ROOT / "tests" / "examples"


def one_line_error(result: object, fragment: str) -> None:
    assert result.exit_code == 2, result.stderr  # type: ignore[attr-defined]
    assert result.stdout == ""  # type: ignore[attr-defined]
    lines = result.stderr.splitlines()  # type: ignore[attr-defined]
    assert lines[0].startswith("error: "), lines
    assert fragment in result.stderr, result.stderr  # type: ignore[attr-defined]
    assert "Traceback" not in result.stderr  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--flops", "5e-324"], "too small to plan"),
        (["--flops", "1e21", "--max-tokens", "1e-300"], "max_tokens 1e-300 is too small to plan"),
        (["--flops", "1e21", "--max-params", "0.5"], "a model has at least one parameter"),
        (["--flops", "1e21", "--gpu", "h100", "--price-per-gpu-hour", "1e308"], "hardware.cost"),
        (["--flops", "1e21", "--gpu", "h100", "--mfu", "1e-320"], "hardware.gpu_hours"),
        (["--params", "1e-300", "--flops", "1e23"], "too small to plan"),
        (["--flops", "1e21", "--inference-tokens", "1e300"], "beyond what floating point"),
        (["--params", "0.5", "--tokens", "1e12"], "a model has at least one parameter"),
        (["--flops", "1e21", "--unique-tokens", "2"], "a model has at least one parameter"),
        (["transfer", "--params", "1e9", "--finetune-chars", "1e-320"], "at least one character"),
        (["--flops", "-0"], "--flops must be a finite number above zero"),
        (["--flops", "1e21", "--inference-tokens", "nan"], "--inference-tokens must be a finite number"),
        (["--gpu", "h100", "--gpus", "1e300", "--days", "1e300"], "more FLOPs than floating point can count"),
    ],
)
def test_absurd_or_overflowing_inputs_are_refused_with_one_line(
    run: Run, args: list[str], fragment: str
) -> None:
    one_line_error(run(*args), fragment)


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        ('{"flops": ' + "9" * 400 + "}", "an integer of 400 digits"),
        ('{"flops": ' + "9" * 5000 + "}", "over 4,300 digits"),
        ("[" * 100_000, "is neither a number nor a JSON object"),
        ('{"a": ' * 100_000, "levels deep"),
        ('{"flops": NaN}', "NaN is not a number JSON allows"),
        ('{"flops": true}', "flops must be a number"),
        ('{"flops": "1e21"}', "flops must be a number"),
    ],
)
def test_hostile_budget_lines_are_reported_not_crashed_on(run: Run, line: str, fragment: str) -> None:
    one_line_error(run("--from", "-", "--json", stdin=line + "\n"), fragment)


def test_budget_files_take_a_byte_order_mark_and_name_a_bad_byte(tmp_path: Path) -> None:
    marked = tmp_path / "marked.txt"
    marked.write_bytes(b"\xef\xbb\xbf1e21\n")
    latin = tmp_path / "latin.txt"
    latin.write_bytes(b"1e21\n# caf\xe9\n")
    from tests.conftest import invoke

    assert invoke("--from", str(marked), "--json").exit_code == 0
    one_line_error(invoke("--from", str(latin)), "is not UTF-8 text (byte 0xe9 on line 2)")


@pytest.mark.parametrize(("value", "fragment"), [("true", "params.E"), ('"1.81686"', "params.E")])
def test_law_files_never_read_booleans_or_text_as_numbers(
    run: Run, tmp_path: Path, value: str, fragment: str
) -> None:
    text = (ROOT / "laws" / "language" / "besiroglu2024.toml").read_text()
    law = tmp_path / "besiroglu2024.toml"
    law.write_text(text.replace("E = 1.81686", f"E = {value}"))
    result = run("--flops", "1e21", "--law", str(law))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert fragment in result.stderr


@pytest.mark.parametrize(
    ("old", "new"), [("A = 482.00572", "A = 1e300"), ("alpha = 0.34781", "alpha = 1e-300")]
)
def test_law_values_that_pass_validation_but_overflow_are_refused(
    run: Run, tmp_path: Path, old: str, new: str
) -> None:
    text = (ROOT / "laws" / "language" / "besiroglu2024.toml").read_text()
    assert old in text
    law = tmp_path / "besiroglu2024.toml"
    law.write_text(text.replace(old, new).split("[covariance]")[0])
    result = run("--flops", "1e21", "--law", str(law), "--json")
    assert result.exit_code in (0, 2), result.stderr
    if result.exit_code == 0:
        for value in json.loads(result.stdout)["optimum"].values():
            assert np.isfinite(value)
    else:
        one_line_error(result, "")


def _plan(*args: str, **kwargs: object) -> subprocess.CompletedProcess[bytes]:
    code = "from planner.cli.main import main; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=False, check=False, timeout=60, **kwargs
    )


def _shell(command: str) -> subprocess.CompletedProcess[str]:
    plan_command = f"{sys.executable} -c 'from planner.cli.main import main; main()'"
    return subprocess.run(
        ["bash", "-c", command.replace("plan ", plan_command + " ", 1)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        cwd=EXAMPLES,
        env={**os.environ, "NO_COLOR": "1"},
    )


@pytest.mark.parametrize(
    ("command", "code", "stderr"),
    [
        ("plan laws | head -1 > /dev/null; exit ${PIPESTATUS[0]}", 0, ""),
        ("plan --flops 1e21 | head -1 > /dev/null; exit ${PIPESTATUS[0]}", 0, ""),
        ("plan check over-budget.toml | head -1 > /dev/null; exit ${PIPESTATUS[0]}", 1, ""),
        ("plan check run.toml > /dev/null 2>&-", 0, None),
        ("plan check over-budget.toml > /dev/null 2>&-", 1, None),
        ("plan --flops nan 2>&-", 2, None),
        ("plan --flops 1e21 --json >&-", 2, "error: stdout is closed"),
        (
            "plan --flops 1e21 --json > /dev/full",
            2,
            "error: cannot write the output: No space left on device",
        ),
    ],
)
def test_closed_broken_and_full_streams_keep_the_exit_codes_meaning(
    command: str, code: int, stderr: str | None
) -> None:
    if command.endswith("/dev/full") and not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    done = _shell(command)
    assert done.returncode == code, done.stderr
    if stderr is not None:
        assert done.stderr.startswith(stderr) if stderr else "Traceback" not in done.stderr
        assert "Exception ignored" not in done.stderr


def test_json_lines_cut_short_by_the_reader_stay_valid(tmp_path: Path) -> None:
    budgets = tmp_path / "budgets.txt"
    budgets.write_text("\n".join(f"{1e20 * (1 + i / 100):g}" for i in range(3000)) + "\n")
    done = _shell(f"plan --from {budgets} --json 2>/dev/null | head -3; exit ${{PIPESTATUS[0]}}")
    assert done.returncode == 0
    assert [json.loads(line)["format"] for line in done.stdout.splitlines()] == [FORMAT] * 3


@pytest.mark.parametrize("columns", ["0", "20", "junk", "-5"])
def test_any_columns_value_draws_a_readable_table(
    run: Run, monkeypatch: pytest.MonkeyPatch, columns: str
) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    result = run("--flops", "1e21")
    assert result.exit_code == 0
    assert "2.78B" in result.stdout
    assert "…" not in result.stdout
    check = run("check", str(EXAMPLES / "run.toml"))
    assert check.exit_code == 0
    assert "PASS" in check.stdout


def test_escape_sequences_in_a_spec_name_are_shown_not_obeyed(run: Run, tmp_path: Path) -> None:
    spec_json = tmp_path / "evil.json"
    data = json.loads((EXAMPLES / "run.json").read_text())
    data["name"] = "ok\u001b[2J\u001b]0;pwned\u0007"
    spec_json.write_text(json.dumps(data))
    for fmt in ("table", "markdown", "csv"):
        result = run("check", str(spec_json), "--format", fmt)
        assert result.exit_code == 0, result.stderr
        assert "\x1b" not in result.stdout
        assert "\x07" not in result.stdout
        assert "\x1b" not in result.stderr


@pytest.mark.parametrize(
    "flops",
    [np.float64(1e21), np.float32(1e21), np.uint64(10**19) * 100.0, np.array(1e21), 10**21],
)
def test_the_library_takes_numpy_scalars_and_0d_arrays(flops: object) -> None:
    result = plan(flops)  # type: ignore[call-overload]
    assert result.flops == pytest.approx(1e21, rel=1e-6)
    assert result.optimum.params == pytest.approx(2.782e9, rel=1e-3)


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"flops": "1e21"}, "not text"),
        ({"flops": b"1e21"}, "not text"),
        ({"flops": 1e21 + 1j}, "must be a number"),
        ({"flops": True}, "must be a number"),
        ({"flops": 1e21, "law": 5}, "law must be a Law, a law id or a path"),
        ({"flops": [1e21, "x"]}, "must be a number"),
        ({"flops": 1e21, "max_params": "3e9"}, "must be a number"),
    ],
)
def test_the_library_raises_only_its_documented_errors(kwargs: dict[str, object], fragment: str) -> None:
    with pytest.raises(InputError, match=fragment):
        plan(**kwargs)  # type: ignore[call-overload]


def test_ctrl_c_is_exit_130_with_one_line(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    import planner.planning.budget

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(planner.planning.budget, "plan", interrupted)
    result = run("--flops", "1e21")
    assert result.exit_code == 130
    assert result.stderr == "error: interrupted\n"
    assert result.stdout == ""


def test_a_budget_line_too_long_to_hold_is_refused(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import planner.cli.budgets

    monkeypatch.setattr(planner.cli.budgets, "MAX_LINE", 1000)
    monkeypatch.setattr(planner.cli.budgets, "BLOCK", 100)
    long = tmp_path / "long.txt"
    long.write_text("1e21\n" + "1" * 2000 + "\n")
    result = run("--from", str(long), "--json")
    assert result.exit_code == 2
    assert result.stderr == f"error: line 2 of {long} is longer than 1,000 bytes; give one budget per line\n"


@pytest.mark.parametrize("args", [["--flops=5e-324", "--params=5e-324"], ["--flops=5e-324", "--tokens=1"]])
def test_a_size_at_a_budget_too_small_to_plan_is_refused(args: list[str]) -> None:
    """The fuzz found these: a fixed size at a subnormal budget divided by zero (exit 70)."""
    from tests.conftest import invoke

    done = invoke(*args)
    assert done.exit_code == 2
    assert done.stdout == ""
    assert done.stderr.startswith("error: flops 4.94e-324 is too small to plan")
