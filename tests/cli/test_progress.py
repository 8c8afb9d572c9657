"""Progress on stderr: drawn on a terminal, never in a pipe, under --quiet or --no-progress,
never on stdout, and gone before an error or an interruption is reported.

The terminal is a text stream that says it is one (rich then draws as on a terminal), and
once a real pseudo-terminal; the display's one-second delay and its ten-a-second limit are
set to nothing, so that quick fits show it.
"""

from __future__ import annotations

import io
import os
import pty
import re
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

import planner.output.progress as progress
from planner.cli.main import main
from planner.errors import InputError
from tests.conftest import ROOT, Result, invoke

RUNS = str(ROOT / "tests" / "examples" / "runs.csv")
FIT = ("fit", RUNS, "--bootstrap", "40", "--json")
BACKTEST = ("backtest", RUNS, "--cut", "1e20", "--cut", "3e20", "--bootstrap", "20", "--json")
ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
HIDE_CURSOR, SHOW_CURSOR, ERASE_LINE = "\x1b[?25l", "\x1b[?25h", "\x1b[2K"
LINES = 2_800


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def _at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress, "DELAY", 0.0)
    monkeypatch.setattr(progress, "INTERVAL", 0.0)
    monkeypatch.delenv("TERM", raising=False)


def on_terminal(*args: str, stdout: io.StringIO | None = None) -> Result:
    """Run `plan ARGS...` in-process with stderr on a terminal (stdout: a pipe by default)."""
    out, err = stdout or io.StringIO(), Terminal()
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        main(list(args))
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else 1
    finally:
        sys.stdout, sys.stderr = saved
    return Result(code, out.getvalue(), err.getvalue())


def drew(stderr: str) -> bool:
    """Whether a progress display was drawn (rich hides the cursor while it is up)."""
    return HIDE_CURSOR in stderr


def text_of(stderr: str) -> str:
    return ESCAPE.sub("", stderr)


def left_on_screen(stderr: str) -> str:
    """What stays of the display: whatever was drawn after its last erased line."""
    return text_of(stderr.rpartition(ERASE_LINE)[2]).strip()


@pytest.fixture(scope="module")
def piped_fit() -> Result:
    return invoke(*FIT)


def test_a_fit_on_a_terminal_shows_its_stages_and_leaves_only_its_messages(piped_fit: Result) -> None:
    shown = on_terminal(*FIT)
    assert shown.exit_code == 0, shown.stderr
    assert drew(shown.stderr)
    text = text_of(shown.stderr)
    for stage in ("screening starts", "refining optima", "bootstrap resamples"):
        assert stage in text
    assert "0/40" in text
    assert shown.stderr.count(SHOW_CURSOR) == 1
    assert shown.stderr.rindex(SHOW_CURSOR) > shown.stderr.rindex(HIDE_CURSOR)
    # Erased: what is left is the messages a pipe gets, and stdout is byte for byte the same.
    assert left_on_screen(shown.stderr.rpartition("note[")[0]) == ""
    assert "note[" + shown.stderr.rpartition("note[")[2] == piped_fit.stderr
    assert shown.stdout == piped_fit.stdout


def test_no_colour_under_no_color_but_the_display_still(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    shown = on_terminal(*FIT)
    assert drew(shown.stderr)
    assert not re.search(r"\x1b\[[0-9;]*m", shown.stderr)


def test_a_pipe_gets_no_progress(piped_fit: Result) -> None:
    assert piped_fit.exit_code == 0
    assert "\x1b" not in piped_fit.stderr
    assert "resamples" not in piped_fit.stderr


@pytest.mark.parametrize("args", [("--quiet",), ("-q",), ("--no-progress",)])
def test_quiet_and_no_progress_turn_it_off(args: tuple[str, ...], piped_fit: Result) -> None:
    shown = on_terminal(*FIT, *args)
    assert shown.exit_code == 0
    assert not drew(shown.stderr)
    assert "\x1b" not in shown.stderr
    assert shown.stdout == piped_fit.stdout


def test_a_dumb_terminal_gets_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "dumb")
    assert not drew(on_terminal(*FIT).stderr)


def test_a_table_on_stdout_is_the_same_with_progress() -> None:
    args = ("fit", RUNS, "--bootstrap", "30")
    shown, piped = on_terminal(*args), invoke(*args)
    assert drew(shown.stderr)
    assert shown.stdout == piped.stdout
    assert "\x1b" not in shown.stdout


