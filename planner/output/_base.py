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


def span(low: float, high: float, show: Callable[[float], str] | None = None) -> str:
    """An interval for people: 2.10B to 3.61B, or with `show` (a formatter) for other numbers."""
    text = show or count
    return f"{text(low)} to {text(high)}"


def interval_row(bounds: Intervals) -> list[str]:
    """Cells of a row under a plan's own: the interval of params, tokens and loss."""
    return [
        f"{bounds.level:.0%} interval",
        span(*bounds.params),
        span(*bounds.tokens),
        "",
        span(*bounds.loss, show=lambda v: f"{v:.4f}"),
    ]


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
    screen.line(f"params: {counts(item.units.params)} parameters; loss in {item.units.loss}")
    screen.line(f"FLOPs: {item.units.flops}")
    screen.line(f"tokens: {item.units.tokens}")
    for amount in item.natural_units:
        screen.line(f"{amount.unit}: {amount.tokens_per_unit:,.0f} tokens")
    screen.line(f"law: {item.law.name}; {item.law.citation}; {item.law.locator}")
    for caveat in item.caveats:
        screen.line(f"caveat: {caveat}")


def counts(params: str) -> str:
    return {"total": "total", "non_embedding": "non-emb."}.get(params, params)
