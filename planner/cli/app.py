"""The typer app behind `plan`: help, subcommands and every option spelling.

Commands: `plan` (budgets, a given run, hardware, inverse questions and inference-aware
plans; optionally a fine-tune priced by a transfer law), `plan laws`, `plan laws show ID`, `plan transfer`, `plan check SPEC`,
`plan gpus`, `plan schema NAME`. Exit codes: 0 success; 1 a `plan check` limit failed;
2 bad usage or input (a budget or size that is not a finite number above zero, a target loss
at or below the law's irreducible loss, contradictory options, an unknown law or GPU, an invalid law file or spec, impossible limits, fine-tuning tokens without a
characters-per-token ratio, a repeated fraction outside (0, 1) or repeats below 1); 70 internal error (rerun with PLANNER_DEBUG=1 for the
traceback). The entry point and the fast path for plain plans are in `planner.cli.main`;
command bodies in `planner.cli.commands`.
"""

from __future__ import annotations

from typing import Annotated

import typer

from planner.cli import commands
from planner.cli.main import EXIT_USAGE, pair_values, spread_values

app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
    help="Plan a training run from published scaling laws: params, tokens and loss for a FLOP budget.",
)
laws_app = typer.Typer(help="List the shipped scaling laws, or show one in full.")
app.add_typer(laws_app, name="laws")


CharsPerToken = Annotated[
    str | None,
    typer.Option(
        "--chars-per-token",
        metavar="RATIO",
        help="Characters per token of your tokenizer on the fine-tuning data (never guessed).",
    ),
]
"""--chars-per-token, the same option on `plan` and `plan transfer`."""


