"""The tails of a plan's draws, found without planning every draw: cells of candidates.

A central interval needs each quantity's few extreme order statistics over the draws. For
a law whose unconstrained plan is a frontier (its form's `draw_frontier`: ln N = g + t x
and loss = E + exp(k - r x) per draw, x = ln(C/6)), which draws can reach either tail of
ln N, of the loss, or of log loss + sigma z (the model error) changes slowly with x. So
the law index keeps, for cells of x, the numbers of the draws that can (`kept_tails`, made
with numpy when the index is written), and a plan evaluates only those
(planner.planning.intervals.frontier_tails): a fifth of the draws, with the operations of
the full path, so the very order statistics.

Why a draw left out cannot be in a tail: over a cell, each draw's value less a reference
curve common to all draws (which moves no rank) is bounded below and above, by its values
at sample points and a bound on its slope between them. If M draws are bounded above by T
at every x of the cell, the M-th smallest value is at most T there, and a draw bounded
below by more than T (plus a margin far beyond rounding) is never among the M smallest;
likewise for the largest. Only `python -m planner.laws` imports this module.
"""

from __future__ import annotations

import math
import sys

from planner.planning.intervals import (
    BAND_CELLS,
    BAND_GRID,
    BANDS_VERSION,
    CELLS,
    GRID,
    TAILS_VERSION,
    needed,
    sigma_terms,
)
from planner.planning.model_error import MODEL_ERROR

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from planner.planning.draws import Draws

LEVEL = 0.95
"""The cells hold enough draws for central intervals at this level or wider (the default)."""
LOW, HIGH = 1e16, 1e30
"""The budgets (FLOPs) the cells cover; a budget outside them plans every draw."""
WIDTH = 0.5
"""Of a cell, in ln(C/6): about a fifth of a decade."""
SEGMENTS = 32
"""Sample points per cell, for the bounds between them."""
MOST = 800
"""A cell with more candidates than this (where the draws' order changes fast) is split in
halves, up to DEPTH times."""
DEPTH = 4
MARGIN = 1e-9
"""Relative slack on every bound: far beyond the rounding of the values compared."""


