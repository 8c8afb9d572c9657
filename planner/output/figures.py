"""Pictures as files and as data: a `Figure` saved by matplotlib, or its series as CSV or JSON.

Owns the look of the saved pictures (sizes, colours, log axes, legends naming the laws, the
citation as a caption), the checks on an --out name before anything is computed, and the
write through a temporary file renamed into place, so a failed save leaves nothing behind.
matplotlib is the optional extra `plot` and is imported only here, only to save a file;
SVG output is the same bytes every time (a fixed hash salt, no date).
"""

from __future__ import annotations

import os

from planner.errors import InputError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from planner.planning.picture_results import Figure, Panel

INSTALL = "pip install 'scaling-law-planner[plot]'"
"""How to get matplotlib for --out, as the one-line error says."""

DPI = 150
"""Dots per inch of PNG files; sizes below are in inches."""

SIZES = {1: (6.4, 4.6), 2: (11.0, 4.6), 4: (11.0, 8.6)}
"""Figure size by number of panels: one, two side by side, four in a 2 x 2 grid."""

COLOURS = ("#1f5fa8", "#c23b22", "#2e8b57", "#8e44ad", "#d4860b", "#17a2b8", "#6d4c41", "#e377c2", "#555555")
"""One colour per group of series (a law, or a budget of a fit's runs); black marks held-out runs."""

FORMATS = ("png", "svg", "pdf")
"""What --out writes, by the file's extension."""


def size_of(figure: Figure) -> tuple[float, float]:
    """The figure's size in inches (a PNG is DPI times that in pixels)."""
    return SIZES[len(figure.panels)]


def check_out(name: str) -> str:
    """The --out file's extension, or InputError for a name that cannot be written, before
    anything is computed: a control character, no extension we write, a folder, a missing
    or read-only folder."""
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in name):
        raise InputError("--out holds a control character; give a file name such as isoflop.png")
    base = os.path.basename(name)
    extension = base.rpartition(".")[2].lower() if "." in base.lstrip(".") else ""
    if extension not in FORMATS:
        shown = f".{extension}" if extension else "no extension"
        raise InputError(
            f"--out {name!r} has {shown}; give a file name ending .png, .svg or .pdf, e.g. --out isoflop.png"
        )
    if os.path.isdir(name):
        raise InputError(
            f"cannot write {name}: it is a folder; give a file name such as {os.path.join(name, base)}.png"
        )
    folder = os.path.dirname(name) or "."
    if not os.path.isdir(folder):
        raise InputError(f"cannot write {name}: there is no folder {folder}; create it or give another --out")
    if not os.access(folder, os.W_OK | os.X_OK) or (os.path.exists(name) and not os.access(name, os.W_OK)):
        raise InputError(f"cannot write {name}: permission denied; give a file you may write")
    return extension


