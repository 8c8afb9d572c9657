"""Pictures in the terminal: a `Figure` drawn in braille dots, one panel under another.

Owns the terminal drawing of `plan plot`: each cell of text holds 2 x 4 braille dots, so a
curve is four times finer than the rows; points and optima are marked with a symbol per
series that the legend names (colour, where the terminal has it, only repeats what the
symbols say); a shaded span of x (a law's fitted range) shows as dotted columns. Axes carry
their labels with units. Standard library only; must not compute what it draws.
"""

from __future__ import annotations

import itertools
import math

from planner.output.grid import Screen, wrap

TYPE_CHECKING = False
if TYPE_CHECKING:
    from planner.planning.picture_results import Figure, Panel, Series

BRAILLE = 0x2800
DOTS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))
"""The bit of each dot of a braille cell, by (row, column) within the cell."""
SYMBOLS = "o+x*#@%&=$~^"
"""The marks of points and series, in the order series appear in the legend."""
COLOURS = ("\x1b[34m", "\x1b[31m", "\x1b[32m", "\x1b[35m", "\x1b[33m", "\x1b[36m")
AXIS_WIDTH = 9
"""Columns left of the plot area for the y axis' numbers."""
NARROWEST = 40
"""Below this width a plot cannot be read; it is drawn at this width."""
WIDEST = 120
"""A plot wider than this gains no detail worth the eye's travel."""


class Canvas:
    """A plot area of `columns` x `rows` cells: braille dots, then symbols over them."""

    def __init__(self, columns: int, rows: int) -> None:
        self.columns, self.rows = columns, rows
        self.dots = [[0] * columns for _ in range(rows)]
        self.owner: list[list[int | None]] = [[None] * columns for _ in range(rows)]
        self.marks: dict[tuple[int, int], tuple[str, int]] = {}

    def dot(self, px: int, py: int, owner: int) -> None:
        """Set dot (px, py), py counted from the top, in dots (2 a column, 4 a row)."""
        column, row = px // 2, py // 4
        if 0 <= column < self.columns and 0 <= row < self.rows:
            self.dots[row][column] |= DOTS[py % 4][px % 2]
            self.owner[row][column] = owner

    def line(self, start: tuple[float, float], end: tuple[float, float], owner: int, every: int = 1) -> None:
        """Dots from start to end (in dots), or every `every`-th of them (a dotted line)."""
        steps = max(1, round(max(abs(end[0] - start[0]), abs(end[1] - start[1]))))
        for step in range(0, steps + 1, every):
            t = step / steps
            self.dot(
                round(start[0] + t * (end[0] - start[0])), round(start[1] + t * (end[1] - start[1])), owner
            )

    def mark(self, px: float, py: float, symbol: str, owner: int) -> None:
        column, row = int(px) // 2, int(py) // 4
        if 0 <= column < self.columns and 0 <= row < self.rows:
            self.marks[(row, column)] = (symbol, owner)

    def lines(self, screen: Screen, unicode: bool) -> list[str]:
        """The rows of text, coloured by the series that drew each cell when styled."""
        out = []
        for row in range(self.rows):
            cells = []
            for column in range(self.columns):
                found = self.marks.get((row, column))
                owner: int | None
                if found is not None:
                    text, owner = found
                elif self.dots[row][column]:
                    text = chr(BRAILLE + self.dots[row][column]) if unicode else "."
                    owner = self.owner[row][column]
                else:
                    cells.append(" ")
                    continue
                code = COLOURS[owner % len(COLOURS)] if owner is not None and owner >= 0 else ""
                cells.append(screen.style(text, code) if code else text)
            out.append("".join(cells))
        return out


class Scale:
    """One axis: values to dots, linear or logarithmic, over the range of what is drawn."""

    def __init__(self, values: list[float], log: bool, size: int, flip: bool) -> None:
        self.log = log
        points = [math.log10(v) for v in values if v > 0] if log else values
        low, high = (min(points), max(points)) if points else (0.0, 1.0)
        if high - low < 1e-12 * max(1.0, abs(high)):
            low, high = low - 0.5, high + 0.5
        pad = 0.03 * (high - low)
        self.low, self.high, self.size, self.flip = low - pad, high + pad, size, flip

    def __call__(self, value: float) -> float:
        position = math.log10(value) if self.log else value
        share = (position - self.low) / (self.high - self.low)
        return (1 - share if self.flip else share) * (self.size - 1)

    def value(self, share: float) -> float:
        """The value at a share (0 to 1) of the axis."""
        position = self.low + share * (self.high - self.low)
        return 10.0**position if self.log else position

    def ticks(self) -> list[float]:
        """Where to label: each decade of a log axis spanning two or more (at most 6 of
        them), else 1, 2, 5 times powers of ten (or a finer series) on a log axis, and round
        steps (1, 2, 2.5 or 5 times a power of ten) on a linear one."""
        if self.log:
            first, last = math.ceil(self.low), math.floor(self.high)
            stride = max(1, math.ceil((last - first + 1) / 6))
            decades = [10.0**e for e in range(first, last + 1, stride)]
            if len(decades) >= 2:
                return decades
            low, high = self.value(0.0), self.value(1.0)
            powers = [10.0**e for e in range(math.floor(self.low), math.ceil(self.high) + 1)]
            for mantissas in ((1, 2, 5), (1, 1.5, 2, 3, 4, 5, 6, 8)):
                found = sorted(m * p for p in powers for m in mantissas if low <= m * p <= high)
                if len(found) >= 3:
                    return found
        low, high = self.value(0.0), self.value(1.0)
        raw = (high - low) / 6
        power = 10.0 ** math.floor(math.log10(raw))
        step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
        start = math.ceil(low / step)
        return [round(k * step, 12) for k in range(start, math.floor(high / step) + 1)]


