"""The fitting procedure behind `plan fit`: runs and options in, a FitReport out.

Owns running the fitting core on checked `Runs` with the user's options (outlier policy,
lower-envelope loss, bootstrap, holdout of the largest runs, a budget to plan), checking
those options, and the report's coded notices. What differs between forms comes from the
form's module (planner.fitting.forms). No printing and no files.
"""

from __future__ import annotations

import math
import shlex
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np

from planner.errors import InfeasibleError, InputError
from planner.fitting.bootstrap import bootstrap as run_bootstrap
from planner.fitting.bootstrap import holdout_largest as run_holdout
from planner.fitting.common import FitResult
from planner.fitting.forms import FittableForm, fittable_forms, fitter
from planner.fitting.isoflop import TOLERANCE as ISOFLOP_TOLERANCE
from planner.fitting.isoflop import isoflop_fit
from planner.fitting.limits import RESAMPLES, check_budget, check_size
from planner.fitting.progress import Progress
from planner.fitting.report import (
    Bootstrap,
    BudgetPlan,
    Estimate,
    FitReport,
    HeldOutRun,
    Holdout,
    IsoflopFit,
    Method,
    ParameterCovariance,
    Ranges,
    Residuals,
    RunsUsed,
)
from planner.fitting.runs import Runs
from planner.planning.model_error import MODEL_ERROR
from planner.planning.notices import extrapolation
from planner.planning.results import Allocation, Interval, Intervals, Notice
from planner.planning.rounding import outward_all
from planner.planning.sense import check_positive, sensible
from planner.units import FLOPS_PER_PARAM_TOKEN

LEVEL = 0.95
DELTA = 1e-3
"""Huber threshold of Hoffmann et al. 2022 (arXiv 2203.15556, App. D.2) and Besiroglu et al. 2024."""


