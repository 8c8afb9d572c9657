"""Shared pieces of the tables: number formats, the screen they are drawn on, and the
footer lines every plan table ends with. No table of its own; must not compute plans.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from planner.output.grid import Screen
    from planner.planning.results import Intervals, Plan


def count(value: float) -> str:
    """A count for people: 2.78B, 60.0B, 1.33T; scientific beyond quadrillions."""
    for size, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if 1 <= value / size < 1000:
            return f"{value / size:#.3g}".rstrip(".") + suffix
    return sci(value)


def sci(value: float) -> str:
    """Scientific notation as people type it: 1e21, 5.76e23."""
    text = f"{value:.3g}"
    return text.replace("e+", "e").replace("e0", "e").replace("e-0", "e-")


def money(value: float | None) -> str:
    """A cost for people: $921,600 (the currency of the price given)."""
    return "" if value is None else f"${value:,.0f}"


def days(value: float) -> str:
    """Days for people: 30.0, 1,234.5; under a day, two significant figures (0.05, not 0.0)."""
    return f"{value:,.1f}" if value >= 0.95 or value == 0 else f"{value:.2g}"


def span(low: float, high: float, show: Callable[[float], str] | None = None) -> str:
    """An interval for people: 2.10B to 3.61B, or with `show` (a formatter) for other numbers;
    one number where both ends read the same (a cap that binds in every draw)."""
    text = show or count
    ends = text(low), text(high)
    return ends[0] if ends[0] == ends[1] else f"{ends[0]} to {ends[1]}"


def loss_cell(loss: float | None) -> str:
    """A loss for a table, or "none" under a law that predicts no loss (an allocation law)."""
    return "none" if loss is None else f"{loss:.4f}"


def interval_row(bounds: Intervals) -> list[str]:
    """Cells of a row under a plan's own: the interval of params, tokens, tokens per
    parameter and loss (empty where the question fixes the quantity)."""
    per = bounds.tokens_per_param
    loss = bounds.loss
    return [
        f"{bounds.level:.0%} interval",
        span(bounds.params.low, bounds.params.high) if bounds.params else "",
        span(bounds.tokens.low, bounds.tokens.high) if bounds.tokens else "",
        span(per.low, per.high, show=lambda v: f"{v:.3g}") if per else "",
        span(loss.low, loss.high, show=lambda v: f"{v:.3f}") if loss else "",
    ]


def interval_lines(screen: Screen, bounds: Intervals) -> None:
    """The footer lines of a result with intervals: FLOPs and hardware ranges, and the method."""
    level = f"{bounds.level:.0%}"
    if bounds.flops is not None:
        screen.line(f"FLOPs needed, {level} interval: {sci(bounds.flops.low)} to {sci(bounds.flops.high)}")
    if bounds.gpu_hours is not None:
        parts = [f"{bounds.gpu_hours.low:,.0f} to {bounds.gpu_hours.high:,.0f} GPU-hours"]
        if bounds.days is not None:
            parts.append(f"{days(bounds.days.low)} to {days(bounds.days.high)} days")
        if bounds.cost is not None:
            parts.append(f"{money(bounds.cost.low)} to {money(bounds.cost.high)}")
        screen.line(f"hardware, {level} interval: {', '.join(parts)}")
    if bounds.failed:
        screen.line(f"{bounds.failed} draws gave no answer and are left out of the intervals")
    screen.line(f"intervals: {bounds.method}")


def data_footer(screen: Screen, item: Plan) -> None:
    data = item.data
    if data is not None:
        screen.line(
            "epochs: tokens / unique tokens; D' and N': effective tokens and params, what repeated "
            "tokens and parameters beyond the unique data's use are worth, with decay constants "
            f"R_D* {data.R_D_star} and R_N* {data.R_N_star} ({data.decay_source})"
        )
        screen.line(
            "+loss: above the plan with unlimited unique data; dL/dlnC: change in loss per e-fold "
            "(x2.72) more compute, by central difference; returns: dL/dlnC as a share of its value "
            "with unlimited unique data"
        )
    subset = item.repeated_subset
    if subset is not None:
        screen.line(
            f"repeated subset: {subset.fraction * 100:.3g}% of the training tokens seen {subset.repeats:g} "
            f"times, {subset.token_share * 100:.3g}% of the run; not priced (no published formula)"
        )


def footer(screen: Screen, item: Plan) -> None:
    data_footer(screen, item)
    units = item.units
    screen.line(f"params: {counts(units.params)} parameters; tokens: {units.tokens}; FLOPs: {units.flops}")
    if item.optimum.loss is None:
        screen.line("loss: none, the law fits the split of a budget only")
    else:
        screen.line(f"loss: {units.loss}, {item.predicts}")
    for amount in item.natural_units:
        screen.line(f"{amount.unit}: {amount.tokens_per_unit:,.0f} tokens")
    screen.line(f"law: {item.law.name}; {item.law.citation}; {item.law.locator}")
    for caveat in item.caveats:
        screen.line(f"caveat: {caveat}")


def counts(params: str) -> str:
    return {"total": "total", "non_embedding": "non-emb."}.get(params, params)