def check_matplotlib() -> None:
    """InputError saying how to install the extra when matplotlib is missing."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise InputError(f"--out needs matplotlib, which is not installed; {INSTALL}") from None


def save(figure: Figure, name: str) -> None:
    """Draw the figure with matplotlib into `name` (.png, .svg or .pdf), atomically."""
    import tempfile

    extension = check_out(name)
    check_matplotlib()
    from matplotlib import rc_context

    folder = os.path.dirname(name) or "."
    handle, temporary = tempfile.mkstemp(prefix=".plan-plot-", suffix=f".{extension}", dir=folder)
    os.close(handle)
    try:
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(temporary, 0o666 & ~mask)  # as open() would make it, not mkstemp's 0600
        with rc_context(RC):
            drawn = _draw(figure)
            drawn.savefig(temporary, format=extension, dpi=DPI, metadata=METADATA[extension])
        os.replace(temporary, name)
    except OSError as err:
        raise InputError(f"cannot write {name}: {err.strerror or err}; give a file you may write") from None
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


RC: Any = {
    "svg.hashsalt": "planner",
    "svg.fonttype": "none",
    "font.size": 9,
    "axes.titlesize": 10,
    "legend.fontsize": 7,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
"""matplotlib settings for every saved picture: fixed SVG ids, text kept as text, a plain look."""

METADATA: dict[str, dict[str, Any]] = {"svg": {"Date": None}, "pdf": {"CreationDate": None}, "png": {}}
"""No dates in the files, so the same picture is the same bytes."""


def _draw(figure: Figure) -> Any:
    import textwrap

    from matplotlib.figure import Figure as Canvas

    count = len(figure.panels)
    drawn = Canvas(figsize=size_of(figure), dpi=DPI, layout="constrained")
    grid = drawn.subplots(*((2, 2) if count == 4 else (1, count)), squeeze=False).flat
    legends = [_panel(axes, panel, figure.level) for axes, panel in zip(grid, figure.panels, strict=True)]
    if count > 1 and legends[0] and all(labels == legends[0] for labels in legends):
        for axes in drawn.axes[1:]:  # every panel names the same series: the first one's legend says it
            legend = axes.get_legend()
            if legend is not None:
                legend.remove()
    columns = 130 if count > 1 else 95
    if count > 1 or figure.summary:  # one panel's title says it all, unless there is news
        heading = [figure.title] if count > 1 else []
        summary = textwrap.wrap(figure.summary or "", round(columns * 0.8))
        drawn.suptitle("\n".join([*heading, *summary]), fontsize=11 if not summary else 9)
    caption = "\n".join(textwrap.wrap(f"Source: {figure.caption}", columns))
    drawn.supxlabel(caption, fontsize=7, color="#444444")
    return drawn


def _panel(axes: Any, panel: Panel, level: float | None) -> list[str]:
    """Draw one panel; the labels of its legend."""
    shaded = set()
    for span in panel.spans:
        if (span.low, span.high) in shaded:
            continue
        laws = [
            s.label.removesuffix(" fitted range")
            for s in panel.spans
            if (s.low, s.high) == (span.low, span.high)
        ]
        axes.axvspan(
            span.low, span.high, color="#999999", alpha=0.15, lw=0, label=f"fitted range ({', '.join(laws)})"
        )
        shaded.add((span.low, span.high))
    for series in panel.series:
        colour = COLOURS[series.group % len(COLOURS)]
        label = series.name if series.legend else None
        if series.low is not None and series.high is not None:
            band = f"{series.name}, {level:.0%} interval" if level is not None and series.legend else None
            axes.fill_between(series.x, series.low, series.high, color=colour, alpha=0.18, lw=0, label=band)
        if series.style in ("line", "linepoints"):
            dots = "o" if series.style == "linepoints" else None
            axes.plot(series.x, series.y, color=colour, lw=1.6, marker=dots, ms=3.5, label=label)
        elif series.style == "dashed":
            axes.plot(series.x, series.y, color=colour, lw=1.4, ls="--", label=label)
        elif series.style == "points":
            axes.scatter(series.x, series.y, color=colour, s=16, alpha=0.85, label=label, zorder=3)
        else:
            axes.scatter(
                series.x,
                series.y,
                color=colour,
                marker="*",
                s=90,
                edgecolors="black",
                lw=0.6,
                zorder=4,
                label=label,
            )
    if panel.x_log:
        axes.set_xscale("log")
        _plain_ticks(axes.xaxis, [x for s in panel.series for x in s.x])
    if panel.y_log:
        axes.set_yscale("log")
        _plain_ticks(axes.yaxis, [y for s in panel.series for y in (*s.y, *(s.low or ()), *(s.high or ()))])
    if panel.y == "residual":
        axes.axhline(0.0, color="black", lw=0.8)
    axes.set_title(panel.title)
    axes.set_xlabel(panel.x_label)
    axes.set_ylabel(panel.y_label)
    handles, labels = axes.get_legend_handles_labels()
    if handles:
        axes.legend(ncol=2 if len(handles) > 8 else 1, frameon=False)
    return list(labels)


def _plain_ticks(axis: Any, values: list[float]) -> None:
    """Plain numbers (2.5, 3) on a log axis spanning less than two decades, where matplotlib
    would write 3 x 10^0 or nothing at all."""
    from matplotlib.ticker import FuncFormatter

    positive = [v for v in values if v > 0]
    if positive and max(positive) / min(positive) < 100:
        plain = FuncFormatter(lambda value, _: f"{value:g}")
        axis.set_major_formatter(plain)
        axis.set_minor_formatter(plain)


CSV_COLUMNS = ("panel", "series", "x_quantity", "y_quantity", "x", "y", "low", "high")
"""The columns of `--format csv`: one row per plotted point."""


def figure_csv(figure: Figure) -> None:
    """Every point of every series, one row each, numbers in full precision."""
    from planner.output.tabular import csv_table

    rows: list[dict[str, float | int | str | None]] = []
    for panel in figure.panels:
        for series in panel.series:
            for index, (x, y) in enumerate(zip(series.x, series.y, strict=True)):
                rows.append(
                    {
                        "panel": panel.title,
                        "series": series.name,
                        "x_quantity": panel.x,
                        "y_quantity": panel.y,
                        "x": x,
                        "y": y,
                        "low": None if series.low is None else series.low[index],
                        "high": None if series.high is None else series.high[index],
                    }
                )
    csv_table(list(CSV_COLUMNS), rows)
