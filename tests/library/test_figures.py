"""The data of `plan plot`: the same numbers the tables give, and a terminal drawing that fits."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.errors import InfeasibleError, InputError
from planner.fitting.diagnostics import MOST_GROUPS, budget_groups
from planner.output.canvas import Scale, draw
from planner.output.grid import Screen, text_width
from planner.planning.budget import plan
from planner.planning.figures import (
    FRONTIER_RANGE,
    PER_DECADE,
    _range,
    frontier_figure,
    isoflop_figure,
    size_figure,
)
from planner.planning.inverse import size_curve
from planner.planning.picture_results import Figure, Panel, Series

budgets = st.floats(min_value=1e17, max_value=1e25)


@given(budgets)
def test_isoflop_curves_are_the_size_curves_with_their_optimum(flops: float) -> None:
    figure = isoflop_figure([flops], ["besiroglu2024"])
    curve, optimum = figure.panels[0].series
    table = size_curve(flops, 0.1, 10, "besiroglu2024", level=None)
    assert curve.x == tuple(point.params for point in table.points)
    assert curve.y == tuple(point.loss for point in table.points)
    best = plan(flops, "besiroglu2024", level=None).optimum
    assert optimum.x == (pytest.approx(best.params, rel=1e-12),)
    assert optimum.y == (pytest.approx(best.loss, rel=1e-12),)
    assert min(curve.y) >= optimum.y[0] - 1e-12  # no size on the curve beats the optimum


def test_frontier_is_the_plans_of_its_budgets() -> None:
    figure = frontier_figure(["besiroglu2024"], flops_range=(1e19, 1e23), level=0.9)
    loss, sizes = figure.panels
    (line,) = loss.series
    for flops, value, low, high in zip(line.x, line.y, line.low or (), line.high or (), strict=True):
        found = plan(flops, "besiroglu2024", level=0.9)
        assert value == pytest.approx(found.optimum.loss, rel=1e-9)
        assert found.intervals is not None
        assert found.intervals.loss is not None
        assert (low, high) == (
            pytest.approx(found.intervals.loss.low, rel=1e-6),
            pytest.approx(found.intervals.loss.high, rel=1e-6),
        )
    params, tokens = sizes.series
    assert all(n * d * 6 == pytest.approx(c) for c, n, d in zip(params.x, params.y, tokens.y, strict=True))


@given(st.floats(min_value=1e6, max_value=1e29), st.floats(min_value=1.01, max_value=1e6))
def test_frontier_budgets_span_the_range(low: float, ratio: float) -> None:
    high = min(low * ratio, 1e30)
    found = _range((low, high))
    assert found[0] == low
    assert found[-1] == high
    assert all(a < b for a, b in itertools.pairwise(found))
    assert len(found) - 1 <= max(2, math.ceil(PER_DECADE * math.log10(high / low)))


def test_default_frontier_range() -> None:
    assert _range(FRONTIER_RANGE)[0] == 1e18
    assert _range(FRONTIER_RANGE)[-1] == 1e25


def test_size_figure_is_the_overhead_in_percent() -> None:
    figure = size_figure([1e21])
    (line,) = figure.panels[0].series
    table = size_curve(1e21, 0.25, 4, None, level=None)
    expected = [
        (p.fraction, 100 * p.compute_overhead) for p in table.points if p.compute_overhead is not None
    ]
    assert line.x == tuple(fraction for fraction, _ in expected)
    assert line.y == pytest.approx([overhead for _, overhead in expected])


def test_laws_that_cannot_answer_are_refused() -> None:
    with pytest.raises(InfeasibleError, match="no isoFLOP curve"):
        isoflop_figure([1e21], ["kaplan2020"])
    with pytest.raises(InputError, match="at most 12 budgets"):
        isoflop_figure([1e20 * (k + 1) for k in range(13)])
    with pytest.raises(InputError, match="low < high"):
        frontier_figure(flops_range=(1e20, 1e19))


@given(st.lists(st.floats(min_value=1e15, max_value=1e26), min_size=1, max_size=200))
def test_runs_fall_into_a_few_budgets(flops: list[float]) -> None:
    groups = budget_groups(flops)
    assert len(groups) <= MOST_GROUPS
    assert sorted(i for group in groups for i in group) == list(range(len(flops)))


@given(st.lists(st.floats(min_value=1e-3, max_value=1e3), min_size=1, max_size=50), st.booleans())
def test_axis_ticks_lie_on_the_axis(values: list[float], log: bool) -> None:
    scale = Scale(values, log, 100, flip=False)
    ticks = scale.ticks()
    assert ticks
    assert all(-1e-9 <= scale(tick) <= 99 + 1e-9 for tick in ticks if tick > 0 or not log)


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)
positive = st.floats(min_value=1e-6, max_value=1e12)


@given(
    st.lists(st.tuples(positive, finite), min_size=1, max_size=30),
    st.sampled_from(["line", "linepoints", "dashed", "points", "marker"]),
    st.integers(min_value=40, max_value=130),
)
def test_any_series_draws_within_the_screen(
    points: list[tuple[float, float]], style: str, width: int
) -> None:
    xs, ys = zip(*points, strict=True)
    panel = Panel(
        title="t", x="params", y="loss", x_label="x", y_label="y", x_log=True, y_log=False,
        series=(Series(name="s", style=style, x=tuple(xs), y=tuple(ys)),),
    )  # fmt: skip
    figure = Figure(planner_version="0", kind="test", title="t", panels=(panel,), laws=(), caption="c")
    screen = Screen()
    screen.width = width
    lines = draw(figure, screen)
    assert max(text_width(line) for line in lines) <= max(width, 40)


@given(st.lists(positive, min_size=2, max_size=6, unique=True), st.integers(min_value=40, max_value=130))
def test_linepoints_mark_each_point_and_a_summary_is_shown(xs: list[float], width: int) -> None:
    xs = sorted(xs)
    ys = [float(index) for index in range(len(xs))]
    panel = Panel(
        title="a title long enough to be wrapped on a narrow screen " * 2, x="flops", y="loss",
        x_label="x", y_label="y", x_log=True, y_log=False,
        series=(Series(name="s", style="linepoints", x=tuple(xs), y=tuple(ys)),),
    )  # fmt: skip
    figure = Figure(
        planner_version="0", kind="test", title="t", panels=(panel,), laws=(), caption="c", summary="news"
    )
    screen = Screen()
    screen.width = width
    lines = draw(figure, screen)
    plot = [line.partition("│")[2] for line in lines if "│" in line]
    scale = Scale(xs, True, 2 * (min(max(width, 40), 120) - 10), flip=False)
    cells = {int(scale(x)) // 2 for x in xs}  # the columns the points fall in; points may share one
    marked = {column for row in plot for column, char in enumerate(row) if char == "o"}
    assert marked == cells
    assert "news" in lines
    assert max(text_width(line) for line in lines) <= max(width, 40)
