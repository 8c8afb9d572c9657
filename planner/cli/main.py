"""The `plan` entry point: a fast path for plain plans, typer for everything else.

Owns process-level behaviour: exit codes, one-line errors, exit 70 for bugs. A command line
made only of the main command's options (or of `plan laws`' or `plan transfer`'s) is parsed
here without importing typer (or pydantic, which typer loads), so `plan --flops 1e21` starts
fast; anything else (help, unusual spellings, mistakes) goes to the typer app in
`planner.cli.app`, which parses the same options into the same request. The tests run both
paths and compare.
"""

from __future__ import annotations

import os
import sys

from planner.cli.commands import (
    PlanRequest,
    TransferRequest,
    run_gpus,
    run_law_show,
    run_laws,
    run_plan,
    run_transfer,
)
from planner.errors import PlannerError
from planner.output import streams

EXIT_OK, EXIT_CHECK_FAILED, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 70
"""Exit codes: success; a check failed; bad usage or input; internal error (a bug)."""

_VALUED = {
    "--flops": "flops",
    "--law": "law",
    "--domain": "domain",
    "--max-params": "max_params",
    "--max-tokens": "max_tokens",
    "--unique-tokens": "unique_tokens",
    "--repeated-fraction": "repeated_fraction",
    "--repeats": "repeats",
    "--transfer": "transfer",
    "--finetune-chars": "finetune_chars",
    "--finetune-tokens": "finetune_tokens",
    "--chars-per-token": "chars_per_token",
    "--from": "budgets_file",
    "--format": "format",
    "--params": "params",
    "--tokens": "tokens",
    "--gpu": "gpu",
    "--gpus": "gpus",
    "--days": "days",
    "--hours": "hours",
    "--mfu": "mfu",
    "--price-per-gpu-hour": "price_per_gpu_hour",
    "--target-loss": "target_loss",
    "--size-range": "size_range",
    "--inference-tokens": "inference_tokens",
    "--inference-mfu": "inference_mfu",
    "--objective": "objective",
}
_FLAGS = {"--json": "json", "--compare": "compare"}
_MANY = ("flops",)
"""The main command's options: valued, flags, and those that may be given more than once."""

_TRANSFER_VALUED = {
    "--params": "params",
    "--finetune-chars": "finetune_chars",
    "--finetune-tokens": "finetune_tokens",
    "--chars-per-token": "chars_per_token",
    "--law": "law",
}
_TRANSFER_FLAGS = {"--json": "json"}
_TRANSFER_MANY = ("params", "finetune_chars", "finetune_tokens")
"""`plan transfer`'s options, likewise; its many-valued ones also take space-separated values."""

SPREAD = {"transfer": ("--params", "--finetune-chars", "--finetune-tokens")}
"""Options of a subcommand that take several space-separated values (typer takes one each)."""


def spread_values(argv: list[str]) -> list[str]:
    """`transfer --params 1e8 1e9` as `transfer --params 1e8 --params 1e9`.

    The subcommands in SPREAD take no positional arguments, so a bare word after one of
    their many-valued options can only be another value of it. Both parsers use this.
    """
    many = SPREAD.get(argv[0], ()) if argv else ()
    spread: list[str] = []
    current: str | None = None
    expecting = False
    for token in argv:
        name = token.partition("=")[0]
        if expecting:
            spread.append(token)
            expecting = False
        elif name in many:
            current = name
            expecting = "=" not in token
            spread.append(token)
        elif current is not None and not token.startswith("-"):
            spread += [current, token]
        else:
            current = None
            spread.append(token)
    return spread


PAIRED = ("--size-range",)
"""Main-command options that take two values, LOW HIGH, passed on as one, LOW:HIGH."""


