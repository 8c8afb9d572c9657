"""The Chinchilla form L(N, D) = E + A / N^alpha + B / D^beta: start grid, box, fit, optimum.

Hoffmann et al. 2022 (arXiv 2203.15556), Sec. 3.3 Eq. (3) and App. D.2, as
re-fitted by Besiroglu et al. 2024 (arXiv 2404.10102).  Owns the parametrization
theta = (a, b, e, alpha, beta), the 4,500-point start grid, the search box,
:func:`fit_chinchilla` and the compute-optimal allocation.  No printing, no I/O.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from planner.fitting.common import (
    FitResult,
    FloatArray,
    check_asymmetric,
    data_diagnostics,
    fit_diagnostics,
    prepare_runs,
)
from planner.fitting.objective import ChinchillaKernel, chinchilla_log_predict
from planner.fitting.optimize import BatchFun, chunked, multistart

#: Names of theta = (a, b, e, alpha, beta) as law files spell them (a = ln A, ...).
THETA_NAMES = ("log_A", "log_B", "log_E", "alpha", "beta")
PARAM_NAMES = ("E", "A", "B", "alpha", "beta")

#: Search box for theta = (a, b, e, alpha, beta).  Wide enough to contain every
#: grid start and all published fits; narrow enough that exp() of any exponent
#: a - alpha log N stays far from overflow (a <= 40).
LOWER = np.array([-10.0, -10.0, -5.0, 0.0, 0.0])
UPPER = np.array([40.0, 40.0, 3.0, 5.0, 5.0])


def start_grid() -> FloatArray:
    """Hoffmann et al.'s initialization grid (App. D.2), as used by Besiroglu et al.

    alpha, beta in {0, 0.5, 1, 1.5, 2}; e in {-1, -0.5, 0, 0.5, 1};
    a, b in {0, 5, ..., 25}: 6 * 6 * 5 * 5 * 5 = 4,500 rows of (a, b, e, alpha, beta).
    """
    ab = np.arange(0.0, 30.0, 5.0)
    e = np.array([-1.0, -0.5, 0.0, 0.5, 1.0])
    ex = np.array([0.0, 0.5, 1.0, 1.5, 2.0])
    mesh = np.meshgrid(ab, ab, e, ex, ex, indexing="ij")
    return np.stack([m.reshape(-1) for m in mesh], axis=1)


def theta_to_params(theta: ArrayLike) -> dict[str, float]:
    """(a, b, e, alpha, beta) -> {E, A, B, alpha, beta} with A = exp(a) etc."""
    a, b, e, alpha, beta = (float(v) for v in np.asarray(theta, dtype=np.float64))
    return {"E": float(np.exp(e)), "A": float(np.exp(a)), "B": float(np.exp(b)), "alpha": alpha, "beta": beta}


def theta_draws_to_params(theta: FloatArray) -> FloatArray:
    """Rows of (a, b, e, alpha, beta) -> rows of (E, A, B, alpha, beta)."""
    th = np.atleast_2d(theta)
    return np.stack([np.exp(th[:, 2]), np.exp(th[:, 0]), np.exp(th[:, 1]), th[:, 3], th[:, 4]], axis=1)


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
    kernel = ChinchillaKernel(logN, logD, logL, delta, asymmetric=asymmetric, weights=weights)
    return chunked(kernel, logN.shape[0])


def fit_chinchilla(
    N: ArrayLike,
    D: ArrayLike,
    loss: ArrayLike,
    *,
    drop_highest: int = 0,
    asymmetric: float | None = None,
    delta: float = 1e-3,
    starts: FloatArray | None = None,
) -> FitResult:
    """Fit L(N, D) = E + A/N^alpha + B/D^beta by the Hoffmann et al. recipe.

    Minimizes the summed Huber loss (threshold ``delta``) of log-space residuals
    over the 4,500-point start grid (all starts are iterated to convergence by the
    batched optimizer), then polishes the best distinct optima with scipy's
    L-BFGS-B and keeps the lowest.

    Args:
        N: model sizes (parameters).
        D: training tokens.
        loss: final losses.
        drop_highest: outlier policy, drop this many highest-loss runs first.
        asymmetric: if given (e.g. 10), residuals where the prediction is above
            the observed loss are weighted by this factor, so the curve follows the
            lower envelope of the runs.
        delta: Huber threshold.
        starts: optional ``(S, 5)`` override of the start grid (a, b, e, alpha, beta).

    Raises:
        ValueError: fewer runs (after dropping) than the 5 parameters, or bad input.
    """
    asym = check_asymmetric(asymmetric)
    runs = prepare_runs(N, D, loss, drop_highest=drop_highest, n_params=5)
    fun = make_objective(runs.logN, runs.logD, runs.logL, delta=delta, asymmetric=asym)
    x0 = start_grid() if starts is None else np.atleast_2d(np.asarray(starts, dtype=np.float64))
    res = multistart(fun, x0, LOWER, UPPER)
    resid = chinchilla_log_predict(res.x[None, :], runs.logN, runs.logD)[0] - runs.logL
    diags = data_diagnostics(runs.logN, runs.logD)
    diags += fit_diagnostics(res.x, THETA_NAMES, LOWER, UPPER, resid, res.converged, res.grad_norm)
    return FitResult(
        form="chinchilla",
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


def compute_optimal(
    theta: ArrayLike, C: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Compute-optimal N, D and loss for budgets C (FLOPs), with C = 6 N D.

    Hoffmann et al. 2022, Eq. (4) / App. D.2:
    N_opt = G (C/6)^(beta/(alpha+beta)), D_opt = G^-1 (C/6)^(alpha/(alpha+beta)),
    G = (alpha A / (beta B))^(1/(alpha+beta)); L_opt = L(N_opt, D_opt).

    Args:
        theta: ``(5,)`` or ``(K, 5)`` rows of (a, b, e, alpha, beta).
        C: ``(m,)`` compute budgets.

    Returns:
        ``(N_opt, D_opt, L_opt)``, each ``(K, m)`` (``K = 1`` for a single theta).
    """
    th = np.atleast_2d(np.asarray(theta, dtype=np.float64))
    logC6 = np.log(np.asarray(C, dtype=np.float64).reshape(-1) / 6.0)
    a, b, e, alpha, beta = (th[:, k : k + 1] for k in range(5))
    s = alpha + beta
    with np.errstate(divide="ignore", invalid="ignore"):
        logG = (np.log(alpha) + a - np.log(beta) - b) / s
        logN = logG + (beta / s) * logC6[None, :]
        logD = -logG + (alpha / s) * logC6[None, :]
        # log L = LSE(a - alpha log N, b - beta log D, e), elementwise.
        logL = np.logaddexp(np.logaddexp(a - alpha * logN, b - beta * logD), e)
    with np.errstate(over="ignore", invalid="ignore"):
        return np.exp(logN), np.exp(logD), np.exp(logL)
