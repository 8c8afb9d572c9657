"""Shared pieces of the rich tables: number formats, the console, and the footer lines
every plan table ends with. No table of its own; must not compute plans.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from planner.planning.results import Intervals, Plan

if TYPE_CHECKING:
    from rich.console import Console


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


MIN_WIDTH = 60
"""The narrowest table drawn: below it cells would shrink to ellipses, so lines wrap instead."""


def new_console() -> Console:
    """A console for tables: no markup, control characters in text shown, a sane width.

    Piped or redirected output has no screen to fit, so tables get 120 columns unless COLUMNS
    says otherwise; COLUMNS below MIN_WIDTH, zero or not a number is taken as MIN_WIDTH.
    """
    import os

    columns = os.environ.get("COLUMNS")
    width: int | None = None
    if columns is not None:
        width = max(int(columns), MIN_WIDTH) if columns.strip().isdigit() else MIN_WIDTH
    console = _safe_console()(highlight=False, markup=False, width=width)
    if not console.is_terminal and columns is None:
        console = _safe_console()(highlight=False, markup=False, width=120)
    return console


@cache
def _safe_console() -> type[Console]:
    from rich.console import Console
    from rich.text import Text

    from planner.output.streams import clean

    class SafeConsole(Console):
        """A console that shows control characters in text instead of sending them.

        No markup: law files and runs files supply text, and "[params]" in it is not a style.
        """

        def render_str(self, text: str, **options: Any) -> Text:
            return super().render_str(clean(text), **options)

    return SafeConsole


def span(low: float, high: float, show: Any = None) -> str:
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


def data_footer(console: Console, item: Plan) -> None:
    data = item.data
    if data is not None:
        console.print(
            "epochs: tokens / unique tokens; D' and N': effective tokens and params, what repeated "
            "tokens and parameters beyond the unique data's use are worth, with decay constants "
            f"R_D* {data.R_D_star} and R_N* {data.R_N_star} ({data.decay_source})",
            soft_wrap=True,
        )
        console.print(
            "+loss: above the plan with unlimited unique data; dL/dlnC: change in loss per e-fold "
            "(x2.72) more compute, by central difference; returns: dL/dlnC as a share of its value "
            "with unlimited unique data",
            soft_wrap=True,
        )
    subset = item.repeated_subset
    if subset is not None:
        console.print(
            f"repeated subset: {subset.fraction * 100:.3g}% of the training tokens seen {subset.repeats:g} "
            f"times, {subset.token_share * 100:.3g}% of the run; not priced (no published formula)",
            soft_wrap=True,
        )


def footer(console: Console, item: Plan) -> None:
    data_footer(console, item)
    console.print(
        f"params: {counts(item.units.params)} parameters; loss in {item.units.loss}", soft_wrap=True
    )
    console.print(f"FLOPs: {item.units.flops}", soft_wrap=True)
    console.print(f"tokens: {item.units.tokens}", soft_wrap=True)
    for amount in item.natural_units:
        console.print(f"{amount.unit}: {amount.tokens_per_unit:,.0f} tokens", soft_wrap=True)
    console.print(f"law: {item.law.name}; {item.law.citation}; {item.law.locator}", soft_wrap=True)
    for caveat in item.caveats:
        console.print(f"caveat: {caveat}", soft_wrap=True)


def counts(params: str) -> str:
    return {"total": "total", "non_embedding": "non-emb."}.get(params, params)
