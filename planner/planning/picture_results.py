"""The result types of pictures (`plan plot`): figures, their panels and series.

Part of the results layer beside planner.planning.results, apart from it so that a plain
plan does not create these classes at start. The `--json` contract of `plan plot`; field
order is output order. Standard library only.
"""

from __future__ import annotations

from planner.planning.results import LawRef, Notice
from planner.records import Record
from planner.version import FORMAT


class Series(Record, kw_only=True):
    """One plotted series: points (x, y), drawn as `style`; `low` and `high` bound a band
    around y where the law gives intervals (at the figure's `level`)."""

    name: str
    """The legend's words: a law id, with the budget or quantity where a panel has several."""
    style: str
    """"line" (a curve), "linepoints" (a curve through marked points), "dashed", "points"
    (runs) or "marker" (an optimum, a held-out run)."""
    x: tuple[float, ...]
    y: tuple[float, ...]
    low: tuple[float, ...] | None = None
    high: tuple[float, ...] | None = None
    group: int = 0
    """Series of one group share a colour (a law, or a budget of a fit's runs)."""
    legend: bool = True
    """Whether the legend names it (a fit's curve shares its runs' entry)."""


class Span(Record):
    """A range of x that a panel shades, e.g. the compute a law was fitted over."""

    low: float
    high: float
    label: str


class Panel(Record, kw_only=True):
    """One set of axes: what x and y are (with units), their scales, series and shaded spans."""

    title: str
    x: str
    """The quantity along x: flops, params, fraction, loss."""
    y: str
    """The quantity along y: loss, params_or_tokens, compute_overhead, residual, ..."""
    x_label: str
    y_label: str
    x_log: bool
    y_log: bool
    series: tuple[Series, ...]
    spans: tuple[Span, ...] = ()


class Figure(Record, kw_only=True):
    """A picture's data (`plan plot KIND`): its panels of series, the laws it draws from, and
    the caption naming their sources. Drawn in the terminal or by matplotlib, or printed."""

    format: str = FORMAT
    planner_version: str
    kind: str
    title: str
    panels: tuple[Panel, ...]
    laws: tuple[LawRef, ...]
    level: float | None = None
    """The level of the bands (low, high) of series that have them; None without bands."""
    caption: str
    summary: str | None = None
    """What the picture shows, in a sentence taken from the results it draws (plan plot
    design: which design the simulation favours and by how much); None for most kinds."""
    notices: tuple[Notice, ...] = ()
