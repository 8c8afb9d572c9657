"""Numbers for people, as the tables and the results' one-line reprs write them.

Owns the wording of counts (2.78B, 60.0B, 1.33T), budgets (1e21, 5.76e23), money and days,
shared by planner.output's tables and by each result's `summary()`, so that a repr in
Python reads like the command's table. Pure: standard library only, nothing imported.
"""

from __future__ import annotations


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
