"""Chinchilla's approach 2: a parabola in log N per isoFLOP budget, then power laws of the minima.

Hoffmann et al. 2022 (arXiv 2203.15556), Sec. 3.2: for each FLOP budget C the final losses
of its model sizes are fitted by a parabola in log N; its vertex is that budget's optimal
size N_opt(C), and D_opt = C / (6 N_opt). Power laws N_opt = G C^a and D_opt = C^b / (6 G)
fitted to the vertices (least squares in log-log, so b = 1 - a exactly) give the exponents
of their Table 2 (a 0.49, b 0.51). Owns grouping runs into budgets, the refusals (fewer than
3 sizes or budgets, a vertex at or beyond a budget's smallest or largest size, a curve that
opens downward) and a residual bootstrap of the exponents. No printing, no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from planner.errors import InputError
from planner.fitting.common import FloatArray, IntArray
from planner.fitting.report import IsoflopBudget, IsoflopFit, PowerLaw
from planner.units import FLOPS_PER_PARAM_TOKEN

MIN_SIZES = 3
"""A parabola has three coefficients: each budget needs at least three model sizes."""
MIN_BUDGETS = 3
"""Two vertices always lie on a line: the power law needs at least three budgets to be tested."""
TOLERANCE = 0.1
"""Runs within 10% of a budget's FLOPs belong to it (the Epoch extraction reads FLOPs off a
plot, so the runs of one of Chinchilla's budgets spread over about +-8%)."""
LEVEL = 0.8
"""Hoffmann et al.'s Table 2 prints 10th to 90th percentiles of a bootstrap: the same level."""


def group_runs(
    flops: FloatArray, budgets: Sequence[float] | None, tolerance: float = TOLERANCE
) -> list[tuple[float, IntArray]]:
    """The runs of each budget, as (budget, indices), by increasing budget.

    With `budgets`, a run belongs to the budget whose FLOPs are within `tolerance` of its own
    (runs near none are left out); without, runs whose FLOPs lie within `tolerance` of their
    neighbours form one budget, at their geometric mean.
    """
    log_c = np.log(flops)
    width = math.log1p(tolerance)
    if budgets:
        out = []
        for budget in sorted(set(budgets)):
            members = np.flatnonzero(np.abs(log_c - math.log(budget)) <= width)
            out.append((float(budget), members))
        return out
    order = np.argsort(log_c, kind="stable")
    cuts = np.flatnonzero(np.diff(log_c[order]) > width) + 1
    return [(float(np.exp(log_c[part].mean())), np.sort(part)) for part in np.split(order, cuts)]


def _parabolas(x: FloatArray, y: FloatArray) -> FloatArray:
    """Least-squares (p2, p1, p0) of y = p2 x^2 + p1 x + p0, one row per row of y.

    x is centred first so the 3 x 3 normal equations stay well conditioned; with fewer
    than three distinct sizes they are singular and the row comes back NaN.
    """
    mid = x.mean()
    u = x - mid
    design = np.stack([u * u, u, np.ones_like(u)], axis=1)  # (n, 3)
    lhs = design.T @ design
    coef = np.full((y.shape[0], 3), np.nan)
    if abs(np.linalg.det(lhs)) > 1e-12 * np.abs(lhs).max() ** 3:
        coef = np.linalg.solve(lhs, design.T @ y.T).T
    # back to powers of x: p2 (x - m)^2 + p1 (x - m) + p0
    p2, p1, p0 = coef[:, 0], coef[:, 1], coef[:, 2]
    return np.stack([p2, p1 - 2 * p2 * mid, p0 - p1 * mid + p2 * mid * mid], axis=1)


