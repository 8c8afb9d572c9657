"""Shared fixtures: a clean terminal environment and an in-process `plan` runner."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

from planner.launch import main
from planner.laws import Law, available_laws, find_law

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"

# Timing deadlines make property tests flaky on a loaded 2-core CI machine; speed is
# measured in benchmarks/, not here.
settings.register_profile("planner", deadline=None)
settings.load_profile("planner")


@pytest.fixture(autouse=True)
def _plain_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("PLANNER_DEBUG", raising=False)


@dataclass
class Result:
    """What a `plan` run left behind: exit code and the two streams, separately."""

    exit_code: int
    stdout: str
    stderr: str


Run = Callable[..., Result]


@pytest.fixture
def run() -> Run:
    """Run `plan ARGS...` in-process through the real entry point, as a user would."""

    def invoke(*args: str, stdin: str = "") -> Result:
        out, err = io.StringIO(), io.StringIO()
        saved = sys.stdin
        sys.stdin = io.StringIO(stdin)
        try:
            with redirect_stdout(out), redirect_stderr(err):
                main(list(args))
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else 1
        else:  # pragma: no cover - main always exits
            code = -1
        finally:
            sys.stdin = saved
        return Result(code, out.getvalue(), err.getvalue())

    return invoke


@pytest.fixture(scope="session")
def laws() -> list[Law]:
    """Every shipped law."""
    return available_laws()


@pytest.fixture(scope="session")
def besiroglu() -> Law:
    """The default language law."""
    return find_law("besiroglu2024")
