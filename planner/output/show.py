"""Which table shows which result of the main command, or its rows as CSV or Markdown.

Owns the grouping of plans into tables (one table per law, hardware and question, in the
order they were asked) and the choice of table for comparisons, size curves, given runs and
inference-aware plans. JSON Lines are printed by planner.output.streams. Must not compute
plans.
"""

from __future__ import annotations

from planner.planning.results import Comparison, Plan, SizeCurve

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence


def show(results: Sequence[Plan | Comparison | SizeCurve], fmt: str) -> None:
    """Results as tables (fmt "table"), CSV or Markdown."""
    if fmt in ("csv", "markdown"):
        from planner.output.tabular import csv_table, markdown_table, plan_rows, size_rows

        curves = [item for item in results if isinstance(item, SizeCurve)]
        if curves:  # a size curve is a question of its own: its results are all curves
            columns, rows = size_rows(curves)
        else:
            columns, rows = plan_rows(item for item in results if isinstance(item, (Plan, Comparison)))
        if fmt == "csv":
            csv_table(columns, rows)
        else:
            markdown_table(columns, rows)
        if any(isinstance(item, Plan) and item.recipe is not None for item in results):
            from planner.output.streams import note

            note(
                f"--format {fmt} gives a recipe's shapes, the range of its hyper-parameter laws, its split "
                "and memory total; each law's own values and the memory's parts are in --json"
            )
    else:
        tables(results)
        recipes = [item for item in results if isinstance(item, Plan) and item.recipe is not None]
        if recipes:
            from planner.output.recipe import recipe_table

            for item in recipes:
                recipe_table(item)


def tables(results: Sequence[Plan | Comparison | SizeCurve]) -> None:
    """One table per comparison, size curve, given run or lifetime plan, and per run of
    consecutive plans under the same law, hardware and question."""
    from planner.output.plans import comparison_table, evaluation_table, plans_table

    group: list[Plan] = []
    for item in results:
        if isinstance(item, Comparison):
            comparison_table(item)
        elif isinstance(item, SizeCurve):
            from planner.output.inverse import size_curve_table

            size_curve_table(item)
        elif item.run is not None:
            evaluation_table(item)
        elif item.inference is not None:
            from planner.output.inverse import inference_table

            inference_table(item)
        else:
            if group and (
                group[-1].law != item.law
                or (group[-1].hardware is None) != (item.hardware is None)
                or group[-1].inverse != item.inverse
            ):
                plans_table(group)
                group = []
            group.append(item)
    if group:
        plans_table(group)
