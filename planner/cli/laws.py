"""`plan laws` and `plan laws show ID`: the catalog, and one law in full."""

from __future__ import annotations

from planner.cli.declare import Argument, Command, Option, Request, output_format

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from planner.forms.base import Law


def run_laws(request: Request) -> int:
    """The catalog, or one domain's part of it."""
    from planner.laws.catalog import available_laws, check_domain
    from planner.output.laws import laws_table

    laws = available_laws(check_domain(request.domain) if request.domain is not None else None)
    _print(request, laws, "laws", laws_table)
    return 0


def run_law_show(request: Request) -> int:
    """One law in full, with each quoted number beside what it gives."""
    from planner.laws.catalog import find_law
    from planner.output.laws import law_detail
    from planner.planning.budget import reproduce

    law = find_law(request.law_id)
    _print(
        request, [law], "law", lambda laws: law_detail(law, [reproduce(law, row) for row in law.reproduces])
    )
    return 0


def _print(request: Request, laws: list[Law], what: str, table: Callable[[list[Law]], None]) -> None:
    """Laws in the format asked for: JSON Lines, CSV (each law's JSON flattened), Markdown
    (their part of the catalog page) or `table`."""
    chosen = output_format(request)
    if chosen == "json":
        from planner.output.laws import laws_json

        laws_json(laws)
    elif chosen == "csv":
        from planner.output.flat import write
        from planner.output.laws import law_record

        write((law_record(law) for law in laws), "csv", what)
    elif chosen == "markdown":
        import sys

        from planner.output.catalog_page import catalog_markdown

        sys.stdout.write(catalog_markdown(laws))
    else:
        table(laws)


LAWS = Command(
    "laws",
    "List the shipped scaling laws, or show one in full.",
    (
        Option("--json", None, "JSON Lines, one law per line.", kind="flag", panel="output"),
        Option("--domain", "DOMAIN", "Only this domain's laws."),
        Option(
            "--format",
            "FORMAT",
            "table (default), json, csv (a row a law: its source, units, range and parameters) or "
            "markdown (every law with its source, N, FLOPs, range, caveats).",
            kind="choice",
            choices=("table", "json", "csv", "markdown"),
            panel="output",
        ),
    ),
    run_laws,
    group=True,
    examples=(
        "plan laws",
        "plan laws --domain code --json",
    ),
)
SHOW = Command(
    "laws show",
    "One law in full: parameters, standard errors, source locator, fitted range.",
    (
        Option("--json", None, "The law as one JSON object.", kind="flag", panel="output"),
        Option(
            "--format",
            "FORMAT",
            "table (default), json, csv (one row: the law's JSON flattened) or markdown (its row "
            "of the catalog page).",
            kind="choice",
            choices=("table", "json", "csv", "markdown"),
            panel="output",
        ),
    ),
    run_law_show,
    arguments=(Argument("law_id", "ID|PATH", "A law id from `plan laws`, or a law file."),),
    examples=(
        "plan laws show besiroglu2024",
        "plan laws show hoffmann2022 --json",
    ),
)
