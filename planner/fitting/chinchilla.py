"""The Chinchilla form L(N, D) = E + A / N^alpha + B / D^beta, as planner.fitting fits it.

Hoffmann et al. 2022 (arXiv 2203.15556), Sec. 3.3 Eq. (3) and App. D.2, as
re-fitted by Besiroglu et al. 2024 (arXiv 2404.10102).  Owns everything the fitting
knows of this form (the interface of planner.fitting.forms.FittableForm): the
parametrization theta = (a, b, e, alpha, beta), its log-loss prediction and objective,
the 4,500-point start grid, the search box, :func:`fit`, the bootstrap's local starts
and the compute-optimal allocation.  No printing, no I/O.
"""

from __future__ import annotations

import sys
import threading
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray

from planner.fitting.common import (
    LOCAL_FACTORS,
    FitResult,
    FloatArray,
    IntArray,
    fit_form,
)
from planner.fitting.objective import robust_sum
from planner.fitting.optimize import BatchFun, Screening, chunked
from planner.forms.chinchilla import ChinchillaParams

if TYPE_CHECKING:
    from planner.fitting.progress import Progress

FORM = "chinchilla"
#: Names of theta = (a, b, e, alpha, beta) as law files spell them (a = ln A, ...).
THETA_NAMES = ("log_A", "log_B", "log_E", "alpha", "beta")
PARAM_NAMES = ("E", "A", "B", "alpha", "beta")
#: The order of a law file's [params].
LAW_ORDER = ("E", "A", "B", "alpha", "beta")
#: The coordinates of a saved covariance: theta's own, in the law file's order.
COVARIED = ("log_E", "log_A", "log_B", "alpha", "beta")

#: Search box for theta = (a, b, e, alpha, beta).  Wide enough to contain every
#: grid start and all published fits; narrow enough that exp() of any exponent
#: a - alpha log N stays far from overflow (a <= 40).
LOWER = np.array([-10.0, -10.0, -5.0, 0.0, 0.0])
UPPER = np.array([40.0, 40.0, 3.0, 5.0, 5.0])

#: Exponents above this are routed to the max-shifted log-sum-exp path.
_SAFE_EXP = 600.0


def params_class() -> type[ChinchillaParams]:
    """The form's parameters in planner.forms, with which a budget is planned under a fit."""
    return ChinchillaParams


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


def log_predict(theta: FloatArray, logN: FloatArray, logD: FloatArray) -> FloatArray:
    """log L(N, D) = LSE(a - alpha log N, b - beta log D, e).

    Hoffmann et al. 2022, Eq. (3) written in log space as in App. D.2, with
    ``theta = (a, b, e, alpha, beta)``.  ``theta`` has shape ``(S, 5)``; the result
    has shape ``(S, n)``.  Numerically safe for any finite ``theta``.
    """
    theta = np.atleast_2d(np.asarray(theta, dtype=np.float64))
    a, b, e, alpha, beta = (theta[:, k : k + 1] for k in range(5))
    t1 = a - alpha * logN[None, :]
    t2 = b - beta * logD[None, :]
    t3 = np.broadcast_to(e, t1.shape)
    m = np.maximum(np.maximum(t1, t2), t3)
    out: FloatArray = m + np.log(np.exp(t1 - m) + np.exp(t2 - m) + np.exp(t3 - m))
    return out


