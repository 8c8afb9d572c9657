"""A stream's block of free plans kept as columns (planner.planning.blocks) and written from
a template (planner.output.templates): the very plans, JSON Lines, CSV rows and notices of
the plan-by-plan path, and the band cells' order statistics equal to the tails'."""

from __future__ import annotations

import io
import math
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.errors import PlannerError
from planner.laws.catalog import planning_laws
from planner.output import streams, tabular, templates
from planner.output.jsonl import Writer, text
from planner.planning import interval_arrays
from planner.planning.blocks import PlanBlock
from planner.planning.budget import MANY, plan, plan_each, why_unplannable
from planner.planning.draws import draws_of
from planner.planning.intervals import BOUNDS
from planner.planning.sense import LEVEL

PLANNABLE = [law for law in planning_laws() if why_unplannable(law) is None]
DEFAULT = next(law for law in PLANNABLE if law.id == "besiroglu2024")


def _captured(write: object, *args: object) -> str:
    out, sys.stdout = sys.stdout, io.StringIO()
    try:
        write(*args)  # type: ignore[operator]
        return sys.stdout.getvalue()
    finally:
        sys.stdout = out


def _row(columns: tuple[object, ...], plan: object) -> str:
    return ",".join(tabular.csv_cell(read(plan)) for _, read in columns)  # type: ignore[misc]


def _both(budgets: list[float], law: object, level: float | None) -> tuple[object, list[object]]:
    return plan_each(budgets, law, level=level), list(plan_each(budgets, law, level=level, columns=False))  # type: ignore[arg-type]


def _check(block: object, plans: list[object], intervals: bool) -> None:
    """The block's plans, JSON Lines, CSV rows and notices are the plan-by-plan path's."""
    assert len(block) == len(plans)  # type: ignore[arg-type]
    assert list(block) == plans  # type: ignore[call-overload]
    assert _captured(streams.json_lines, block, Writer()) == _captured(streams.json_lines, plans, Writer())
    columns = tabular.stream_columns(hardware=False, compare=False, intervals=intervals)
    assert _captured(tabular.csv_rows, columns, block) == _captured(tabular.csv_rows, columns, plans)
    if isinstance(block, PlanBlock):
        assert list(block.notices()) == [notice for item in plans for notice in item.notices]  # type: ignore[attr-defined]


@pytest.mark.parametrize("law", PLANNABLE, ids=lambda law: law.id)
@pytest.mark.parametrize("level", [LEVEL, None], ids=["intervals", "none"])
def test_a_block_is_the_plans_of_each_budget_for_every_law(law: object, level: float | None) -> None:
    budgets = [float(flops) for flops in np.geomspace(1e17, 1e27, 3 * MANY)]
    block, plans = _both(budgets, law, level)
    _check(block, plans, intervals=level is not None)


def test_the_default_law_keeps_its_block_as_columns() -> None:
    """Inside and beyond the fitted range (extrapolation notices), with intervals or not."""
    budgets = [float(flops) for flops in np.geomspace(1e18, 1e25, 200)]
    for level in (LEVEL, None):
        block, plans = _both(budgets, DEFAULT, level)
        assert isinstance(block, PlanBlock)
        assert not block.plans  # every line from the columns
        assert templates._template(block, text) is not None  # and written from a template
        columns = tabular.stream_columns(hardware=False, compare=False, intervals=level is not None)
        assert templates._template(block, lambda plan, columns=columns: _row(columns, plan)) is not None
        assert any(item.notices for item in plans)  # type: ignore[attr-defined]
        _check(block, plans, intervals=level is not None)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(min_value=6.5, max_value=40.0), min_size=MANY, max_size=120), st.booleans())
