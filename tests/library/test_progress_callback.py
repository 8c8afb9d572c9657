"""The progress callback of the fitting (planner.fitting.progress) and the display that
draws it (planner.output.progress): the calls keep their promise, the results do not
change with them, and the display waits, then draws at most ten times a second."""

from __future__ import annotations

import io
import sys

import numpy as np
import pytest

import planner.output.progress as progress
from planner.fitting.backtest import backtest
from planner.fitting.bootstrap import bootstrap
from planner.fitting.procedure import fit
from planner.fitting.runs import read_runs
from tests.conftest import ROOT

RUNS = read_runs(str(ROOT / "tests" / "examples" / "runs.csv"))

Calls = list[tuple[str, int, int]]


def keeps_its_promise(calls: Calls) -> None:
    """0 <= done <= total; done never falls within a round of a stage; every round of a
    stage ends at done == total."""
    last: dict[str, tuple[int, int]] = {}
    for stage, done, total in calls:
        assert isinstance(done, int)
        assert isinstance(total, int)
        assert 0 <= done <= total, (stage, done, total)
        if stage in last:
            before, whole = last[stage]
            if done < before:
                assert before == whole, f"{stage} fell from {before} to {done} of {whole}"
            elif done == before == whole:
                pass
            else:
                assert total == whole
        last[stage] = (done, total)
    for stage, (done, total) in last.items():
        assert done == total, f"{stage} ended at {done} of {total}"


def rounds(calls: Calls, stage: str) -> int:
    """How many times `stage` began (came in at 0 after its end, or first)."""
    starts, ended = 0, True
    for name, done, total in calls:
        if name != stage:
            continue
        if ended and done < total:
            starts += 1
            ended = False
        if done == total:
            ended = True
    return starts


def test_a_fit_tells_its_stages_and_gives_the_same_report() -> None:
    options = {"bootstrap": 60, "seed": 3, "holdout_largest": 3, "budget": 1e22}
    calls: Calls = []
    told = fit(RUNS, **options, progress=lambda *call: calls.append(call))
    assert told == fit(RUNS, **options)
    keeps_its_promise(calls)
    stages = list(dict.fromkeys(stage for stage, _, _ in calls))
    assert stages == ["screening starts", "refining optima", "bootstrap resamples"]
    assert rounds(calls, "screening starts") == 2  # the fit, then the holdout's fit
    assert ("bootstrap resamples", 60, 60) in calls
    assert ("screening starts", 4500, 4500) in calls


def test_a_kaplan_fit_tells_its_stages_too() -> None:
    calls: Calls = []
    told = fit(RUNS, form="kaplan-nd", bootstrap=20, progress=lambda *call: calls.append(call))
    assert told == fit(RUNS, form="kaplan-nd", bootstrap=20)
    keeps_its_promise(calls)
    assert ("bootstrap resamples", 20, 20) in calls


def test_the_bootstrap_counts_resamples_whose_every_start_stopped() -> None:
    arrays = [np.array(getattr(RUNS, name)) for name in ("params", "tokens", "loss")]
    calls: Calls = []
    told = bootstrap(*arrays, 50, 1, progress=lambda *call: calls.append(call))
    plain = bootstrap(*arrays, 50, 1)
    assert np.array_equal(told.draws, plain.draws)
    assert told.n_converged == plain.n_converged
    keeps_its_promise(calls)
    counts = [done for stage, done, _ in calls if stage == "bootstrap resamples"]
    assert counts[0] == 0
    assert counts[-1] == 50
    assert counts == sorted(counts)
    assert len(counts) > 10  # once an iteration, not once at the end


def test_a_backtest_counts_its_cuts_and_gives_the_same_results() -> None:
    options = {"cuts": (1e20, 3e20), "recipes": ("huber", "squares"), "bootstrap": 20}
    calls: Calls = []
    told = backtest(RUNS, **options, progress=lambda *call: calls.append(call))
    assert told == backtest(RUNS, **options)
    keeps_its_promise(calls)
    assert [done for stage, done, _ in calls if stage == "backtests"] == [0, 1, 2, 3, 4]
    assert rounds(calls, "bootstrap resamples") == 4


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> Terminal:
    """A terminal on stderr, for the test itself (pytest sets stderr again after fixtures)."""
    monkeypatch.delenv("TERM", raising=False)
    return Terminal()


def on(stream: io.StringIO, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stderr", stream)


def test_nothing_is_drawn_before_the_delay(terminal: Terminal, monkeypatch: pytest.MonkeyPatch) -> None:
    on(terminal, monkeypatch)
    monkeypatch.setattr(progress, "DELAY", 3600.0)
    with progress.shown() as display:
        assert isinstance(display, progress.Display)
        for done in range(100):
            display("work", done, 100)
    assert terminal.getvalue() == ""


def test_draws_at_most_once_an_interval(terminal: Terminal, monkeypatch: pytest.MonkeyPatch) -> None:
    on(terminal, monkeypatch)
    monkeypatch.setattr(progress, "DELAY", 0.0)
    monkeypatch.setattr(progress, "INTERVAL", 3600.0)
    with progress.shown() as display:
        assert display is not None
        for done in range(1000):
            display("work", done, 1000)
        drawn = terminal.getvalue()
    assert "0/1,000" in drawn
    assert "1/1,000" not in drawn  # one frame, then none
    assert "999/1,000" not in drawn


def test_sizes_in_bytes(terminal: Terminal, monkeypatch: pytest.MonkeyPatch) -> None:
    on(terminal, monkeypatch)
    monkeypatch.setattr(progress, "DELAY", 0.0)
    with progress.shown(in_bytes=True) as display:
        assert display is not None
        display("budgets.txt", 1_234_567, 2_345_678)
        assert "1.2/2.3 MB" in terminal.getvalue()
    assert progress._size_counts(10, 900) == "10/900 bytes"
    assert progress._size_counts(65_536, 200_000) == "65.5/200.0 kB"


def test_not_wanted_off_a_terminal_under_quiet_or_when_refused(
    terminal: Terminal, monkeypatch: pytest.MonkeyPatch
) -> None:
    on(terminal, monkeypatch)
    from planner.output import streams

    assert progress.wanted()
    assert not progress.wanted(False)
    monkeypatch.setattr(streams, "VERBOSITY", -1)
    assert not progress.wanted()
    monkeypatch.setattr(streams, "VERBOSITY", 0)
    monkeypatch.setenv("TERM", "dumb")
    assert not progress.wanted()
    monkeypatch.delenv("TERM")
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert not progress.wanted()
    with progress.shown() as display:
        assert display is None


def test_a_closed_display_draws_nothing_more(terminal: Terminal, monkeypatch: pytest.MonkeyPatch) -> None:
    on(terminal, monkeypatch)
    monkeypatch.setattr(progress, "DELAY", 0.0)
    monkeypatch.setattr(progress, "INTERVAL", 0.0)
    display = progress.Display()
    display("work", 1, 3)
    display.close()
    display.close()
    after = terminal.getvalue()
    display("work", 2, 3)
    assert terminal.getvalue() == after
    assert progress._OPEN == []