class ChinchillaKernel:
    """Batched Chinchilla objective with reusable per-thread scratch buffers.

    Evaluating ``(S, n)`` temporaries with fresh allocations makes the C library
    map and unmap pages on every call, which dominated run time in measurements;
    this kernel writes every intermediate into buffers that each thread allocates
    once, and forms both exponents ``a - alpha log N_i`` and ``b - beta log D_i``
    (and later all five gradient sums) as one small matrix product.  Call it as
    ``kernel(theta, rows)``; ``rows`` selects rows of a 2-D ``weights`` matrix
    (bootstrap resamples) and is otherwise ignored.
    """

    def __init__(
        self,
        logN: FloatArray,
        logD: FloatArray,
        logL: FloatArray,
        delta: float = 1e-3,
        *,
        asymmetric: float | None = None,
        weights: FloatArray | None = None,
    ) -> None:
        self.logN = np.ascontiguousarray(logN, dtype=np.float64)
        self.logD = np.ascontiguousarray(logD, dtype=np.float64)
        self.logL = np.ascontiguousarray(logL, dtype=np.float64)
        n = self.logN.shape[0]
        if self.logD.shape != (n,) or self.logL.shape != (n,):
            raise ValueError("logN, logD and logL must be 1-D arrays of equal length")
        self.n = n
        self.delta = float(delta)
        self.asymmetric = None if asymmetric is None else float(asymmetric)
        self.weights = None if weights is None else np.ascontiguousarray(weights, dtype=np.float64)
        # theta @ P1 = a - alpha log N_i ; theta @ P2 = b - beta log D_i  (S, n) each
        P1 = np.zeros((5, n))
        P1[0], P1[3] = 1.0, -self.logN
        P2 = np.zeros((5, n))
        P2[1], P2[4] = 1.0, -self.logD
        self._P1, self._P2 = P1, P2
        self._P1T, self._P2T = np.ascontiguousarray(P1.T), np.ascontiguousarray(P2.T)
        self._local = threading.local()
        self._bounds = (self.logN.min(), self.logN.max(), self.logD.min(), self.logD.max())

    def _buffers(self, m: int) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
        bufs: tuple[FloatArray, ...] | None = getattr(self._local, "bufs", None)
        if bufs is None or bufs[1].shape[0] < m:
            n = self.n
            bufs = (np.empty((2, m, n)), *(np.empty((m, n)) for _ in range(4)))
            self._local.bufs = bufs
        x = bufs[0][:, :m]  # x[0] and x[1] are each C-contiguous
        s, r, psi, tmp = (buf[:m] for buf in bufs[1:])
        return x, s, r, psi, tmp

    def __call__(self, theta: FloatArray, rows: IntArray | None = None) -> tuple[FloatArray, FloatArray]:
        theta = np.ascontiguousarray(np.atleast_2d(np.asarray(theta, dtype=np.float64)))
        m = theta.shape[0]
        a, b, e, alpha, beta = (theta[:, k] for k in range(5))
        w: FloatArray | None = self.weights
        if w is not None and w.ndim == 2 and rows is None:
            rows = np.arange(m, dtype=np.intp)
        lo_n, hi_n, lo_d, hi_d = self._bounds
        # Largest possible exponent of each start; if exp() could overflow (or
        # every term underflow) use the exact max-shifted formulation instead.
        t1_max = a - alpha * np.where(alpha >= 0.0, lo_n, hi_n)
        t2_max = b - beta * np.where(beta >= 0.0, lo_d, hi_d)
        if not ((np.maximum(t1_max, t2_max) < _SAFE_EXP) & (np.abs(e) < _SAFE_EXP)).all():
            if w is not None and w.ndim == 2:
                w = w[rows]
            return _objective_shifted(theta, self.logN, self.logD, self.logL, self.delta, self.asymmetric, w)
        x, s, r, psi, tmp = self._buffers(m)
        E = np.exp(e)
        x1, x2 = x[0], x[1]
        np.matmul(theta, self._P1, out=x1)
        np.matmul(theta, self._P2, out=x2)
        np.exp(x, out=x)  # A / N_i^alpha and B / D_i^beta
        np.add(x1, x2, out=s)
        s += E[:, None]  # predicted loss L_hat
        np.log(s, out=r)
        r -= self.logL  # log residual
        np.clip(r, -self.delta, self.delta, out=psi)  # Huber'(r)
        # Huber(r) = psi (r - psi / 2); with run weights c_i w_i this sums to
        # <c w psi, r> - <c w psi, psi> / 2.
        cw = psi
        if self.asymmetric is not None or w is not None:
            np.copyto(tmp, psi)
            cw = tmp
            if self.asymmetric is not None:
                np.multiply(cw, self.asymmetric, out=cw, where=psi > 0.0)
            if w is not None:
                if w.ndim == 2:
                    assert rows is not None
                    cw *= w[rows]
                else:
                    cw *= w
        f: FloatArray = np.einsum("ij,ij->i", cw, r) - 0.5 * np.einsum("ij,ij->i", cw, psi)
        np.divide(cw, s, out=cw)  # dObjective/dL_hat
        x1 *= cw
        x2 *= cw
        g: FloatArray = x1 @ self._P1T
        g += x2 @ self._P2T
        g[:, 2] = cw.sum(axis=1) * E
        return f, g


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
    """Summed Huber objective of Hoffmann et al. 2022 (App. D.2) and its gradient.

    f(theta) = sum_i w_i c_i Huber_delta(LSE(a - alpha log N_i, b - beta log D_i, e) - log L_i)

    with ``c_i = asymmetric`` where the prediction is above the observation
    (residual > 0) and 1 otherwise (``c_i = 1`` when ``asymmetric`` is None).

    Args:
        theta: ``(S, 5)`` batch of ``(a, b, e, alpha, beta)``.
        logN, logD, logL: ``(n,)`` log model size, log tokens, log loss.
        delta: Huber threshold (1e-3 in both papers).
        asymmetric: optional factor > 0 for runs predicted too high (lower-envelope fit).
        weights: ``(n,)`` or ``(S, n)`` non-negative run weights (bootstrap counts).

    Returns:
        ``(f, g)`` with shapes ``(S,)`` and ``(S, 5)``.
    """
    kernel = ChinchillaKernel(logN, logD, logL, delta, asymmetric=asymmetric, weights=weights)
    return kernel(theta)


