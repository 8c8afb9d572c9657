"""Covariances of shipped laws derived here, by bootstrap of the public data behind them.

Owns `RECIPES` (for each law whose runs are public, how its authors bootstrapped them),
`derive` (that bootstrap repeated with the project's own fitter, `planner.fitting.fit`,
exactly what `plan fit` runs) and `gaussian_check` (whether a normal distribution in the
stored coordinates gives the bootstrap's own percentile intervals on a plan).
benchmarks/derive_covariance.py writes the result into the law file. numpy maths: no
printing, no files written.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

import numpy as np

from planner.fitting import chinchilla
from planner.fitting.bootstrap import BootstrapResult, bootstrap
from planner.fitting.runs import read_runs
from planner.laws.format import Covariance


@dataclass(frozen=True)
class BootstrapRecipe:
    """How a law's authors bootstrapped their runs, to repeat it on the same data."""

    law: str
    data: str
    """The data file's name in the shared data folder beside the project."""
    drop_highest: int
    resamples: int
    seed: int


RECIPES = {
    # Besiroglu et al. 2024 (arXiv 2404.10102), Sec. 3 and data_analysis.ipynb: the 5 runs
    # of highest loss left out, 4,000 resamples of the other 240, numpy seed 42.
    "besiroglu2024": BootstrapRecipe(
        law="besiroglu2024",
        data="chinchilla-fig4-epoch-extraction.csv",
        drop_highest=5,
        resamples=4000,
        seed=42,
    ),
}
"""The shipped laws whose covariance is derived here, by id."""
DATA_FROM_ROOT = "../shared/data"
"""Where the data sits, from the project's root (beside the project, never in it)."""

BUDGETS = (1e19, 1e21, 1e23, 5.76e23, 1e25)
"""Budgets of the Gaussian check: inside the fitted runs (up to 1.3e22), Chinchilla's, beyond."""
LEVELS = (0.8, 0.9, 0.95)


@dataclass(frozen=True)
class Derivation:
    """A recipe's bootstrap: the draws, their standard errors and the covariance to store."""

    recipe: BootstrapRecipe
    result: BootstrapResult
    covariance: Covariance

    @property
    def stderr(self) -> dict[str, float]:
        """Bootstrap standard errors of the raw parameters (E, A, B, alpha, beta)."""
        return self.result.stderr


def derive(recipe: BootstrapRecipe, path: str) -> Derivation:
    """Bootstrap the runs in `path` as `recipe` says, with the fitter `plan fit` uses.

    The covariance is the one `plan fit PATH --drop-highest K --bootstrap R --seed S`
    writes (the same draws, the same coordinates, the same arithmetic; a test checks):
    of (log E, log A, log B, alpha, beta), in which the draws are close to normal (see
    `gaussian_check`). Its `command` names the data as it sits beside the project.
    """
    runs = read_runs(path)
    arrays = (np.array(runs.params), np.array(runs.tokens), np.array(runs.loss))
    result = bootstrap(*arrays, K=recipe.resamples, seed=recipe.seed, drop_highest=recipe.drop_highest)
    order = [chinchilla.THETA_NAMES.index(name) for name in chinchilla.COVARIED]
    matrix = np.cov(result.theta_draws[:, order], rowvar=False)
    matrix = (matrix + matrix.T) / 2  # exactly symmetric, as plan fit writes it
    words = [
        *("plan", "fit", f"{DATA_FROM_ROOT}/{recipe.data}", "--form", "chinchilla"),
        *("--params-col", runs.columns.params),
        *(
            ("--tokens-col", runs.columns.tokens)
            if runs.columns.tokens
            else ("--flops-col", str(runs.columns.flops))
        ),
        *("--loss-col", runs.columns.loss, "--drop-highest", str(recipe.drop_highest)),
        *("--bootstrap", str(recipe.resamples), "--seed", str(recipe.seed)),
    ]
    covariance = Covariance(
        method="bootstrap",
        names=chinchilla.COVARIED,
        matrix=tuple(tuple(float(v) for v in row) for row in matrix),
        resamples=recipe.resamples,
        seed=recipe.seed,
        derived="here",
        command=shlex.join(words),
        data=recipe.data,
        data_sha256=runs.sha256,
        scatter=float(np.sqrt(np.mean(result.point.log_residuals**2))),
    )
    return Derivation(recipe=recipe, result=result, covariance=covariance)


@dataclass(frozen=True)
class Agreement:
    """One plan quantity at one budget and level: bootstrap percentiles against a Gaussian's."""

    quantity: str
    flops: float
    level: float
    bootstrap: tuple[float, float]
    gaussian: tuple[float, float]
    coverage: float
    """The share of bootstrap draws inside the Gaussian's interval (ideally `level`)."""
    shift: float
    """The larger endpoint difference, in log space, as a fraction of the bootstrap
    interval's log width (0: the same interval)."""
    relative: float
    """The larger endpoint difference relative to the bootstrap's endpoint."""


