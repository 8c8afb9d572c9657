"""Backtests of a fit: fit the smaller runs, predict the larger ones, and score the predictions.

Owns splitting runs at compute cuts (or holding out the largest), the fit recipes compared
(`RECIPES`), the prediction intervals of a held-out run (bootstrap draws of the fit plus the
model-error term of planner.planning.model_error), their coverage, pooled calibration, and
`calibrate`, the fit of the model-error constant to backtests. The result types are records,
the `plan backtest --json` contract (field order is output order). No printing, no files.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import NormalDist
from typing import TYPE_CHECKING, Any

from planner.errors import InputError
from planner.planning.model_error import MODEL_ERROR, ModelError
from planner.planning.results import Notice
from planner.records import Record
from planner.version import FORMAT

if TYPE_CHECKING:
    from planner.fitting.forms import FittableForm
    from planner.fitting.progress import Progress
    from planner.fitting.runs import Runs

LEVELS = (0.5, 0.8, 0.95)
"""The nominal coverages of the prediction intervals a backtest reports."""
DELTA = 1e-3
"""Huber threshold of Hoffmann et al. 2022 (arXiv 2203.15556, App. D.2), as `plan fit` uses."""
ENVELOPE_WEIGHT = 10.0
"""Weight of runs the curve predicts too high in the lower-envelope recipe (`plan fit --asymmetric 10`)."""
Z_POINTS = 41
"""Normal quantiles per bootstrap draw when the model error is added to the draws."""


class FitRecipe(Record):
    """How a law is fitted: the robust loss on log-loss residuals, and its asymmetry."""

    name: str
    method: str
    delta: float | None
    """Huber threshold; None for plain least squares."""
    asymmetric: float | None
    """Weight of runs predicted too high (the lower envelope); None for a symmetric loss."""


RECIPE_NAMES = ("huber", "squares", "envelope")
"""The recipes, the first the fitter's default."""


def recipe(name: str, *, asymmetric: float = ENVELOPE_WEIGHT) -> FitRecipe:
    """The recipe called `name` (one of RECIPE_NAMES); `asymmetric` weighs the envelope's.

    huber: Hoffmann et al. 2022 (App. D.2) as Besiroglu et al. 2024 (arXiv 2404.10102) repeat
    it, `plan fit`'s default. squares: least squares on log loss, the loss of curve fits such
    as Gadre et al. 2024 (arXiv 2403.08540, scipy curve_fit) and Porian et al. 2024 (arXiv
    2406.19146). envelope: the Huber loss with runs above the curve weighted, `plan fit
    --asymmetric`.
    """
    if name == "huber":
        return FitRecipe(name, f"Huber loss (delta {DELTA:g}) on log loss", DELTA, None)
    if name == "squares":
        return FitRecipe(name, "least squares on log loss", None, None)
    if name == "envelope":
        method = f"Huber loss (delta {DELTA:g}) on log loss, runs above the curve weighted {asymmetric:g}x"
        return FitRecipe(name, method, DELTA, asymmetric)
    raise InputError(f"no recipe {name!r}; choose one of: {', '.join(RECIPE_NAMES)}")


class Band(Record):
    """A prediction interval of a held-out run's loss, and whether the observed loss is in it."""

    level: float
    low: float
    high: float
    covered: bool


class HeldOut(Record, kw_only=True):
    """A run above the cut: what the fit below the cut predicts for it, and how far off it is."""

    row: int
    params: float
    tokens: float
    flops: float
    loss: float
    predicted: float
    relative_error: float
    """predicted / observed - 1."""
    log_error: float
    """log(predicted / observed)."""
    decades: float
    """log10 of its FLOPs over the largest fitted run's."""
    spread: float
    """Standard deviation of log predicted loss over the bootstrap fits (0 without them)."""
    sigma: float
    """The model error's standard deviation of log loss for this run (0 without it)."""
    intervals: tuple[Band, ...]
    """Prediction intervals: the bootstrap draws with the model error added."""
    parameter_intervals: tuple[Band, ...]
    """The bootstrap draws' percentiles alone (empty without a bootstrap)."""


class Coverage(Record):
    """How many held-out runs fell inside their intervals at one nominal level."""

    level: float
    runs: int
    covered: int
    fraction: float
    parameter_covered: int | None
    """Inside the bootstrap-only intervals; None without a bootstrap."""
    parameter_fraction: float | None


