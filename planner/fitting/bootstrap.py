"""Nonparametric bootstrap of the fits, and holdout of the largest-compute runs.

Owns: resampling runs with replacement (as Besiroglu et al. 2024, arXiv
2404.10102, do for their standard errors), refitting every resample in one
batched optimization, summary statistics (SEs, percentile intervals,
covariance), per-draw compute-optimal plans where the form offers them, and
:func:`holdout_largest`.  Everything specific to a form comes from its module
(planner.fitting.forms).  No printing, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from planner.fitting.common import FitResult, FloatArray, IntArray, check_asymmetric, prepare_runs
from planner.fitting.forms import fitter
from planner.fitting.optimize import batched_lbfgsb, counting_watch

if TYPE_CHECKING:
    from planner.fitting.progress import Progress


@dataclass(frozen=True)
class BootstrapResult:
    """Bootstrap distribution of a fit.

    ``draws`` has one row per resample, columns in ``param_names`` order (the
    form module's ``PARAM_NAMES``); ``theta_draws`` holds the optimizer
    coordinates.  ``intervals`` are percentile intervals at ``level``.
    ``derived`` (when budgets are given and the form module has a
    ``compute_optimal``) maps ``"N_opt"``, ``"D_opt"``, ``"L_opt"`` to
    ``(K, len(budgets))`` arrays of per-draw compute-optimal values, and
    ``derived_intervals`` to their ``(2, m)`` bounds.
    """

    form: str
    point: FitResult
    param_names: tuple[str, ...]
    draws: FloatArray
    theta_draws: FloatArray
    stderr: dict[str, float]
    intervals: dict[str, tuple[float, float]]
    covariance: FloatArray
    objective: FloatArray
    converged: FloatArray
    n_converged: int
    level: float
    seed: int
    budgets: FloatArray
    derived: dict[str, FloatArray]
    derived_intervals: dict[str, FloatArray]


def resample_weights(n: int, K: int, seed: int) -> FloatArray:
    """``(K, n)`` counts of each run in K resamples of n runs drawn with replacement."""
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, n, size=(K, n))
    w = np.zeros((K, n))
    np.add.at(w, (np.repeat(np.arange(K), n), idx.reshape(-1)), 1.0)
    return w


def bootstrap(
    N: ArrayLike,
    D: ArrayLike,
    loss: ArrayLike,
    K: int = 1000,
    seed: int = 0,
    *,
    form: str = "chinchilla",
    drop_highest: int = 0,
    asymmetric: float | None = None,
    delta: float = 1e-3,
    budgets: ArrayLike | None = None,
    level: float = 0.95,
    point: FitResult | None = None,
    prune: bool = True,
    progress: Progress | None = None,
) -> BootstrapResult:
    """Bootstrap the fit: resample runs with replacement K times and refit each.

    The outlier policy is applied once, to the original data; resamples are drawn
    from the kept runs.  A resample is represented exactly by integer run weights
    (the summed Huber objective of a resample equals the count-weighted objective),
    so all ``K x 9`` refits (9 local starts each, the form module's ``local_starts``) run
    as one batched optimization; the best start of each resample is kept.

    Args:
        N, D, loss: the runs.
        K: number of resamples.
        seed: seed of the resampling generator (results are deterministic).
        form: a form name of planner.fitting.forms.fittable_forms, e.g. ``"kaplan-nd"``.
        drop_highest, asymmetric, delta: as in the fit functions.
        budgets: compute budgets C (FLOPs) for per-draw compute-optimal plans
            (ignored for a form whose module has no ``compute_optimal``).
        level: coverage of the percentile intervals.
        point: an existing full-grid fit of the same data and options (saves a fit).
        prune: prune each resample's local starts as the form's ``LOCAL_SCREENING`` says
            (False: every start runs to its stopping test).
        progress: told at each iteration of the batched refit how many resamples have
            every start stopped, as stage "bootstrap resamples" (planner.fitting.progress);
            the point fit, when made here, tells its own stages.

    Raises:
        ValueError: K < 2, or the fit's own input errors; InputError (a ValueError)
            for a form that cannot be fitted.
    """
    mod = fitter(form)
    if K < 2:
        raise ValueError(f"K must be >= 2 (got {K})")
    asym = check_asymmetric(asymmetric)
    n_params = len(mod.THETA_NAMES)
    runs = prepare_runs(N, D, loss, drop_highest=drop_highest, n_params=n_params)
    if point is None:
        point = mod.fit(
            N, D, loss, drop_highest=drop_highest, asymmetric=asym, delta=delta, progress=progress
        )
    theta_hat = np.asarray(point.theta, dtype=np.float64)
    n = runs.logL.size
    w = resample_weights(n, K, seed)
    starts0 = mod.local_starts(theta_hat, runs.logN, runs.logD)
    n_loc = starts0.shape[0]
    x0 = np.tile(starts0, (K, 1))
    by_resample = mod.make_objective(runs.logN, runs.logD, runs.logL, delta=delta, asymmetric=asym, weights=w)

    def fun(theta: FloatArray, rows: IntArray) -> tuple[FloatArray, FloatArray]:
        return by_resample(theta, rows // n_loc)  # start i refits resample i // n_loc

    groups = np.repeat(np.arange(K, dtype=np.intp), n_loc)
    screening = mod.LOCAL_SCREENING if prune else None
    pruner = screening.pruner(groups) if screening is not None else None
    watch = counting_watch(progress, "bootstrap resamples", K, n_loc)
    res = batched_lbfgsb(
        fun, x0, mod.LOWER, mod.UPPER, maxiter=2000, ftol=1e-13, pgtol=1e-9, prune=pruner, watch=watch
    )
    if progress is not None:  # those still running at maxiter stop there
        progress("bootstrap resamples", K, K)
    f = res.f.reshape(K, n_loc).copy()
    if res.pruned is not None:
        f[res.pruned.reshape(K, n_loc)] = np.inf
    best = np.argmin(f, axis=1)
    pick = np.arange(K) * n_loc + best
    theta_draws = res.x[pick]
    obj = res.f[pick]
    conv = res.converged[pick]
    draws = mod.theta_draws_to_params(theta_draws)
    names = mod.PARAM_NAMES
    lo_q, hi_q = 100 * (1 - level) / 2, 100 * (1 + level) / 2
    stderr = {nm: float(np.std(draws[:, k], ddof=1)) for k, nm in enumerate(names)}
    intervals = {
        nm: (float(np.percentile(draws[:, k], lo_q)), float(np.percentile(draws[:, k], hi_q)))
        for k, nm in enumerate(names)
    }
    cov = np.cov(draws, rowvar=False)
    C = np.zeros(0) if budgets is None else np.asarray(budgets, dtype=np.float64).reshape(-1)
    derived: dict[str, FloatArray] = {}
    derived_int: dict[str, FloatArray] = {}
    if C.size and mod.compute_optimal is not None:
        Nopt, Dopt, Lopt = mod.compute_optimal(theta_draws, C)
        for key, arr in (("N_opt", Nopt), ("D_opt", Dopt), ("L_opt", Lopt)):
            derived[key] = arr
            derived_int[key] = np.nanpercentile(arr, [lo_q, hi_q], axis=0)
    return BootstrapResult(
        form=form,
        point=point,
        param_names=names,
        draws=draws,
        theta_draws=theta_draws,
        stderr=stderr,
        intervals=intervals,
        covariance=cov,
        objective=obj,
        converged=conv.astype(np.float64),
        n_converged=int(conv.sum()),
        level=level,
        seed=seed,
        budgets=C,
        derived=derived,
        derived_intervals=derived_int,
    )


@dataclass(frozen=True)
class HoldoutResult:
    """Out-of-sample check on the largest-compute runs.

    ``heldout`` are indices into the caller's arrays; ``log_residuals`` are
    ``log L_hat - log L`` and ``relative_errors`` are ``L_hat / L - 1`` on them.
    """

    fit: FitResult
    heldout: IntArray
    compute: FloatArray
    observed: FloatArray
    predicted: FloatArray
    log_residuals: FloatArray
    relative_errors: FloatArray
    rms_log_residual: float
    max_abs_relative_error: float


def holdout_largest(
    N: ArrayLike,
    D: ArrayLike,
    loss: ArrayLike,
    k: int,
    *,
    form: str = "chinchilla",
    drop_highest: int = 0,
    asymmetric: float | None = None,
    delta: float = 1e-3,
    progress: Progress | None = None,
) -> HoldoutResult:
    """Fit without the ``k`` largest-compute runs (C = 6 N D) and predict them.

    The outlier policy (``drop_highest``) is applied first to all runs; the ``k``
    largest-compute remaining runs are then held out and the rest are fitted; that fit tells
    ``progress`` its stages (planner.fitting.progress).

    Raises:
        ValueError: ``k < 1``, or too few runs left to fit; InputError (a ValueError)
            for a form that cannot be fitted.
    """
    if k < 1:
        raise ValueError(f"k must be >= 1 (got {k})")
    mod = fitter(form)
    Na, Da, La = (np.asarray(v, dtype=np.float64).reshape(-1) for v in (N, D, loss))
    n_params = len(mod.THETA_NAMES)
    runs = prepare_runs(Na, Da, La, drop_highest=drop_highest, n_params=n_params)
    kept = runs.kept
    C = 6.0 * Na[kept] * Da[kept]
    order = np.argsort(C, kind="stable")
    if kept.size - k < n_params:
        raise ValueError(
            f"holding out {k} of {kept.size} runs leaves fewer than the {n_params} runs needed to fit"
        )
    held = np.sort(kept[order[-k:]])
    train = np.sort(kept[order[:-k]])
    fit = mod.fit(Na[train], Da[train], La[train], asymmetric=asymmetric, delta=delta, progress=progress)
    th = np.asarray(fit.theta)[None, :]
    log_pred = mod.log_predict(th, np.log(Na[held]), np.log(Da[held]))[0]
    log_res = log_pred - np.log(La[held])
    rel = np.expm1(log_res)
    return HoldoutResult(
        fit=fit,
        heldout=held,
        compute=6.0 * Na[held] * Da[held],
        observed=La[held],
        predicted=np.exp(log_pred),
        log_residuals=log_res,
        relative_errors=rel,
        rms_log_residual=float(np.sqrt(np.mean(log_res**2))),
        max_abs_relative_error=float(np.max(np.abs(rel))),
    )