def number(value: float) -> str:
    """An axis label: 1e21, 0.005, 2.5, -0.01."""
    text = f"{value:.3g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return f"{mantissa}e{int(exponent)}"
    return text


def usable(series: Series, panel: Panel) -> list[tuple[float, float]]:
    """The points of a series a panel's scales can place (no zero or negative on a log axis)."""
    return [
        (x, y)
        for x, y in zip(series.x, series.y, strict=True)
        if (x > 0 or not panel.x_log) and (y > 0 or not panel.y_log)
    ]


def draw_panel(panel: Panel, screen: Screen, width: int, rows: int, level: float | None) -> list[str]:
    """One panel: title, plot area with the y axis, x axis, and its legend."""
    unicode = screen.box[0] != "+"
    columns = width - AXIS_WIDTH - 1
    xs = [x for s in panel.series for x, _ in usable(s, panel)]
    ys = [y for s in panel.series for _, y in usable(s, panel)]
    for s in panel.series:
        for edge in (s.low, s.high):
            ys += [v for v in edge or () if v > 0 or not panel.y_log]
    x_scale = Scale(xs, panel.x_log, 2 * columns, flip=False)
    y_scale = Scale(ys, panel.y_log, 4 * rows, flip=True)
    canvas = Canvas(columns, rows)
    legend: list[tuple[str, str, int]] = []
    for span in panel.spans:
        if span.low <= 0 and panel.x_log:
            continue
        for end in (span.low, span.high):
            px = x_scale(end)
            if 0 <= px < 2 * columns:
                canvas.line((px, 0), (px, 4 * rows - 1), -1, every=3)
    named = 0
    for series in panel.series:
        symbol = SYMBOLS[named % len(SYMBOLS)]
        named += series.legend
        owner = series.group
        placed = [(x_scale(x), y_scale(y)) for x, y in usable(series, panel)]
        if series.style in ("line", "linepoints", "dashed"):
            every = 3 if series.style == "dashed" else 1
            for here, there in itertools.pairwise(placed):
                canvas.line(here, there, owner, every)
            for edge in (series.low, series.high):
                if edge is not None:
                    band = [
                        (x_scale(x), y_scale(y))
                        for x, y in zip(series.x, edge, strict=True)
                        if (x > 0 or not panel.x_log) and (y > 0 or not panel.y_log)
                    ]
                    for here, there in itertools.pairwise(band):
                        canvas.line(here, there, owner, every=4)
            marked = placed if series.style == "linepoints" else placed[-1:]
            if series.legend:  # the legend's symbol: at each marked point, else the line's end
                for point in marked:
                    canvas.mark(*point, symbol, owner)
        else:
            for point in placed:
                canvas.mark(*point, symbol, owner)
        if placed and series.legend:
            legend.append((symbol, series.name, owner))
    body = canvas.lines(screen, unicode)
    ticks = {round(y_scale(value) / 4): number(value) for value in y_scale.ticks()}
    vertical = "│" if unicode else "|"
    lines = [screen.style(line, "\x1b[1m") for line in wrap(screen.text(panel.title), width)]
    lines += wrap(screen.text(f"{panel.y_label}{', log scale' if panel.y_log else ''}"), width)
    for row, text in enumerate(body):
        label = ticks.get(row, "")
        lines.append(f"{label:>{AXIS_WIDTH - 1}} {vertical}{text}")
    corner, across = ("└", "─") if unicode else ("+", "-")
    lines.append(" " * AXIS_WIDTH + corner + across * columns)
    axis = [" "] * (columns + 1)
    for value in x_scale.ticks():
        text = number(value)
        left = min(max(0, round(x_scale(value) / 2) - len(text) // 2), columns + 1 - len(text))
        if all(c == " " for c in axis[max(0, left - 1) : left + len(text) + 1]):
            axis[left : left + len(text)] = text
    lines.append(" " * AXIS_WIDTH + "".join(axis).rstrip())
    scale = ", log scale" if panel.x_log else ""
    lines.append(screen.text(f"{' ' * AXIS_WIDTH}{panel.x_label}{scale}"))
    for symbol, name, owner in legend:
        code = COLOURS[owner % len(COLOURS)] if owner >= 0 else ""
        lines += wrap(f"  {screen.style(symbol, code) if code else symbol} {screen.text(name)}", width)
    if panel.spans:
        shown = dict.fromkeys((span.low, span.high) for span in panel.spans)
        names = ", ".join(span.label.removesuffix(" fitted range") for span in panel.spans)
        ranges = "; ".join(f"{number(low)} to {number(high)}" for low, high in shown)
        lines += wrap(f"  {'⡇' if unicode else ':'} fitted range of compute ({names}): {ranges}", width)
    if level is not None and any(s.low is not None for s in panel.series):
        lines.append(f"  sparse dots: the {level:.0%} interval")
    return lines


def draw(figure: Figure, screen: Screen | None = None) -> list[str]:
    """The figure as lines of text for a terminal as wide as the screen."""
    screen = screen or Screen()
    width = max(NARROWEST, min(screen.width, WIDEST))
    rows = 16 if len(figure.panels) == 1 else 12 if len(figure.panels) == 2 else 9
    lines = [*(screen.style(line, "\x1b[1m") for line in wrap(screen.text(figure.title), width)), ""]
    for panel in figure.panels:
        lines += draw_panel(panel, screen, width, rows, figure.level)
        lines.append("")
    if figure.summary:
        lines += wrap(screen.text(figure.summary), width)
    lines += wrap(screen.text(f"source: {figure.caption}"), width)
    return [line.rstrip() for line in lines]


def show(figure: Figure) -> None:
    """Draw the figure on stdout."""
    screen = Screen()
    screen.write(draw(figure, screen))