class Backtest(Record, kw_only=True):
    """One backtest: a recipe fitted to the runs below a cut, scored on the runs above it."""

    format: str = FORMAT
    planner_version: str
    source: str
    sha256: str
    form: str
    recipe: FitRecipe
    cut: float
    fitted: int
    held_out: int
    dropped_rows: tuple[int, ...]
    largest_fitted_flops: float
    params: dict[str, float]
    scatter: float
    """RMS log residual of the fit over its own runs: s of the model error."""
    mean_abs_error: float
    """Mean of |predicted / observed - 1| over the held-out runs."""
    mean_error: float
    """Mean of predicted / observed - 1: above 0, the fit over-predicts the larger runs."""
    rms_log_error: float
    bootstrap: int
    seed: int
    converged: int
    model_error: ModelError | None
    coverage: tuple[Coverage, ...]
    runs: tuple[HeldOut, ...]
    notices: tuple[Notice, ...] = ()


def cuts_for(runs: Runs, cuts: Sequence[float], holdout_largest: int, drop_highest: int) -> list[float]:
    """The compute cuts, sorted and distinct: those given, and the one holding out the largest K.

    Raises:
        InputError: no cut and no K, a cut not above some run and at or below another, or a
            K that leaves no run to fit.
    """
    kept = _kept(runs, drop_highest)
    flops = sorted(runs.flops[index] for index in kept)
    if not cuts and not holdout_largest:
        raise InputError(
            "give --cut FLOPS (fit the runs below it, predict those above) or --holdout-largest K"
        )
    chosen = set()
    low, high = flops[0], flops[-1]
    for cut in cuts:
        if not (math.isfinite(cut) and low < cut <= high):
            side = "every run is above it" if cut <= low else "no run is at or above it"
            raise InputError(
                f"--cut {cut:g} is outside the runs ({low:.3g} to {high:.3g} FLOPs): {side}; "
                f"give a cut above {low:.3g} and at most {high:.3g}"
            )
        chosen.add(float(cut))
    if holdout_largest:
        if holdout_largest >= len(flops):
            raise InputError(
                f"--holdout-largest {holdout_largest} holds out every one of the {len(flops)} runs; hold out fewer"
            )
        chosen.add(flops[-holdout_largest])
    return sorted(chosen)


def backtest(
    runs: Runs,
    *,
    cuts: Sequence[float] = (),
    holdout_largest: int = 0,
    recipes: Sequence[str] = ("huber",),
    form: str = "chinchilla",
    drop_highest: int = 0,
    asymmetric: float = ENVELOPE_WEIGHT,
    bootstrap: int = 200,
    seed: int = 0,
    model_error: ModelError | None = MODEL_ERROR,
    progress: Progress | None = None,
) -> list[Backtest]:
    """Backtest each recipe at each cut: fit the runs below it, predict those at or above it.

    Args:
        runs: checked runs (planner.fitting.runs.read_runs).
        cuts: compute cuts in FLOPs.
        holdout_largest: also a cut that holds out the K largest-compute runs (and any tied
            with the smallest of them).
        recipes: names of RECIPE_NAMES.
        form: the law form, a name of planner.fitting.forms.fittable_forms().
        drop_highest: leave out the K runs of highest loss first, from fitting and scoring.
        asymmetric: the envelope recipe's weight.
        bootstrap: resamples of the fitted runs for the parameter draws (0: none).
        seed: seed of the resampling.
        model_error: the term added to the draws, or None for the draws alone.
        progress: a callback told how far the work has got (planner.fitting.progress):
            backtests done out of all of them ("backtests"), and within each its fit and
            its bootstrap. None (the default): nothing is told.

    Returns:
        One Backtest per recipe and cut, recipe by recipe, cuts in increasing order.

    Raises:
        InputError: a bad option, a cut outside the runs, or fewer runs below a cut than the
            form has parameters.
    """
    from planner.fitting.forms import fitter
    from planner.fitting.limits import check_size

    module = fitter(form)
    chosen = [recipe(name, asymmetric=asymmetric) for name in dict.fromkeys(recipes)]
    if not (math.isfinite(asymmetric) and asymmetric > 0):
        raise InputError(f"--asymmetric must be a finite weight above zero, e.g. 10 (got {asymmetric!r})")
    if bootstrap == 1 or bootstrap < 0:
        raise InputError(f"--bootstrap must be 0 (none) or at least 2 resamples, e.g. 200 (got {bootstrap})")
    if drop_highest < 0 or seed < 0:
        raise InputError("--drop-highest and --seed take a whole number, 0 or more")
    size = len(module.PARAM_NAMES)
    if len(runs) - drop_highest <= size:
        raise InputError(
            f"{runs.source} has {len(runs)} runs"
            + (
                f", {max(len(runs) - drop_highest, 0)} after --drop-highest {drop_highest}"
                if drop_highest
                else ""
            )
            + f"; the {form} form has {size} parameters, so give at least {size + 1} runs"
        )
    check_size(
        len(runs),
        bootstrap=bootstrap,
        seed=seed,
        drop_highest=drop_highest,
        holdout_largest=0,
        source=runs.source,
    )
    splits = cuts_for(runs, cuts, holdout_largest, drop_highest)
    kept = _kept(runs, drop_highest)
    for cut in splits:
        below = sum(1 for index in kept if runs.flops[index] < cut)
        if below < size:
            raise InputError(
                f"--cut {cut:g} leaves {below} runs below it to fit, fewer than the {size} parameters "
                f"of the {form} form; give a higher cut"
            )
    tests = [(entry, cut) for entry in chosen for cut in splits]
    done: list[Backtest] = []
    for entry, cut in tests:
        if progress is not None:
            progress("backtests", len(done), len(tests))
        done.append(
            _one(runs, module, entry, cut, kept, drop_highest, bootstrap, seed, model_error, progress)
        )
    if progress is not None:
        progress("backtests", len(done), len(tests))
    return done


