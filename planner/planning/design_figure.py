"""The data of `plan plot design`: how the target's prediction narrows with ladder compute.

Owns `design_figure`, which lays out a `LadderDesign` (planner.fitting.design, asked with
`every_design`) as a Figure: the width of the target's interval, for its loss and for its
N_opt and D_opt, against ladder compute, one series per design, the favoured one marked
and the design results' verdict as the picture's summary. Computes no width of its own
and never draws or prints. Standard library only.
"""

from __future__ import annotations

from planner.planning.picture_results import Figure, Panel, Series
from planner.planning.results import planner_version
from planner.planning.sense import sensible

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from planner.planning.design_results import LadderDesign, LadderOutcome

LADDER_LABEL = "ladder compute (FLOPs of all its runs)"


def design_figure(result: LadderDesign, loss_units: str | None = None) -> Figure:
    """Interval widths at the target against ladder compute, one series per design.

    `loss_units` (the prior law's, e.g. nats/token) label the loss axis.

    The proposed design's series is `result.series`, the others' `result.compared_series`
    (empty unless the design was asked with `every_design`, when each other design shows
    as its point at the asked ladder budget alone); a design too large for the asked ladder
    budget is drawn where a larger one holds it.
    """
    proposed = result.designs[0]
    shapes = {item.name: item for item in (*result.designs, *result.compared_series)}
    names = list(shapes)
    along: dict[str, list[LadderOutcome]] = {name: [] for name in names}
    along[proposed.name] = list(result.series)
    for item in result.compared_series:
        along[item.name].append(item)
    for item in result.designs[1:]:
        if not along[item.name]:
            along[item.name] = [item]
    level = f"{result.level:.0%}"
    favoured = next(item for item in result.designs if item.name == result.favoured)

    def panel(title: str, y: str, label: str, log: bool, width: Callable[[LadderOutcome], float]) -> Panel:
        series = [
            Series(
                name=_legend(shapes[name]),
                style="linepoints",
                x=tuple(item.ladder_budget for item in _ordered(along[name])),
                y=tuple(width(item) for item in _ordered(along[name])),
                group=index,
            )
            for index, name in enumerate(names)
        ]
        series.append(
            Series(
                name=f"favoured at {_plain(proposed.ladder_budget)} FLOPs: {favoured.name}",
                style="marker",
                x=(favoured.ladder_budget,),
                y=(width(favoured),),
                group=names.index(favoured.name),
            )
        )
        return Panel(
            title=title,
            x="ladder_flops",
            y=y,
            x_label=LADDER_LABEL,
            y_label=label,
            x_log=True,
            y_log=log,
            series=tuple(series),
        )

    panels = (
        panel(
            f"Target's loss: +- half its {level} interval",
            "loss_half_width",
            f"half of high - low{f' ({loss_units})' if loss_units else ''}",
            False,
            lambda item: item.loss_width / 2,
        ),
        panel(
            f"Target's N_opt: high / low of its {level} interval",
            "params_width",
            "high / low (D_opt's is the same: D = C / 6N)",
            True,
            lambda item: item.params_width,
        ),
    )
    simulations = proposed.simulations
    figure = Figure(
        planner_version=planner_version(),
        kind="design",
        title=f"Ladder designs for a {_plain(result.target_flops)}-FLOP target: its prediction intervals "
        "against ladder compute",
        panels=panels,
        laws=(result.law,),
        level=None,
        caption=(
            f"{result.law.id}: {result.law.citation} (the prior law); {simulations} simulated "
            f"ladders per point, seed {result.seed}; noise sigma {result.noise:.3g} in log loss: "
            f"{result.noise_source}"
        ),
        summary=f"The simulation's verdict at a {_plain(proposed.ladder_budget)}-FLOP ladder: {result.verdict}",
        notices=result.notices,
    )
    return sensible(figure, "the picture")


def _ordered(items: Sequence[LadderOutcome]) -> list[LadderOutcome]:
    return sorted(items, key=lambda item: item.ladder_budget)


def _legend(item: LadderOutcome) -> str:
    """A design by name and shape: "bigger top (5 budgets x 5 sizes, 3x apart, the top 9x)"."""
    top = f", the top {item.top_step:g}x" if item.top_step != item.budget_step else ""
    return f"{item.name} ({item.budgets} budgets x {item.sizes} sizes, {item.budget_step:g}x apart{top})"


def _plain(value: float) -> str:
    """A budget as a user types it: 1e21, not 1e+21."""
    return f"{value:.3g}".replace("e+", "e")