def fit(
    runs: Runs,
    *,
    form: str = "chinchilla",
    drop_highest: int = 0,
    asymmetric: float | None = None,
    bootstrap: int = RESAMPLES,
    seed: int = 0,
    holdout_largest: int = 0,
    budget: float | None = None,
    isoflop: bool = False,
    isoflop_budgets: Sequence[float] = (),
    isoflop_tolerance: float = ISOFLOP_TOLERANCE,
    progress: Progress | None = None,
) -> FitReport:
    """Fit a law to runs by the recipe of Hoffmann et al. 2022 and Besiroglu et al. 2024.

    Args:
        runs: checked runs (planner.fitting.runs.read_runs).
        form: the law form to fit, a name of planner.fitting.forms.fittable_forms().
        drop_highest: outlier policy, leave out this many runs of highest loss first.
        asymmetric: weight (above 0) of runs the curve predicts too high, e.g. 10, so that
            it follows the lower envelope of the runs; None for the symmetric loss.
        bootstrap: resamples for standard errors and intervals (0: none); RESAMPLES (200)
            unless given, as `plan fit`.
        seed: seed of the resampling.
        holdout_largest: also fit without this many largest-compute runs and predict them.
        budget: FLOPs to plan at under the fit.
        isoflop: also fit Chinchilla's approach 2 (planner.fitting.isoflop), beside the
            parametric fit, on the runs kept by the outlier policy; its intervals come from
            `bootstrap` resamples of the parabolas' residuals.
        isoflop_budgets: approach 2's budgets (implies `isoflop`); none: found from the runs.
        isoflop_tolerance: how far, as a fraction, a run's FLOPs may lie from its budget's.
        progress: a callback told how far the work has got (planner.fitting.progress): the
            fit's screening and refining, the bootstrap's resamples, the holdout's fit.
            None (the default): nothing is told. The report is the same either way.

    Raises:
        InputError: an unknown form, a bad option, fewer runs than the form has parameters,
            more than planner.fitting.limits allows, or losses that are all the same;
            approach 2's refusals (planner.fitting.isoflop).
        InfeasibleError: a budget plan of less than one parameter or token, or a fit whose
            numbers are not finite (planner.planning.sense).
    """
    module = fitter(form)
    size = len(module.PARAM_NAMES)
    _check_options(runs, form, size, drop_highest, asymmetric, bootstrap, seed, holdout_largest)
    if budget is not None:
        budget = check_positive("budget", budget)
        check_budget(budget)
    arrays = (np.array(runs.params), np.array(runs.tokens), np.array(runs.loss))
    approach2 = None
    if isoflop or isoflop_budgets:  # first: its refusals cost no waiting for the fit
        approach2 = _isoflop(arrays, drop_highest, isoflop_budgets, isoflop_tolerance, bootstrap, seed)
    point: FitResult = module.fit(
        *arrays, drop_highest=drop_highest, asymmetric=asymmetric, delta=DELTA, progress=progress
    )
    kept = point.kept
    draws = None
    if bootstrap:
        draws = run_bootstrap(
            *arrays,
            bootstrap,
            seed,
            form=form,
            drop_highest=drop_highest,
            asymmetric=asymmetric,
            delta=DELTA,
            level=LEVEL,
            point=point,
            progress=progress,
        )
    fitted_range = _fitted_range(runs, [int(index) for index in kept])
    notices = [Notice(code, message, level=_level(code)) for code, message in point.diagnostics]
    if point.dropped:
        rows = ", ".join(str(index + 1) for index in point.dropped)
        notices.insert(
            0,
            Notice(
                "outliers_dropped",
                f"left out the {len(point.dropped)} runs of highest loss: rows {rows}",
                "note",
            ),
        )
    if draws is not None and draws.n_converged < 0.99 * bootstrap:
        notices.append(
            Notice(
                "bootstrap_not_converged",
                f"{bootstrap - draws.n_converged} of {bootstrap} bootstrap refits did not converge; "
                "the standard errors may be too small",
            )
        )
    plan = None
    if budget is not None:
        bounds = fitted_range.bounds().get("flops")
        decades = max(0.0, math.log10(budget / bounds[1])) if bounds else 0.0
        log_residuals = point.log_residuals
        scatter = float(np.sqrt(np.mean(log_residuals**2))) if log_residuals.size else 0.0
        sigma = MODEL_ERROR.sigma(scatter, decades)
        plan = _budget_plan(module, point.params, draws.draws if draws else None, budget, sigma)
        sensible(plan, f"the plan at --budget {budget:g} under this fit")
        beyond = extrapolation(
            "this fit",
            fitted_range.bounds(),
            {"flops": budget, "params": plan.optimum.params, "tokens": plan.optimum.tokens},
        )
        if beyond is not None:
            notices.append(beyond)
    holdout = None
    if holdout_largest:
        holdout = _holdout(runs, arrays, module, holdout_largest, drop_highest, asymmetric, progress)
        notices.append(
            Notice(
                "holdout",
                f"fitted without the {holdout_largest} largest-compute runs, the law predicts their loss "
                f"within {holdout.max_abs_relative_error:.2%} (RMS log residual {holdout.rms_log_residual:.4g})",
                "note",
            )
        )
    residuals = point.log_residuals
    from planner.version import __version__

    report = FitReport(
        planner_version=__version__,
        form=form,  # type: ignore[arg-type]  # checked by fitter
        formula=module.params_class().FORMULA,
        runs=RunsUsed(
            source=runs.source,
            file_format=runs.file_format,
            sha256=runs.sha256,
            params_column=runs.columns.params,
            tokens_column=runs.columns.tokens,
            flops_column=runs.columns.flops,
            loss_column=runs.columns.loss,
            count=len(runs),
            fitted=point.n_runs,
            dropped_rows=tuple(index + 1 for index in point.dropped),
        ),
        method=Method(
            loss="Huber on log loss" + (", asymmetric" if asymmetric else ""),
            delta=DELTA,
            asymmetric=asymmetric,
            starts=point.n_starts,
            objective=point.objective,
            converged=point.converged,
            projected_gradient=point.grad_norm,
        ),
        params=tuple(
            Estimate(
                name=name,
                value=point.params[name],
                stderr=draws.stderr[name] if draws else None,
                interval=draws.intervals[name] if draws else None,
            )
            for name in module.LAW_ORDER
        ),
        bootstrap=Bootstrap(bootstrap, seed, draws.n_converged, LEVEL) if draws else None,
        covariance=_covariance(module, draws.theta_draws, bootstrap, seed) if draws else None,
        fitted_range=fitted_range,
        residuals=Residuals(
            runs=int(residuals.size),
            rms=float(np.sqrt(np.mean(residuals**2))),
            median=float(np.median(residuals)),
            max_abs=float(np.max(np.abs(residuals))),
        ),
        plan=plan,
        holdout=holdout,
        notices=tuple(notices),
        command=_command(runs, form, drop_highest, asymmetric, bootstrap, seed),
        isoflop=approach2,
    )
    try:
        return sensible(report, "the fit")
    except InfeasibleError as err:
        what = str(err).partition(";")[0]
        raise InfeasibleError(
            f"{what}; check the runs for outliers (--drop-highest K) or a column in other units"
        ) from None


