"""The data of the pictures of `plan plot`: isoFLOP curves, frontiers and size trade-offs.

Owns `isoflop_figure`, `frontier_figure` and `size_figure`, which ask the same questions the
tables do (`size_curve` for the loss of each size at a budget, `plan_array` for the optimum
along a range of budgets) and lay their answers out as a `Figure` of panels and series.
Computes no loss of its own and never draws or prints (planner.output draws a Figure).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from planner.errors import InfeasibleError, InputError
from planner.forms.base import Law
from planner.planning.budget import resolve_law, why_unplannable
from planner.planning.picture_results import Figure, Panel, Series, Span
from planner.planning.results import LawRef, Notice, law_ref, planner_version
from planner.planning.sense import check_level, check_positive, sensible
from planner.units import FLOPS_PER_PARAM_TOKEN

TYPE_CHECKING = False
if TYPE_CHECKING:
    from planner.planning.results import SizeCurve

ISOFLOP_RANGE = (0.1, 10.0)
"""Model sizes an isoFLOP curve spans, as fractions of the optimum (Chinchilla's Fig. 3
spans about two decades of size around each optimum)."""

FRONTIER_RANGE = (1e18, 1e25)
"""The budgets a frontier spans unless given: from small research runs to frontier models."""

PER_DECADE = 8
"""Budgets per decade of compute along a frontier: enough for a smooth curve on log axes."""

MOST_BUDGETS = 12
"""At most this many budgets on one picture; more curves are no longer readable."""


def laws_for(laws: Sequence[Law | str], domain: str | None, compare: bool) -> list[Law]:
    """The laws a picture draws: those given (default: the domain's), or with `compare`
    every shipped law of the domain that can split a budget."""
    if compare:
        from planner.laws.catalog import check_domain, planning_laws

        return [
            law for law in planning_laws(check_domain(domain or "language")) if why_unplannable(law) is None
        ]
    chosen = [resolve_law(law, domain) for law in laws] or [resolve_law(None, domain)]
    for law in chosen:
        reason = why_unplannable(law)
        if reason is not None:
            raise InfeasibleError(f"law {law.id} cannot be plotted: {reason}; choose a law that gives N_opt")
    return list({law.id: law for law in chosen}.values())


def isoflop_figure(
    flops: Sequence[float],
    laws: Sequence[Law | str] = (),
    *,
    domain: str | None = None,
    compare: bool = False,
    size_range: tuple[float, float] = ISOFLOP_RANGE,
    level: float | None = None,
) -> Figure:
    """Loss against model size at each budget (Hoffmann et al. 2022, Fig. 3), the optimum of
    each curve marked, under one law or several.

    Raises:
        InputError: no budget, too many, or a bad budget or range.
        InfeasibleError: a law that gives the loss of its optimum only (a frontier law).
    """
    from planner.planning.inverse import size_curve

    budgets = _budgets(flops)
    chosen = laws_for(laws, domain, compare)
    notices: list[Notice] = []
    if compare:
        off = [law for law in chosen if law.off_optimum is not None]
        notices += [
            Notice("not_compared", f"{law.id} is left out: it gives {law.off_optimum}", level="note")
            for law in off
        ]
        chosen = [law for law in chosen if law.off_optimum is None]
    else:
        for law in chosen:
            if law.off_optimum is not None:
                raise InfeasibleError(
                    f"law {law.id} gives {law.off_optimum}, so it has no isoFLOP curve; "
                    "plot it with `plan plot frontier`, or choose a law of form chinchilla or kaplan-nd"
                )
    series: list[Series] = []
    several = len(chosen) > 1
    for index, law in enumerate(chosen):
        curves = [size_curve(budget, *size_range, law, level=level) for budget in budgets]
        for curve in curves:
            label = f"{flops_text(curve.flops)} FLOPs"
            named = f"{law.id}, {label}" if several else label
            banded = all(point.loss_interval is not None for point in curve.points)
            series.append(
                Series(
                    name=named,
                    style="line",
                    x=tuple(point.params for point in curve.points),
                    y=tuple(point.loss for point in curve.points),
                    low=tuple(p.loss_interval.low for p in curve.points if p.loss_interval)
                    if banded
                    else None,
                    high=tuple(p.loss_interval.high for p in curve.points if p.loss_interval)
                    if banded
                    else None,
                    group=index if several else len(series),
                )
            )
            # which sizes cannot match the optimum's loss is the size curve's news, not this picture's
            notices += [n for n in curve.notices if n not in notices and n.code != "size_cannot_match"]
        series.append(
            Series(
                name=f"{law.id} optimum" if several else "optimum",
                style="marker",
                x=tuple(curve.optimum.params for curve in curves),
                y=tuple(_loss(curve.optimum.loss) for curve in curves),
                group=index,
            )
        )
    panel = Panel(
        title="Loss against model size at fixed compute",
        x="params",
        y="loss",
        x_label="model size N (parameters)",
        y_label=_loss_label(chosen),
        x_log=True,
        y_log=False,
        series=tuple(series),
    )
    return _figure("isoflop", "IsoFLOP curves", (panel,), chosen, level, notices)


def frontier_figure(
    laws: Sequence[Law | str] = (),
    *,
    domain: str | None = None,
    compare: bool = False,
    flops_range: tuple[float, float] = FRONTIER_RANGE,
    level: float | None = None,
) -> Figure:
    """The compute-optimal loss, and the optimal N and D, against compute over a range, with
    each law's interval band where it has one and its fitted range of compute shaded.

    Raises:
        InputError: a bad range (low must be below high, within 1e6 to 1e30 FLOPs).
        InfeasibleError: a law that cannot split a budget.
    """
    from planner.planning.columns import plan_array

    budgets = _range(flops_range)
    chosen = laws_for(laws, domain, compare)
    level = None if level is None else check_level(level)
    losses: list[Series] = []
    sizes: list[Series] = []
    spans: list[Span] = []
    notices: list[Notice] = []
    for index, law in enumerate(chosen):
        no_loss = law.why_no_loss()
        if no_loss is not None and len(chosen) > 1:
            notices.append(Notice("not_compared", f"{law.id} is left out: {no_loss}", level="note"))
            continue
        if no_loss is not None:
            raise InputError(
                f"law {law.id} has no frontier to draw: {no_loss}; "
                f"plan --law {law.id} --flops C prints its split of a budget"
            )
        columns = plan_array(budgets, law, level=level)
        x = tuple(columns.flops.tolist())

        def band(name: str, columns: object = columns) -> tuple[float, ...] | None:
            found = getattr(columns, name, None)
            return None if found is None else tuple(found.tolist())

        losses.append(
            Series(
                name=law.id,
                style="line",
                x=x,
                y=tuple(columns.loss.tolist()),
                low=band("loss_low"),
                high=band("loss_high"),
                group=index,
            )
        )
        for quantity, style in (("params", "line"), ("tokens", "dashed")):
            sizes.append(
                Series(
                    name=f"{law.id} {'N' if quantity == 'params' else 'D'}",
                    style=style,
                    x=x,
                    y=tuple(getattr(columns, quantity).tolist()),
                    low=band(f"{quantity}_low"),
                    high=band(f"{quantity}_high"),
                    group=index,
                )
            )
        fitted = law.fitted_range.flops
        if fitted is not None:
            spans.append(Span(float(fitted[0]), float(fitted[1]), f"{law.id} fitted range"))
        else:
            notices.append(
                Notice(
                    "no_fitted_range", f"{law.id} records no fitted range of compute to shade", level="note"
                )
            )
        if bool(columns.extrapolated.any()):
            notices.append(
                Notice(
                    "extrapolation",
                    f"{law.id} extrapolates beyond the range it was fitted on over part of "
                    f"{flops_text(budgets[0])} to {flops_text(budgets[-1])} FLOPs",
                )
            )
    panels = (
        Panel(
            title="Compute-optimal loss",
            x="flops",
            y="loss",
            x_label="training compute C (FLOPs)",
            y_label=_loss_label(chosen),
            x_log=True,
            y_log=True,
            series=tuple(losses),
            spans=tuple(spans),
        ),
        Panel(
            title="Compute-optimal model size N and data D",
            x="flops",
            y="params_or_tokens",
            x_label="training compute C (FLOPs)",
            y_label="N (parameters), D (tokens)",
            x_log=True,
            y_log=True,
            series=tuple(sizes),
            spans=tuple(spans),
        ),
    )
    banded = any(s.low is not None for s in losses)
    return _figure("frontier", "Compute-optimal frontier", panels, chosen, level if banded else None, notices)


def size_figure(
    flops: Sequence[float],
    law: Law | str | None = None,
    *,
    domain: str | None = None,
    size_range: tuple[float, float] = (0.25, 4.0),
) -> Figure:
    """The compute a model size off the optimum needs to match the optimum's loss, above the
    budget, against its size relative to the optimum (the `--size-range` table's data).

    Raises:
        InputError: no budget, too many, or a bad budget or range.
        InfeasibleError: a law that prices the optimum only.
    """
    from planner.planning.inverse import size_curve

    budgets = _budgets(flops)
    chosen = resolve_law(law, domain)
    curves: list[SizeCurve] = [size_curve(budget, *size_range, chosen, level=None) for budget in budgets]
    series = []
    notices: list[Notice] = []
    for index, curve in enumerate(curves):
        reached = [point for point in curve.points if point.compute_overhead is not None]
        series.append(
            Series(
                name=f"{flops_text(curve.flops)} FLOPs",
                style="linepoints",
                x=tuple(point.fraction for point in reached),
                y=tuple(
                    100.0 * point.compute_overhead for point in reached if point.compute_overhead is not None
                ),
                group=index,
            )
        )
        notices += [n for n in curve.notices if n not in notices]
    panel = Panel(
        title=f"Extra compute to match the optimum's loss under {chosen.id}",
        x="fraction",
        y="compute_overhead",
        x_label="model size relative to the compute-optimal size (N / N_opt)",
        y_label="extra compute to reach the optimum's loss (%)",
        x_log=True,
        y_log=False,
        series=tuple(series),
    )
    return _figure("size-curve", "Model size against compute overhead", (panel,), [chosen], None, notices)


def _budgets(flops: Sequence[float]) -> list[float]:
    if not flops:
        raise InputError("give at least one budget, e.g. --flops 1e21")
    if len(flops) > MOST_BUDGETS:
        raise InputError(
            f"a picture takes at most {MOST_BUDGETS} budgets (got {len(flops)}); give fewer --flops"
        )
    budgets = [check_positive("flops", value, least=FLOPS_PER_PARAM_TOKEN) for value in flops]
    return sorted(set(budgets))


FLOPS_LIMITS = (1e6, 1e30)
"""The widest range of compute a frontier spans."""


def _range(flops_range: tuple[float, float]) -> list[float]:
    """Budgets from low to high, PER_DECADE to a decade, ends included."""
    low, high = (check_positive("flops", value) for value in flops_range)
    if not (FLOPS_LIMITS[0] <= low < high <= FLOPS_LIMITS[1]):
        raise InputError(
            f"a range of compute needs {FLOPS_LIMITS[0]:g} <= low < high <= {FLOPS_LIMITS[1]:g} FLOPs "
            f"(got {low:g} to {high:g}); give e.g. --flops-range 1e18 1e25"
        )
    steps = max(2, math.ceil(PER_DECADE * math.log10(high / low)))
    ratio = math.log(high / low) / steps
    return [low * math.exp(ratio * step) for step in range(steps)] + [high]


def flops_text(value: float) -> str:
    """A budget for a legend: 1e21, 3e23, 1.5e21."""
    return f"{value:.3g}".replace("e+", "e")


def _loss_label(laws: Sequence[Law]) -> str:
    """The loss axis with its unit, when every law drawn measures loss in the same one."""
    units = {law.quantities.loss_units for law in laws}
    return f"loss ({units.pop()})" if len(units) == 1 else "loss (each law's own units)"


def caption(refs: Sequence[LawRef]) -> str:
    """The sources of the laws drawn, one citation each."""
    return "; ".join(f"{ref.id}: {ref.citation}" for ref in refs)


def _figure(
    kind: str,
    title: str,
    panels: tuple[Panel, ...],
    laws: Sequence[Law],
    level: float | None,
    notices: Sequence[Notice],
) -> Figure:
    refs = tuple(law_ref(law) for law in laws)
    found = Figure(
        planner_version=planner_version(),
        kind=kind,
        title=title,
        panels=panels,
        laws=refs,
        level=level,
        caption=caption(refs),
        notices=tuple(notices),
    )
    return sensible(found, "the picture")


def _loss(value: float | None) -> float:
    """A size curve's optimum loss: every law that draws a size curve has one."""
    assert value is not None, "a size curve of a law without a loss"
    return value
