"""What `plan design` refuses, in plain arithmetic, and the constants a ladder is made of.

Owns the measured noise of the shared data sets, the smallest sensible run, the budgets of
a ladder as multiples of its smallest, and `check_design`, which refuses a design that
cannot be made before numpy loads (planner.fitting.design lays it out and simulates it).
Standard library only.
"""

from __future__ import annotations

import math

from planner.errors import InputError
from planner.units import FLOPS_PER_PARAM_TOKEN

NOISE = (
    ("chinchilla-fig4-epoch-extraction.csv, 240 runs (5 of highest loss left out)", 0.00755),
    ("gadre2024-openlm-runs.csv, C4, 34 runs", 0.02991),
    ("gadre2024-openlm-runs.csv, RedPajama, 35 runs", 0.02932),
    ("gadre2024-openlm-runs.csv, RefinedWeb, 35 runs", 0.02662),
    ("porian2024-isoflop-points.csv, RefinedWeb, Chinchilla decay, 88 points", 0.01979),
    ("porian2024-isoflop-points.csv, OpenWebText2, Chinchilla decay, 88 points", 0.01974),
)
"""RMS log residual of `plan fit` (Chinchilla form, Huber recipe) on each shared data set in
../shared/data, loss_c4_val for Gadre et al., val loss and standard N for Porian et al.;
docs/design.md gives the commands; tests/contracts/test_isoflop_reproduction.py
measures the first (the default) again whenever the data is there."""
DEFAULT_NOISE = 0.00755
"""The scatter of Chinchilla's own runs (NOISE's first), in log loss: the ladder approach 2 and
this design copy. The other data sets scatter 2.6 to 4 times more, partly from runs far off
any isoFLOP ladder (Gadre et al.'s 640 tokens per parameter); give one with --noise."""

MIN_RUN_PARAMS = 1e7
"""The smallest sensible model of a ladder: 10M parameters, about the smallest of Gadre et
al.'s OpenLM runs (11M) and Porian et al.'s (5M), below which embeddings dominate."""
MIN_RUN_FLOPS = FLOPS_PER_PARAM_TOKEN * MIN_RUN_PARAMS * 20 * MIN_RUN_PARAMS
"""The cost of that model at Chinchilla's 20 tokens per parameter: 1.2e16 FLOPs, the least
a ladder's smallest budget may be."""
MIN_BUDGETS = 3
MIN_SIZES = 3
MIN_FACTOR = 1.25
"""The least --budget-step and --spread: budgets 25% apart stay apart under plan fit --isoflop's
10% tolerance, and sizes rounded to 3 digits stay distinct."""
MAX_RUNS = 400
MAX_SIMULATIONS = 5000
LEVEL = 0.95
SERIES = (0.01, 0.1, 1.0, 10.0)
"""Ladder budgets of the narrowing series, as multiples of the one asked for."""


def rungs(budgets: int, step: float, top_step: float | None = None) -> list[float]:
    """Each budget of a ladder as a multiple of the smallest: `step` apart, the top one
    `top_step` (default `step`) above the one below it."""
    out = [step ** float(i) for i in range(budgets - 1)]
    return [*out, out[-1] * (step if top_step is None else top_step)]


def least_ladder(budgets: int, sizes: int, step: float, top_step: float | None = None) -> float:
    """The least ladder budget whose smallest rung can hold MIN_RUN_FLOPS."""
    return sizes * MIN_RUN_FLOPS * math.fsum(rungs(budgets, step, top_step))


def check_design(
    target_flops: float,
    ladder_budget: float,
    budgets: int,
    sizes: int,
    step: float,
    spread: float,
    simulations: int,
    noise: float,
) -> None:
    """InputError for a design that cannot be made, each naming the least value that works.

    Plain arithmetic, so the command refuses before numpy loads.
    """
    if budgets < MIN_BUDGETS:
        raise InputError(
            f"--budgets {budgets} is too few: the power laws of approach 2 need at least {MIN_BUDGETS} "
            f"budgets; give --budgets {MIN_BUDGETS} or more"
        )
    if sizes < MIN_SIZES:
        raise InputError(
            f"--sizes {sizes} is too few: a parabola per budget needs at least {MIN_SIZES} sizes; "
            f"give --sizes {MIN_SIZES} or more"
        )
    if budgets * sizes > MAX_RUNS:
        raise InputError(
            f"--budgets {budgets} x --sizes {sizes} is {budgets * sizes} runs; give at most {MAX_RUNS}"
        )
    if not (math.isfinite(step) and step >= MIN_FACTOR):
        raise InputError(
            f"--budget-step {step:g} is too small: budgets closer than {MIN_FACTOR:g}x fall into one isoFLOP "
            f"group of plan fit --isoflop; give --budget-step {MIN_FACTOR:g} or more, e.g. 3"
        )
    if not (math.isfinite(spread) and spread >= MIN_FACTOR):
        raise InputError(
            f"--spread {spread:g} is too small: sizes within {MIN_FACTOR:g}x of the optimum leave a parabola "
            f"nearly flat; give --spread {MIN_FACTOR:g} or more, e.g. 4"
        )
    if not 20 <= simulations <= MAX_SIMULATIONS:
        raise InputError(f"--simulations must be from 20 to {MAX_SIMULATIONS} (got {simulations})")
    if not (math.isfinite(noise) and 0 < noise < 1):
        raise InputError(f"--noise must be a scatter in log loss between 0 and 1, e.g. 0.02 (got {noise:g})")
    least = least_ladder(budgets, sizes, step)
    if not ladder_budget >= least:
        raise InputError(
            f"--ladder-budget {plain(ladder_budget)} cannot hold {budgets} budgets of {sizes} runs {step:g}x apart "
            f"with the smallest at least {plain(MIN_RUN_FLOPS, 2)} FLOPs (10M parameters at 20 tokens each); "
            f"give at least --ladder-budget {_up(least)}"
        )
    if not target_flops > ladder_budget:
        raise InputError(
            f"the target's {plain(target_flops)} FLOPs are not above --ladder-budget {plain(ladder_budget)}; "
            f"a ladder is cheaper than its target: give a target above {plain(ladder_budget)} FLOPs"
        )


def plain(value: float, digits: int = 3) -> str:
    """A number as a user types it: 1.2e16, not 1.2e+16."""
    return f"{value:.{digits}g}".replace("e+", "e")


def _up(value: float) -> str:
    """`value` rounded up to two significant digits, as a user would type it."""
    exponent = math.floor(math.log10(value)) - 1
    return plain(math.ceil(value / 10**exponent * (1 - 1e-12)) * 10**exponent, 2)
