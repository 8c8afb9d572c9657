"""`plan plot KIND`: pictures of isoFLOP curves, frontiers, fits, size trade-offs and ladder designs.

Each kind is a subcommand with its options; all share where the picture goes: --out FILE
(.png, .svg, .pdf through matplotlib), --format csv or json (the plotted series), else the
terminal. Everything that can be refused (the --out name, the missing extra, a pipe with no
terminal) is, before anything is computed.
"""

from __future__ import annotations

from planner.cli.declare import Argument, Command, Option, Request
from planner.cli.design import LADDER
from planner.cli.fit import OPTIONS as FIT_OPTIONS
from planner.cli.fit import one_blas_thread, runs_of
from planner.cli.intervals import interval_options, level_of
from planner.errors import InputError
from planner.output import streams

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from planner.planning.picture_results import Figure

KINDS = ("isoflop", "frontier", "fit", "size-curve", "design")

OUTPUT = (
    Option(
        "--out",
        "FILE",
        "Save the picture: FILE.png, FILE.svg or FILE.pdf (needs the plot extra).",
        panel="output",
    ),
    Option(
        "--format",
        "FORMAT",
        "text (the picture in the terminal, the default), csv or json (the plotted series).",
        kind="choice",
        choices=("text", "csv", "json"),
        panel="output",
    ),
)
LAWS = (
    Option("--law", "ID|PATH", "Law id or law file; repeat for several. Default: besiroglu2024.", many=True),
    Option("--domain", "DOMAIN", "language, image, video, multimodal, math or code.", example="language"),
    Option("--compare", None, "Every law of the domain that can answer.", kind="flag"),
)
INTERVALS = interval_options(
    "Level of the interval bands, in (0, 1). Default 0.95.", "No interval bands (and faster)."
)
BUDGETS = Option(
    "--flops", "FLOPS", "Training budget in FLOPs; repeat for several curves.", kind="count", spread=True
)


def size_range(default: str) -> Option:
    return Option(
        "--size-range",
        "LOW HIGH",
        f"Model sizes from LOW to HIGH times the optimum. Default: {default.replace(':', ' ')}.",
        kind="pair",
        default=default,
        example="0.25 4",
    )


def _output(request: Request) -> str:
    """Where the picture goes ("file", "csv", "json", "text" or "terminal"), refused early."""
    if request.out is not None:
        if request.format is not None:
            raise InputError(f"--out saves a picture and --format {request.format} prints its data; give one")
        from planner.output.figures import check_matplotlib, check_out

        check_out(request.out)
        check_matplotlib()
        return "file"
    if request.format is not None:
        return str(request.format)
    import sys

    if not sys.stdout.isatty():
        raise InputError(
            "stdout is not a terminal, so there is no picture to draw; give --out FILE.png (or .svg, .pdf) "
            "for an image, --format csv or json for the data, or --format text to draw it anyway"
        )
    return "text"


def _deliver(request: Request, where: str, figure: Figure) -> int:
    streams.coded_notices(figure.notices)
    if where == "file":
        from planner.output.figures import save

        save(figure, request.out)
    elif where == "json":
        streams.json_lines([figure])
    elif where == "csv":
        from planner.output.figures import figure_csv

        figure_csv(figure)
    else:
        from planner.output.canvas import show

        show(figure)
    return 0


def _body(make: Callable[[Request], Figure]) -> Callable[[Request], int]:
    def run(request: Request) -> int:
        where = _output(request)
        return _deliver(request, where, make(request))

    return run


def _isoflop(request: Request) -> Figure:
    from planner.planning.figures import isoflop_figure

    _one_choice(request)
    return isoflop_figure(
        request.flops,
        request.law,
        domain=request.domain,
        compare=request.compare,
        size_range=request.size_range,
        level=level_of(request),
    )


def _frontier(request: Request) -> Figure:
    from planner.planning.figures import frontier_figure

    _one_choice(request)
    return frontier_figure(
        request.law,
        domain=request.domain,
        compare=request.compare,
        flops_range=request.flops_range,
        level=level_of(request),
    )


def _size_curve(request: Request) -> Figure:
    from planner.planning.figures import size_figure

    return size_figure(request.flops, request.law, domain=request.domain, size_range=request.size_range)


