"""The Kaplan et al. 2020 form L(N, D) = [(N_c/N)^(alpha_N/alpha_D) + D_c/D]^alpha_D, as fitted.

Kaplan et al. 2020 (arXiv 2001.08361), Eq. (1.5), fitted like the Chinchilla form
(summed Huber loss on log loss, multi-start, batched quasi-Newton, Newton polish).
Owns everything the fitting knows of this form (the interface of
planner.fitting.forms.FittableForm): the parametrization theta = (n_c, d_c, alpha_N,
alpha_D) with n_c = ln N_c, d_c = ln D_c, its log-loss prediction and objective, start
grid, search box, :func:`fit` and the bootstrap's local starts.  No printing, no I/O.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from planner.fitting.common import (
    LOCAL_FACTORS,
    FitResult,
    FloatArray,
    IntArray,
    fit_form,
)
from planner.fitting.objective import robust_sum
from planner.fitting.optimize import BatchFun, chunked
from planner.forms.kaplan_nd import KaplanNDParams

if TYPE_CHECKING:
    from planner.fitting.progress import Progress

FORM = "kaplan-nd"
#: Names of theta = (n_c, d_c, alpha_N, alpha_D) as law files spell them (n_c = ln N_c, ...).
THETA_NAMES = ("log_N_c", "log_D_c", "alpha_N", "alpha_D")
PARAM_NAMES = ("N_c", "D_c", "alpha_N", "alpha_D")
#: The order of a law file's [params].
LAW_ORDER = ("alpha_N", "alpha_D", "N_c", "D_c")
#: The coordinates of a saved covariance: theta's own.
COVARIED = ("log_N_c", "log_D_c", "alpha_N", "alpha_D")

#: Search box for (ln N_c, ln D_c, alpha_N, alpha_D).  alpha_D > 0 is required by
#: the form (it divides alpha_N); Kaplan et al. report N_c ~ 6e13 (ln ~ 31),
#: D_c ~ 2e13 (ln ~ 31), alpha_N ~ 0.076, alpha_D ~ 0.10.
LOWER = np.array([0.0, 0.0, 1e-3, 1e-3])
UPPER = np.array([100.0, 100.0, 3.0, 3.0])

LOCAL_SCREENING = None
"""The bootstrap runs every local start of this form to its stopping test: pruned ones
(even after 30 iterations) once changed draws by 1e-7 in objective on synthetic runs."""

compute_optimal = None
"""No per-draw budget plans in the bootstrap: the fit plans a budget through params_class()."""


def params_class() -> type[KaplanNDParams]:
    """The form's parameters in planner.forms, with which a budget is planned under a fit."""
    return KaplanNDParams


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


def log_predict(theta: FloatArray, logN: FloatArray, logD: FloatArray) -> FloatArray:
    """log L(N, D) for Kaplan et al. 2020, Eq. (1.5).

    L = [(N_c / N)^(alpha_N / alpha_D) + D_c / D]^alpha_D, so with
    ``theta = (n_c, d_c, alpha_N, alpha_D)``, ``n_c = ln N_c``, ``d_c = ln D_c``:
    log L = alpha_D * LSE((alpha_N / alpha_D)(n_c - log N), d_c - log D).
    Requires ``alpha_D > 0``; safe for any other finite values.
    """
    theta = np.atleast_2d(np.asarray(theta, dtype=np.float64))
    n_c, d_c, alpha_N, alpha_D = (theta[:, k : k + 1] for k in range(4))
    t1 = (alpha_N / alpha_D) * (n_c - logN[None, :])
    t2 = d_c - logD[None, :]
    m = np.maximum(t1, t2)
    out: FloatArray = alpha_D * (m + np.log1p(np.exp(-np.abs(t1 - t2))))
    return out


