"""A bracketed one-dimensional minimiser, for sizes spanning many orders of magnitude.

Owns `minimise_log`: the minimum of f(N) for N in [low, high], searched in log N. A grid
first (so a function with more than one dip still finds the lowest at grid resolution),
then golden-section refinement around the best grid point, then a check of both ends.
Standard library only: the plain `plan` path must not import scipy.
"""

from __future__ import annotations

import math
from collections.abc import Callable

_GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0


def minimise_log(f: Callable[[float], float], low: float, high: float, points: int = 97) -> float:
    """The N in [low, high] where f is lowest, to about 1e-9 in log N (or an end exactly)."""
    if not 0 < low <= high:
        raise ValueError(f"need 0 < low <= high, got [{low!r}, {high!r}]")
    if low == high:
        return low
    a, b = math.log(low), math.log(high)
    step = (b - a) / (points - 1)
    grid = [a + i * step for i in range(points)]
    values = [f(math.exp(u)) for u in grid]
    best = min(range(points), key=values.__getitem__)
    lo, hi = grid[max(best - 1, 0)], grid[min(best + 1, points - 1)]
    x1, x2 = hi - _GOLDEN * (hi - lo), lo + _GOLDEN * (hi - lo)
    f1, f2 = f(math.exp(x1)), f(math.exp(x2))
    while hi - lo > 1e-10 * max(1.0, abs(lo)):
        if f1 <= f2:
            hi, x2, f2 = x2, x1, f1
            x1 = hi - _GOLDEN * (hi - lo)
            f1 = f(math.exp(x1))
        else:
            lo, x1, f1 = x1, x2, f2
            x2 = lo + _GOLDEN * (hi - lo)
            f2 = f(math.exp(x2))
    inner = math.exp((lo + hi) / 2.0)
    candidates = [(f(low), low), (f(inner), inner), (f(high), high)]
    return min(candidates)[1]
