"""The `plan` entry point: which command, which parser, and what the process exits with.

Owns the list of commands, exit codes, one-line errors, and exit 70 for bugs. A command
line that planner.cli.parse can read from the command's declaration runs without importing
typer (or pydantic, which typer loads), so `plan --flops 1e21` starts fast; anything else
(help, unusual spellings, mistakes) goes to the typer app generated from the same
declaration (planner.cli.app). Both hand the same text to the same `Command.request`.

Exit codes: 0 success; 1 a `plan check` limit failed; 2 bad usage or input (a value that is
not a number of the right kind, contradictory options, an unknown law or GPU, an invalid
law file, spec or runs file, impossible limits); 70 internal error (a bug: rerun with
PLANNER_DEBUG=1 for the traceback).
"""

from __future__ import annotations

import gc
import os
import sys

# A command makes few reference cycles, and the collector's passes over every object made
# at start (the imports, the law index) were about a twentieth of a plain plan's CPU time:
# while a command is loaded and runs, collect after many more allocations than the default
# 700 (a long stream or fit still collects). planner.cli.main is imported only to run one.
GC_THRESHOLD = 100_000
"""Allocations between the cyclic garbage collector's passes while a command runs."""
gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])

from planner.cli.declare import Command, ExitCode  # noqa: E402  # after the threshold
from planner.errors import InputError, PlannerError  # noqa: E402

COMMANDS = {
    "": ("planner.cli.plan", "COMMAND"),
    "laws": ("planner.cli.laws", "LAWS"),
    "laws show": ("planner.cli.laws", "SHOW"),
    "transfer": ("planner.cli.transfer", "COMMAND"),
    "check": ("planner.cli.check", "COMMAND"),
    "gpus": ("planner.cli.catalogs", "GPUS"),
    "schema": ("planner.cli.catalogs", "SCHEMA"),
    "fit": ("planner.cli.fit", "COMMAND"),
    "backtest": ("planner.cli.backtest", "COMMAND"),
    "plot": ("planner.cli.plot", "PLOT"),
    "plot isoflop": ("planner.cli.plot", "ISOFLOP"),
    "plot frontier": ("planner.cli.plot", "FRONTIER"),
    "plot fit": ("planner.cli.plot", "FIT"),
    "plot size-curve": ("planner.cli.plot", "SIZE_CURVE"),
    "plot design": ("planner.cli.plot", "DESIGN"),
    "design": ("planner.cli.design", "COMMAND"),
}
"""Each command by its words, as (module, name): a command's module declares and runs it.
A group's subcommands follow it; the main command comes first."""


def load(name: str) -> Command:
    """The declared command called `name` (its module is imported on first use)."""
    module, attribute = COMMANDS[name]
    if module not in sys.modules:
        __import__(module)  # importlib itself would cost every start its own import
    command: Command = getattr(sys.modules[module], attribute)
    return command


def all_commands() -> dict[str, Command]:
    """Every command, in the order of COMMANDS."""
    return {name: load(name) for name in COMMANDS}


def command_of(argv: list[str]) -> Command:
    """The command argv names by its first words: `laws show`, `laws`, ... or the main one."""
    for size in (2, 1):
        name = " ".join(argv[:size])
        if len(argv) >= size and name in COMMANDS:
            return load(name)
    return load("")


def dispatch(argv: list[str]) -> int:
    """Parse argv (the fast path, else typer) and run its command; the exit code."""
    from planner.cli.parse import normalise, parse

    command = command_of(argv)
    words = len(command.name.split())
    if command.group and command.name and len(argv) > words and not argv[words].startswith("-"):
        subcommands = [name.split()[-1] for name in COMMANDS if name.startswith(command.name + " ")]
        raise InputError(
            f"plan {command.name} has no subcommand {argv[words]!r}; give one of "
            f"{', '.join(subcommands)} (see plan {command.name} --help)"
        )
    # Shell completion (typer's, through _PLAN_COMPLETE) is answered by the typer app.
    if not (os.environ.get("PLANNER_NO_FAST_PATH") or os.environ.get("_PLAN_COMPLETE")):
        found = parse(command, normalise(command, argv[len(command.name.split()) :]))
        if found is not None:
            return command.execute(found)
    from planner.cli.app import run

    return run(all_commands(), command, argv)


def debugging() -> bool:
    """Whether PLANNER_DEBUG asks for tracebacks: any value but empty or 0."""
    return os.environ.get("PLANNER_DEBUG", "") not in ("", "0")


def main(argv: list[str] | None = None) -> None:
    """Run `plan` with argv (default: the process arguments) and exit with its code.

    stdout and stderr are guarded for the run: when the reader of stdout goes away (`plan
    ... | head`), the command finishes and exits with its own code, quietly; when stdout
    cannot be written at all (closed, full), that is one line on stderr and exit 2; a closed
    stderr loses the messages, never the exit code.
    """
    from planner.output import streams

    # numpy's OpenBLAS starts a thread per core that spins while it waits, about 0.1 s of the
    # other core's CPU on every run that loads numpy; no command here multiplies matrices
    # large enough to gain from more than one (the user's own setting wins).
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    args = sys.argv[1:] if argv is None else argv
    streams.VERBOSITY = 0
    if sys.stdout is None:  # started with stdout closed (>&-): no answer could be delivered
        streams.Guarded(sys.stderr).write("error: stdout is closed; give plan somewhere to write\n")
        sys.exit(ExitCode.USAGE)
    out, err = streams.Guarded(sys.stdout), streams.Guarded(sys.stderr)
    real_out, real_err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        code = _run(args)
        out.flush()
    finally:
        sys.stdout, sys.stderr = real_out, real_err
    if out.failure is not None and code in (ExitCode.OK, ExitCode.CHECK_FAILED):
        # The answer was lost: say so once (a command that failed has said why already).
        err.write(f"error: cannot write the output: {out.failure}; give a writable stdout\n")
        code = ExitCode.USAGE
    if out.broken or out.failure is not None:
        _quiet(real_out)
    sys.exit(code)


def _run(args: list[str]) -> int:
    from planner.output import streams

    try:
        try:
            return dispatch(args)
        finally:  # a progress display is erased before any message is written
            progress = sys.modules.get("planner.output.progress")
            if progress is not None:
                progress.stop_all()
    except PlannerError as problem:
        streams.error(str(problem))
        return ExitCode.USAGE
    except KeyboardInterrupt:  # Ctrl-C: the shell's convention, 128 + SIGINT, and no traceback
        streams.error("interrupted")
        return ExitCode.INTERRUPTED
    except Exception as bug:
        if debugging():
            import traceback

            traceback.print_exc()
            return ExitCode.INTERNAL
        streams.error(
            f"internal error: {type(bug).__name__}: {bug}. This is a bug in planner; "
            "rerun with PLANNER_DEBUG=1 for a traceback and report it"
        )
        return ExitCode.INTERNAL


def _quiet(stream: object) -> None:
    """Point the process's stdout at /dev/null, so the interpreter's last flush cannot fail."""
    try:
        fileno = stream.fileno()  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fileno)