@app.callback(invoke_without_command=True)
def plan_command(
    ctx: typer.Context,
    flops: Annotated[
        list[str] | None,
        typer.Option(
            "--flops", metavar="FLOPS", help="Training budget in FLOPs, e.g. 1e21. Repeat for more budgets."
        ),
    ] = None,
    law: Annotated[
        str | None,
        typer.Option(
            "--law", metavar="ID|PATH", help="Law id (see `plan laws`) or a law file. Default: besiroglu2024."
        ),
    ] = None,
    domain: Annotated[
        str | None,
        typer.Option(
            "--domain",
            metavar="DOMAIN",
            help="language, image, video, multimodal, math or code: use that domain's default law.",
        ),
    ] = None,
    compare: Annotated[
        bool, typer.Option("--compare", help="Plan under every law of the domain; show the spread.")
    ] = False,
    max_params: Annotated[
        str | None, typer.Option("--max-params", metavar="PARAMS", help="Cap on the parameter count.")
    ] = None,
    max_tokens: Annotated[
        str | None, typer.Option("--max-tokens", metavar="TOKENS", help="Cap on the training tokens.")
    ] = None,
    unique_tokens: Annotated[
        str | None,
        typer.Option(
            "--unique-tokens",
            metavar="TOKENS",
            help="Unique tokens available; the plan may repeat them (Muennighoff et al. 2023).",
        ),
    ] = None,
    repeated_fraction: Annotated[
        str | None,
        typer.Option(
            "--repeated-fraction",
            metavar="FRACTION",
            help="Size of a subset seen --repeats times, as a fraction of the training tokens (e.g. 0.001).",
        ),
    ] = None,
    repeats: Annotated[
        str | None,
        typer.Option(
            "--repeats",
            metavar="TIMES",
            help="How many times that subset is seen; warned about per Hernandez et al. 2022.",
        ),
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="JSON Lines, one object per budget: short for --format json.")
    ] = False,
    transfer: Annotated[
        str | None,
        typer.Option(
            "--transfer",
            metavar="ID|PATH",
            help="Transfer law pricing a fine-tuning set at the plan's N, e.g. hernandez2021-text. "
            "With --max-tokens, N is chosen for a data-limited fine-tune.",
        ),
    ] = None,
    finetune_chars: Annotated[
        str | None,
        typer.Option("--finetune-chars", metavar="CHARS", help="Fine-tuning set size in characters."),
    ] = None,
    finetune_tokens: Annotated[
        str | None,
        typer.Option(
            "--finetune-tokens",
            metavar="TOKENS",
            help="Fine-tuning set size in tokens; needs --chars-per-token.",
        ),
    ] = None,
    chars_per_token: CharsPerToken = None,
    budgets_file: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="FILE|-",
            help="Budgets from a file, or stdin with -: one number or JSON object (flops, law, max_params, max_tokens) per line.",
        ),
    ] = None,
    output_format: Annotated[
        str | None, typer.Option("--format", metavar="FORMAT", help="table (default), json, csv or markdown.")
    ] = None,
    params: Annotated[
        str | None,
        typer.Option(
            "--params",
            metavar="PARAMS",
            help="Model size. Alone: the budget it is compute-optimal for; with --tokens: evaluate "
            "that run; with --flops: that size at that budget.",
        ),
    ] = None,
    tokens: Annotated[
        str | None,
        typer.Option(
            "--tokens",
            metavar="TOKENS",
            help="Training tokens. Alone: the budget they are compute-optimal for; with --params: "
            "evaluate that run; with --flops: that many tokens at that budget.",
        ),
    ] = None,
    gpu: Annotated[
        str | None,
        typer.Option("--gpu", metavar="ID", help="Chip from `plan gpus`, e.g. h100: adds GPU-hours."),
    ] = None,
    gpus: Annotated[
        str | None, typer.Option("--gpus", metavar="N", help="GPUs running at once: adds wall-clock days.")
    ] = None,
    days: Annotated[
        str | None,
        typer.Option("--days", metavar="DAYS", help="Budget from time: days of N GPUs (with --gpus)."),
    ] = None,
    hours: Annotated[
        str | None,
        typer.Option("--hours", metavar="HOURS", help="Budget from time, in hours instead of days."),
    ] = None,
    mfu: Annotated[
        str | None,
        typer.Option(
            "--mfu", metavar="FRACTION", help="Model FLOPs utilization in (0, 1]. Default 0.462 (PaLM)."
        ),
    ] = None,
    price_per_gpu_hour: Annotated[
        str | None,
        typer.Option("--price-per-gpu-hour", metavar="PRICE", help="Price of one GPU-hour: adds the cost."),
    ] = None,
    target_loss: Annotated[
        str | None,
        typer.Option(
            "--target-loss",
            metavar="LOSS",
            help="The least compute (and its N, D) whose compute-optimal loss is LOSS. "
            "With --inference-tokens: the loss the lifetime-optimal model must reach.",
        ),
    ] = None,
    size_range: Annotated[
        str | None,
        typer.Option(
            "--size-range",
            metavar="LOW HIGH",
            help="With --flops: loss and compute overhead of sizes from LOW to HIGH times the "
            "optimum, e.g. --size-range 0.25 2 (or 0.25:2).",
        ),
    ] = None,
    inference_tokens: Annotated[
        str | None,
        typer.Option(
            "--inference-tokens",
            metavar="TOKENS",
            help="Lifetime inference tokens: minimise training plus inference (Sardana et al. 2023) "
            "for --target-loss, or for the loss of the optimum at --flops.",
        ),
    ] = None,
    inference_mfu: Annotated[
        str | None,
        typer.Option(
            "--inference-mfu",
            metavar="FRACTION",
            help="MFU of inference on --gpu, in (0, 1]; needed by --objective cost (no default).",
        ),
    ] = None,
    objective: Annotated[
        str | None,
        typer.Option(
            "--objective",
            metavar="flops|cost",
            help="With --inference-tokens: minimise FLOPs (default) or dollars (needs --gpu, "
            "--price-per-gpu-hour and --inference-mfu).",
        ),
    ] = None,
) -> None:
    """Compute-optimal parameters, tokens and loss for each FLOP budget."""
    if ctx.invoked_subcommand is not None:
        return
    request = commands.PlanRequest(
        flops=tuple(flops or ()),
        law=law,
        domain=domain,
        compare=compare,
        max_params=max_params,
        max_tokens=max_tokens,
        unique_tokens=unique_tokens,
        repeated_fraction=repeated_fraction,
        repeats=repeats,
        json=json_output,
        transfer=transfer,
        finetune_chars=finetune_chars,
        finetune_tokens=finetune_tokens,
        chars_per_token=chars_per_token,
        budgets_file=budgets_file,
        format=output_format,
        params=params,
        tokens=tokens,
        gpu=gpu,
        gpus=gpus,
        days=days,
        hours=hours,
        mfu=mfu,
        price_per_gpu_hour=price_per_gpu_hour,
        target_loss=target_loss,
        size_range=size_range,
        inference_tokens=inference_tokens,
        inference_mfu=inference_mfu,
        objective=objective,
    )
    raise typer.Exit(commands.run_plan(request))


