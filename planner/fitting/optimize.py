"""Batched multi-start bound-constrained minimization: screen every start, refine, polish, check.

Owns: evaluating a batched objective in cache-sized chunks on a small thread pool, a
projected quasi-Newton method that advances every start at once (per-start line search
and stopping test), pruning starts that fall into a basin already found or lag far behind
the best, a numpy Newton polish, and the check that every screened optimum that could
still win was refined on all runs. It knows nothing about scaling laws and must not print
or do I/O. numpy only: scipy is imported solely by the reference loop `naive_multistart`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

TYPE_CHECKING = False
if TYPE_CHECKING:
    from planner.fitting.progress import Progress

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]

#: ``fun(theta (m, p), rows (m,)) -> (f (m,), grad (m, p))``; ``rows`` are the batch
#: indices of the starts being evaluated (lets an objective use per-start data).
BatchFun = Callable[[FloatArray, IntArray], tuple[FloatArray, FloatArray]]

#: ``prune(iteration, x, f, active, converged) -> starts to stop, or None``; called by
#: :func:`batched_lbfgsb` before each iteration with the state of every start.
Pruner = Callable[
    [int, FloatArray, FloatArray, NDArray[np.bool_], NDArray[np.bool_]], NDArray[np.bool_] | None
]

#: ``watch(running)``; called by :func:`batched_lbfgsb` before each iteration with the sorted
#: indices of the starts still running (a start, once stopped, never runs again): how far it
#: has got. Those are at hand there, so a watch costs no pass over every start.
Watch = Callable[[IntArray], None]

_CHECK_FLOOR = 1e-3
"""The least margin of :func:`multistart`'s check: a screened optimum whose basin might
come within 0.1% of the best is refined."""
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
    pruned: NDArray[np.bool_] | None = None  # (S,) stopped by the pruner (None: no pruner)


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
    prune: Pruner | None = None,
    watch: Watch | None = None,
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
    ``max|projected gradient| <= pgtol``.  A ``prune`` callback may stop unfinished
    starts before any iteration; they are marked in ``pruned`` and are not converged.
    A ``watch`` callback sees the indices of the running starts before every iteration.
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

    pruned = np.zeros(S, dtype=bool)

    for it in range(maxiter):
        if prune is not None:
            stop_now = prune(it, x, f, active, converged)
            if stop_now is not None:
                stop_now = stop_now & active
                pruned |= stop_now
                active &= ~stop_now
        idx = np.flatnonzero(active)
        if watch is not None:
            watch(idx)
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

    return BatchResult(
        x=x,
        f=f,
        g=g,
        n_iter=n_iter,
        converged=converged,
        n_evals=n_evals,
        pruned=pruned if prune is not None else None,
    )


def counting_watch(progress: Progress | None, stage: str, total: int, group: int = 1) -> Watch | None:
    """A watch that tells `progress` how many of `total` groups of `group` consecutive starts
    have every start stopped (None without `progress`); it says 0 done first. It looks only
    at the running starts, so it costs little once most have stopped (the bootstrap's last
    few resamples can take a thousand cheap iterations)."""
    if progress is None:
        return None
    progress(stage, 0, total)

    def watch(running: IntArray) -> None:
        if group > 1 and running.size:
            owners = running // group  # sorted, as running is
            left = 1 + int(np.count_nonzero(owners[1:] != owners[:-1]))
        else:
            left = int(running.size)
        progress(stage, total - left, total)

    return watch


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


def same_cell(x: FloatArray, tol: float) -> IntArray:
    """A label per row of ``x``: rows in the same cube of side ``tol`` share one.

    A cheap stand-in for "within ``tol`` of each other" (two close points on either side
    of a cell wall get different labels, which only costs a little less merging).
    """
    with np.errstate(invalid="ignore", over="ignore"):
        cells = np.floor(x / tol)
    cells[~np.isfinite(cells)] = 2.0**52
    cells = np.clip(cells, -(2.0**52), 2.0**52).astype(np.int64)
    cells -= cells.min(axis=0, initial=0)
    sizes = cells.max(axis=0, initial=0) + 1
    if float(np.prod(sizes.astype(np.float64))) < 2.0**62:  # one integer per cell: a fast 1-D sort
        key = np.zeros(len(x), dtype=np.int64)
        for k in range(cells.shape[1]):
            key = key * sizes[k] + cells[:, k]
        _, label = np.unique(key, return_inverse=True)
    else:
        _, label = np.unique(cells, axis=0, return_inverse=True)
    out: IntArray = label.reshape(-1).astype(np.intp)
    return out


@dataclass(frozen=True)
class Screening:
    """When and how hard :func:`multistart` prunes the starts of its grid.

    At iteration ``k`` of ``schedule`` (pairs ``(k, q)``) only the best fraction ``q`` of
    the unfinished starts (and at least ``min_keep``) keep going; at those iterations and
    every ``merge_every`` iterations (never if 0), an unfinished start that shares a cell of
    side ``basin_tol`` with a finished start, or with a better unfinished one, stops: it has
    fallen into a basin already found.
    """

    schedule: tuple[tuple[int, float], ...] = ((5, 0.10), (20, 1 / 3), (60, 0.5))
    min_keep: int = 32
    merge_every: int = 8
    basin_tol: float = 1e-2

    def pruner(self, groups: IntArray | None = None) -> Pruner:
        """The callback :func:`batched_lbfgsb` calls before each iteration.

        With ``groups`` (a label per start, e.g. the bootstrap resample it refits), starts
        are merged and ranked only against starts of their own group, and ``min_keep``
        counts per group.
        """
        fractions = dict(self.schedule)

        def prune(
            it: int, x: FloatArray, f: FloatArray, active: NDArray[np.bool_], converged: NDArray[np.bool_]
        ) -> NDArray[np.bool_] | None:
            merge = self.merge_every > 0 and (it in fractions or it % self.merge_every == 0)
            if it == 0 or not (merge or it in fractions):
                return None
            stop = np.zeros(active.shape, dtype=bool)
            if merge:
                stop |= self._merged(x, f, active, converged, groups)
            q = fractions.get(it)
            if q is not None:
                alive = np.flatnonzero(active & ~stop)
                group = np.zeros(alive.size, dtype=np.intp) if groups is None else groups[alive]
                order = np.lexsort((f[alive], group))  # by group, best first within each
                g_sorted = group[order]
                first = np.searchsorted(g_sorted, g_sorted, side="left")
                count = np.searchsorted(g_sorted, g_sorted, side="right") - first
                rank = np.arange(order.size) - first
                keep = np.maximum(self.min_keep, np.ceil(q * count))
                stop[alive[order[rank >= keep]]] = True
            return stop

        return prune

    def _merged(
        self,
        x: FloatArray,
        f: FloatArray,
        active: NDArray[np.bool_],
        converged: NDArray[np.bool_],
        groups: IntArray | None,
    ) -> NDArray[np.bool_]:
        """Unfinished starts in the cell of a finished start, or of a better one (per group)."""
        stop = np.zeros(active.shape, dtype=bool)
        idx = np.flatnonzero(active | converged)
        points = x[idx]
        if groups is not None:  # the group as one more coordinate, mid-cell so floor() is exact
            points = np.column_stack([(groups[idx] + 0.5) * self.basin_tol, points])
        label = same_cell(points, self.basin_tol)
        # One start goes on per cell: none if a finished start is in it, else the best.
        order = np.lexsort((f[idx], active[idx], label))
        head = np.ones(order.size, dtype=bool)
        head[1:] = label[order[1:]] != label[order[:-1]]
        keep_cell = np.zeros(idx.size, dtype=bool)
        keep_cell[order[head]] = True
        stop[idx[~keep_cell & active[idx]]] = True
        return stop


@dataclass(frozen=True)
class PolishResult:
    """Outcome of one Newton polish."""

    x: FloatArray
    f: float
    grad_norm: float  # max-norm of the projected gradient at x
    converged: bool
    n_iter: int
    message: str


def _one(fun: BatchFun, x: FloatArray) -> tuple[float, FloatArray]:
    fv, gv = fun(x[None, :], np.zeros(1, dtype=np.intp))
    return float(fv[0]), gv[0]


def fd_hessian(fun: BatchFun, x: FloatArray, lower: FloatArray, upper: FloatArray) -> FloatArray:
    """Hessian at ``x`` by central differences of the analytic gradient, in one batched call.

    Steps of ``1e-6 max(1, |x_k|)`` (about the cube root of the machine epsilon, the
    usual choice for central differences; Nocedal & Wright 2006, Sec. 8.1), shortened
    to stay inside the box; the result is symmetrized.
    """
    p = x.size
    h = 1e-6 * np.maximum(1.0, np.abs(x))
    up, down = np.minimum(x + h, upper), np.maximum(x - h, lower)
    points = np.repeat(x[None, :], 2 * p, axis=0)
    k = np.arange(p)
    points[k, k] = up
    points[p + k, k] = down
    _, g = fun(points, np.zeros(2 * p, dtype=np.intp))
    width = up - down
    safe = np.where(width > 0, width, 1.0)
    H = (g[:p] - g[p:]) / safe[:, None]
    H[width <= 0] = 0.0
    H = 0.5 * (H + H.T)
    H[k[width <= 0], k[width <= 0]] = 1.0
    out: FloatArray = H
    return out


def _newton_direction(H: FloatArray, g: FloatArray, free: NDArray[np.bool_]) -> FloatArray:
    """``-(H_FF + mu I)^-1 g_F`` on the free variables with the least ``mu`` that makes it
    positive definite (Levenberg-Marquardt damping; Nocedal & Wright 2006, Sec. 3.4)."""
    d = np.zeros_like(g)
    F = np.flatnonzero(free)
    if F.size == 0:
        return d
    Hf = H[np.ix_(F, F)]
    gf = g[F]
    scale = float(np.max(np.abs(np.diag(Hf)))) or 1.0
    mu = 0.0
    for _ in range(40):
        try:
            c = np.linalg.cholesky(Hf + mu * np.eye(F.size))
        except np.linalg.LinAlgError:
            mu = max(2.0 * mu, 1e-12 * scale)
            continue
        d[F] = -np.linalg.solve(c.T, np.linalg.solve(c, gf))
        return d
    d[F] = -gf / max(float(np.abs(gf).max()), 1e-300)
    return d


def polish(
    fun: BatchFun,
    x0: FloatArray,
    lower: FloatArray,
    upper: FloatArray,
    *,
    gtol: float = 1e-11,
    maxiter: int = 100,
) -> PolishResult:
    """Refine one point by projected Newton steps with a finite-difference Hessian.

    Variables at a bound whose gradient points outward are held there (Bertsekas 1982,
    projected Newton); the step on the others is the damped Newton step of
    :func:`_newton_direction`, with a backtracking Armijo search along the projected
    path.  Stops at ``max|projected gradient| <= gtol`` or when no step lowers the
    objective any more (flat to machine precision); the point then counts as converged
    when its projected gradient is below 1e-6, as a scipy L-BFGS-B "ABNORMAL" exit would.
    """
    x = np.clip(np.asarray(x0, dtype=np.float64), lower, upper)
    f, g = _one(fun, x)
    message = "maximum iterations reached"
    n_iter = 0
    for n_iter in range(1, maxiter + 1):  # noqa: B007  (n_iter is reported)
        pg = projected_gradient(x, g, lower, upper)
        if np.abs(pg).max() <= gtol:
            message = "projected gradient below gtol"
            break
        free = ~(((x <= lower) & (g > 0)) | ((x >= upper) & (g < 0)))
        d = _newton_direction(fd_hessian(fun, x, lower, upper), g, free)
        if not float(d @ g) < 0:
            d = -g * free
        t, moved = 1.0, False
        for _ in range(60):
            xt = np.clip(x + t * d, lower, upper)
            ft, gt = _one(fun, xt)
            if np.isfinite(ft) and ft <= f + 1e-4 * float(g @ (xt - x)) and ft < f:
                moved = True
                break
            t *= 0.5
        if not moved:
            message = "no step lowers the objective"
            break
        x, f, g = xt, ft, gt
    pgn = float(np.abs(projected_gradient(x, g, lower, upper)).max())
    return PolishResult(
        x=x, f=f, grad_norm=pgn, converged=pgn <= max(gtol, 1e-6), n_iter=n_iter, message=message
    )


@dataclass(frozen=True)
class MultiStartResult:
    """Best polished optimum of a multi-start search, plus bookkeeping.

    ``batch`` is the screening of every start; ``n_checked`` screened optima were
    evaluated on the full objective and ``n_refined`` of them refined on it (the rest
    were shown unable to win by the check of :func:`multistart`).
    """

    x: FloatArray
    f: float
    grad_norm: float
    converged: bool
    n_starts: int
    batch: BatchResult
    polished: tuple[PolishResult, ...]
    n_checked: int = 0
    n_refined: int = 0


def multistart(
    fun: BatchFun,
    starts: FloatArray,
    lower: FloatArray,
    upper: FloatArray,
    *,
    screen: BatchFun | None = None,
    screen_scale: float = 1.0,
    screening: Screening | None = Screening(),
    n_refine: int = 8,
    n_polish: int = 4,
    batch_maxiter: int = 400,
    progress: Progress | None = None,
) -> MultiStartResult:
    """Minimize ``fun`` from every one of ``starts``: screen, refine, polish, check.

    1. Screen: every start runs by :func:`batched_lbfgsb` on ``screen`` (the objective on
       a sample of the runs, ``screen_scale`` times which is in the units of ``fun``;
       ``fun`` itself if None), pruned as ``screening`` says (None: every start runs to
       its own stopping test).  The screened optima are merged into one per cell of side
       ``basin_tol``.
    2. Refine: the ``n_refine`` of them best on ``fun`` run on ``fun`` to tight
       tolerances, all at once; the best distinct refined optima (up to ``n_polish``) are
       polished by :func:`polish`.
    3. Check: every screened optimum ``j`` has its value on ``fun``, ``F_j``, and on the
       sample, ``G_j``.  Near ``j`` the sample misjudges ``fun`` by about ``|F_j - G_j|``,
       so its basin can hold a value below the best polished one, ``F*``, only if
       ``G_j - 2 |F_j - G_j| <= F* + 1e-3 |F*|``; every such optimum is refined and
       polished too (which covers any ``F_j <= F*``), until none is left.  With no
       sample the check refines every screened optimum within 0.1% of ``F*``.

    ``progress`` (planner.fitting.progress) hears of the screening as starts that stopped
    out of all of them, and of the refining as screened optima refined (the rest, once the
    check shows they cannot win, count as done at the end).
    """
    tol = (screening or Screening()).basin_tol
    pruner = screening.pruner() if screening is not None else None
    watch = counting_watch(progress, "screening starts", len(starts))
    batch = batched_lbfgsb(
        screen or fun, starts, lower, upper, maxiter=batch_maxiter, prune=pruner, watch=watch
    )
    if progress is not None:
        progress("screening starts", len(starts), len(starts))
    ended = np.flatnonzero(~batch.pruned) if batch.pruned is not None else np.arange(len(starts))
    ended = ended[np.isfinite(batch.f[ended])]
    label = same_cell(batch.x[ended], tol)
    order = np.lexsort((batch.f[ended], label))
    head = np.ones(order.size, dtype=bool)
    head[1:] = label[order[1:]] != label[order[:-1]]
    reps = ended[order[head]]
    if reps.size == 0:  # no start ended at a finite value: refine the least bad one anyway
        reps = np.array([int(np.argmin(np.where(np.isfinite(batch.f), batch.f, np.inf)))], dtype=np.intp)
    cand = batch.x[reps]
    if screen is None:
        F = G = batch.f[reps]
    else:
        F, G = fun(cand, np.zeros(reps.size, dtype=np.intp))[0], screen_scale * batch.f[reps]
    with np.errstate(invalid="ignore"):
        reach = G - 2.0 * np.abs(F - G)  # the least value each basin might hold on fun
    reach[~np.isfinite(reach)] = np.inf

    refined = np.zeros(reps.size, dtype=bool)
    polished: list[PolishResult] = []
    best_f = np.inf
    todo = np.argsort(F, kind="stable")[:n_refine]
    while todo.size:
        if progress is not None:
            progress("refining optima", int(refined.sum()), reps.size)
        refined[todo] = True
        res = batched_lbfgsb(fun, cand[todo], lower, upper, maxiter=batch_maxiter, ftol=1e-12, pgtol=1e-8)
        # Polish what could be the best; refined optima clearly above it cannot win.
        lead = min(best_f, float(res.f.min()))
        contenders = np.flatnonzero(res.f <= lead + 1e-4 * abs(lead))
        for i in contenders[distinct_best(res.x[contenders], res.f[contenders], n_polish, tol)]:
            polished.append(polish(fun, res.x[i], lower, upper))
        best_f = min(r.f for r in polished)
        todo = np.flatnonzero(~refined & (reach <= best_f + _CHECK_FLOOR * abs(best_f)))
        todo = todo[np.argsort(reach[todo], kind="stable")][:n_refine]
    if progress is not None:  # the rest were shown unable to win: done too
        progress("refining optima", reps.size, reps.size)
    best = min(polished, key=lambda r: r.f)
    return MultiStartResult(
        x=best.x,
        f=best.f,
        grad_norm=best.grad_norm,
        converged=best.converged,
        n_starts=len(starts),
        batch=batch,
        polished=tuple(polished),
        n_checked=int(reps.size),
        n_refined=int(refined.sum()),
    )


def naive_multistart(
    fun: BatchFun, starts: FloatArray, lower: FloatArray, upper: FloatArray
) -> tuple[float, FloatArray]:
    """Reference: one default ``scipy.optimize.minimize(method="L-BFGS-B", jac=True)`` per start.

    Returns the best ``(f, x)``.  Used only to validate and benchmark :func:`multistart`,
    so scipy is imported here and nowhere else in the fitting.
    """
    import scipy.optimize

    bounds = list(zip(lower.tolist(), upper.tolist(), strict=True))

    def single(v: FloatArray) -> tuple[float, FloatArray]:
        return _one(fun, v)

    best_f, best_x = np.inf, np.asarray(starts[0], dtype=np.float64)
    for x0 in starts:
        res = scipy.optimize.minimize(single, x0, jac=True, method="L-BFGS-B", bounds=bounds)
        if res.fun < best_f:
            best_f, best_x = float(res.fun), np.asarray(res.x, dtype=np.float64)
    return best_f, best_x