def calibration(backtests: Sequence[Backtest]) -> tuple[Coverage, ...]:
    """The coverage of every level pooled over backtests (over their held-out runs)."""
    pooled = []
    for level in LEVELS:
        rows = [c for test in backtests for c in test.coverage if c.level == level]
        if not rows:
            continue
        runs = sum(c.runs for c in rows)
        covered = sum(c.covered for c in rows)
        parameter = [c.parameter_covered for c in rows if c.parameter_covered is not None]
        with_draws = sum(c.runs for c in rows if c.parameter_covered is not None)
        pooled.append(
            Coverage(
                level,
                runs,
                covered,
                covered / runs if runs else 0.0,
                sum(parameter) if parameter else None,
                sum(parameter) / with_draws if parameter and with_draws else None,
            )
        )
    return tuple(pooled)


def calibrate(backtests: Sequence[Backtest], fitted_on: Sequence[str]) -> ModelError:
    """The model-error term fitted to the held-out runs of `backtests`, by maximum likelihood.

    Each held-out run's log error is taken as normal with variance spread^2 + s^2 + (k x)^2
    (its bootstrap predictions' variance, the fit's own scatter, the growth with distance),
    and k is the value in [0, 1] that makes the errors most likely.
    """
    import numpy as np
    from scipy.optimize import minimize_scalar

    rows = [(run, test.scatter) for test in backtests for run in test.runs]
    if not rows:
        raise InputError("no held-out runs to fit the model error to")
    error = np.array([run.log_error for run, _ in rows])
    fixed = np.array([run.spread**2 + scatter**2 for run, scatter in rows])
    decades = np.array([max(run.decades, 0.0) for run, _ in rows])

    def minus_log_likelihood(k: float) -> float:
        variance = fixed + (k * decades) ** 2
        return float(0.5 * np.sum(np.log(variance) + error**2 / variance))

    best = minimize_scalar(minus_log_likelihood, bounds=(0.0, 1.0), method="bounded", options={"xatol": 1e-6})
    return MODEL_ERROR.replace(per_decade=float(best.x), fitted_on=tuple(fitted_on), held_out=len(rows))


def _kept(runs: Runs, drop_highest: int) -> list[int]:
    """Indices of the runs left after leaving out the `drop_highest` of highest loss."""
    order = sorted(range(len(runs)), key=lambda index: runs.loss[index])
    return sorted(order[: len(runs) - drop_highest])