def __getattr__(name: str) -> tuple[str, ...]:
    # FORMS: the fittable form names, for planner.cli.fit until it asks
    # planner.fitting.forms.fittable_forms itself; computed on use, as the scan must
    # not run while this package is still being imported.
    if name == "FORMS":
        return fittable_forms()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _check_options(
    runs: Runs,
    form: str,
    size: int,
    drop_highest: int,
    asymmetric: float | None,
    bootstrap: int,
    seed: int,
    holdout_largest: int,
) -> None:
    if drop_highest < 0 or holdout_largest < 0 or seed < 0:
        raise InputError("--drop-highest, --holdout-largest and --seed take a whole number, 0 or more")
    check_size(
        len(runs),
        bootstrap=bootstrap,
        seed=seed,
        drop_highest=drop_highest,
        holdout_largest=holdout_largest,
        source=runs.source,
    )
    if asymmetric is not None and not (np.isfinite(asymmetric) and asymmetric > 0):
        raise InputError(f"--asymmetric must be a finite weight above zero, e.g. 10 (got {asymmetric!r})")
    if bootstrap == 1 or bootstrap < 0:
        raise InputError(f"--bootstrap must be 0 (none) or at least 2 resamples, e.g. 1000 (got {bootstrap})")
    left = len(runs) - drop_highest
    if left < size:
        raise InputError(
            f"{runs.source} has {len(runs)} runs"
            + (f", {left} after --drop-highest {drop_highest}" if drop_highest else "")
            + f"; the {form} form has {size} parameters, so give at least {size} runs"
        )
    if holdout_largest and left - holdout_largest < size:
        raise InputError(
            f"--holdout-largest {holdout_largest} leaves {max(left - holdout_largest, 0)} of {left} runs "
            f"to fit, fewer than the {size} parameters of the {form} form; hold out fewer runs"
        )
    if len(set(runs.loss)) == 1:
        raise InputError(
            f"every run in {runs.source} has the same loss ({runs.loss[0]:g}), so no law of size and "
            "data can be fitted; check the loss column (--loss-col NAME)"
        )


def _level(code: str) -> Literal["warning", "note"]:
    return "note" if code == "residuals" else "warning"


def _fitted_range(runs: Runs, kept: Sequence[int]) -> Ranges:
    bounds: dict[str, tuple[float, float] | None] = {"flops": None, "params": None, "tokens": None}
    same = []
    for name in ("flops", "params", "tokens"):
        values = [getattr(runs, name)[index] for index in kept]
        low, high = min(values), max(values)
        if low < high:
            bounds[name] = (low, high)
        else:
            same.append(name)
    note = f"every fitted run has the same {' and '.join(same)}" if same else None
    return Ranges(**bounds, note=note)


def _covariance(module: FittableForm, theta: Any, resamples: int, seed: int) -> ParameterCovariance:
    """Covariance of the bootstrap draws in the form's ``COVARIED`` coordinates."""
    order = [module.THETA_NAMES.index(name) for name in module.COVARIED]
    matrix = np.cov(theta[:, order], rowvar=False)
    matrix = (matrix + matrix.T) / 2  # exactly symmetric, as the law format checks
    return ParameterCovariance(
        method="bootstrap",
        names=module.COVARIED,
        matrix=tuple(tuple(float(v) for v in row) for row in matrix),
        resamples=resamples,
        seed=seed,
    )


def _allocation(module: FittableForm, values: dict[str, float], flops: float) -> tuple[float, float, float]:
    """(N, D, loss) of the compute-optimal plan at `flops`; NaN where floating point gives none."""
    params = module.params_class()(**values)
    try:
        n = float(params.optimal_params(flops))
    except (ArithmeticError, ValueError):
        return math.nan, math.nan, math.nan
    if not (math.isfinite(n) and n > 0):
        return n, math.nan, math.nan
    try:
        loss = float(params.budget_loss(flops, n))
    except (ArithmeticError, ValueError):
        loss = math.nan
    return n, flops / (FLOPS_PER_PARAM_TOKEN * n), loss