def _objective_shifted(
    theta: FloatArray,
    logN: FloatArray,
    logD: FloatArray,
    logL: FloatArray,
    delta: float,
    asymmetric: float | None,
    weights: FloatArray | None,
) -> tuple[FloatArray, FloatArray]:
    """Same as :func:`objective` with a max-shifted log-sum-exp (any theta)."""
    a, b, e, alpha, beta = (theta[:, k : k + 1] for k in range(5))
    t1 = a - alpha * logN[None, :]
    t2 = b - beta * logD[None, :]
    t3 = np.broadcast_to(e, t1.shape)
    m = np.maximum(np.maximum(t1, t2), t3)
    w1, w2, w3 = np.exp(t1 - m), np.exp(t2 - m), np.exp(t3 - m)
    s = w1 + w2 + w3
    r = m + np.log(s) - logL
    f, psi = robust_sum(r, delta, asymmetric, weights)
    q = psi / s
    g = np.empty((theta.shape[0], 5))
    g[:, 0] = (q * w1).sum(axis=1)
    g[:, 1] = (q * w2).sum(axis=1)
    g[:, 2] = (q * w3).sum(axis=1)
    g[:, 3] = -np.einsum("ij,j->i", q * w1, logN)
    g[:, 4] = -np.einsum("ij,j->i", q * w2, logD)
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
    kernel = ChinchillaKernel(logN, logD, logL, delta, asymmetric=asymmetric, weights=weights)
    return chunked(kernel, logN.shape[0])


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
    """Fit L(N, D) = E + A/N^alpha + B/D^beta by the Hoffmann et al. recipe.

    Minimizes the summed Huber loss (threshold ``delta``) of log-space residuals
    from every point of the 4,500-point start grid (screened together by the batched
    optimizer, on a sample of the runs when there are many), refines the best distinct
    optima on all runs, polishes them by Newton's method and keeps the lowest
    (planner.fitting.optimize.multistart, whose check covers the sample).

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
        progress: told how far the screening and refining have got (planner.fitting.progress).

    Raises:
        ValueError: fewer runs (after dropping) than the 5 parameters, or bad input.
    """
    return fit_form(sys.modules[__name__], N, D, loss, drop_highest, asymmetric, delta, starts, progress)


def local_starts(theta_hat: FloatArray, logN: FloatArray, logD: FloatArray) -> FloatArray:
    """Small start grid around a point estimate, used for every bootstrap refit.

    The point estimate plus the 3 x 3 grid of alpha, beta scaled by LOCAL_FACTORS, with
    a, b shifted so each term keeps its value at the median model size / token count
    (the curve stays near the data).
    """
    out = []
    mN, mD = float(np.median(logN)), float(np.median(logD))
    for fa in LOCAL_FACTORS:
        for fb in LOCAL_FACTORS:
            th = theta_hat.copy()
            th[3], th[4] = theta_hat[3] * fa, theta_hat[4] * fb
            th[0] = theta_hat[0] + (th[3] - theta_hat[3]) * mN
            th[1] = theta_hat[1] + (th[4] - theta_hat[4]) * mD
            out.append(th)
    return np.array(out)


LOCAL_SCREENING = Screening(schedule=((4, 1 / 3),), min_keep=1, merge_every=0)
"""How the bootstrap prunes each resample's 9 local starts: after 4 iterations the best 3 go
on. No merging of starts in one cell: in the flat valley of this fit a start stopped beside
a finished one could have gone lower, and a draw is not polished. On the Epoch runs the
1,000 draws agree with unpruned ones to 1e-14 in objective (benchmarks/bench_fit.py)."""


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


if TYPE_CHECKING:
    # mypy checks that this module offers the whole interface of a fittable form.
    import planner.fitting.chinchilla as _this
    from planner.fitting.forms import FittableForm

    _interface: FittableForm = _this
