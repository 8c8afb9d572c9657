"""`plan design`: which small runs to train so the law fitted to them predicts the target best.

Its options, and its body: check the design in plain arithmetic (before numpy loads), lay out
and simulate the ladders (planner.fitting.design), print. Never parses argv.
"""

from __future__ import annotations

from planner.cli.declare import Command, Option, Request, output_format
from planner.errors import InputError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from planner.forms.base import Law
    from planner.planning.design_results import LadderDesign

FORMATS = ("table", "csv", "json")

LADDER = (
    Option("--target-flops", "FLOPS", "The target run's budget, e.g. 1e24.", kind="count", example="1e24"),
    Option(
        "--target-params",
        "PARAMS",
        "The target run's size (with --target-tokens).",
        kind="count",
        example="7e10",
    ),
    Option(
        "--target-tokens",
        "TOKENS",
        "The target run's tokens (with --target-params).",
        kind="count",
        example="1.4e12",
    ),
    Option("--ladder-budget", "FLOPS", "FLOPs all the ladder's runs may cost together.", kind="count"),
    Option(
        "--budgets", "K", "isoFLOP budgets in the ladder (3 or more).", kind="whole", default="5", example="5"
    ),
    Option("--sizes", "M", "Model sizes per budget (3 or more).", kind="whole", default="5", example="5"),
    Option(
        "--budget-step",
        "FACTOR",
        "How many times each budget is the one below it.",
        kind="count",
        default="3",
        example="3",
    ),
    Option(
        "--spread",
        "FACTOR",
        "Sizes run from the budget's optimum divided by FACTOR to times FACTOR.",
        kind="count",
        default="4",
        example="4",
    ),
    Option("--law", "ID|PATH", "The prior law (chinchilla form). Default: the default language law."),
    Option(
        "--noise",
        "SIGMA",
        "Scatter of the simulated losses in log loss. Default: 0.00755, Chinchilla's runs (docs/design.md).",
        kind="count",
        example="0.02",
    ),
    Option("--simulations", "K", "Simulated ladders per design.", kind="whole", default="300", example="300"),
    Option("--seed", "S", "Seed of the simulated noise.", kind="whole", default="0", example="0"),
)
"""The target, the ladder and its simulation: shared with `plan plot design`."""

OPTIONS = (
    *LADDER,
    Option("--json", None, "Short for --format json.", kind="flag", panel="output"),
    Option(
        "--format",
        "FORMAT",
        "table (default); csv or json: the runs, as a file plan fit reads once the losses are filled in.",
        kind="choice",
        choices=FORMATS,
        panel="output",
    ),
    Option(
        "--designs",
        None,
        "With --format csv or json: the designs compared and the series over ladder budgets, not the runs.",
        kind="flag",
    ),
)


def target_of(request: Request) -> float:
    """The target's FLOPs, given one way, and a ladder budget given."""
    target = request.target_flops
    if request.target_params is not None or request.target_tokens is not None:
        if request.target_params is None or request.target_tokens is None or target is not None:
            raise InputError("give --target-flops C, or --target-params N with --target-tokens D")
        target = 6.0 * request.target_params * request.target_tokens
    if target is None:
        raise InputError("give the target: --target-flops C, or --target-params N with --target-tokens D")
    if request.ladder_budget is None:
        raise InputError("give --ladder-budget FLOPS, what the ladder's runs may cost together, e.g. 1e21")
    return float(target)


def checked(request: Request, target: float) -> float:
    """The noise, once the design passes plan design's checks.

    Plain arithmetic (planner.fitting.ladders), so a bad design is refused before numpy loads.
    """
    from planner.fitting.ladders import DEFAULT_NOISE, check_design

    noise = DEFAULT_NOISE if request.noise is None else request.noise
    check_design(
        target,
        request.ladder_budget,
        request.budgets,
        request.sizes,
        request.budget_step,
        request.spread,
        request.simulations,
        noise,
    )
    return noise


def prior_law(request: Request) -> Law:
    """The --law given, or the default language law."""
    from planner.laws.catalog import default_law, find_law

    return find_law(request.law) if request.law else default_law()


def simulated(request: Request, law: Law, noise: float, *, every_design: bool = False) -> LadderDesign:
    """The designs compared by simulation under the prior `law`, as the request's ladder options ask."""
    from planner.cli.fit import one_blas_thread

    one_blas_thread()
    from planner.fitting.design import design

    return design(
        law,
        request.ladder_budget,
        target_flops=request.target_flops,
        target_params=request.target_params,
        target_tokens=request.target_tokens,
        budgets=request.budgets,
        sizes=request.sizes,
        step=request.budget_step,
        spread=request.spread,
        noise=noise,
        simulations=request.simulations,
        seed=request.seed,
        every_design=every_design,
    )


def run_design(request: Request) -> int:
    """`plan design`: propose a ladder, compare designs by simulation, print; the exit code."""
    target = target_of(request)
    fmt = output_format(request)
    if request.designs and fmt == "table":
        raise InputError(
            "--designs chooses what --format csv or json writes; add --format csv or --format json"
        )
    noise = checked(request, target)
    law = prior_law(request)
    from planner.output import design as output

    if fmt != "table" and not request.designs:  # the runs alone: no simulation to wait for
        from planner.fitting.design import propose

        runs = propose(
            law,
            request.ladder_budget,
            request.budgets,
            request.sizes,
            request.budget_step,
            request.spread,
        )
        output.runs_csv(runs) if fmt == "csv" else output.runs_json(runs)
        return 0
    result = simulated(request, law, noise)
    from planner.output.streams import coded_notices

    coded_notices(result.notices)
    if fmt == "table":
        output.design_tables(result)
    else:
        output.designs_csv(result) if fmt == "csv" else output.design_json(result)
    return 0


COMMAND = Command(
    "design",
    "Propose a ladder of small runs for a target run, and how well a law fitted to them would predict it.",
    OPTIONS,
    run_design,
    examples=(
        "plan design --target-flops 1e24 --ladder-budget 1e21",
        "plan design --target-params 70B --target-tokens 1.4T --ladder-budget 1e21 --format json",
    ),
)