def _vertices(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
    """(log N at the minimum, loss there) per row of y; NaN where the curve has no minimum
    strictly inside the sizes x."""
    p = _parabolas(x, y)
    with np.errstate(divide="ignore", invalid="ignore"):
        x0 = -p[:, 1] / (2 * p[:, 0])
        y0 = p[:, 2] - p[:, 1] ** 2 / (4 * p[:, 0])
    inside = (p[:, 0] > 0) & (x0 > x.min()) & (x0 < x.max())
    return np.where(inside, x0, np.nan), np.where(inside, y0, np.nan)


def isoflop_fit(
    params: Sequence[float],
    tokens: Sequence[float],
    loss: Sequence[float],
    *,
    budgets: Sequence[float] | None = None,
    tolerance: float = TOLERANCE,
    bootstrap: int = 0,
    seed: int = 0,
) -> IsoflopFit:
    """Approach 2 of Hoffmann et al. 2022 on runs of a few FLOP budgets.

    Args:
        params, tokens, loss: the runs; their FLOPs are C = 6 N D.
        budgets: the isoFLOP budgets (None: found from the runs' FLOPs, see group_runs).
        tolerance: how far, as a fraction, a run's FLOPs may lie from its budget's.
        bootstrap: resamples of the parabolas' residuals for the exponents' intervals.
        seed: seed of the resampling.

    Raises:
        InputError: a budget with fewer than 3 sizes, a parabola whose minimum is not inside
            its sizes, or fewer than 3 budgets; each message names the minimum needed.
    """
    N, D, L = (np.asarray(v, dtype=np.float64) for v in (params, tokens, loss))
    flops = FLOPS_PER_PARAM_TOKEN * N * D
    groups = group_runs(flops, budgets, tolerance)
    advice = (
        "leave it out of --isoflop-budgets"
        if budgets
        else "name the budgets to use with --isoflop-budgets FLOPS ..."
    )
    rows = []
    for budget, members in groups:
        sizes = np.unique(N[members]).size
        if sizes < MIN_SIZES:
            raise InputError(
                f"isoFLOP budget {budget:.3g} has {sizes} model size{'s' if sizes != 1 else ''} within "
                f"{tolerance:.0%} of its FLOPs; a parabola needs at least {MIN_SIZES}: train more sizes "
                f"at that budget or {advice}"
            )
        x, y = np.log(N[members]), L[members]
        x0, y0 = _vertices(x, y[None, :])
        if not math.isfinite(float(x0[0])):
            raise InputError(
                f"isoFLOP budget {budget:.3g}: the parabola in log N through its {members.size} runs has no "
                f"minimum strictly inside its sizes ({math.exp(x.min()):.3g} to {math.exp(x.max()):.3g} "
                f"parameters); train a size beyond the edge where the loss is lowest, or {advice}"
            )
        n_opt = math.exp(float(x0[0]))
        rows.append(
            IsoflopBudget(
                flops=budget,
                runs=int(members.size),
                sizes=int(sizes),
                params=n_opt,
                tokens=budget / (FLOPS_PER_PARAM_TOKEN * n_opt),
                loss=float(y0[0]),
            )
        )
    if len(rows) < MIN_BUDGETS:
        raise InputError(
            f"approach 2 found {len(rows)} isoFLOP budget{'s' if len(rows) != 1 else ''} in the runs; "
            f"a power law of the minima needs at least {MIN_BUDGETS}: give runs at {MIN_BUDGETS} or more budgets"
        )
    log_c = np.log([row.flops for row in rows])
    log_n = np.log([row.params for row in rows])
    a, log_g = np.polyfit(log_c, log_n, 1)
    intervals: tuple[tuple[float, float], tuple[float, float]] | None = None
    kept = 0
    if bootstrap:
        slopes, kept = _bootstrap(N, L, groups, log_c, bootstrap, seed)
        if kept >= 2:
            low, high = np.percentile(slopes, [100 * (1 - LEVEL) / 2, 100 * (1 + LEVEL) / 2])
            intervals = ((float(low), float(high)), (float(1 - high), float(1 - low)))
    return IsoflopFit(
        method=(
            "Hoffmann et al. 2022 approach 2: a least-squares parabola of loss in log N per budget, "
            "then power laws of the minima in log-log"
        ),
        tolerance=tolerance,
        budgets=tuple(rows),
        params=PowerLaw(
            exponent=float(a),
            coefficient=math.exp(float(log_g)),
            interval=intervals[0] if intervals else None,
        ),
        tokens=PowerLaw(
            exponent=float(1 - a),
            coefficient=math.exp(-float(log_g)) / FLOPS_PER_PARAM_TOKEN,
            interval=intervals[1] if intervals else None,
        ),
        level=LEVEL,
        resamples=bootstrap,
        resamples_used=kept,
        left_out=int(N.size - sum(row.runs for row in rows)),
    )


def _bootstrap(
    N: FloatArray,
    L: FloatArray,
    groups: list[tuple[float, IntArray]],
    log_c: FloatArray,
    K: int,
    seed: int,
) -> tuple[FloatArray, int]:
    """Slopes a of K refits to the parabolas' fitted losses plus residuals drawn with
    replacement (a residual bootstrap: every resample keeps every size, which a resample of
    5 runs often would not). Each budget draws from its own residuals, scaled by
    sqrt(n / (n - 3)) for the 3 coefficients fitted; a budget of 3 runs, whose parabola
    passes through them, from all budgets'. Resamples in which some budget has no minimum
    inside its sizes are left out; none at all when every parabola is exact."""
    rng = np.random.default_rng(seed)
    fits = []
    for _, members in groups:
        x, y = np.log(N[members]), L[members]
        p = _parabolas(x, y[None, :])[0]
        fits.append((x, p[0] * x * x + p[1] * x + p[2]))
    residuals = np.concatenate(
        [L[members] - fitted for (_, members), (_, fitted) in zip(groups, fits, strict=True)]
    )
    free = residuals.size - 3 * len(groups)
    if free <= 0:
        return np.zeros(0), 0
    pool = residuals * math.sqrt(residuals.size / free)
    vertices = []
    for (_, members), (x, fitted) in zip(groups, fits, strict=True):
        own = L[members] - fitted
        source = own * math.sqrt(own.size / (own.size - 3)) if own.size > 3 else pool
        drawn = fitted + source[rng.integers(0, source.size, size=(K, x.size))]
        vertices.append(_vertices(x, drawn)[0])
    log_n = np.stack(vertices, axis=1)  # (K, budgets)
    ok = np.isfinite(log_n).all(axis=1)
    c = log_c - log_c.mean()
    slopes = (log_n[ok] - log_n[ok].mean(axis=1, keepdims=True)) @ c / (c @ c)
    return slopes, int(ok.sum())