def test_any_block_is_the_plans_of_each_budget(exponents: list[float], bounded: bool) -> None:
    """Budgets from just above 6 FLOPs (too small to plan) to 1e40 (beyond the cells and
    floating point's reach for some draws): the lines the columns cannot hold are planned
    in full, and a block that cannot be planned fails as the plan-by-plan path does."""
    budgets = [10.0**exponent for exponent in exponents]
    level = LEVEL if bounded else None
    plans = _outcome(lambda: list(plan_each(budgets, DEFAULT, level=level, columns=False)))
    block = _outcome(lambda: plan_each(budgets, DEFAULT, level=level))
    if isinstance(plans, tuple):
        assert block == plans  # the same error, said the same way
    else:
        _check(block, plans, intervals=bounded)


def _outcome(call: Callable[[], object]) -> object:
    try:
        return call()
    except PlannerError as err:
        return (type(err), str(err))


def test_a_line_without_interval_columns_is_planned_in_full(monkeypatch: pytest.MonkeyPatch) -> None:
    """A budget whose columns hold no interval (NaN: fewer than half the draws plan, or a
    bound beyond floating point) is one of the block's plans, planned in full in its place."""
    budgets = [1e21] * MANY + [3e21] + [1e22] * 3
    plans = list(plan_each(budgets, DEFAULT, level=LEVEL, columns=False))
    arrays = interval_arrays.budget_interval_arrays

    def without(law: object, flops: np.ndarray, *args: object, **kwargs: object) -> object:
        found = arrays(law, flops, *args, **kwargs)  # type: ignore[arg-type]
        assert found is not None
        columns, described = found
        for name in BOUNDS:
            columns[name][flops == 3e21] = math.nan
        return columns, described

    monkeypatch.setattr(interval_arrays, "budget_interval_arrays", without)
    block = plan_each(budgets, DEFAULT, level=LEVEL)
    assert isinstance(block, PlanBlock)
    assert set(block.plans) == {MANY}
    assert list(block.runs())[1] is block.plans[MANY]
    alone = block.plans[MANY]
    assert alone.intervals is None  # as its columns say, with the plan's every other field
    assert alone.optimum == plans[MANY].optimum  # type: ignore[attr-defined]
    assert "no_intervals" in [notice.code for notice in alone.notices]
    _check(block, [*plans[:MANY], alone, *plans[MANY + 1 :]], intervals=True)


def test_a_budget_far_beyond_the_cells_is_held_as_the_plan_gives_it() -> None:
    """1e300 FLOPs lies beyond every kept cell: its intervals come from planning every draw
    in numpy, and are the one plan's (finite, however wide)."""
    budgets = [1e21] * MANY + [1e300] + [1e22] * 3
    plans = list(plan_each(budgets, DEFAULT, level=LEVEL, columns=False))
    assert plans[MANY].intervals is not None  # type: ignore[attr-defined]
    block = plan_each(budgets, DEFAULT, level=LEVEL)
    assert isinstance(block, PlanBlock)
    assert not block.plans
    _check(block, plans, intervals=True)


def test_a_template_keeps_percent_signs_and_braces_and_refuses_a_marker_found_twice() -> None:
    block = plan_each([1e21] * MANY, DEFAULT, level=LEVEL)
    assert isinstance(block, PlanBlock)
    model = block.model.replace(caveats=("within 5% of the paper", "%r, %s and {v0} are not slots"))
    odd = PlanBlock(model, block.level, block.columns, block.plans)
    plans = list(odd)
    assert _captured(streams.json_lines, odd, Writer()) == _captured(streams.json_lines, plans, Writer())
    assert templates._cut("a 1.5 b 1.5", {"flops": "1.5"}) is None
    assert templates._cut("a 1.5 b", {"flops": "1.5"}) == (["a ", " b"], ["flops"])
    line = templates._written((['{"a":', ',"b":"{x}\\"%r"}'], ["flops"]))
    assert line(2.5) == '{"a":2.5,"b":"{x}\\"%r"}\n'  # braces, quotes and backslashes as they were


