"""The `plan` entry point: a fast path for plain plans, typer for everything else.

Owns process-level behaviour: exit codes, one-line errors, exit 70 for bugs. A command line
made only of the main command's options is parsed here without importing typer (or
pydantic, which typer loads), so `plan --flops 1e21` starts fast; anything else (help,
subcommands, unusual spellings, mistakes) goes to the typer app in `planner.cli`, which
parses the same options into the same request. The tests run both paths and compare.
"""

from __future__ import annotations

import os
import sys

from planner import output
from planner.commands import PlanRequest, run_law_show, run_laws, run_plan
from planner.errors import PlannerError

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
}
_FLAGS = {"--json": "json", "--compare": "compare"}


def fast_request(argv: list[str]) -> PlanRequest | None:
    """The request, if argv holds only well-formed main-command options; else None."""
    fields: dict[str, object] = {}
    flops: list[str] = []
    items = iter(argv)
    for token in items:
        name, _, attached = token.partition("=")
        if name in _VALUED:
            value = attached if "=" in token else next(items, None)
            if value is None or (value.startswith("--") and "=" not in token):
                return None
            if name == "--flops":
                flops.append(value)
            elif _VALUED[name] in fields:
                return None  # repeated single-valued option: let typer decide
            else:
                fields[_VALUED[name]] = value
        elif token in _FLAGS:
            fields[_FLAGS[token]] = True
        else:
            return None
    return PlanRequest(flops=tuple(flops), **fields)  # type: ignore[arg-type]


def fast_run(argv: list[str]) -> int | None:
    """Run the commands the fast path knows, exactly spelled; None for typer to handle."""
    if argv[:1] == ["laws"]:
        rest = argv[1:]
        wants_json = "--json" in rest
        rest = [token for token in rest if token != "--json"]
        if not rest and argv.count("--json") <= 1:
            return run_laws(wants_json)
        if len(rest) == 2 and rest[0] == "show" and not rest[1].startswith("-") and argv.count("--json") <= 1:
            return run_law_show(rest[1], wants_json)
        return None
    request = fast_request(argv)
    return None if request is None else run_plan(request)


def main(argv: list[str] | None = None) -> None:
    """Run `plan` with argv (default: the process arguments) and exit with its code."""
    args = sys.argv[1:] if argv is None else argv
    try:
        code = None if os.environ.get("PLANNER_NO_FAST_PATH") else fast_run(args)
        if code is None:
            from planner.cli import run

            code = run(args)
    except PlannerError as err:
        output.error(str(err))
        code = EXIT_USAGE
    except BrokenPipeError:
        # `plan ... | head` closed the pipe early: not an error of ours.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        code = EXIT_OK
    except Exception as err:
        if os.environ.get("PLANNER_DEBUG"):
            raise
        output.error(
            f"internal error: {type(err).__name__}: {err}. This is a bug in planner; "
            "rerun with PLANNER_DEBUG=1 for a traceback and report it"
        )
        code = EXIT_INTERNAL
    sys.exit(code)