def _one(
    runs: Runs,
    module: FittableForm,
    entry: FitRecipe,
    cut: float,
    kept: list[int],
    drop_highest: int,
    bootstrap: int,
    seed: int,
    model_error: ModelError | None,
    progress: Progress | None = None,
) -> Backtest:
    import numpy as np

    from planner.fitting.bootstrap import bootstrap as run_bootstrap
    from planner.version import __version__

    train = [index for index in kept if runs.flops[index] < cut]
    held = [index for index in kept if runs.flops[index] >= cut]
    n, d, loss = (np.array([getattr(runs, name)[i] for i in train]) for name in ("params", "tokens", "loss"))
    delta = math.inf if entry.delta is None else entry.delta
    point = module.fit(n, d, loss, asymmetric=entry.asymmetric, delta=delta, progress=progress)
    log_n = np.log(np.array([runs.params[i] for i in held]))
    log_d = np.log(np.array([runs.tokens[i] for i in held]))
    observed = np.log(np.array([runs.loss[i] for i in held]))
    predicted = module.log_predict(np.asarray(point.theta)[None, :], log_n, log_d)[0]
    draws = None
    converged = 0
    notices = [
        Notice(code, f"{entry.name} fit below {cut:g} FLOPs: {message}")
        for code, message in point.diagnostics
        if code != "residuals"
    ]
    if bootstrap:
        result = run_bootstrap(
            n,
            d,
            loss,
            bootstrap,
            seed,
            form=module.FORM,
            asymmetric=entry.asymmetric,
            delta=delta,
            point=point,
            progress=progress,
        )
        converged = result.n_converged
        draws = module.log_predict(result.theta_draws, log_n, log_d)
        draws = draws[np.isfinite(draws).all(axis=1)]
        if converged < 0.99 * bootstrap:
            notices.append(
                Notice(
                    "bootstrap_not_converged",
                    f"{entry.name} fit below {cut:g} FLOPs: {bootstrap - converged} of {bootstrap} "
                    "bootstrap refits did not converge; its intervals may be too narrow",
                )
            )
    scatter = float(np.sqrt(np.mean(point.log_residuals**2)))
    largest = max(runs.flops[i] for i in train)
    held_runs = []
    for at, index in enumerate(held):
        flops = runs.flops[index]
        decades = max(math.log10(flops / largest), 0.0)
        sigma = model_error.sigma(scatter, decades) if model_error is not None else 0.0
        column = None if draws is None or len(draws) < 2 else draws[:, at]
        intervals = _bands(float(predicted[at]), column, sigma, float(observed[at]))
        parameter = (
            _bands(float(predicted[at]), column, 0.0, float(observed[at])) if column is not None else ()
        )
        error = float(predicted[at] - observed[at])
        held_runs.append(
            HeldOut(
                row=runs.row(index),
                params=runs.params[index],
                tokens=runs.tokens[index],
                flops=flops,
                loss=runs.loss[index],
                predicted=math.exp(float(predicted[at])),
                relative_error=math.expm1(error),
                log_error=error,
                decades=decades,
                spread=float(np.std(column, ddof=1)) if column is not None else 0.0,
                sigma=sigma,
                intervals=intervals,
                parameter_intervals=parameter,
            )
        )
    errors = [run.relative_error for run in held_runs]
    dropped = [runs.row(i) for i in sorted(set(range(len(runs))) - set(kept))] if drop_highest else []
    return Backtest(
        planner_version=__version__,
        source=runs.source,
        sha256=runs.sha256,
        form=module.FORM,
        recipe=entry,
        cut=float(cut),
        fitted=len(train),
        held_out=len(held),
        dropped_rows=tuple(dropped),
        largest_fitted_flops=largest,
        params={name: float(point.params[name]) for name in module.LAW_ORDER},
        scatter=scatter,
        mean_abs_error=sum(abs(e) for e in errors) / len(errors),
        mean_error=sum(errors) / len(errors),
        rms_log_error=math.sqrt(sum(run.log_error**2 for run in held_runs) / len(held_runs)),
        bootstrap=bootstrap,
        seed=seed,
        converged=converged,
        model_error=model_error,
        coverage=_coverage(held_runs),
        runs=tuple(held_runs),
        notices=tuple(notices),
    )


def _bands(point: float, draws: Any, sigma: float, observed: float) -> tuple[Band, ...]:
    """The intervals of LEVELS for one run, in loss, from log-loss draws plus N(0, sigma^2).

    Without draws the interval is the point prediction's normal one; without sigma the
    draws' percentiles; with both, percentiles of the draws each spread over Z_POINTS
    evenly spaced normal quantiles (deterministic, so a backtest always prints the same).
    """
    import numpy as np

    if draws is None and sigma <= 0:
        return ()
    normal = NormalDist()
    bands = []
    if draws is not None and sigma > 0:
        z = np.array([normal.inv_cdf((j + 0.5) / Z_POINTS) for j in range(Z_POINTS)])
        samples = (draws[:, None] + sigma * z[None, :]).reshape(-1)
    else:
        samples = draws
    for level in LEVELS:
        if samples is None:
            half = normal.inv_cdf(0.5 + level / 2) * sigma
            low, high = point - half, point + half
        else:
            low, high = (float(v) for v in np.percentile(samples, [50 * (1 - level), 50 * (1 + level)]))
        bands.append(Band(level, math.exp(low), math.exp(high), low <= observed <= high))
    return tuple(bands)


def _coverage(held: Sequence[HeldOut]) -> tuple[Coverage, ...]:
    out = []
    for at, level in enumerate(LEVELS):
        if not held or not held[0].intervals:
            break
        covered = sum(run.intervals[at].covered for run in held)
        with_draws = bool(held[0].parameter_intervals)
        parameter = sum(run.parameter_intervals[at].covered for run in held) if with_draws else None
        out.append(
            Coverage(
                level,
                len(held),
                covered,
                covered / len(held),
                parameter,
                parameter / len(held) if parameter is not None else None,
            )
        )
    return tuple(out)
