"""The picture of a ladder design: every design scored along the ladder budgets, laid out
from the design results and nothing else."""

from __future__ import annotations

import math

import pytest

from planner.fitting.design import design
from planner.fitting.ladders import SERIES, least_ladder
from planner.forms.base import Law
from planner.planning.design_figure import design_figure
from planner.planning.design_results import LadderDesign


@pytest.fixture(scope="module")
def scored(besiroglu: Law) -> LadderDesign:
    return design(besiroglu, 1e21, target_flops=1e24, simulations=20, every_design=True)


def test_every_design_is_scored_at_each_ladder_budget_that_holds_it(scored: LadderDesign) -> None:
    shapes = {item.name: item for item in scored.designs}
    for name, item in shapes.items():
        top = None if item.top_step == item.budget_step else item.top_step
        least = least_ladder(item.budgets, item.sizes, item.budget_step, top)
        expected = [1e21 * f for f in SERIES if least <= 1e21 * f < scored.target_flops]
        along = scored.series if name == "proposed" else scored.compared_series
        assert sorted(p.ladder_budget for p in along if p.name == name) == pytest.approx(expected)
        (here,) = [p for p in along if p.name == name and p.ladder_budget == 1e21]
        assert here == item  # the asked budget's point is the design compared, not a second simulation


def test_without_every_design_the_alternatives_are_points(besiroglu: Law) -> None:
    result = design(besiroglu, 1e21, target_flops=1e24, simulations=20)
    assert result.compared_series == ()
    figure = design_figure(result)
    for panel in figure.panels:
        lines = [s for s in panel.series if s.style == "linepoints"]
        assert len(lines[0].x) == len(result.series)
        assert all(len(s.x) == 1 for s in lines[1:])


def test_the_figure_draws_the_results_widths(scored: LadderDesign) -> None:
    figure = design_figure(scored, "nats/token")
    loss, params = figure.panels
    assert "nats/token" in loss.y_label
    points = {(p.name, p.ladder_budget): p for p in (*scored.series, *scored.compared_series)}
    for loss_series, params_series in zip(loss.series, params.series, strict=True):
        if loss_series.style == "marker":
            continue
        name = loss_series.name.partition(" (")[0]
        for x, half, ratio in zip(loss_series.x, loss_series.y, params_series.y, strict=True):
            assert half == points[name, x].loss_width / 2
            assert ratio == points[name, x].params_width
            assert math.isfinite(half)
            assert ratio > 1
    assert figure.summary is not None
    assert scored.verdict in figure.summary
    assert scored.favoured in loss.series[-1].name


def test_a_design_too_large_for_the_ladder_is_drawn_where_a_larger_one_holds_it(besiroglu: Law) -> None:
    result = design(besiroglu, 1e19, target_flops=1e24, simulations=20, every_design=True)
    assert [item.name for item in result.designs] == ["proposed"]
    figure = design_figure(result)
    drawn = {s.name.partition(" (")[0]: s.x for s in figure.panels[0].series if s.style == "linepoints"}
    assert drawn["proposed"] == (1e19, 1e20)
    assert drawn["bigger top"] == (1e20,)
    assert "wider steps" not in drawn  # it needs 4.4e20, above every budget of the series