def test_a_backtest_shows_its_cuts() -> None:
    shown, piped = on_terminal(*BACKTEST), invoke(*BACKTEST)
    assert shown.exit_code == piped.exit_code == 0
    assert drew(shown.stderr)
    assert "backtests" in text_of(shown.stderr)
    assert "0/2" in text_of(shown.stderr)
    assert shown.stdout == piped.stdout
    assert not drew(on_terminal(*BACKTEST, "--no-progress").stderr)


def failing_fit(error: BaseException) -> Any:
    def fit(*args: Any, progress: Any = None, **options: Any) -> Any:
        assert progress is not None
        progress("bootstrap resamples", 0, 100)
        progress("bootstrap resamples", 50, 100)
        raise error

    return fit


def test_an_error_in_the_work_is_one_line_after_the_display_is_gone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        "planner.fitting.procedure.fit", failing_fit(InputError("the runs went wrong; check them"))
    )
    shown = on_terminal(*FIT)
    assert shown.exit_code == 2
    assert drew(shown.stderr)
    display, _, error = shown.stderr.rpartition(SHOW_CURSOR)
    assert "50/100" in text_of(display)
    assert text_of(error).strip().splitlines()[-1] == "error: the runs went wrong; check them"
    assert left_on_screen(error.rpartition("error:")[0]) == ""
    assert shown.stdout == ""