@dataclass(frozen=True)
class GaussianCheck:
    """How well normal draws in a coordinate set reproduce the bootstrap's plan intervals."""

    names: tuple[str, ...]
    rows: tuple[Agreement, ...]
    samples: int
    failed: int
    """Normal draws for which no optimum exists (alpha or beta not above zero); left out."""
    matrix: tuple[tuple[float, ...], ...]
    """The covariance of the bootstrap draws in these coordinates (as `derive` stores)."""

    @property
    def worst_shift(self) -> float:
        """The largest `shift` of any row."""
        return max(row.shift for row in self.rows)

    @property
    def worst_relative(self) -> float:
        """The largest `relative` endpoint difference of any row."""
        return max(row.relative for row in self.rows)

    @property
    def worst_coverage_gap(self) -> float:
        """The largest |coverage - level| of any row."""
        return max(abs(row.coverage - row.level) for row in self.rows)


def gaussian_check(
    derivation: Derivation,
    *,
    log_scales: bool = True,
    budgets: tuple[float, ...] = BUDGETS,
    levels: tuple[float, ...] = LEVELS,
    seed: int = 0,
) -> GaussianCheck:
    """Compare percentile intervals of the plan (N_opt, D_opt, loss) from the bootstrap draws
    with those from as many normal draws of the same mean (the point fit) and covariance.

    Args:
        derivation: the bootstrap, from `derive`.
        log_scales: the normal in (log E, log A, log B, alpha, beta), as stored; False for
            the raw (E, A, B, alpha, beta), for comparison.
        budgets, levels: where to compare.
        seed: of the normal draws.
    """
    result = derivation.result
    theta = result.theta_draws  # chinchilla.THETA_NAMES: log_A, log_B, log_E, alpha, beta
    point = np.asarray(result.point.theta, dtype=np.float64)
    if log_scales:
        names = chinchilla.COVARIED
        order = [chinchilla.THETA_NAMES.index(name) for name in names]
        coords, centre = theta[:, order], point[order]
    else:
        names = chinchilla.LAW_ORDER
        coords = result.draws  # E, A, B, alpha, beta
        centre = np.array(list(chinchilla.theta_to_params(point).values()))
    matrix = np.cov(coords, rowvar=False)
    matrix = (matrix + matrix.T) / 2
    normal = np.random.default_rng(seed).multivariate_normal(centre, matrix, size=coords.shape[0])
    if log_scales:
        normal_theta = normal[:, [order.index(k) for k in range(5)]]
    else:
        positive = (normal[:, :3] > 0).all(axis=1)
        normal, logs = normal[positive], np.log(np.clip(normal[:, :3], 1e-300, None))[positive]
        normal_theta = np.column_stack([logs[:, 1], logs[:, 2], logs[:, 0], normal[:, 3], normal[:, 4]])
    exists = (normal_theta[:, 3] > 0) & (normal_theta[:, 4] > 0)
    failed = coords.shape[0] - int(exists.sum())
    flops = np.asarray(budgets, dtype=np.float64)
    boot = chinchilla.compute_optimal(theta, flops)
    gauss = chinchilla.compute_optimal(normal_theta[exists], flops)
    rows = []
    for index, quantity in enumerate(("params", "tokens", "loss")):
        for column, budget in enumerate(budgets):
            b, g = np.log(boot[index][:, column]), np.log(gauss[index][:, column])
            for level in levels:
                tails = [100 * (1 - level) / 2, 100 * (1 + level) / 2]
                b_low, b_high = np.percentile(b, tails)
                g_low, g_high = np.percentile(g, tails)
                width = b_high - b_low
                rows.append(
                    Agreement(
                        quantity=quantity,
                        flops=budget,
                        level=level,
                        bootstrap=(float(np.exp(b_low)), float(np.exp(b_high))),
                        gaussian=(float(np.exp(g_low)), float(np.exp(g_high))),
                        coverage=float(np.mean((b >= g_low) & (b <= g_high))),
                        shift=float(max(abs(g_low - b_low), abs(g_high - b_high)) / width),
                        relative=float(np.expm1(max(abs(g_low - b_low), abs(g_high - b_high)))),
                    )
                )
    return GaussianCheck(
        names=tuple(names),
        rows=tuple(rows),
        samples=int(coords.shape[0]),
        failed=failed,
        matrix=tuple(tuple(float(v) for v in row) for row in matrix),
    )
