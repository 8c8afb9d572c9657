"""How interval bounds are reported: rounded outward to DIGITS significant digits.

An interval's ends are percentiles of 4,000 draws, and their Monte Carlo error is far
above the sixteenth digit: at 1e21 FLOPs under besiroglu2024 the ends of the 95% intervals
move by 0.3% (sizes), 0.7% (tokens per parameter) and 0.004% to 0.03% (losses) between
seeds (tests/library/test_rounding.py measures it). Their trailing digits are noise, and
writing them is most of what a line of a stream with intervals costs. So every bound leaves
the planner at DIGITS significant digits, the low end rounded down and the high end up (the
reported interval holds the computed one, and its point estimate); an interval with equal
ends (a cap that binds in every draw) and a bound within a cap stay exact.

`outward` rounds one `Interval` (standard library, for one plan); `outward_arrays` the
columns of many (numpy, for arrays and streams). Both take the same steps, each exact or
correctly rounded, on the same powers of ten, so they give the same floats to the last bit.
"""

from __future__ import annotations

import math

from planner.planning.results import Interval

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from planner.planning.results import Intervals

DIGITS = 6
"""Significant digits of a reported bound: at least four times finer than the Monte Carlo
error of any bound of the default law's intervals (see the module's docstring)."""
SNAP = 1e-6
"""A bound within this many units of its last digit from a round number is that number: so
that rounding a rounded bound again leaves it as it is."""
SMALLEST, LARGEST = 1e-290, 1e300
"""Bounds outside these are left as they are (their powers of ten would not be numbers)."""

_POWERS: dict[int, float] = {}


def _power(k: int) -> float:
    """10**k as the float nearest it (as Python reads "1ek"): the same in numpy and here."""
    found = _POWERS.get(k)
    if found is None:
        found = _POWERS[k] = float(f"1e{k}")
    return found


def _rounded(x: float, up: bool) -> float:
    if not SMALLEST < x < LARGEST:
        return x
    k = math.floor(math.log10(x))
    if x < _power(k):  # log10 may be a unit off at a power of ten: the comparisons decide
        k -= 1
    elif x >= _power(k + 1):
        k += 1
    j = k - (DIGITS - 1)
    scale = _power(abs(j))
    q = x / scale if j >= 0 else x * scale  # in [10**(DIGITS-1), 10**DIGITS)
    r = float(round(q))
    n = r if abs(q - r) <= SNAP else float(math.ceil(q) if up else math.floor(q))
    y = _decimal(n, j)
    return max(y, x) if up else min(y, x)


EXACT = 22
"""10**k is a float exactly for |k| up to this: beyond, a bound is read back from its digits."""


def _decimal(n: float, j: int) -> float:
    """The float nearest n * 10**j (n a whole number below 10**DIGITS): one correctly
    rounded product or quotient of exact numbers where 10**|j| is exact, else parsed."""
    if abs(j) > EXACT:
        return float(f"{int(n)}e{j}")
    scale = _power(abs(j))
    return n * scale if j >= 0 else n / scale


def outward(band: Interval, floor: float = 0.0, ceiling: float = math.inf) -> Interval:
    """`band` rounded outward to DIGITS significant digits, within [floor, ceiling] (the
    caps of a plan, which its interval never crosses); as it is when its ends are equal."""
    if not band.low < band.high:
        return band
    return Interval(max(_rounded(band.low, False), floor), min(_rounded(band.high, True), ceiling))


def outward_all(found: Intervals) -> Intervals:
    """`found` with each of its intervals rounded by `outward` (a question without caps)."""
    changes = {
        name: outward(value)
        for name in found.__fields__
        if isinstance(value := getattr(found, name), Interval)
    }
    return found.replace(**changes)


def outward_arrays(low: Any, high: Any, floor: Any = 0.0, ceiling: Any = math.inf) -> tuple[Any, Any]:
    """The columns `low` and `high` (numpy arrays, NaN where no interval) rounded as
    `outward` rounds each pair, within [floor, ceiling] (numbers or arrays)."""
    import numpy as np

    kept = ~(low < high)  # equal ends, or no interval
    return (
        np.where(kept, low, np.maximum(_rounded_array(low, False), floor)),
        np.where(kept, high, np.minimum(_rounded_array(high, True), ceiling)),
    )


def _rounded_array(values: Any, up: bool) -> Any:
    import numpy as np

    usable = (values > SMALLEST) & (values < LARGEST)
    if not usable.any():
        return values
    x = np.where(usable, values, 1.0)
    with np.errstate(all="ignore"):
        k = np.floor(np.log10(x)).astype(np.int64)
    first, last = int(k.min()) - 1, int(k.max()) + 1
    powers = np.array([_power(i) for i in range(first, last + 1)])
    k -= x < powers[k - first]
    k += x >= powers[k + 1 - first]
    j = k - (DIGITS - 1)
    scale = np.array([_power(i) for i in range(0, max(abs(first), abs(last)) + DIGITS + 1)])[np.abs(j)]
    upward = j >= 0
    with np.errstate(all="ignore"):
        q = np.where(upward, x / scale, x * scale)
    r = np.rint(q)
    n = np.where(np.abs(q - r) <= SNAP, r, np.ceil(q) if up else np.floor(q))
    with np.errstate(all="ignore"):
        y = np.where(upward, n * scale, n / scale)
    for i in np.flatnonzero(np.abs(j) > EXACT).tolist():  # rare: beyond 1e27 or below 1e-17
        y.flat[i] = _decimal(float(n.flat[i]), int(j.flat[i]))
    y = np.maximum(y, x) if up else np.minimum(y, x)
    return np.where(usable, y, values)