def kept_tails(draws: Draws) -> dict[str, tuple[list[float] | bytes, ...]]:
    """What the law index keeps for `frontier_tails`, for a law whose form plans a frontier
    (nothing for any other). The layout: VERSION, the first cell's x, the cells' width and
    number, the draws each tail holds, the model error's constants; then by cell the parts
    it is split in and the number of its first part; then by part the place and length of
    its candidates, in float64s (length 0 where some draw is not planned). The candidates,
    as uint16: by part six counts (ln N, loss, log loss with the model error; each low tail
    then high) and the numbers of the draws."""
    terms = _frontier_terms(draws)
    if terms is None:
        return {}
    import array

    import numpy as np

    n = len(terms[0])
    most = needed(n, LEVEL)
    scatter, top = sigma_terms(draws.law)
    start = math.log(LOW / 6)
    cells = math.ceil((math.log(HIGH / 6) - start) / WIDTH)

    bounds_of = _bounds_maker(draws, terms)

    def chosen(a: float, width: float) -> list[Any] | None:
        """The candidates of each quantity's tails over the cell [a, a + width], or None
        where some draw is not planned somewhere in it."""
        bounds = bounds_of(a, width, SEGMENTS)
        if bounds is None:
            return None
        out = []
        for lower, upper in bounds:
            scale = _slack(lower, upper)
            low_cut = np.sort(upper)[most - 1] + scale  # the most-th smallest is at most this
            high_cut = np.sort(lower)[n - most] - scale  # the most-th largest is at least this
            out += [np.flatnonzero(lower <= low_cut), np.flatnonzero(upper >= high_cut)]
        return out

    parts_of: list[int] = []
    firsts: list[int] = []
    places: list[int] = []
    blob = array.array("H")
    for index in range(cells):
        a = start + index * WIDTH
        for depth in range(DEPTH + 1):
            parts = 2**depth
            found = [chosen(a + i * WIDTH / parts, WIDTH / parts) for i in range(parts)]
            sizes = [sum(len(c) for c in f) for f in found if f is not None]
            if len(sizes) < parts or max(sizes) <= MOST:
                break
        parts_of.append(parts)
        firsts.append(len(places) // 2)
        for candidates in found:
            if candidates is None:
                places += [len(blob) // 4, 0]
                continue
            _pack(blob, places, [len(c) for c in candidates] + [int(j) for c in candidates for j in c])
    if sys.byteorder != "little":
        blob.byteswap()
    layout = [TAILS_VERSION, start, WIDTH, cells, most, MODEL_ERROR.per_decade, scatter, top]
    return {
        GRID: ([float(v) for v in (*layout, *parts_of, *firsts, *places)],),
        CELLS: (blob.tobytes(),),
    }


BAND_WIDTH = WIDTH / 64
"""Of a band cell, in ln(C/6): narrow, so that few draws can hold the two ranks an end reads."""
BAND_SEGMENTS = 4
"""Sample points per band cell: a narrow cell's bounds are as tight with 4 as with 32 (the
draws kept were the same at 1/128 of ln(C/6) for 4, 8 and 32)."""


def kept_bands(draws: Draws) -> dict[str, tuple[list[float] | bytes, ...]]:
    """What the law index keeps for the intervals of the default level (LEVEL), of one plan
    (intervals.frontier_bands) and of arrays of budgets (interval_arrays), for a law whose
    form plans a frontier. Each
    end of a central interval reads two ranks of the draws, (b, b + 1): over a narrow cell,
    a draw bounded above by less than the b-th smallest lower bound is below them both at
    every x of the cell (it is counted, not kept), one bounded below by more than the
    (b + 1)-th smallest upper bound is above them both, and the draws left (a few dozen of
    4,000) hold both ranks, at b - (the draws counted below) among themselves.

    The layout: BANDS_VERSION, the first cell's x, the cells' width and number, the level,
    the draws, the model error's constants; then by cell the place and length of its
    numbers, in float64s (length 0 where some draw is not planned). The numbers, as uint16:
    by cell, for ln N, the loss and log loss with the model error, each the low end then
    the high, six counts of the draws below, six counts of the draws kept, and the numbers
    of those draws."""
    terms = _frontier_terms(draws)
    if terms is None:
        return {}
    import array

    import numpy as np

    n = len(terms[0])
    bounds_of = _bounds_maker(draws, terms)
    ends = [math.floor(q * (n - 1)) for q in ((1 - LEVEL) / 2, (1 + LEVEL) / 2)]
    scatter, top = sigma_terms(draws.law)
    start = math.log(LOW / 6)
    cells = math.ceil((math.log(HIGH / 6) - start) / BAND_WIDTH)
    places: list[int] = []
    blob = array.array("H")
    for index in range(cells):
        bounds = bounds_of(start + index * BAND_WIDTH, BAND_WIDTH, BAND_SEGMENTS)
        if bounds is None:
            places += [len(blob) // 4, 0]
            continue
        below_counts, kept = [], []
        for lower, upper in bounds:
            scale = _slack(lower, upper)
            lowest, highest = np.sort(lower), np.sort(upper)
            for rank in ends:
                below = upper < lowest[rank] - scale  # below rank b at every x of the cell
                held = ~below & (lower <= highest[min(rank + 1, n - 1)] + scale)  # not above b + 1
                below_counts.append(int(below.sum()))
                kept.append(np.flatnonzero(held))
        _pack(blob, places, [*below_counts, *(len(c) for c in kept), *(int(j) for c in kept for j in c)])
    if sys.byteorder != "little":
        blob.byteswap()
    layout = [BANDS_VERSION, start, BAND_WIDTH, cells, LEVEL, n, MODEL_ERROR.per_decade, scatter, top]
    return {BAND_GRID: ([float(v) for v in (*layout, *places)],), BAND_CELLS: (blob.tobytes(),)}


def _frontier_terms(draws: Draws) -> Any:
    """The draws' frontier terms (E, g, t, k, r) where their form plans a frontier, else None."""
    frontier = getattr(draws.law.params, "draw_frontier", None)
    return frontier(draws) if frontier is not None else None


def _slack(lower: Any, upper: Any) -> float:
    """The margin every comparison of a cell's bounds allows: MARGIN of their largest size."""
    return float(MARGIN * (1.0 + max(abs(lower).max(), abs(upper).max())))


def _pack(blob: Any, places: list[int], numbers: list[int]) -> None:
    """A cell's numbers onto `blob` (uint16), padded to whole float64s, and its place and
    length, in float64s, onto `places`."""
    import array

    cell = array.array("H", numbers)
    cell.extend([0] * (-len(cell) % 4))
    places += [len(blob) // 4, len(cell) // 4]
    blob.extend(cell)


def _bounds_maker(draws: Draws, terms: Any) -> Callable[[float, float, int], list[tuple[Any, Any]] | None]:
    """A function that bounds, over the cell [a, a + width] (from `segments` + 1 sample
    points), each draw's ln N, loss and log loss + sigma z, each less a reference curve
    common to all draws: three (lower, upper) pairs of arrays over the draws; None where
    some draw is not planned somewhere in the cell."""
    import numpy as np

    E, g, t, k, r = (np.asarray(column) for column in terms)
    z = np.asarray(draws.noise)
    scatter, top = sigma_terms(draws.law)

    def sigma(x: Any) -> Any:
        if top <= 0:
            return np.full_like(x, MODEL_ERROR.sigma(scatter, 0.0))
        decades = np.maximum(0.0, (x + math.log(6) - math.log(top)) / math.log(10))
        return np.hypot(scatter, decades * MODEL_ERROR.per_decade)

    def bounds(a: float, width: float, segments: int) -> list[tuple[Any, Any]] | None:
        xs = np.linspace(a - 1e-6, a + width + 1e-6, segments + 1)[:, None]
        step = xs[1, 0] - xs[0, 0]
        with np.errstate(over="ignore"):
            u = np.exp(k - r * xs)  # (samples, draws); monotone in x between samples
        loss = E + u
        if not (np.isfinite(loss).all() and (loss > 0).all() and (k - r * xs < 700).all()):
            return None
        u_ref = np.exp(k.mean() - r.mean() * xs)
        loss_ref = E.mean() + u_ref
        return [
            _linear((g - g.mean()) + (t - t.mean()) * xs),
            _lipschitz(u - u_ref, _slope(-r * u, -r.mean() * u_ref), step, offset=E - E.mean()),
            _lipschitz(
                np.log(loss) - np.log(loss_ref),
                _slope(-r * u / loss, -r.mean() * u_ref / loss_ref),
                step,
                monotone=sigma(xs) * z,
            ),
        ]

    return bounds


def _linear(values: Any) -> tuple[Any, Any]:
    """Bounds over the cell of values linear in x, from its sample points."""
    return values.min(axis=0), values.max(axis=0)


def _slope(own: Any, reference: Any) -> Any:
    """The largest |slope| between neighbouring sample points of a draw's value less the
    reference curve, whose slopes are `own` and `reference` at the points, each monotone
    between them (so within the range of its values at the two points)."""
    import numpy as np

    low = np.minimum(own[:-1], own[1:]) - np.maximum(reference[:-1], reference[1:])
    high = np.maximum(own[:-1], own[1:]) - np.minimum(reference[:-1], reference[1:])
    return np.maximum(np.abs(low), np.abs(high))


def _lipschitz(
    values: Any, slope: Any, step: float, offset: Any = 0.0, monotone: Any = None
) -> tuple[Any, Any]:
    """Bounds over the cell of values + `monotone` (monotone between sample points) +
    `offset` (constant), with |slope of values| at most `slope` between sample points."""
    import numpy as np

    slack = slope * (step / 2)
    low = np.minimum(values[:-1], values[1:]) - slack
    high = np.maximum(values[:-1], values[1:]) + slack
    if monotone is not None:
        low = low + np.minimum(monotone[:-1], monotone[1:])
        high = high + np.maximum(monotone[:-1], monotone[1:])
    return low.min(axis=0) + offset, high.max(axis=0) + offset