def pair_values(argv: list[str]) -> list[str]:
    """`--size-range 0.25 2` as `--size-range 0.25:2` (typer takes one value per option).

    Joined only when both words are numbers, so nothing else changes meaning: a number is
    never a subcommand. Both parsers use this.
    """
    paired: list[str] = []
    index = 0
    while index < len(argv):
        token = argv[index]
        name, equals, attached = token.partition("=")
        if name in PAIRED:
            values = [attached] if equals else argv[index + 1 : index + 2]
            following = argv[index + 1 + (not equals) : index + 2 + (not equals)]
            if len(values) == 1 and following and _number(values[0]) and _number(following[0]):
                paired.append(f"{name}={values[0]}:{following[0]}")
                index += 2 + (not equals)
                continue
        paired.append(token)
        index += 1
    return paired


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return not text.startswith("-")


def _fields(
    argv: list[str], valued: dict[str, str], flags: dict[str, str], many: tuple[str, ...]
) -> dict[str, object] | None:
    """The options of argv by field name, or None for anything typer should decide."""
    fields: dict[str, object] = {}
    lists: dict[str, list[str]] = {name: [] for name in many}
    items = iter(argv)
    for token in items:
        name, _, attached = token.partition("=")
        if name in valued:
            value = attached if "=" in token else next(items, None)
            if value is None or (value.startswith("--") and "=" not in token):
                return None
            key = valued[name]
            if key in lists:
                lists[key].append(value)
            elif key in fields:
                return None  # repeated single-valued option: let typer decide
            else:
                fields[key] = value
        elif token in flags:
            fields[flags[token]] = True
        else:
            return None
    return {**fields, **{name: tuple(values) for name, values in lists.items()}}


def fast_request(argv: list[str]) -> PlanRequest | None:
    """The request, if argv holds only well-formed main-command options; else None."""
    fields = _fields(argv, _VALUED, _FLAGS, _MANY)
    return None if fields is None else PlanRequest(**fields)  # type: ignore[arg-type]


def fast_transfer_request(argv: list[str]) -> TransferRequest | None:
    """`plan transfer ...` as a request, if its options are all well formed; else None."""
    spread = spread_values(argv)
    if spread[:1] != ["transfer"]:
        return None
    fields = _fields(spread[1:], _TRANSFER_VALUED, _TRANSFER_FLAGS, _TRANSFER_MANY)
    return None if fields is None else TransferRequest(**fields)  # type: ignore[arg-type]


def fast_run(argv: list[str]) -> int | None:
    """Run the commands the fast path knows, exactly spelled; None for typer to handle."""
    if argv[:1] == ["gpus"] and argv[1:] in ([], ["--json"]):
        return run_gpus(argv[1:] == ["--json"])
    if argv[:1] == ["laws"]:
        rest = argv[1:]
        wants_json = "--json" in rest
        rest = [token for token in rest if token != "--json"]
        if not rest and argv.count("--json") <= 1:
            return run_laws(wants_json)
        if len(rest) == 2 and rest[0] == "show" and not rest[1].startswith("-") and argv.count("--json") <= 1:
            return run_law_show(rest[1], wants_json)
        return None
    if argv[:1] == ["transfer"]:
        transfer = fast_transfer_request(argv)
        return None if transfer is None else run_transfer(transfer)
    request = fast_request(pair_values(argv))
    return None if request is None else run_plan(request)


def main(argv: list[str] | None = None) -> None:
    """Run `plan` with argv (default: the process arguments) and exit with its code."""
    args = sys.argv[1:] if argv is None else argv
    try:
        code = None if os.environ.get("PLANNER_NO_FAST_PATH") else fast_run(args)
        if code is None:
            from planner.cli.app import run

            code = run(args)
    except PlannerError as err:
        streams.error(str(err))
        code = EXIT_USAGE
    except BrokenPipeError:
        # `plan ... | head` closed the pipe early: not an error of ours.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        code = EXIT_OK
    except Exception as err:
        if os.environ.get("PLANNER_DEBUG"):
            raise
        streams.error(
            f"internal error: {type(err).__name__}: {err}. This is a bug in planner; "
            "rerun with PLANNER_DEBUG=1 for a traceback and report it"
        )
        code = EXIT_INTERNAL
    sys.exit(code)