@app.command("transfer")
def transfer_command(
    params: Annotated[
        list[str] | None,
        typer.Option(
            "--params",
            metavar="PARAMS",
            help="Pre-trained model size N, non-embedding parameters. Several: --params 1e8 1e9.",
        ),
    ] = None,
    finetune_chars: Annotated[
        list[str] | None,
        typer.Option(
            "--finetune-chars", metavar="CHARS", help="Fine-tuning set D_F in characters. Several allowed."
        ),
    ] = None,
    finetune_tokens: Annotated[
        list[str] | None,
        typer.Option(
            "--finetune-tokens",
            metavar="TOKENS",
            help="Fine-tuning set in tokens, converted with --chars-per-token (required). Several allowed.",
        ),
    ] = None,
    chars_per_token: CharsPerToken = None,
    law: Annotated[
        str | None,
        typer.Option(
            "--law", metavar="ID|PATH", help="Transfer law id or file. Default: hernandez2021-text."
        ),
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="JSON Lines, one object per (params, data) pair.")
    ] = False,
) -> None:
    """What pre-training is worth to a fine-tune: effective data D_E, multiplier, share from transfer."""
    request = commands.TransferRequest(
        tuple(params or ()),
        tuple(finetune_chars or ()),
        tuple(finetune_tokens or ()),
        chars_per_token,
        law,
        json_output,
    )
    raise typer.Exit(commands.run_transfer(request))


@app.command("check")
def check_command(
    spec: Annotated[str, typer.Argument(metavar="SPEC", help="A TOML or JSON spec file, or - for stdin.")],
    json_output: Annotated[bool, typer.Option("--json", help="One JSON report object.")] = False,
    output_format: Annotated[
        str | None, typer.Option("--format", metavar="FORMAT", help="table (default), json, csv or markdown.")
    ] = None,
) -> None:
    """Check a run against its limits: exit 0 if all pass, 1 if any fails, 2 for a bad spec."""
    raise typer.Exit(commands.run_check(spec, output_format, json_output))


@app.command("gpus")
def gpus_command(
    json_output: Annotated[bool, typer.Option("--json", help="JSON Lines, one chip per line.")] = False,
) -> None:
    """The GPUs (and TPUs) `--gpu` knows: dense peak FLOP/s, memory, and sources."""
    raise typer.Exit(commands.run_gpus(json_output))


@app.command("schema")
def schema_command(
    name: Annotated[
        str,
        typer.Argument(
            metavar="NAME", help="plan, comparison, check, gpus, laws (outputs); spec, law-file (inputs)."
        ),
    ] = "plan",
) -> None:
    """The JSON Schema of an output (or input) format."""
    raise typer.Exit(commands.run_schema(name))


@laws_app.callback(invoke_without_command=True)
def laws_command(
    ctx: typer.Context,
    json_output: Annotated[bool, typer.Option("--json", help="JSON Lines, one law per line.")] = False,
    domain: Annotated[
        str | None, typer.Option("--domain", metavar="DOMAIN", help="Only this domain's laws.")
    ] = None,
) -> None:
    """The catalog of shipped laws: id, domain, form, source."""
    if ctx.invoked_subcommand is None:
        raise typer.Exit(commands.run_laws(json_output, domain))


@laws_app.command("show")
def laws_show(
    law_id: Annotated[
        str, typer.Argument(metavar="ID|PATH", help="A law id from `plan laws`, or a law file.")
    ],
    json_output: Annotated[bool, typer.Option("--json", help="The law as one JSON object.")] = False,
) -> None:
    """One law in full: parameters, standard errors, source locator, fitted range."""
    raise typer.Exit(commands.run_law_show(law_id, json_output))