def objective(
    theta: FloatArray,
    logN: FloatArray,
    logD: FloatArray,
    logL: FloatArray,
    delta: float = 1e-3,
    *,
    asymmetric: float | None = None,
    weights: FloatArray | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Summed Huber objective on log loss for Kaplan et al. 2020 Eq. (1.5), with gradient.

    f(theta) = sum_i w_i c_i Huber_delta(log L(N_i, D_i) - log L_i), with ``c_i = asymmetric``
    where the prediction is above the observation and 1 otherwise.  ``theta`` is
    ``(S, 4)`` of ``(n_c, d_c, alpha_N, alpha_D)`` with ``alpha_D > 0``; ``weights`` are
    ``(n,)`` or ``(S, n)`` run weights (bootstrap counts).  Returns ``(f (S,), g (S, 4))``.
    """
    theta = np.atleast_2d(np.asarray(theta, dtype=np.float64))
    n_c, d_c, alpha_N, alpha_D = (theta[:, k : k + 1] for k in range(4))
    u = alpha_N / alpha_D
    dn = n_c - logN[None, :]
    t1 = u * dn
    t2 = d_c - logD[None, :]
    m = np.maximum(t1, t2)
    lse = m + np.log1p(np.exp(-np.abs(t1 - t2)))
    s1 = np.exp(t1 - lse)  # softmax weight of the N term
    s2 = np.exp(t2 - lse)
    r = alpha_D * lse - logL
    f, psi = robust_sum(r, delta, asymmetric, weights)
    g = np.empty((theta.shape[0], 4))
    ps1 = psi * s1
    g[:, 0] = alpha_N[:, 0] * ps1.sum(axis=1)
    g[:, 1] = alpha_D[:, 0] * (psi * s2).sum(axis=1)
    g[:, 2] = (ps1 * dn).sum(axis=1)
    g[:, 3] = (psi * (lse - s1 * t1)).sum(axis=1)
    return f, g


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
        return objective(theta, logN, logD, logL, delta, asymmetric=asymmetric, weights=w)

    return chunked(fun, logN.shape[0])


def fit(
    N: ArrayLike,
    D: ArrayLike,
    loss: ArrayLike,
    *,
    drop_highest: int = 0,
    asymmetric: float | None = None,
    delta: float = 1e-3,
    starts: FloatArray | None = None,
    progress: Progress | None = None,
) -> FitResult:
    """Fit Kaplan et al. 2020 Eq. (1.5) by the Hoffmann et al. recipe (Huber loss on log loss).

    Args:
        N, D, loss: model sizes (parameters), training tokens, final losses.
        drop_highest: outlier policy, drop this many highest-loss runs first.
        asymmetric: if given (e.g. 10), weight of residuals where the prediction is
            above the observed loss, so the curve follows the lower envelope.
        delta: Huber threshold.
        starts: optional ``(S, 4)`` override of the 625-point grid of (n_c, d_c, alpha_N, alpha_D).
        progress: told how far the screening and refining have got (planner.fitting.progress).

    Raises:
        ValueError: fewer runs (after dropping) than the 4 parameters, or bad input.
    """
    return fit_form(sys.modules[__name__], N, D, loss, drop_highest, asymmetric, delta, starts, progress)


def local_starts(theta_hat: FloatArray, logN: FloatArray, logD: FloatArray) -> FloatArray:
    """Small start grid around a point estimate, used for every bootstrap refit.

    The point estimate plus the 3 x 3 grid of alpha_N, alpha_D scaled by LOCAL_FACTORS.
    """
    out = []
    for fa in LOCAL_FACTORS:
        for fb in LOCAL_FACTORS:
            th = theta_hat.copy()
            th[2], th[3] = theta_hat[2] * fa, theta_hat[3] * fb
            out.append(th)
    return np.array(out)


if TYPE_CHECKING:
    # mypy checks that this module offers the whole interface of a fittable form.
    import planner.fitting.kaplan_nd as _this
    from planner.fitting.forms import FittableForm

    _interface: FittableForm = _this