def _fit(request: Request) -> Figure:
    from planner.fitting.limits import check_size

    runs = runs_of(request)
    check_size(
        len(runs),
        bootstrap=0,
        seed=0,
        drop_highest=request.drop_highest,
        holdout_largest=request.holdout_largest,
        source=runs.source,
    )
    one_blas_thread()
    from planner.fitting.diagnostics import fit_figure
    from planner.fitting.procedure import fit
    from planner.output.progress import shown

    with shown() as progress:  # on a terminal, for a fit over about a second
        report = fit(
            runs,
            form=request.form,
            drop_highest=request.drop_highest,
            asymmetric=request.asymmetric,
            bootstrap=0,  # the picture draws the fit, not its intervals
            holdout_largest=request.holdout_largest,
            progress=progress,
        )
    return fit_figure(runs, report)


def _design(request: Request) -> Figure:
    from planner.cli.design import checked, prior_law, simulated, target_of

    noise = checked(request, target_of(request))
    law = prior_law(request)
    result = simulated(request, law, noise, every_design=True)
    from planner.planning.design_figure import design_figure

    return design_figure(result, law.quantities.loss_units)


def _one_choice(request: Request) -> None:
    if request.compare and request.law:
        raise InputError("--compare draws every law of the domain; drop --law, or drop --compare")


def _no_kind(request: Request) -> int:
    raise InputError(f"give a kind of picture: plan plot {'|'.join(KINDS)} (see plan plot KIND --help)")


FIT_FLAGS = (
    "--params-col",
    "--tokens-col",
    "--flops-col",
    "--loss-col",
    "--form",
    "--drop-highest",
    "--asymmetric",
    "--holdout-largest",
)
"""The options of `plan fit` that change the fit a picture shows (not the bootstrap, the law file)."""

PLOT = Command(
    "plot",
    "Pictures: isoFLOP curves, frontiers, fits, size trade-offs and ladder designs.",
    (),
    _no_kind,
    group=True,
    examples=(
        "plan plot isoflop --flops 1e19 1e21 1e23",
        "plan plot frontier --law besiroglu2024 --law kaplan2020",
        "plan plot design --target-flops 1e24 --ladder-budget 1e21 --simulations 40",
    ),
)
ISOFLOP = Command(
    "plot isoflop",
    "Loss against model size at each --flops, the optimum of each curve marked.",
    (BUDGETS, *LAWS, size_range("0.1:10"), *INTERVALS, *OUTPUT),
    _body(_isoflop),
    examples=(
        "plan plot isoflop --flops 1e19 1e21 1e23",
        "plan plot isoflop --flops 1e21 --out isoflop.svg",
    ),
)
FRONTIER = Command(
    "plot frontier",
    "Compute-optimal loss, N and D against compute, with interval bands and fitted ranges.",
    (
        *LAWS,
        Option(
            "--flops-range",
            "LOW HIGH",
            "Budgets from LOW to HIGH FLOPs. Default: 1e18 1e25.",
            kind="pair",
            default="1e18:1e25",
            example="1e18 1e25",
        ),
        *INTERVALS,
        *OUTPUT,
    ),
    _body(_frontier),
    examples=(
        "plan plot frontier",
        "plan plot frontier --law besiroglu2024 --law kaplan2020 --out frontier.svg",
    ),
)
SIZE_CURVE = Command(
    "plot size-curve",
    "Extra compute a model size off the optimum needs to reach the optimum's loss.",
    (
        BUDGETS,
        Option("--law", "ID|PATH", "Law id or law file. Default: besiroglu2024."),
        LAWS[1],
        size_range("0.25:4"),
        *OUTPUT,
    ),
    _body(_size_curve),
    examples=(
        "plan plot size-curve --flops 1e21",
        "plan plot size-curve --flops 1e21 --size-range 0.5 2 --format csv",
    ),
)
FIT = Command(
    "plot fit",
    "A fit's diagnostics: runs by budget with the fitted isoFLOP curves, predicted loss, residuals.",
    (*(option for option in FIT_OPTIONS if option.flag in FIT_FLAGS), *OUTPUT),
    _body(_fit),
    arguments=(Argument("runs", "RUNS", "CSV or JSON Lines file of training runs, as plan fit takes."),),
    examples=(
        "plan plot fit runs.csv",
        "plan plot fit runs.csv --holdout-largest 3 --out fit.svg",
    ),
)
DESIGN = Command(
    "plot design",
    "How the target's prediction interval narrows with ladder compute, one curve per ladder design "
    "(the simulation of plan design).",
    (*LADDER, *OUTPUT),
    _body(_design),
    examples=(
        "plan plot design --target-flops 1e24 --ladder-budget 1e21 --simulations 40",
        "plan plot design --target-flops 1e24 --ladder-budget 1e21 --simulations 40 --out design.svg",
    ),
)
