"""`plan gpus` and `plan schema NAME`: the chip table and the JSON Schemas of the formats."""

from __future__ import annotations

from planner.cli.declare import FORMAT, Argument, Command, Option, Request, output_format
from planner.errors import InputError
from planner.output import streams


def run_gpus(request: Request) -> int:
    """The chip table with sources."""
    from planner.hardware import chips, record

    chosen = output_format(request)
    if chosen == "json":
        streams.json_lines(record(chip) for chip in chips())
    elif chosen in ("csv", "markdown"):
        from planner.output.flat import write

        write((record(chip).to_dict() for chip in chips()), chosen, "chips")
    else:
        from planner.output.checks import gpus_table

        gpus_table(chips())
    return 0


def run_schema(request: Request) -> int:
    """The JSON Schema of an output (or input) format."""
    import json

    from planner.output.schema import SCHEMAS

    make = SCHEMAS.get(request.name)
    if make is None:
        raise InputError(f"no schema named {request.name!r}; choose one of: {', '.join(SCHEMAS)}")
    streams.text(json.dumps(make(), indent=2))
    return 0


GPUS = Command(
    "gpus",
    "The GPUs (and TPUs) `--gpu` knows: dense peak FLOP/s, memory, and sources.",
    (Option("--json", None, "JSON Lines, one chip per line.", kind="flag", panel="output"), FORMAT),
    run_gpus,
    examples=(
        "plan gpus",
        "plan gpus --json",
        "plan gpus --format csv",
    ),
)
SCHEMA = Command(
    "schema",
    "The JSON Schema of an output (or input) format.",
    (),
    run_schema,
    arguments=(
        Argument(
            "name",
            "NAME",
            "plan, comparison, transfer, size-curve, fit, check, gpus, laws, figure (outputs); spec, law-file (inputs).",
            default="plan",
        ),
    ),
    examples=(
        "plan schema plan",
        "plan schema spec",
    ),
)
