"""`plan transfer`: what pre-training is worth to a fine-tune. Its options and its body."""

from __future__ import annotations

from planner.cli.declare import FORMAT, Command, Option, Request, output_format
from planner.cli.plan import CHARS_PER_TOKEN
from planner.errors import InputError
from planner.output import streams

OPTIONS = (
    Option(
        "--params",
        "PARAMS",
        "Pre-trained model size N, non-embedding parameters. Several: --params 1e8 1e9.",
        kind="count",
        spread=True,
        example="1e9",
    ),
    Option(
        "--finetune-chars",
        "CHARS",
        "Fine-tuning set D_F in characters. Several allowed.",
        kind="count",
        spread=True,
    ),
    Option(
        "--finetune-tokens",
        "TOKENS",
        "Fine-tuning set in tokens, converted with --chars-per-token (required). Several allowed.",
        kind="count",
        spread=True,
    ),
    CHARS_PER_TOKEN,
    Option("--law", "ID|PATH", "Transfer law id or file. Default: hernandez2021-text."),
    Option("--json", None, "JSON Lines, one object per (params, data) pair.", kind="flag", panel="output"),
    FORMAT,
)


def run_transfer(request: Request) -> int:
    """Effective data for each model size and fine-tuning set; the exit code."""
    from planner.cli.questions import check_data_options
    from planner.planning.transfer import transfer_grid, transfer_law

    if not request.params:
        raise InputError("give at least one --params model size, e.g. plan transfer --params 1e9")
    check_data_options(request)
    chosen = output_format(request)
    law = transfer_law(request.law)
    results = transfer_grid(
        request.params,
        law,
        finetune_chars=request.finetune_chars or None,
        finetune_tokens=request.finetune_tokens or None,
        chars_per_token=request.chars_per_token,
    )
    streams.notices(notice for item in results for notice in item.notices)
    if chosen == "json":
        streams.json_lines(results)
    elif chosen in ("csv", "markdown"):
        from planner.output.flat import write
        from planner.output.transfer import transfer_rows

        write(transfer_rows(results), chosen, "transfer estimates")
    else:
        from planner.output.transfer import transfer_table

        transfer_table(results, law)
    return 0


COMMAND = Command(
    "transfer",
    "What pre-training is worth to a fine-tune: effective data D_E, multiplier, share from transfer.",
    OPTIONS,
    run_transfer,
    examples=(
        "plan transfer --params 1e9 --finetune-chars 1e8",
        "plan transfer --params 100M 1B 10B --finetune-chars 1M 100M",
        "plan transfer --params 1e9 --finetune-chars 1e8 --format csv",
    ),
)
