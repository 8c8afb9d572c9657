"""Vectorized robust objectives (value and analytic gradient) for scaling-law fits.

Owns the maths only: the Huber function, the Chinchilla and Kaplan log-loss
predictions, and the summed-Huber objectives evaluated for a whole batch of
parameter vectors at once.  It must not optimize, chunk, thread, print or do I/O.
"""

from __future__ import annotations

import threading

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]

#: Exponents above this are routed to the max-shifted log-sum-exp path.
_SAFE_EXP = 600.0


def huber(r: FloatArray, delta: float) -> FloatArray:
    """Huber function, as in ``scipy.special.huber``.

    ``r**2 / 2`` for ``|r| <= delta`` and ``delta * (|r| - delta / 2)`` otherwise
    (Hoffmann et al. 2022, Sec. 3.3 / App. D.2; Besiroglu et al. 2024).
    """
    r = np.asarray(r, dtype=np.float64)
    psi = np.clip(r, -delta, delta)
    out: FloatArray = psi * (r - 0.5 * psi)
    return out


def _robust_sum(
    r: FloatArray,
    delta: float,
    asymmetric: float | None,
    weights: FloatArray | None,
) -> tuple[FloatArray, FloatArray]:
    """Sum of (weighted, optionally asymmetric) Huber terms along the last axis.

    Returns ``(f, psi)`` where ``psi = d f / d r`` elementwise.  ``r`` is consumed
    (overwritten) to save memory traffic.
    """
    psi = np.clip(r, -delta, delta)
    if asymmetric is not None:
        # Prediction above the observation (r > 0) is penalized `asymmetric` times more.
        psi *= np.where(r > 0.0, asymmetric, 1.0)
        scale = np.where(r > 0.0, 1.0 / asymmetric, 1.0)
        r -= 0.5 * psi * scale
    else:
        r -= 0.5 * psi
    r *= psi
    if weights is not None:
        r *= weights
        psi *= weights
    f: FloatArray = r.sum(axis=-1)
    return f, psi


def chinchilla_log_predict(theta: FloatArray, logN: FloatArray, logD: FloatArray) -> FloatArray:
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
            return _chinchilla_objective_shifted(
                theta, self.logN, self.logD, self.logL, self.delta, self.asymmetric, w
            )
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


def chinchilla_objective(
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


def _chinchilla_objective_shifted(
    theta: FloatArray,
    logN: FloatArray,
    logD: FloatArray,
    logL: FloatArray,
    delta: float,
    asymmetric: float | None,
    weights: FloatArray | None,
) -> tuple[FloatArray, FloatArray]:
    """Same as :func:`chinchilla_objective` with a max-shifted log-sum-exp (any theta)."""
    a, b, e, alpha, beta = (theta[:, k : k + 1] for k in range(5))
    t1 = a - alpha * logN[None, :]
    t2 = b - beta * logD[None, :]
    t3 = np.broadcast_to(e, t1.shape)
    m = np.maximum(np.maximum(t1, t2), t3)
    w1, w2, w3 = np.exp(t1 - m), np.exp(t2 - m), np.exp(t3 - m)
    s = w1 + w2 + w3
    r = m + np.log(s) - logL
    f, psi = _robust_sum(r, delta, asymmetric, weights)
    q = psi / s
    g = np.empty((theta.shape[0], 5))
    g[:, 0] = (q * w1).sum(axis=1)
    g[:, 1] = (q * w2).sum(axis=1)
    g[:, 2] = (q * w3).sum(axis=1)
    g[:, 3] = -np.einsum("ij,j->i", q * w1, logN)
    g[:, 4] = -np.einsum("ij,j->i", q * w2, logD)
    return f, g


def kaplan_log_predict(theta: FloatArray, logN: FloatArray, logD: FloatArray) -> FloatArray:
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


def kaplan_objective(
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

    Same conventions as :func:`chinchilla_objective`; ``theta`` is
    ``(S, 4)`` of ``(n_c, d_c, alpha_N, alpha_D)`` with ``alpha_D > 0``.
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
    f, psi = _robust_sum(r, delta, asymmetric, weights)
    g = np.empty((theta.shape[0], 4))
    ps1 = psi * s1
    g[:, 0] = alpha_N[:, 0] * ps1.sum(axis=1)
    g[:, 1] = alpha_D[:, 0] * (psi * s2).sum(axis=1)
    g[:, 2] = (ps1 * dn).sum(axis=1)
    g[:, 3] = (psi * (lse - s1 * t1)).sum(axis=1)
    return f, g