def _budget_plan(
    module: FittableForm, point: dict[str, float], draws: Any, flops: float, sigma: float
) -> BudgetPlan:
    """The plan at `flops` under the fit, with intervals from its bootstrap refits; the loss
    interval adds the model error (sigma in log loss, as plans under the saved law do)."""
    n, d, loss = _allocation(module, point, flops)
    if not (math.isfinite(n) and n > 0):
        fitted = ", ".join(f"{name} = {value:.3g}" for name, value in point.items())
        raise InfeasibleError(
            f"the fit has no compute-optimal plan at --budget {flops:g}: its optimum is {n:.3g} parameters "
            f"({fitted}); check that the losses fall with model size and with tokens, or leave out --budget"
        )
    intervals = None
    table = np.zeros((0, 3))
    if draws is not None:
        rows = []
        for row in draws.tolist():
            try:
                rows.append(_allocation(module, dict(zip(module.PARAM_NAMES, row, strict=True)), flops))
            except (ArithmeticError, ValueError):
                continue
        table = np.array(rows, dtype=np.float64).reshape(-1, 3)
        table = table[np.isfinite(table).all(axis=1)]
    if draws is not None and len(table) >= 2:  # else no interval: too few draws plan at all
        tails = [100 * (1 - LEVEL) / 2, 100 * (1 + LEVEL) / 2]
        per_param = table[:, 1] / table[:, 0]
        noise = np.random.default_rng(0).standard_normal(len(table))  # fixed: the same report every time
        noisy = table[:, 2] * np.exp(sigma * noise)
        low, high = np.percentile(np.column_stack([table, per_param, noisy]), tails, axis=0)
        error = f"; loss with model error sigma {sigma:.3g} (docs/uncertainty.md)" if sigma > 0 else ""
        intervals = outward_all(  # reported as every interval is (planner.planning.rounding)
            Intervals(
                level=LEVEL,
                params=Interval(float(low[0]), float(high[0])),
                tokens=Interval(float(low[1]), float(high[1])),
                tokens_per_param=Interval(float(low[3]), float(high[3])),
                loss=Interval(float(low[4]), float(high[4])),
                parameter_loss=Interval(float(low[2]), float(high[2])),
                model_error=sigma,
                draws=len(table),
                failed=len(draws) - len(table),
                method=(
                    f"the plan under each of {len(draws)} bootstrap fits; {tails[0]:g}th to {tails[1]:g}th "
                    f"percentiles{error}"
                ),
            )
        )
    return BudgetPlan(flops=flops, optimum=Allocation(n, d, d / n, loss), intervals=intervals)


def _holdout(
    runs: Runs,
    arrays: tuple[Any, Any, Any],
    module: FittableForm,
    k: int,
    drop_highest: int,
    asymmetric: float | None,
    progress: Progress | None,
) -> Holdout:
    result = run_holdout(
        *arrays,
        k,
        form=module.FORM,
        drop_highest=drop_highest,
        asymmetric=asymmetric,
        delta=DELTA,
        progress=progress,
    )
    held = [
        HeldOutRun(
            row=int(index) + 1,
            params=runs.params[index],
            tokens=runs.tokens[index],
            flops=runs.flops[index],
            loss=runs.loss[index],
            predicted=float(predicted),
            relative_error=float(error),
        )
        for index, predicted, error in zip(
            result.heldout, result.predicted, result.relative_errors, strict=True
        )
    ]
    return Holdout(
        fitted=result.fit.n_runs,
        params=tuple(Estimate(name, result.fit.params[name], None, None) for name in module.LAW_ORDER),
        runs=tuple(held),
        rms_log_residual=result.rms_log_residual,
        max_abs_relative_error=result.max_abs_relative_error,
    )


def _isoflop(
    arrays: tuple[Any, Any, Any],
    drop_highest: int,
    budgets: Sequence[float],
    tolerance: float,
    bootstrap: int,
    seed: int,
) -> IsoflopFit:
    """Approach 2 on the runs the outlier policy keeps."""
    if not (math.isfinite(tolerance) and 0 < tolerance < 1):
        raise InputError(
            f"--isoflop-tolerance must be a fraction between 0 and 1, e.g. 0.1 (got {tolerance!r})"
        )
    kept = np.sort(np.argsort(arrays[2], kind="stable")[: len(arrays[2]) - drop_highest])
    params, tokens, loss = (values[kept] for values in arrays)
    return isoflop_fit(
        params, tokens, loss, budgets=budgets or None, tolerance=tolerance, bootstrap=bootstrap, seed=seed
    )


def _command(
    runs: Runs, form: str, drop_highest: int, asymmetric: float | None, bootstrap: int, seed: int
) -> str:
    """The `plan fit` command line that repeats this fit."""
    words = ["plan", "fit", runs.source if runs.source != "stdin" else "-", "--form", form]
    columns = runs.columns
    words += ["--params-col", columns.params]
    words += ["--tokens-col", columns.tokens] if columns.tokens else ["--flops-col", str(columns.flops)]
    words += ["--loss-col", columns.loss]
    if drop_highest:
        words += ["--drop-highest", str(drop_highest)]
    if asymmetric is not None:
        words += ["--asymmetric", f"{asymmetric:g}"]
    words += ["--bootstrap", str(bootstrap), "--seed", str(seed)]
    return shlex.join(words)