def test_a_cell_worked_out_from_a_slot_has_no_template() -> None:
    """A column that computes from a value rather than reading it is written plan by plan."""
    block = plan_each([1e21 * (1 + i / 100) for i in range(MANY)], DEFAULT, level=LEVEL)
    assert isinstance(block, PlanBlock)
    for worked in (
        lambda item: item.optimum.params / 1e9,  # arithmetic on a slot
        lambda item: item.optimum.params > 1e9,  # a comparison
        lambda item: len(item.notices),  # a count
        lambda item: item.intervals.method[:3],  # a piece of text
    ):
        columns = (*tabular.PLAN_COLUMNS, ("worked", worked))

        def row(plan: object, columns: tuple[object, ...] = columns) -> str:
            return ",".join(tabular.csv_cell(read(plan)) for _, read in columns)  # type: ignore[misc]

        assert templates._template(block, row) is None  # type: ignore[arg-type]
        assert _captured(tabular.csv_rows, columns, block) == _captured(
            tabular.csv_rows, columns, list(block)
        )


def test_a_block_is_written_in_pieces_of_a_few_hundred_lines() -> None:
    block = plan_each(
        [float(f) for f in np.geomspace(1e19, 1e22, 3 * templates.CHUNK + 7)], DEFAULT, level=LEVEL
    )
    assert isinstance(block, PlanBlock)
    pieces: Iterator[str] = templates.json_lines(block, Writer().line)
    sizes = [piece.count("\n") for piece in pieces]
    assert sizes == [templates.CHUNK] * 3 + [7]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(min_value=16.0, max_value=29.9), min_size=1, max_size=400))
def test_the_band_cells_give_the_order_statistics_of_the_tails(exponents: list[float]) -> None:
    """At the default level, the ends read from the band cells (a few draws each) are the
    very order statistics of the tail cells (a few hundred), to the last digit."""
    draws = draws_of(DEFAULT)
    assert draws is not None
    budgets = np.sort(10.0 ** np.asarray(exponents))
    sigma = interval_arrays.sigmas(DEFAULT, budgets)
    bands = interval_arrays._kept_bands(draws, budgets, sigma, LEVEL, True)
    tails = interval_arrays._kept_tails(draws, budgets, sigma, LEVEL, True)
    assert bands is not None
    assert tails is not None
    for name in tails:
        assert np.array_equal(bands[name], tails[name]), name


def test_the_band_cells_are_for_the_default_level_only() -> None:
    draws = draws_of(DEFAULT)
    assert draws is not None
    budgets = np.geomspace(1e19, 1e22, 50)
    sigma = interval_arrays.sigmas(DEFAULT, budgets)
    assert interval_arrays._kept_bands(draws, budgets, sigma, 0.99, True) is None
    assert interval_arrays._kept_bands(draws, np.array([1e31]), sigma[:1], LEVEL, True) is None
    assert interval_arrays._kept_bands(draws, budgets, sigma, LEVEL, True) is not None
    shown = plan(1e21).intervals
    one = plan_each([1e21] * MANY, DEFAULT, level=LEVEL)[0].intervals
    assert shown is not None
    assert one is not None
    assert one.loss.low == pytest.approx(shown.loss.low, rel=4e-15)  # type: ignore[union-attr]
    assert math.isfinite(one.params.high)  # type: ignore[union-attr]


def test_a_stream_without_intervals_never_imports_numpy(tmp_path: Path) -> None:
    """A block of plans without intervals is kept and written in plain Python: numpy's
    import (about 0.1 s) would be most of a short stream's time."""
    budgets = tmp_path / "budgets.txt"
    budgets.write_text("".join(f"{10 ** (19 + i / 50):.6g}\n" for i in range(3 * MANY)))
    script = (
        "import sys\nfrom planner.cli.main import main\ntry:\n"
        f"    main(['--from', {str(budgets)!r}, '--json', '--no-intervals'])\n"
        "except SystemExit as done:\n    print(done.code, 'numpy' in sys.modules, file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stderr == "0 False\n"
    assert result.stdout.count("\n") == 3 * MANY