@app.command("fit")
def fit_command(
    runs: Annotated[
        str,
        typer.Argument(
            metavar="RUNS", help="CSV or JSON Lines file of training runs, one per row; - for stdin."
        ),
    ],
    params_col: Annotated[
        str | None,
        typer.Option(
            "--params-col",
            metavar="NAME",
            help="Column of parameter counts. Default: params, N, Model Size, ...",
        ),
    ] = None,
    tokens_col: Annotated[
        str | None,
        typer.Option(
            "--tokens-col", metavar="NAME", help="Column of training tokens. Default: tokens, D, ..."
        ),
    ] = None,
    flops_col: Annotated[
        str | None,
        typer.Option(
            "--flops-col",
            metavar="NAME",
            help="Column of training FLOPs, if there is no tokens column: tokens = FLOPs / (6 params). "
            "Default: flops, C, Training FLOP, ...",
        ),
    ] = None,
    loss_col: Annotated[
        str | None,
        typer.Option("--loss-col", metavar="NAME", help="Column of final losses. Default: loss, L, ..."),
    ] = None,
    form: Annotated[
        str,
        typer.Option(
            "--form",
            metavar="FORM",
            help="chinchilla (E + A/N^alpha + B/D^beta) or kaplan-nd (Kaplan et al. Eq. 1.5).",
        ),
    ] = "chinchilla",
    drop_highest: Annotated[
        int,
        typer.Option(
            "--drop-highest", metavar="K", min=0, help="Leave out the K runs of highest loss first."
        ),
    ] = 0,
    asymmetric: Annotated[
        str | None,
        typer.Option(
            "--asymmetric",
            metavar="W",
            help="Weigh runs the curve predicts too high W times more (e.g. 10): fit the lower envelope.",
        ),
    ] = None,
    bootstrap: Annotated[
        int,
        typer.Option(
            "--bootstrap", metavar="K", min=0, help="Resamples for standard errors and intervals; 0 for none."
        ),
    ] = 200,
    seed: Annotated[int, typer.Option("--seed", metavar="S", min=0, help="Seed of the bootstrap.")] = 0,
    holdout_largest: Annotated[
        int,
        typer.Option(
            "--holdout-largest",
            metavar="K",
            min=0,
            help="Also fit without the K largest-compute runs and predict them.",
        ),
    ] = 0,
    budget: Annotated[
        str | None,
        typer.Option("--budget", metavar="FLOPS", help="Plan at this budget under the fit, with intervals."),
    ] = None,
    out: Annotated[
        str | None,
        typer.Option(
            "--out",
            metavar="FILE",
            help="Save the fit as a law file named after its id, e.g. mylab2026.toml.",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the --out file if it exists.")] = False,
    author: Annotated[
        str | None,
        typer.Option(
            "--author", metavar="NAME", help="Who made the fit, for the law file. Default: unknown."
        ),
    ] = None,
    domain: Annotated[
        str | None,
        typer.Option("--domain", metavar="DOMAIN", help="The law file's domain. Default: language."),
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="The report as one JSON object.")] = False,
) -> None:
    """Fit a law to your own training runs: parameters with intervals, diagnostics, a law file."""
    from planner.cli import fit as fitcommand

    request = fitcommand.FitRequest(
        runs=runs,
        params_col=params_col,
        tokens_col=tokens_col,
        flops_col=flops_col,
        loss_col=loss_col,
        form=form,
        drop_highest=drop_highest,
        asymmetric=asymmetric,
        bootstrap=bootstrap,
        seed=seed,
        holdout_largest=holdout_largest,
        budget=budget,
        out=out,
        force=force,
        author=author,
        domain=domain,
        json=json_output,
    )
    raise typer.Exit(fitcommand.run_fit(request))


def run(argv: list[str]) -> int:
    """Parse argv with typer and run the command; usage mistakes become one line and exit 2."""
    from planner import output

    try:
        # Without standalone mode, typer.Exit comes back as the return value.
        code = app(args=spread_values(pair_values(argv)), prog_name="plan", standalone_mode=False)
    except typer.Exit as done:
        return done.exit_code
    except typer.Abort:
        output.error("aborted")
        return 130
    except typer.TyperException as err:  # unknown option, missing value, bad argument
        message = (err.format_message() if hasattr(err, "format_message") else str(err)).rstrip(".")
        output.error(f"{message[0].lower()}{message[1:]}; run 'plan --help' for usage")
        return EXIT_USAGE
    return code if isinstance(code, int) else 0
