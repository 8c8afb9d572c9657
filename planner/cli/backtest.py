"""`plan backtest RUNS`: its options, and its body: read the runs, backtest the fits, print.

A command of its own rather than `plan fit --backtest`: it fits many laws (a recipe at each
cut), not one, and prints their errors and calibration, not a law. Raises PlannerError for
bad input, before numpy and scipy load where it can; never parses argv.
"""

from __future__ import annotations

from planner.cli.declare import NO_PROGRESS, Argument, Command, Option, Request, output_format
from planner.cli.fit import OPTIONS as FIT_OPTIONS
from planner.cli.fit import one_blas_thread, runs_of
from planner.errors import InputError
from planner.fitting.backtest import RECIPE_NAMES

TYPE_CHECKING = False
if TYPE_CHECKING:
    from planner.fitting.backtest import Backtest
    from planner.planning.model_error import ModelError

FORMATS = ("table", "json", "csv", "markdown")
_SHARED = {option.flag: option for option in FIT_OPTIONS}

OPTIONS = (
    Option(
        "--cut",
        "FLOPS",
        "Fit the runs below this many FLOPs, predict those at or above it; give several to compare.",
        kind="count",
        many=True,
    ),
    Option(
        "--holdout-largest",
        "K",
        "Also a cut that holds out the K largest-compute runs.",
        kind="whole",
        default="0",
        example="5",
    ),
    Option(
        "--recipe",
        "RECIPE",
        "How to fit: huber (default, as plan fit), squares (least squares on log loss) or envelope "
        "(runs above the curve weighted --asymmetric times); give several to compare.",
        kind="choice",
        choices=RECIPE_NAMES,
        many=True,
    ),
    Option(
        "--where",
        "COLUMN=VALUE",
        "Use only the rows whose COLUMN holds VALUE, e.g. --where dataset=c4; give several to narrow.",
        many=True,
        example="dataset=c4",
    ),
    *(_SHARED[flag] for flag in ("--params-col", "--tokens-col", "--flops-col", "--loss-col", "--form")),
    _SHARED["--drop-highest"],
    Option(
        "--asymmetric",
        "W",
        "Weight of runs above the curve in the envelope recipe. Default: 10.",
        kind="count",
        example="10",
    ),
    Option(
        "--bootstrap",
        "K",
        "Resamples of the fitted runs for the intervals; 0 for the model error alone.",
        kind="whole",
        default="200",
        example="200",
    ),
    _SHARED["--seed"],
    Option(
        "--model-error",
        "TERM",
        "fitted (default: the term fitted on the shared backtests, see docs/backtests.md) or none "
        "(the bootstrap alone).",
        kind="choice",
        choices=("fitted", "none"),
        default="fitted",
    ),
    Option("--summary", None, "Only the summary and the calibration, not every held-out run.", kind="flag"),
    Option(
        "--json",
        None,
        "JSON Lines, one object per recipe and cut: short for --format json.",
        kind="flag",
        panel="output",
    ),
    Option(
        "--format",
        "FORMAT",
        "table (default), json, csv or markdown (one row per held-out run).",
        kind="choice",
        choices=FORMATS,
        panel="output",
    ),
    NO_PROGRESS,
)


def run_backtest(request: Request) -> int:
    """`plan backtest RUNS`: fit below each cut, predict above it, print errors and coverage."""
    fmt = output_format(request)
    backtests = backtests_of(request)
    from planner.fitting.backtest import calibration
    from planner.output import backtest as output
    from planner.output.streams import coded_notices

    coded_notices(notice for test in backtests for notice in test.notices)
    if fmt == "json":
        output.backtest_json(backtests)
    elif fmt in ("csv", "markdown"):
        output.backtest_csv(backtests, fmt)
    else:
        output.backtest_tables(backtests, calibration(backtests), summary=request.summary)
    return 0


def backtests_of(request: Request, model_error: ModelError | None = None) -> list[Backtest]:
    """The backtests a `plan backtest` line asks for (the one library call of the command);
    `model_error` replaces the fitted term (for refitting it), unless --model-error none."""
    if not request.cut and not request.holdout_largest:
        raise InputError(
            "give --cut FLOPS (fit the runs below it, predict those above) or --holdout-largest K"
        )
    runs = runs_of(request, where=[_condition(text) for text in request.where])
    one_blas_thread()
    from planner.fitting.backtest import ENVELOPE_WEIGHT, backtest
    from planner.output.progress import shown
    from planner.planning.model_error import MODEL_ERROR

    with shown(not request.no_progress) as progress:  # erased before anything else is printed
        return backtest(
            runs,
            cuts=request.cut,
            holdout_largest=request.holdout_largest,
            recipes=request.recipe or ("huber",),
            form=request.form,
            drop_highest=request.drop_highest,
            asymmetric=request.asymmetric or ENVELOPE_WEIGHT,
            bootstrap=request.bootstrap,
            seed=request.seed,
            model_error=(model_error or MODEL_ERROR) if request.model_error == "fitted" else None,
            progress=progress,
        )


def _condition(text: str) -> tuple[str, str]:
    """A --where COLUMN=VALUE as (column, value), or InputError."""
    column, equals, value = text.partition("=")
    if not equals or not column.strip():
        raise InputError(f"--where takes COLUMN=VALUE, e.g. --where dataset=c4 (got {text!r})")
    return column.strip(), value.strip()


COMMAND = Command(
    "backtest",
    "Backtest fits on your runs: fit the smaller runs, predict the larger, report errors and calibration.",
    OPTIONS,
    run_backtest,
    arguments=(
        Argument("runs", "RUNS", "CSV or JSON Lines file of training runs, one per row; - for stdin."),
    ),
    examples=(
        "plan backtest runs.csv --cut 3e20",
        "plan backtest runs.csv --cut 3e20 --bootstrap 100 --json",
    ),
)
