"""Which small runs to train: ladders of isoFLOP runs, and simulated fits that score them.

Owns `plan design`: a ladder (a few FLOP budgets spaced `budget_step` apart, `sizes` model
sizes spread around each budget's optimum under the prior law, as Hoffmann et al. 2022
Sec. 3.2 lay out their isoFLOP curves) whose runs cost at most the ladder budget; and the
simulation that scores it. Each simulated ladder is the prior law's losses with normal
noise in log loss (the residual scatter of real data sets, NOISE), refitted by `plan fit`'s
recipe from local starts around the prior in one batch (planner.fitting.optimize, as the
bootstrap refits resamples); the spread of the refits' predictions at the target is the
interval the ladder would give. No printing, no files.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from planner.errors import InputError
from planner.fitting import chinchilla
from planner.fitting.common import FloatArray, IntArray
from planner.fitting.forms import fitter
from planner.fitting.ladders import (
    DEFAULT_NOISE,
    LEVEL,
    SERIES,
    check_design,
    least_ladder,
    plain,
    rungs,
)
from planner.fitting.optimize import batched_lbfgsb, chunked
from planner.planning.design_results import LadderDesign, LadderOutcome, LadderRun
from planner.planning.model_error import MODEL_ERROR
from planner.planning.results import Allocation, Interval, Notice, law_ref, planner_version
from planner.units import FLOPS_PER_PARAM_TOKEN

TYPE_CHECKING = False
if TYPE_CHECKING:
    from planner.forms.base import Law

MAXITER, FTOL, PGTOL = 2000, 1e-13, 1e-9


def ladder(
    law: Law,
    ladder_budget: float,
    budgets: int,
    sizes: int,
    step: float,
    spread: float,
    top_step: float | None = None,
) -> tuple[LadderRun, ...]:
    """The runs of a ladder: `budgets` budgets `step` apart (the top one `top_step` above the
    one below it), as large as the ladder budget allows, each with `sizes` sizes log-spaced from 1/`spread` to `spread` times the
    prior law's optimum there. Sizes are rounded to 3 significant digits and tokens down to
    a whole number, so no run costs more than its budget and the ladder no more than its own."""
    multiples = rungs(budgets, step, top_step)
    smallest = ladder_budget / (sizes * math.fsum(multiples)) * (1 - 1e-9)
    runs = []
    for multiple in multiples:
        budget = smallest * multiple
        optimum = float(law.params.optimal_params(budget))
        for k in range(sizes):
            exponent = -1.0 + 2.0 * k / (sizes - 1)
            params = float(f"{optimum * spread**exponent:.3g}")
            tokens = float(math.floor(budget / (FLOPS_PER_PARAM_TOKEN * params)))
            runs.append(LadderRun(budget, params, tokens, FLOPS_PER_PARAM_TOKEN * params * tokens))
    return tuple(runs)


def propose(
    law: Law, ladder_budget: float, budgets: int = 5, sizes: int = 5, step: float = 3.0, spread: float = 4.0
) -> tuple[LadderRun, ...]:
    """The runs of the proposed ladder alone, without simulating it (what --format csv writes).

    Raises:
        InputError: a ladder that cannot be made (check_design's refusals but the target's).
    """
    check_design(math.inf, ladder_budget, budgets, sizes, step, spread, 20, DEFAULT_NOISE)
    return ladder(law, ladder_budget, budgets, sizes, step, spread)


def theta_of(law: Law) -> FloatArray:
    """The law's parameters as the chinchilla fitter's theta = (log A, log B, log E, alpha, beta)."""
    p = law.params
    return np.array([math.log(p.A), math.log(p.B), math.log(p.E), p.alpha, p.beta])


class _Ladders(chinchilla.ChinchillaKernel):
    """The chinchilla kernel with one simulated ladder per block of `n_loc` starts: start i
    fits the log losses `Y[i // n_loc]` (the bootstrap's kernel varies weights, this the losses)."""

    def __init__(self, logN: FloatArray, logD: FloatArray, Y: FloatArray, n_loc: int, delta: float) -> None:
        super().__init__(logN, logD, Y[0], delta)
        self._Y = Y
        self._n_loc = n_loc

    def __call__(self, theta: FloatArray, rows: IntArray | None = None) -> tuple[FloatArray, FloatArray]:
        assert rows is not None
        self.logL = self._Y[rows // self._n_loc]
        return super().__call__(theta, rows)


def simulate(
    theta: FloatArray,
    runs: Sequence[LadderRun],
    target_flops: float,
    target_run: tuple[float, float] | None,
    *,
    noise: float,
    simulations: int,
    seed: int,
    delta: float = 1e-3,
) -> tuple[FloatArray, FloatArray, FloatArray, int]:
    """N_opt, D_opt at the target's FLOPs and the target's loss under each simulated fit.

    Returns the three arrays (failed fits removed) and the number that failed: a fit whose
    optimum is not a finite positive number, or that stopped at the fitter's box.
    """
    logN = np.log([run.params for run in runs])
    logD = np.log([run.tokens for run in runs])
    truth = chinchilla.log_predict(theta[None, :], logN, logD)[0]
    rng = np.random.default_rng(seed)
    Y = truth + noise * rng.standard_normal((simulations, logN.size))
    # One start per ladder, at the truth: 9 local starts (as the bootstrap's) gave the same
    # N_opt width to 0.1% on the default design at 2.3 times the cost.
    res = batched_lbfgsb(
        chunked(_Ladders(logN, logD, Y, 1, delta), logN.size),
        np.tile(theta, (simulations, 1)),
        chinchilla.LOWER,
        chinchilla.UPPER,
        maxiter=MAXITER,
        ftol=FTOL,
        pgtol=PGTOL,
    )
    fits = res.x
    n_opt, d_opt, loss = (values[:, 0] for values in chinchilla.compute_optimal(fits, [target_flops]))
    if target_run is not None:
        logs = np.log(np.array(target_run))
        loss = np.exp(chinchilla.log_predict(fits, logs[:1], logs[1:])[:, 0])
    edge = ((fits <= chinchilla.LOWER + 1e-9) | (fits >= chinchilla.UPPER - 1e-9)).any(axis=1)
    ok = np.isfinite(n_opt) & np.isfinite(d_opt) & np.isfinite(loss) & (n_opt > 0) & (d_opt > 0) & ~edge
    return n_opt[ok], d_opt[ok], loss[ok], int((~ok).sum())


def _interval(values: FloatArray, log: bool = True) -> Interval:
    tails = [100 * (1 - LEVEL) / 2, 100 * (1 + LEVEL) / 2]
    if log:
        low, high = np.exp(np.percentile(np.log(values), tails))
    else:
        low, high = np.percentile(values, tails)
    return Interval(float(low), float(high))


def _width_stderr(values: FloatArray, seed: int) -> float:
    """The standard error of log(high / low) of `values`, by a bootstrap of the simulations."""
    rng = np.random.default_rng(seed)
    logs = np.log(values)
    draws = logs[rng.integers(0, logs.size, size=(200, logs.size))]
    tails = np.percentile(draws, [100 * (1 - LEVEL) / 2, 100 * (1 + LEVEL) / 2], axis=1)
    return float(np.std(tails[1] - tails[0], ddof=1))


def outcome(
    name: str,
    law: Law,
    theta: FloatArray,
    target_flops: float,
    target_run: tuple[float, float] | None,
    ladder_budget: float,
    budgets: int,
    sizes: int,
    step: float,
    spread: float,
    top_step: float | None = None,
    *,
    noise: float,
    simulations: int,
    seed: int,
) -> tuple[LadderOutcome, tuple[LadderRun, ...]]:
    """One design, laid out and scored by `simulations` simulated fits."""
    runs = ladder(law, ladder_budget, budgets, sizes, step, spread, top_step)
    n_opt, d_opt, loss, failed = simulate(
        theta, runs, target_flops, target_run, noise=noise, simulations=simulations, seed=seed
    )
    if n_opt.size < simulations / 2:
        raise InputError(
            f"{failed} of {simulations} simulated fits of the {name} ladder found no optimum at noise "
            f"{noise:g}; give less --noise, a larger --ladder-budget or more --sizes"
        )
    top = max(run.flops for run in runs)
    decades = max(0.0, math.log10(target_flops / top))
    sigma = MODEL_ERROR.sigma(noise, decades)
    z = np.random.default_rng(seed + 1).standard_normal(loss.size)
    params, tokens = _interval(n_opt), _interval(d_opt)
    fitted = _interval(loss)
    outcome = LadderOutcome(
        name=name,
        budgets=budgets,
        sizes=sizes,
        budget_step=step,
        top_step=step if top_step is None else top_step,
        spread=spread,
        ladder_budget=ladder_budget,
        used_flops=math.fsum(run.flops for run in runs),
        smallest_budget=runs[0].budget,
        top_budget=runs[-1].budget,
        runs=len(runs),
        decades=decades,
        simulations=simulations,
        failed=failed,
        params=params,
        tokens=tokens,
        loss=fitted,
        loss_with_model_error=_interval(loss * np.exp(sigma * z)),
        params_width=params.high / params.low,
        tokens_width=tokens.high / tokens.low,
        loss_width=fitted.high - fitted.low,
        params_width_stderr=_width_stderr(n_opt, seed + 2),
    )
    return outcome, runs


def design(
    law: Law | str | None,
    ladder_budget: float,
    *,
    target_flops: float | None = None,
    target_params: float | None = None,
    target_tokens: float | None = None,
    budgets: int = 5,
    sizes: int = 5,
    step: float = 3.0,
    spread: float = 4.0,
    noise: float = DEFAULT_NOISE,
    simulations: int = 300,
    seed: int = 0,
    every_design: bool = False,
) -> LadderDesign:
    """A ladder for the target, compared with other ways to spend its compute, by simulation.

    Args:
        law: the prior law (chinchilla form): the truth of the simulations and where each
            budget's sizes centre; a `Law`, a law id or file, or None for the default law.
        ladder_budget: FLOPs the ladder's runs may cost together.
        target_flops: the target run's budget; or target_params with target_tokens, its size.
        budgets, sizes, step, spread: the proposed ladder's shape (see ladder).
        noise: scatter of the simulated losses, normal in log loss (NOISE: the measured ones).
        simulations: simulated ladders per design.
        seed: seed of the simulated noise (the same design always gives the same answer).
        every_design: also score each other design at the series' ladder budgets
            (`compared_series`, what `plan plot design` draws), not only the proposed one.

    Raises:
        InputError: a design that cannot be made (check_design), a law that is not of the
            chinchilla form, or a target given both ways or neither.
    """
    if law is None or isinstance(law, str):
        from planner.laws.catalog import default_law, find_law

        law = default_law() if law is None else find_law(law)
    try:
        module = fitter(law.form)
    except InputError:
        module = None
    if module is not chinchilla:
        raise InputError(
            f"plan design simulates fits of the chinchilla form, and {law.id} has form {law.form}; "
            "give --law with a chinchilla law, e.g. besiroglu2024"
        )
    target_run = None
    if target_params is not None or target_tokens is not None:
        if target_params is None or target_tokens is None or target_flops is not None:
            raise InputError("give --target-flops C, or --target-params N with --target-tokens D")
        target_run = (target_params, target_tokens)
        target_flops = FLOPS_PER_PARAM_TOKEN * target_params * target_tokens
    if target_flops is None:
        raise InputError("give --target-flops C, or --target-params N with --target-tokens D")
    check_design(target_flops, ladder_budget, budgets, sizes, step, spread, simulations, noise)
    theta = theta_of(law)

    def score(
        name: str, budget: float, k: int, m: int, r: float, top: float | None = None
    ) -> tuple[LadderOutcome, tuple[LadderRun, ...]]:
        assert target_flops is not None
        return outcome(
            name,
            law,
            theta,
            target_flops,
            target_run,
            budget,
            k,
            m,
            r,
            spread,
            top,
            noise=noise,
            simulations=simulations,
            seed=seed,
        )

    shapes: list[tuple[str, int, int, float, float | None]] = [
        ("proposed", budgets, sizes, step, None),
        ("more budgets", budgets + 2, sizes, step, None),
        ("more sizes", budgets, sizes + 2, step, None),
        ("bigger top", budgets, sizes, step, step * step),
        ("wider steps", budgets, sizes, step * step, None),
    ]
    notices = []
    designs = []
    proposed_runs: tuple[LadderRun, ...] = ()
    for name, k, m, r, top in shapes:
        need = least_ladder(k, m, r, top)
        if ladder_budget < need:
            notices.append(
                Notice(
                    "design_skipped",
                    f"the {name} design ({k} budgets of {m} sizes, {r:g}x apart) does not fit in "
                    f"--ladder-budget {plain(ladder_budget)}; it needs {plain(need, 2)}",
                    "note",
                )
            )
            continue
        result, runs = score(name, ladder_budget, k, m, r, top)
        designs.append(result)
        if name == "proposed":
            proposed_runs = runs
    scored = {result.name: result for result in designs}

    def along(name: str, k: int, m: int, r: float, top: float | None) -> list[LadderOutcome]:
        """The design at each ladder budget of SERIES that holds it (the asked one: as scored)."""
        out = []
        for factor in SERIES:
            budget = ladder_budget * factor
            if factor == 1.0:
                out += [scored[name]] if name in scored else []
            elif least_ladder(k, m, r, top) <= budget < target_flops:
                out.append(score(name, budget, k, m, r, top)[0])
        return out

    series = along(*shapes[0])
    compared = [point for shape in shapes[1:] for point in along(*shape)] if every_design else []
    favoured, verdict = _verdict(designs)
    n_opt = float(law.params.optimal_params(target_flops))
    d_opt = target_flops / (FLOPS_PER_PARAM_TOKEN * n_opt)
    loss = (
        float(law.params.loss(*target_run))
        if target_run
        else float(law.params.budget_loss(target_flops, n_opt))
    )
    return LadderDesign(
        planner_version=planner_version(),
        law=law_ref(law),
        target_flops=target_flops,
        target_params=target_params,
        target_tokens=target_tokens,
        prior=Allocation(n_opt, d_opt, d_opt / n_opt, loss),
        noise=noise,
        noise_source=(
            "RMS log residual of plan fit on Chinchilla's runs (Epoch AI's extraction)"
            if noise == DEFAULT_NOISE
            else "given with --noise"
        ),
        level=LEVEL,
        seed=seed,
        method=(
            f"{simulations} simulated ladders per design: the prior law's losses with normal noise in log "
            f"loss (sigma {noise:.3g}), each refitted by plan fit's Huber recipe starting from the "
            "prior's parameters; intervals are central percentiles of the refits' predictions"
        ),
        runs=proposed_runs,
        designs=tuple(designs),
        series=tuple(series),
        compared_series=tuple(compared),
        favoured=favoured,
        verdict=verdict,
        notices=tuple(notices),
    )


def _verdict(designs: Sequence[LadderOutcome]) -> tuple[str, str]:
    """Which design gives the narrowest N_opt interval, and how much narrower than the proposed."""
    base = designs[0]
    best = min(designs, key=lambda d: d.params_width)
    if best is base:
        return base.name, (
            f"the proposed ladder gives the narrowest N_opt interval (x{base.params_width:.3g}); "
            "none of the alternatives narrows it"
        )
    gain = 1 - math.log(best.params_width) / math.log(base.params_width)
    error = math.hypot(best.params_width_stderr, base.params_width_stderr) / math.log(base.params_width)
    sure = "more than" if gain > 2 * error else "within"
    return best.name, (
        f"{best.name} narrows the 95% interval of N_opt most: x{best.params_width:.3g} against "
        f"x{base.params_width:.3g} for the proposed ladder, {gain:.0%} narrower in log width "
        f"({sure} twice the simulation's standard error, {error:.0%}); loss +-{best.loss_width / 2:.3f} "
        f"against +-{base.loss_width / 2:.3f}"
    )
