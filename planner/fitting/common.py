"""Shared data preparation, result type and diagnostics for the scaling-law fits.

Owns: input validation (refusing fewer runs than parameters), the drop-the-K-
highest-loss outlier policy, the :class:`FitResult` record and the diagnostics
(identifiability, parameters at a search-box bound, residual summary).  It must
not optimize, print or do I/O; diagnostics are returned as ``(code, message)`` data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

if TYPE_CHECKING:
    from planner.fitting.progress import Progress

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]
Diagnostic = tuple[str, str]

#: Minimum number of distinct model sizes / token counts to identify alpha / beta.
MIN_DISTINCT = 3

#: Runs of the sample every start of the grid is screened on (planner.fitting.optimize.multistart);
#: fits of this many runs or fewer screen on all of them.
SCREEN_RUNS = 128

#: Factors on each exponent of a point estimate that give a form's local starts
#: (the 3 x 3 grid every bootstrap refit starts from).
LOCAL_FACTORS = (0.8, 1.0, 1.25)


@dataclass(frozen=True)
class PreparedRuns:
    """Validated runs in log space, after the outlier policy."""

    logN: FloatArray
    logD: FloatArray
    logL: FloatArray
    kept: IntArray  # indices into the caller's arrays of the runs used
    dropped: IntArray  # indices dropped by ``drop_highest``


def prepare_runs(
    N: ArrayLike,
    D: ArrayLike,
    loss: ArrayLike,
    *,
    drop_highest: int,
    n_params: int,
) -> PreparedRuns:
    """Validate ``(N, D, loss)``, drop the ``drop_highest`` highest-loss runs, take logs.

    Raises:
        ValueError: on mismatched shapes, non-finite or non-positive values, a
            negative ``drop_highest``, or fewer remaining runs than ``n_params``.
    """
    Na, Da, La = (np.asarray(v, dtype=np.float64).reshape(-1) for v in (N, D, loss))
    if not (Na.shape == Da.shape == La.shape):
        raise ValueError(f"N, D and loss must have the same length (got {Na.size}, {Da.size}, {La.size})")
    for name, v in (("N", Na), ("D", Da), ("loss", La)):
        if not np.all(np.isfinite(v)) or np.any(v <= 0):
            raise ValueError(f"{name} must contain only finite, strictly positive values")
    if drop_highest < 0:
        raise ValueError(f"drop_highest must be >= 0 (got {drop_highest})")
    order = np.argsort(La, kind="stable")
    n_keep = La.size - drop_highest
    if n_keep < n_params:
        raise ValueError(
            f"cannot fit {n_params} parameters to {max(n_keep, 0)} runs "
            f"({La.size} given, {drop_highest} dropped as outliers); need at least {n_params} runs"
        )
    kept = np.sort(order[:n_keep]).astype(np.intp)
    dropped = np.sort(order[n_keep:]).astype(np.intp)
    return PreparedRuns(
        logN=np.log(Na[kept]), logD=np.log(Da[kept]), logL=np.log(La[kept]), kept=kept, dropped=dropped
    )


@dataclass(frozen=True)
class FitResult:
    """A fitted scaling law of form ``form``.

    ``params`` holds the natural parameters (the form module's ``PARAM_NAMES``),
    ``theta`` the optimizer coordinates (its ``THETA_NAMES``), ``grad_norm`` the
    max-norm of the projected gradient there, and ``log_residuals`` are
    ``log L_hat - log L`` for the runs in ``kept``.
    """

    form: str
    params: dict[str, float]
    objective: float
    n_runs: int
    n_starts: int
    converged: bool
    grad_norm: float
    diagnostics: tuple[Diagnostic, ...]
    theta: tuple[float, ...] = ()
    theta_names: tuple[str, ...] = ()
    log_residuals: FloatArray = field(default_factory=lambda: np.zeros(0), compare=False, repr=False)
    kept: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.intp), compare=False, repr=False)
    dropped: tuple[int, ...] = ()
    delta: float = 1e-3
    asymmetric: float | None = None
    bounds: tuple[tuple[float, float], ...] = ()
    log_predict: Callable[[FloatArray, FloatArray, FloatArray], FloatArray] | None = field(
        default=None, compare=False, repr=False
    )
    """The form's log L(N, D) for rows of theta (its module's `log_predict`)."""

    def predict(self, N: ArrayLike, D: ArrayLike) -> FloatArray:
        """Predicted loss L(N, D) under this fit."""
        logN = np.log(np.asarray(N, dtype=np.float64))
        logD = np.log(np.asarray(D, dtype=np.float64))
        shape = np.broadcast(logN, logD).shape
        logN, logD = (np.broadcast_to(v, shape).reshape(-1) for v in (logN, logD))
        assert self.log_predict is not None, "a FitResult made by a form's fit() knows its log_predict"
        th = np.asarray(self.theta, dtype=np.float64)[None, :]
        out: FloatArray = np.exp(self.log_predict(th, logN, logD)[0]).reshape(shape)
        return out


def screening_sample(logN: FloatArray, logD: FloatArray, size: int) -> IntArray:
    """``size`` runs spread evenly over the compute range: the sample the grid is screened on.

    The runs in order of compute (log N + log D) at evenly spaced ranks, so the sample spans
    the smallest to the largest run as the design does; deterministic.
    """
    order = np.argsort(logN + logD, kind="stable")
    ranks = np.unique(np.round(np.linspace(0, order.size - 1, size)).astype(np.intp))
    out: IntArray = np.sort(order[ranks])
    return out


def data_diagnostics(logN: FloatArray, logD: FloatArray) -> list[Diagnostic]:
    """Identifiability checks on the design: enough distinct N and D values."""
    out: list[Diagnostic] = []
    n_sizes = np.unique(np.round(logN, 6)).size
    n_tokens = np.unique(np.round(logD, 6)).size
    if n_sizes < MIN_DISTINCT:
        out.append(
            (
                "few_model_sizes",
                f"only {n_sizes} distinct model size(s) N; at least {MIN_DISTINCT} are needed "
                "to identify the parameter-count exponent",
            )
        )
    if n_tokens < MIN_DISTINCT:
        out.append(
            (
                "few_token_counts",
                f"only {n_tokens} distinct token count(s) D; at least {MIN_DISTINCT} are needed "
                "to identify the data exponent",
            )
        )
    return out


def fit_diagnostics(
    theta: FloatArray,
    names: tuple[str, ...],
    lower: FloatArray,
    upper: FloatArray,
    log_residuals: FloatArray,
    converged: bool,
    grad_norm: float,
) -> list[Diagnostic]:
    """Bound, convergence and residual diagnostics of a fitted point."""
    out: list[Diagnostic] = []
    span = upper - lower
    for k, name in enumerate(names):
        if theta[k] <= lower[k] + 1e-6 * span[k]:
            out.append(
                (
                    "at_bound",
                    f"{name} = {theta[k]:.6g} is at the lower bound {lower[k]:.6g} of the search box",
                )
            )
        elif theta[k] >= upper[k] - 1e-6 * span[k]:
            out.append(
                (
                    "at_bound",
                    f"{name} = {theta[k]:.6g} is at the upper bound {upper[k]:.6g} of the search box",
                )
            )
    if not converged:
        out.append(
            ("not_converged", f"optimizer did not converge (projected gradient max-norm {grad_norm:.3g})")
        )
    rms = float(np.sqrt(np.mean(log_residuals**2))) if log_residuals.size else 0.0
    mx = float(np.max(np.abs(log_residuals))) if log_residuals.size else 0.0
    out.append(
        (
            "residuals",
            f"log-loss residuals over {log_residuals.size} runs: RMS {rms:.4g}, max |r| {mx:.4g}",
        )
    )
    return out


def check_asymmetric(asymmetric: float | None) -> float | None:
    """Validate the asymmetric weight (``None`` or a finite factor > 0)."""
    if asymmetric is None:
        return None
    value = float(asymmetric)
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"asymmetric must be a finite factor > 0 (got {asymmetric})")
    return value


def fit_form(
    form: Any,
    N: ArrayLike,
    D: ArrayLike,
    loss: ArrayLike,
    drop_highest: int,
    asymmetric: float | None,
    delta: float,
    starts: FloatArray | None,
    progress: Progress | None = None,
) -> FitResult:
    """The fit every form's `fit` is: its start grid through multistart, and diagnostics.

    With more than SCREEN_RUNS runs the grid is screened on screening_sample's runs, and the
    screened optima are refined, polished and checked on all of them.

    `form` is a form's fitting module (planner.fitting.forms.FittableForm): its THETA_NAMES,
    LOWER, UPPER, start_grid, make_objective, log_predict and theta_to_params. `progress`
    (planner.fitting.progress) hears how far the screening and refining have got.
    """
    from planner.fitting.optimize import multistart

    asym = check_asymmetric(asymmetric)
    runs = prepare_runs(N, D, loss, drop_highest=drop_highest, n_params=len(form.THETA_NAMES))
    fun = form.make_objective(runs.logN, runs.logD, runs.logL, delta=delta, asymmetric=asym)
    x0 = form.start_grid() if starts is None else np.atleast_2d(np.asarray(starts, dtype=np.float64))
    screen, scale = None, 1.0
    if runs.logL.size > SCREEN_RUNS:
        sample = screening_sample(runs.logN, runs.logD, SCREEN_RUNS)
        screen = form.make_objective(
            runs.logN[sample], runs.logD[sample], runs.logL[sample], delta=delta, asymmetric=asym
        )
        scale = runs.logL.size / sample.size
    res = multistart(fun, x0, form.LOWER, form.UPPER, screen=screen, screen_scale=scale, progress=progress)
    resid = form.log_predict(res.x[None, :], runs.logN, runs.logD)[0] - runs.logL
    diags = data_diagnostics(runs.logN, runs.logD)
    diags += fit_diagnostics(
        res.x, form.THETA_NAMES, form.LOWER, form.UPPER, resid, res.converged, res.grad_norm
    )
    return FitResult(
        form=form.FORM,
        params=form.theta_to_params(res.x),
        objective=res.f,
        n_runs=int(runs.logL.size),
        n_starts=res.n_starts,
        converged=res.converged,
        grad_norm=res.grad_norm,
        diagnostics=tuple(diags),
        theta=tuple(float(v) for v in res.x),
        theta_names=form.THETA_NAMES,
        log_residuals=resid,
        kept=runs.kept,
        dropped=tuple(int(i) for i in runs.dropped),
        delta=float(delta),
        asymmetric=asym,
        bounds=tuple(zip(form.LOWER.tolist(), form.UPPER.tolist(), strict=True)),
        log_predict=form.log_predict,
    )
