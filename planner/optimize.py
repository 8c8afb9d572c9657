"""One-dimensional minimisation for allocations that have no closed form.

Owns `minimize`: a scan that brackets every dip of f on an interval, then golden-section
search inside each bracket (Kiefer 1953, "Sequential minimax search for a maximum", Proc.
Amer. Math. Soc. 4(3), 502-506). Golden-section search alone finds *a* local minimum of a
function that is unimodal in its bracket; the scan is the guard for functions that are not,
and the best refined dip wins. Also owns the bisection of a form's frontier loss for the
least compute that reaches a loss, where no closed form exists, and `log_root`, the inverse
of an increasing function by bisection in log x. Pure Python: no scipy on the planning path.
"""

from __future__ import annotations

import math

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Protocol

INVERSE_PHI = (math.sqrt(5.0) - 1.0) / 2.0
"""1 / phi = 0.618...: each golden-section step keeps this share of the bracket."""


def golden_section(f: Callable[[float], float], low: float, high: float, tol: float) -> tuple[float, float]:
    """(x, f(x)) at a minimum of f in [low, high], to within tol in x, if f is unimodal there."""
    a, b = low, high
    c = b - INVERSE_PHI * (b - a)
    d = a + INVERSE_PHI * (b - a)
    fc, fd = f(c), f(d)
    while b - a > tol:
        if fc <= fd:  # the minimum is in [a, d]; the old c becomes the new d
            b, d, fd = d, c, fc
            c = b - INVERSE_PHI * (b - a)
            fc = f(c)
        else:  # the minimum is in [c, b]; the old d becomes the new c
            a, c, fc = c, d, fd
            d = a + INVERSE_PHI * (b - a)
            fd = f(d)
    return (c, fc) if fc <= fd else (d, fd)


def _dips(values: list[float]) -> list[int]:
    """Indices of the scan's local minima (ends included), best first."""
    last = len(values) - 1
    found = [
        i
        for i, value in enumerate(values)
        if (i == 0 or value <= values[i - 1]) and (i == last or value <= values[i + 1])
    ]
    return sorted(found, key=lambda i: values[i])


def minimize(
    f: Callable[[float], float],
    low: float,
    high: float,
    *,
    steps: int = 200,
    tol: float = 1e-9,
    most: int = 5,
) -> tuple[float, float]:
    """(x, f(x)) minimising f over [low, high].

    Scans steps + 1 evenly spaced points, refines the `most` lowest local minima of the scan
    by golden-section search between their neighbours, and returns the best point seen.
    A dip narrower than the scan step can be missed; within a bracket the answer is good to
    `tol` in x, or to where f stops changing in floating point, whichever is wider.
    """
    if not low < high:
        raise ValueError(f"need low < high, got [{low}, {high}]")
    step = (high - low) / steps
    xs = [low + i * step for i in range(steps)] + [high]
    values = [f(x) for x in xs]
    best = min(range(len(xs)), key=lambda i: values[i])
    best_x, best_f = xs[best], values[best]
    for i in _dips(values)[:most]:
        x, fx = golden_section(f, xs[max(i - 1, 0)], xs[min(i + 1, steps)], tol)
        if fx < best_f:
            best_x, best_f = x, fx
    return best_x, best_f


def minimize_log(f: Callable[[float], float], low: float, high: float, *, steps: int = 96) -> float:
    """The N in [low, high] where f is lowest, searched in log N (sizes span many decades).

    To about 1e-9 in log N inside the interval; the ends are compared exactly, so a monotone
    f gives `low` or `high` itself, not a rounding of it.
    """
    if not 0 < low <= high:
        raise ValueError(f"need 0 < low <= high, got [{low!r}, {high!r}]")
    if low == high:
        return low
    u, _ = minimize(lambda v: f(math.exp(v)), math.log(low), math.log(high), steps=steps)
    inner = min(max(math.exp(u), low), high)  # exp(log(x)) may round just outside
    # On a tie the ends win: a monotone f must give low or high itself.
    return min((f(low), 0, low), (f(high), 0, high), (f(inner), 1, inner))[2]


if TYPE_CHECKING:  # protocols: only type checkers read them

    class Frontier(Protocol):
        """A form with a compute-optimal size and a loss on the budget line (planner.forms.base.Form)."""

        def optimal_params(self, C: float) -> float:
            """Compute-optimal N at C."""

        def budget_loss(self, C: float, N: float) -> float:
            """Loss of N parameters on C / (6N) tokens."""


def log_root(f: Callable[[float], float], target: float, high: float, span: float, tol: float) -> float:
    """The x in [high e^-span, high] where f, increasing, reaches `target`: bisection in ln x
    to `tol`, returning the bracket's upper end (f(x) >= target there, so a cap it sets holds)."""
    low_log, high_log = math.log(high) - span, math.log(high)
    while high_log - low_log > tol:
        middle = 0.5 * (low_log + high_log)
        if f(math.exp(middle)) >= target:
            high_log = middle
        else:
            low_log = middle
    return math.exp(high_log)


def frontier_loss(form: Frontier, flops: float) -> float:
    """Loss of the compute-optimal split of `flops`; inf where floating point gives up."""
    try:
        value = form.budget_loss(flops, form.optimal_params(flops))
    except (OverflowError, ZeroDivisionError):
        return math.inf
    return value if math.isfinite(value) else math.inf


def flops_for_loss(form: Frontier, target: float, upper: float) -> float:
    """The least compute, at most `upper`, whose compute-optimal loss is at most `target`.

    The frontier loss falls monotonically with compute for both forms (more compute never
    hurts the optimum), so a bracket [lower, upper] with frontier(lower) > target >=
    frontier(upper) is found by stepping down decades, then bisected in log FLOPs to
    floating-point resolution. `upper` must satisfy frontier(upper) <= target (the run's own FLOPs do: the optimum at the
    run's FLOPs is at least as good as the run); where rounding breaks that, `upper` is the
    answer.
    """
    if frontier_loss(form, upper) > target:
        return upper
    lower = upper
    while frontier_loss(form, lower) <= target:
        lower /= 10.0
        if lower < 1e-300:
            return lower  # the target is never exceeded: any compute reaches it
    high = upper
    for _ in range(400):
        middle = math.exp(0.5 * (math.log(lower) + math.log(high)))
        if not lower < middle < high:
            break
        if frontier_loss(form, middle) <= target:
            high = middle
        else:
            lower = middle
    return high
