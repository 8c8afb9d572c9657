"""`plan check SPEC`: a run checked against its limits, with the exit code CI reads."""

from __future__ import annotations

from planner.cli.declare import FORMAT, Argument, Command, Option, Request, output_format
from planner.output import streams


def run_check(request: Request) -> int:
    """Each limit checked; exit 0 when all pass, 1 when any fails."""
    from planner.check import read_spec, run_checks

    chosen = output_format(request)
    loaded, label = read_spec(request.spec)
    report = run_checks(loaded, label)
    streams.notices(report.plan.notices)
    if chosen == "json":
        streams.json_lines([report])
    elif chosen == "csv":
        from planner.output.tabular import check_rows, csv_table

        csv_table(*check_rows(report))
    elif chosen == "markdown":
        from planner.output.tabular import check_markdown

        check_markdown(report)
    else:
        from planner.output.checks import check_table

        check_table(report)
    return report.exit_code  # ExitCode.OK or ExitCode.CHECK_FAILED


COMMAND = Command(
    "check",
    "Check a run against its limits: exit 0 if all pass, 1 if any fails, 2 for a bad spec.",
    (
        Option("--json", None, "One JSON report object.", kind="flag", panel="output"),
        FORMAT,
    ),
    run_check,
    arguments=(Argument("spec", "SPEC", "A TOML or JSON spec file, or - for stdin."),),
    examples=(
        "plan check run.toml",
        "plan check run.toml --format markdown",
        "plan check run.json --json",
    ),
)
