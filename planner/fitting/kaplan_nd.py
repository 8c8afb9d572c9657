"""The Kaplan et al. 2020 form L(N, D) = [(N_c/N)^(alpha_N/alpha_D) + D_c/D]^alpha_D.

Kaplan et al. 2020 (arXiv 2001.08361), Eq. (1.5), fitted like the Chinchilla form
(summed Huber loss on log loss, multi-start, batched quasi-Newton, scipy polish).
Owns the parametrization theta = (n_c, d_c, alpha_N, alpha_D) with n_c = ln N_c,
d_c = ln D_c, its start grid and search box.  No printing, no I/O.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from planner.fitting.common import (
    FitResult,
    FloatArray,
    IntArray,
    check_asymmetric,
    data_diagnostics,
    fit_diagnostics,
    prepare_runs,
)
from planner.fitting.objective import kaplan_log_predict, kaplan_objective
from planner.fitting.optimize import BatchFun, chunked, multistart

#: Names of theta = (n_c, d_c, alpha_N, alpha_D) as law files spell them (n_c = ln N_c, ...).
THETA_NAMES = ("log_N_c", "log_D_c", "alpha_N", "alpha_D")
PARAM_NAMES = ("N_c", "D_c", "alpha_N", "alpha_D")

#: Search box for (ln N_c, ln D_c, alpha_N, alpha_D).  alpha_D > 0 is required by
#: the form (it divides alpha_N); Kaplan et al. report N_c ~ 6e13 (ln ~ 31),
#: D_c ~ 2e13 (ln ~ 31), alpha_N ~ 0.076, alpha_D ~ 0.10.
LOWER = np.array([0.0, 0.0, 1e-3, 1e-3])
UPPER = np.array([100.0, 100.0, 3.0, 3.0])


def start_grid() -> FloatArray:
    """Start grid: ln N_c, ln D_c in {20, 25, 30, 35, 40}; alpha_N, alpha_D in {0.05, 0.1, 0.2, 0.4, 0.8}.

    625 starts bracketing Kaplan et al.'s published values (ln N_c ~ 31,
    ln D_c ~ 31, exponents ~ 0.08-0.1) by several e-folds / factors of two.
    """
    c = np.array([20.0, 25.0, 30.0, 35.0, 40.0])
    ex = np.array([0.05, 0.1, 0.2, 0.4, 0.8])
    mesh = np.meshgrid(c, c, ex, ex, indexing="ij")
    return np.stack([m.reshape(-1) for m in mesh], axis=1)


def theta_to_params(theta: ArrayLike) -> dict[str, float]:
    """(n_c, d_c, alpha_N, alpha_D) -> {N_c, D_c, alpha_N, alpha_D}."""
    n_c, d_c, alpha_N, alpha_D = (float(v) for v in np.asarray(theta, dtype=np.float64))
    return {"N_c": float(np.exp(n_c)), "D_c": float(np.exp(d_c)), "alpha_N": alpha_N, "alpha_D": alpha_D}


def theta_draws_to_params(theta: FloatArray) -> FloatArray:
    """Rows of (n_c, d_c, alpha_N, alpha_D) -> rows of (N_c, D_c, alpha_N, alpha_D)."""
    th = np.atleast_2d(theta)
    return np.stack([np.exp(th[:, 0]), np.exp(th[:, 1]), th[:, 2], th[:, 3]], axis=1)


def make_objective(
    logN: FloatArray,
    logD: FloatArray,
    logL: FloatArray,
    *,
    delta: float,
    asymmetric: float | None,
    weights: FloatArray | None = None,
) -> BatchFun:
    """Chunked batched objective ``fun(theta, rows) -> (f, grad)`` for the optimizer."""

    def fun(theta: FloatArray, rows: IntArray) -> tuple[FloatArray, FloatArray]:
        w = weights[rows] if weights is not None and weights.ndim == 2 else weights
        return kaplan_objective(theta, logN, logD, logL, delta, asymmetric=asymmetric, weights=w)

    return chunked(fun, logN.shape[0])


def fit_kaplan(
    N: ArrayLike,
    D: ArrayLike,
    loss: ArrayLike,
    *,
    drop_highest: int = 0,
    asymmetric: float | None = None,
    delta: float = 1e-3,
    starts: FloatArray | None = None,
) -> FitResult:
    """Fit Kaplan et al. 2020 Eq. (1.5) with the same robust recipe as :func:`fit_chinchilla`.

    Same arguments as :func:`planner.fitting.chinchilla.fit_chinchilla`; ``starts``
    overrides the 625-point grid of (n_c, d_c, alpha_N, alpha_D).

    Raises:
        ValueError: fewer runs (after dropping) than the 4 parameters, or bad input.
    """
    asym = check_asymmetric(asymmetric)
    runs = prepare_runs(N, D, loss, drop_highest=drop_highest, n_params=4)
    fun = make_objective(runs.logN, runs.logD, runs.logL, delta=delta, asymmetric=asym)
    x0 = start_grid() if starts is None else np.atleast_2d(np.asarray(starts, dtype=np.float64))
    res = multistart(fun, x0, LOWER, UPPER)
    resid = kaplan_log_predict(res.x[None, :], runs.logN, runs.logD)[0] - runs.logL
    diags = data_diagnostics(runs.logN, runs.logD)
    diags += fit_diagnostics(res.x, THETA_NAMES, LOWER, UPPER, resid, res.converged, res.grad_norm)
    return FitResult(
        form="kaplan-nd",
        params=theta_to_params(res.x),
        objective=res.f,
        n_runs=int(runs.logL.size),
        n_starts=res.n_starts,
        converged=res.converged,
        grad_norm=res.grad_norm,
        diagnostics=tuple(diags),
        theta=tuple(float(v) for v in res.x),
        theta_names=THETA_NAMES,
        log_residuals=resid,
        kept=runs.kept,
        dropped=tuple(int(i) for i in runs.dropped),
        delta=float(delta),
        asymmetric=asym,
        bounds=tuple(zip(LOWER.tolist(), UPPER.tolist(), strict=True)),
    )
