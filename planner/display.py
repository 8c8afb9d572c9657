"""Results in Python, shown as their command shows them: its table as text, in a notebook
(HTML) or in rich, and its CSV rows for `to_pandas()`.

Owns which table each result a library call returns is drawn with (the command's own, from
planner.output) and how that text is wrapped for a notebook and for rich. The results live
below the tables and cannot import them: planner (the package) sets
planner.records.PRESENT to `present`, which the results' `table()`, `_repr_html_`,
`__rich_console__` and `to_pandas()` call. Loaded on first use, never at start-up.
"""

from __future__ import annotations

import contextlib
import io

from planner.planning.results import Comparison, Plan, Plans, SizeCurve, Transfer, law_ref

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

CHECK_REPORT = "planner.check.CheckReport"
FIT_REPORT = "planner.fitting.report.FitReport"
LADDER_DESIGN = "planner.planning.design_results.LadderDesign"
"""Named, not imported: a plan's table needs neither pydantic (checks) nor numpy (fits)."""

TEXT_WIDTH = 80
"""The width of `table()` unless one is given: a terminal's default."""
HTML_WIDTH = 100
"""The width of a notebook's table: a notebook cell is wider than a terminal's default."""


def present(result: Any, kind: str, width: int | None) -> Any:
    """`result` as `kind`: "text" (the table, plain), "html" (that table for a notebook),
    "rich" (a rich Text with the table's styles) or "rows" (the CSV's columns and rows)."""
    if kind == "rows":
        return rows(result)
    if kind == "html":
        import html

        text = drawn(result, width or HTML_WIDTH, styled=False)
        return f'<pre style="line-height: 1.15; white-space: pre">{html.escape(text)}</pre>'
    if kind == "rich":
        from rich.text import Text

        return Text.from_ansi(drawn(result, width or TEXT_WIDTH, styled=True).rstrip("\n"))
    return drawn(result, width or TEXT_WIDTH, styled=False)


class Page(io.StringIO):
    """Where a table is drawn for Python: `columns` wide, styled only when asked (a rich
    console styles it, a notebook's HTML and `table()` do not)."""

    def __init__(self, columns: int, styled: bool) -> None:
        super().__init__()
        self.columns = columns
        self.styled = styled

    def isatty(self) -> bool:
        return self.styled


def drawn(result: Any, width: int, *, styled: bool) -> str:
    """The command's table for `result`, `width` columns wide, and the result's notices as
    the command words them on stderr (`warning: ...`), under it."""
    from planner.output.grid import Screen

    page = Page(width, styled)
    with contextlib.redirect_stdout(page):
        _draw(result)
    screen = Screen(page)
    for line in dict.fromkeys(f"{notice.level}: {notice.message}" for notice in _notices(result)):
        screen.line(line)
    return page.getvalue()


def _draw(result: Any) -> None:
    if isinstance(result, (Plan, Comparison, SizeCurve)):
        from planner.output.show import show

        show([result], "table")
    elif isinstance(result, Plans):
        from planner.output.show import show

        show(list(result), "table")
    elif isinstance(result, Transfer):
        from planner.errors import LawNotFoundError
        from planner.laws.catalog import find_law
        from planner.output.transfer import transfer_table

        # The table quotes the law's constants, found by its id: a law read from a file may
        # not be found, or be another law of the same id; then the one-line summary.
        try:
            law = find_law(result.law.id)
        except LawNotFoundError:
            law = None
        if law is not None and law_ref(law) == result.law:
            transfer_table([result], law)  # type: ignore[arg-type]
        else:
            print(result.summary())
    elif _named(result) == CHECK_REPORT:
        from planner.output.checks import check_table

        check_table(result)
    elif _named(result) == LADDER_DESIGN:
        from planner.output.design import design_tables

        design_tables(result)
    elif _named(result) == FIT_REPORT:
        from planner.output.fit import fit_tables

        fit_tables(result)
    else:
        raise TypeError(f"no table for a {type(result).__name__}")


def _notices(result: Any) -> list[Any]:
    if isinstance(result, Plans):
        return [notice for item in result for notice in item.notices]
    if _named(result) == CHECK_REPORT:
        return list(result.plan.notices)
    return list(getattr(result, "notices", ()))


def rows(result: Any) -> tuple[list[str], list[dict[str, Any]]]:
    """The columns and rows `--format csv` writes for `result`."""
    if isinstance(result, SizeCurve):
        from planner.output.tabular import size_rows

        return size_rows([result])
    if _named(result) == CHECK_REPORT:
        from planner.output.tabular import check_rows

        return check_rows(result)
    from planner.output.tabular import plan_rows

    plans = list(result) if isinstance(result, Plans) else [result]
    return plan_rows(plans)


def _named(result: Any) -> str:
    kind = type(result)
    return f"{kind.__module__}.{kind.__qualname__}"
