"""The typer app behind `plan`: help, subcommands and every option spelling.

Exit codes: 0 success; 1 a check failed (reserved); 2 bad usage or input (a budget that is
not a finite number above zero, an unknown law, an invalid law file, impossible limits, a
repeated fraction outside (0, 1) or repeats below 1);
70 internal error (rerun with PLANNER_DEBUG=1 for the traceback). The entry point and the
fast path for plain plans are in `planner.launch`; command bodies in `planner.commands`.
"""

from __future__ import annotations

from typing import Annotated

import typer

from planner import commands
from planner.launch import EXIT_USAGE

app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
    help="Plan a training run from published scaling laws: params, tokens and loss for a FLOP budget.",
)
laws_app = typer.Typer(help="List the shipped scaling laws, or show one in full.")
app.add_typer(laws_app, name="laws")


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
        bool, typer.Option("--json", help="JSON Lines, one object per budget, instead of a table.")
    ] = False,
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
    )
    raise typer.Exit(commands.run_plan(request))


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


def run(argv: list[str]) -> int:
    """Parse argv with typer and run the command; usage mistakes become one line and exit 2."""
    from planner import output

    try:
        # Without standalone mode, typer.Exit comes back as the return value.
        code = app(args=argv, prog_name="plan", standalone_mode=False)
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
