"""Batched multi-start bound-constrained minimization (numpy L-BFGS-B style) plus scipy polish.

Owns: evaluating a batched objective in cache-sized chunks on a small thread pool,
a projected L-BFGS that advances every start at once (per-start line search and
convergence masks), basin deduplication, and the final scipy L-BFGS-B polish.
It knows nothing about scaling laws and must not print or do I/O.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import scipy.optimize
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]

#: ``fun(theta (m, p), rows (m,)) -> (f (m,), grad (m, p))``; ``rows`` are the batch
#: indices of the starts being evaluated (lets an objective use per-start data).
BatchFun = Callable[[FloatArray, IntArray], tuple[FloatArray, FloatArray]]

_CHUNK_ELEMENTS = 60_000  # rows x runs per chunk: keeps temporaries in L2 cache
_POOL: ThreadPoolExecutor | None = None


def _pool() -> ThreadPoolExecutor:
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=max(1, min(2, os.cpu_count() or 1)))
    return _POOL


def chunked(fun: BatchFun, n_runs: int, *, threads: bool = False) -> BatchFun:
    """Wrap ``fun`` so a big batch is evaluated in cache-sized chunks.

    Chunks of about ``_CHUNK_ELEMENTS`` start-run pairs keep the temporaries in L2
    cache.  With ``threads=True`` chunks are spread over a 2-thread pool (numpy
    releases the GIL in ufuncs); on the 2-core benchmark machine this gained
    nothing measurable, so it is off by default.  Chunks are disjoint and
    reassembled in order, so results are identical either way (deterministic).
    """
    rows_per_chunk = max(16, _CHUNK_ELEMENTS // max(1, n_runs))

    def wrapped(theta: FloatArray, rows: IntArray) -> tuple[FloatArray, FloatArray]:
        m = theta.shape[0]
        if m <= rows_per_chunk:
            return fun(theta, rows)
        bounds = [(i, min(m, i + rows_per_chunk)) for i in range(0, m, rows_per_chunk)]
        if threads:
            parts = list(_pool().map(lambda ij: fun(theta[ij[0] : ij[1]], rows[ij[0] : ij[1]]), bounds))
        else:
            parts = [fun(theta[i:j], rows[i:j]) for i, j in bounds]
        f = np.concatenate([p[0] for p in parts])
        g = np.concatenate([p[1] for p in parts])
        return f, g

    return wrapped


@dataclass(frozen=True)
class BatchResult:
    """Outcome of :func:`batched_lbfgsb` for every start."""

    x: FloatArray  # (S, p) final points
    f: FloatArray  # (S,) final objective values
    g: FloatArray  # (S, p) final gradients
    n_iter: IntArray  # (S,) iterations taken
    converged: NDArray[np.bool_]  # (S,) met ftol/pgtol (False: maxiter or line-search failure)
    n_evals: int  # total objective evaluations (start-evaluations)


def projected_gradient(x: FloatArray, g: FloatArray, lower: FloatArray, upper: FloatArray) -> FloatArray:
    """Projected gradient ``x - P(x - g)`` (zero at a KKT point of the box problem)."""
    out: FloatArray = x - np.clip(x - g, lower, upper)
    return out


def batched_lbfgsb(
    fun: BatchFun,
    x0: FloatArray,
    lower: FloatArray,
    upper: FloatArray,
    *,
    maxiter: int = 500,
    ftol: float = 2.2e-9,
    pgtol: float = 1e-5,
    max_ls: int = 30,
) -> BatchResult:
    """Minimize ``fun`` from every row of ``x0`` simultaneously inside a box.

    A projected quasi-Newton method advancing all starts at once.  Because the
    scaling-law problems have only 4-5 parameters, each start keeps a dense
    ``p x p`` inverse-Hessian approximation updated by the BFGS formula (Nocedal &
    Wright 2006, Eq. (6.17)); this is what L-BFGS converges to with memory >= p and
    is cheaper to vectorize than the two-loop recursion.  Bounds are handled as in
    projected-gradient L-BFGS-B variants: variables at a bound whose gradient points
    outward are frozen for the step, the direction is ``-H_FF g_F`` on the free
    set, and a backtracking Armijo search runs along the projected path
    ``P(x + t d)``.  Every start has its own step length and stopping test, and
    only unfinished starts are evaluated.  Stopping tests mirror scipy's L-BFGS-B:
    ``(f_k - f_{k+1}) <= ftol * max(|f_k|, |f_{k+1}|, 1)`` or
    ``max|projected gradient| <= pgtol``.
    """
    x = np.clip(np.array(x0, dtype=np.float64), lower, upper)
    S, p = x.shape
    all_rows = np.arange(S, dtype=np.intp)
    f, g = fun(x, all_rows)
    n_evals = S
    eye = np.eye(p)
    H = np.zeros((S, p, p))  # zero matrix marks "no curvature information yet"
    n_iter = np.zeros(S, dtype=np.intp)
    converged = np.zeros(S, dtype=bool)
    active = np.ones(S, dtype=bool)
    pg = projected_gradient(x, g, lower, upper)
    done0 = np.abs(pg).max(axis=1) <= pgtol
    converged[done0] = True
    active[done0] = False

    for _ in range(maxiter):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        xa, fa, ga, Ha = x[idx], f[idx], g[idx], H[idx]
        free = ~(((xa <= lower) & (ga > 0)) | ((xa >= upper) & (ga < 0)))
        gf = ga * free
        gnorm = np.sqrt(np.einsum("ij,ij->i", gf, gf))
        fresh = Ha[:, 0, 0] == 0.0
        d = -np.einsum("ijk,ik->ij", Ha, gf) * free
        d[fresh] = -gf[fresh] / np.maximum(gnorm[fresh], 1e-12)[:, None]
        dg = np.einsum("ij,ij->i", d, ga)
        bad = ~(dg < 0)
        if bad.any():  # not a descent direction: restart from steepest descent
            d[bad] = -gf[bad] / np.maximum(gnorm[bad], 1e-12)[:, None]
            H[idx[bad]] = 0.0
        # Backtracking Armijo line search along the projected path, per start.
        t = np.ones(idx.size)
        x_new, f_new, g_new = xa.copy(), fa.copy(), ga.copy()
        pending = np.ones(idx.size, dtype=bool)
        ok = np.zeros(idx.size, dtype=bool)
        for _ls in range(max_ls):
            pi = np.flatnonzero(pending)
            if pi.size == 0:
                break
            xt = np.clip(xa[pi] + t[pi, None] * d[pi], lower, upper)
            ft, gt = fun(xt, idx[pi])
            n_evals += pi.size
            step_dg = np.einsum("ij,ij->i", ga[pi], xt - xa[pi])
            acc = np.isfinite(ft) & (ft <= fa[pi] + 1e-4 * step_dg)
            a_i = pi[acc]
            x_new[a_i], f_new[a_i], g_new[a_i] = xt[acc], ft[acc], gt[acc]
            ok[a_i] = True
            pending[a_i] = False
            rej = pi[~acc]
            # Safeguarded quadratic interpolation of the step, within [0.1 t, 0.5 t].
            dphi = step_dg[~acc]
            denom = 2.0 * (ft[~acc] - fa[rej] - dphi)
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                t_q = np.where(denom > 0, -dphi * t[rej] / denom, 0.5 * t[rej])
            t_q = np.where(np.isfinite(t_q), t_q, 0.5 * t[rej])
            t[rej] = np.clip(t_q, 0.1 * t[rej], 0.5 * t[rej])
        n_iter[idx] += 1
        # Starts whose line search failed stop where they are.
        active[idx[~ok]] = False
        good = np.flatnonzero(ok)
        gi = idx[good]
        s_vec = x_new[good] - xa[good]
        y_vec = g_new[good] - ga[good]
        sy = np.einsum("ij,ij->i", s_vec, y_vec)
        yy = np.einsum("ij,ij->i", y_vec, y_vec)
        upd = sy > 1e-10 * np.maximum(yy, 1e-300)
        ui = gi[upd]
        if ui.size:
            sv, yv, syv = s_vec[upd], y_vec[upd], sy[upd]
            Hu = Ha[good[upd]]
            new = Hu[:, 0, 0] == 0.0
            # First update: scale the identity by s'y / y'y (Nocedal & Wright Eq. (6.20)).
            Hu[new] = (syv[new] / yy[upd][new])[:, None, None] * eye
            # A barely positive s'y passes the test but can overflow rho^2 y'Hy; such an
            # update carries no usable curvature, so it is dropped (steepest-descent restart).
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                rho_ = 1.0 / syv
                Hy = np.einsum("ijk,ik->ij", Hu, yv)
                yHy = np.einsum("ij,ij->i", yv, Hy)
                # H+ = H - rho (s Hy' + Hy s') + (rho^2 y'Hy + rho) s s'
                Hu = (
                    Hu
                    - rho_[:, None, None]
                    * (sv[:, :, None] * Hy[:, None, :] + Hy[:, :, None] * sv[:, None, :])
                    + (rho_ * rho_ * yHy + rho_)[:, None, None] * (sv[:, :, None] * sv[:, None, :])
                )
            Hu[~np.isfinite(Hu).all(axis=(1, 2))] = 0.0
            H[ui] = Hu
        f_old = f[gi]
        x[gi], f[gi], g[gi] = x_new[good], f_new[good], g_new[good]
        pg = projected_gradient(x[gi], g[gi], lower, upper)
        small_pg = np.abs(pg).max(axis=1) <= pgtol
        small_df = (f_old - f[gi]) <= ftol * np.maximum(np.maximum(np.abs(f_old), np.abs(f[gi])), 1.0)
        stop = small_pg | small_df
        converged[gi[stop]] = True
        active[gi[stop]] = False

    return BatchResult(x=x, f=f, g=g, n_iter=n_iter, converged=converged, n_evals=n_evals)


def distinct_best(x: FloatArray, f: FloatArray, k: int, tol: float) -> IntArray:
    """Indices of the ``k`` best rows of ``x`` whose points differ by more than ``tol``.

    Greedy in order of increasing ``f``: a point within ``tol`` (max-norm) of an
    already selected, better point is treated as the same basin and skipped.
    """
    order = np.argsort(f, kind="stable")
    chosen: list[int] = []
    for i in order:
        if not np.isfinite(f[i]):
            continue
        if chosen and np.min(np.abs(x[chosen] - x[i]).max(axis=1)) <= tol:
            continue
        chosen.append(int(i))
        if len(chosen) >= k:
            break
    return np.asarray(chosen, dtype=np.intp)


@dataclass(frozen=True)
class PolishResult:
    """Outcome of one scipy L-BFGS-B polish."""

    x: FloatArray
    f: float
    grad_norm: float  # max-norm of the projected gradient at x
    converged: bool
    n_iter: int
    message: str


def polish(
    fun: BatchFun,
    x0: FloatArray,
    lower: FloatArray,
    upper: FloatArray,
    *,
    ftol: float = 1e-15,
    gtol: float = 1e-10,
    maxiter: int = 20_000,
) -> PolishResult:
    """Refine one point with ``scipy.optimize.minimize(method="L-BFGS-B")`` to tight tolerances."""
    row = np.zeros(1, dtype=np.intp)

    def single(v: FloatArray) -> tuple[float, FloatArray]:
        fv, gv = fun(v[None, :], row)
        return float(fv[0]), gv[0]

    res = scipy.optimize.minimize(
        single,
        np.clip(x0, lower, upper),
        jac=True,
        method="L-BFGS-B",
        bounds=list(zip(lower.tolist(), upper.tolist(), strict=True)),
        options={"ftol": ftol, "gtol": gtol, "maxiter": maxiter, "maxls": 50, "maxcor": 20},
    )
    x = np.asarray(res.x, dtype=np.float64)
    fx, gx = single(x)
    pgn = float(np.abs(projected_gradient(x, gx, lower, upper)).max())
    # "ABNORMAL" line-search exits happen when f is flat to machine precision; the
    # point is still a KKT point when the projected gradient is tiny.
    conv = bool(res.success) or pgn <= 1e-6
    return PolishResult(
        x=x, f=fx, grad_norm=pgn, converged=conv, n_iter=int(res.nit), message=str(res.message)
    )


@dataclass(frozen=True)
class MultiStartResult:
    """Best polished optimum of a multi-start search, plus bookkeeping."""

    x: FloatArray
    f: float
    grad_norm: float
    converged: bool
    n_starts: int
    batch: BatchResult
    polished: tuple[PolishResult, ...]


def multistart(
    fun: BatchFun,
    starts: FloatArray,
    lower: FloatArray,
    upper: FloatArray,
    *,
    n_polish: int = 4,
    basin_tol: float = 1e-2,
    batch_maxiter: int = 400,
) -> MultiStartResult:
    """Run every start with :func:`batched_lbfgsb`, then polish the best distinct basins.

    Every one of the ``starts`` is iterated until it meets the batched stopping
    test (or ``batch_maxiter``); the ``n_polish`` best optima that are more than
    ``basin_tol`` apart are then refined with scipy's L-BFGS-B and the lowest
    polished objective is returned.
    """
    batch = batched_lbfgsb(fun, starts, lower, upper, maxiter=batch_maxiter)
    picks = distinct_best(batch.x, batch.f, n_polish, basin_tol)
    pol = tuple(polish(fun, batch.x[i], lower, upper) for i in picks)
    best = min(pol, key=lambda r: r.f)
    return MultiStartResult(
        x=best.x,
        f=best.f,
        grad_norm=best.grad_norm,
        converged=best.converged,
        n_starts=len(starts),
        batch=batch,
        polished=pol,
    )


def naive_multistart(
    fun: BatchFun, starts: FloatArray, lower: FloatArray, upper: FloatArray
) -> tuple[float, FloatArray]:
    """Reference: one default ``scipy.optimize.minimize(method="L-BFGS-B", jac=True)`` per start.

    Returns the best ``(f, x)``.  Used only to validate and benchmark :func:`multistart`.
    """
    row = np.zeros(1, dtype=np.intp)
    bounds = list(zip(lower.tolist(), upper.tolist(), strict=True))

    def single(v: FloatArray) -> tuple[float, FloatArray]:
        fv, gv = fun(v[None, :], row)
        return float(fv[0]), gv[0]

    best_f, best_x = np.inf, np.asarray(starts[0], dtype=np.float64)
    for x0 in starts:
        res = scipy.optimize.minimize(single, x0, jac=True, method="L-BFGS-B", bounds=bounds)
        if res.fun < best_f:
            best_f, best_x = float(res.fun), np.asarray(res.x, dtype=np.float64)
    return best_f, best_x