def test_ctrl_c_in_the_work_erases_the_display_and_exits_130(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("planner.fitting.procedure.fit", failing_fit(KeyboardInterrupt()))
    shown = on_terminal(*FIT)
    assert shown.exit_code == 130
    assert shown.stderr.rindex(SHOW_CURSOR) > shown.stderr.rindex(HIDE_CURSOR)
    assert text_of(shown.stderr).rstrip().endswith("error: interrupted")
    assert left_on_screen(shown.stderr.rpartition("error:")[0]) == ""
    assert shown.stdout == ""


@pytest.fixture(scope="module")
def budgets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A budget file of three blocks and a bit, within the law's range (no notices); its
    comments make it large for the few budgets it has to plan."""
    path = tmp_path_factory.mktemp("progress") / "budgets.txt"
    lines = [f"{2e18 * 1.001**i:.6g}  # {'a budget to plan ' * 4}\n" for i in range(LINES)]
    path.write_text("".join(lines))
    assert path.stat().st_size > 3 * (1 << 16)
    return path


def test_a_large_budget_file_shows_bytes_read_and_stdout_is_the_same(budgets: Path) -> None:
    args = ("--from", str(budgets), "--json")
    shown, piped = on_terminal(*args), invoke(*args)
    assert shown.exit_code == piped.exit_code == 0
    assert drew(shown.stderr)
    size = budgets.stat().st_size / 1e3
    assert f"/{size:.1f} kB" in text_of(shown.stderr)
    assert budgets.name in text_of(shown.stderr)
    assert shown.stdout == piped.stdout
    assert left_on_screen(shown.stderr) == ""


def test_a_budget_file_to_a_terminal_stdout_shows_none(budgets: Path) -> None:
    """Its lines would mix with the display: the output itself is the progress there."""
    shown = on_terminal("--from", str(budgets), "--json", stdout=Terminal())
    assert shown.exit_code == 0
    assert not drew(shown.stderr)


def test_small_files_stdin_and_quiet_show_none(budgets: Path, tmp_path: Path) -> None:
    small = tmp_path / "small.txt"
    small.write_text("1e21\n1e22\n")
    assert not drew(on_terminal("--from", str(small), "--json").stderr)
    assert not drew(on_terminal("--from", str(budgets), "--json", "--quiet").stderr)
    saved = sys.stdin
    sys.stdin = io.StringIO(budgets.read_text())
    try:
        assert not drew(on_terminal("--from", "-", "--json").stderr)
    finally:
        sys.stdin = saved


def test_a_bad_line_late_in_a_large_file_is_reported_after_the_display_is_gone(
    budgets: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text(budgets.read_text() + "lots\n")
    shown = on_terminal("--from", str(bad), "--json")
    assert shown.exit_code == 2
    assert drew(shown.stderr)
    before, _, error = shown.stderr.rpartition("error:")
    assert left_on_screen(before) == ""
    assert f"line {LINES + 1}" in error
    assert shown.stdout.count("\n") == LINES  # the good lines were planned and printed


def test_an_error_while_planning_a_block_is_reported_after_the_display_is_gone(
    budgets: Path, tmp_path: Path
) -> None:
    """An error raised by the planning of a block, not by the reading: main erases it."""
    mixed = tmp_path / "mixed.txt"
    mixed.write_text(budgets.read_text() + '{"flops": 1e21, "law": "hoffmann2022"}\n')
    shown = on_terminal("--from", str(mixed), "--compare", "--json")
    assert shown.exit_code == 2
    assert drew(shown.stderr)
    before, _, error = shown.stderr.rpartition("error:")
    assert "--compare" in error
    assert left_on_screen(before) == ""
    assert shown.stderr.rindex(SHOW_CURSOR) > shown.stderr.rindex(HIDE_CURSOR)


def test_a_plain_plan_does_not_load_the_progress_modules(tmp_path: Path) -> None:
    small = tmp_path / "small.txt"
    small.write_text("1e21\n")
    for args in (["--flops", "1e21", "--json"], ["--from", str(small), "--json"]):
        code = (
            "import atexit, sys\n"
            "mods = ('planner.output.progress', 'planner.fitting.progress', 'rich')\n"
            "atexit.register(lambda: print(sorted(m for m in mods if m in sys.modules), file=sys.stderr))\n"
            "from planner.cli.main import main\n"
            f"main({args!r})\n"
        )
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        assert done.stderr.splitlines()[-1] == "[]"


def pseudo_terminal(code: str, columns: int) -> tuple[int, str, str]:
    """(exit code, stdout, what a pseudo-terminal on stderr received) of `python -c code`."""
    import fcntl
    import struct
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 30, columns, 0, 0))
    received: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                data = os.read(leader, 65536)
            except OSError:
                return
            if not data:
                return
            received.append(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    env = {key: value for key, value in os.environ.items() if key != "COLUMNS"}
    env["TERM"] = "xterm"
    done = subprocess.run(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=follower, env=env, check=False
    )
    os.close(follower)
    reader.join(timeout=10)
    os.close(leader)
    return done.returncode, done.stdout.decode(), b"".join(received).decode("utf-8", "replace")


@pytest.mark.parametrize("columns", [40, 80, 120])
def test_on_a_real_terminal_rows_fit_its_width(columns: int, piped_fit: Result) -> None:
    code = (
        "import planner.output.progress as p\n"
        "p.DELAY = 0.0\n"
        "from planner.cli.main import main\n"
        f"main({list(FIT)!r})\n"
    )
    status, stdout, screen = pseudo_terminal(code, columns)
    assert status == 0, screen
    assert stdout == piped_fit.stdout
    assert drew(screen)
    rows = [text_of(row) for row in re.split(r"\r|\n", screen)]
    drawn = [row for row in rows if "/40" in row or "/4,500" in row]
    assert drawn
    assert all(len(row) <= columns for row in drawn), drawn
    assert screen.rindex(SHOW_CURSOR) > screen.rindex(HIDE_CURSOR)


def test_ctrl_c_while_a_block_is_printed_erases_the_display(
    budgets: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Interrupted outside the reading (which then stays suspended, its display up): main
    erases the display before it says so."""
    from planner.output import streams

    printed = streams.json_lines
    blocks = []

    def interrupted(results: Any, *writer: Any) -> None:
        blocks.append(1)
        if len(blocks) == 2:
            raise KeyboardInterrupt
        printed(results, *writer)

    monkeypatch.setattr(streams, "json_lines", interrupted)
    shown = on_terminal("--from", str(budgets), "--json")
    assert shown.exit_code == 130
    assert drew(shown.stderr)
    before, _, error = shown.stderr.rpartition("error:")
    assert error.strip() == "interrupted"
    assert left_on_screen(before) == ""
    assert before.rindex(SHOW_CURSOR) > before.rindex(HIDE_CURSOR)


def test_main_erases_a_display_left_up_before_it_reports_the_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever still holds a display when an error ends the command (here: the command
    itself), it is gone before the error line."""
    from planner.cli import fit

    kept = []

    def run(request: Any) -> int:
        display = progress.Display()
        kept.append(display)
        display("bootstrap resamples", 1, 2)
        raise InputError("the runs went wrong; check them")

    monkeypatch.setattr(fit.COMMAND, "run", run)
    shown = on_terminal(*FIT)
    assert shown.exit_code == 2
    assert drew(shown.stderr)
    before, _, error = shown.stderr.rpartition("error:")
    assert error == " the runs went wrong; check them\n"
    assert left_on_screen(before) == ""
    assert before.rindex(SHOW_CURSOR) > before.rindex(HIDE_CURSOR)
    assert progress._OPEN == []
