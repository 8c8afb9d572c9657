"""The report of `plan design`: the proposed runs, the designs compared, the narrowing with
ladder compute; the runs as CSV or JSON Lines that `plan fit` reads once losses are filled in.

Computes nothing (planner.fitting.design does); prints only.
"""

from __future__ import annotations

import sys

from planner.output._base import count, sci
from planner.output.grid import Screen, Table

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from planner.planning.design_results import LadderDesign, LadderOutcome, LadderRun

RUN_COLUMNS = ("budget", "params", "tokens", "flops", "loss")
"""The runs file: `plan fit` finds params, tokens and loss by these names (and ignores budget;
flops it takes only without tokens)."""
DESIGN_COLUMNS = (
    "table",
    "name",
    "budgets",
    "sizes",
    "budget_step",
    "top_step",
    "spread",
    "ladder_budget",
    "used_flops",
    "smallest_budget",
    "top_budget",
    "runs",
    "decades",
    "simulations",
    "failed",
    "params_low",
    "params_high",
    "tokens_low",
    "tokens_high",
    "loss_low",
    "loss_high",
    "loss_with_model_error_low",
    "loss_with_model_error_high",
    "params_width",
    "tokens_width",
    "loss_width",
    "params_width_stderr",
)


def runs_csv(runs: Sequence[LadderRun]) -> None:
    """The proposed runs, one CSV row each, the loss column left empty to fill in."""
    out = sys.stdout
    out.write(",".join(RUN_COLUMNS) + "\n")
    for run in runs:
        out.write(f"{run.budget!r},{run.params!r},{run.tokens!r},{run.flops!r},\n")


def runs_json(runs: Sequence[LadderRun]) -> None:
    """The proposed runs, one JSON object per line, with "loss": null to fill in."""
    from planner.output.jsonl import text

    for run in runs:
        sys.stdout.write(text({**run.to_dict(), "loss": None}) + "\n")


def design_json(result: LadderDesign) -> None:
    """The whole result as one JSON object on one line."""
    from planner.output.streams import json_lines

    json_lines([result])


def designs_csv(result: LadderDesign) -> None:
    """One CSV row per design compared and per ladder budget of the series."""
    out = sys.stdout
    out.write(",".join(DESIGN_COLUMNS) + "\n")
    for table, items in (("design", result.designs), ("series", result.series)):
        for item in items:
            cells = [table, item.name]
            for name in DESIGN_COLUMNS[2:]:
                base, _, end = name.rpartition("_")
                if end in ("low", "high") and base in ("params", "tokens", "loss", "loss_with_model_error"):
                    cells.append(repr(getattr(getattr(item, base), end)))
                else:
                    cells.append(repr(getattr(item, name)))
            out.write(",".join(cells) + "\n")


def _shape(item: LadderOutcome) -> str:
    top = f"/{item.top_step:g}" if item.top_step != item.budget_step else ""
    return f"{item.budgets}x{item.sizes} x{item.budget_step:g}{top}"


def design_tables(result: LadderDesign) -> None:
    """The report for people."""
    screen = Screen()
    target = f"{sci(result.target_flops)} FLOPs"
    if result.target_params is not None and result.target_tokens is not None:
        target = f"{count(result.target_params)} params on {count(result.target_tokens)} tokens ({target})"
    proposed = result.designs[0]
    screen.line(
        f"Ladder for a target of {target} under {result.law.id}: {proposed.runs} runs, "
        f"{sci(proposed.used_flops)} of {sci(proposed.ladder_budget)} FLOPs"
    )
    table = Table()
    for name in ("budget", "params", "tokens", "tokens/param"):
        table.column(name)
    for index, run in enumerate(result.runs):
        first = index == 0 or run.budget != result.runs[index - 1].budget
        table.row(
            sci(run.budget) if first else "",
            count(run.params),
            count(run.tokens),
            f"{run.tokens / run.params:.3g}",
            section=first and index > 0,
        )
    screen.table(table)
    prior = result.prior
    level = f"{result.level:.0%}"
    screen.line(
        f"Simulated fits at the target (the prior's N_opt {count(prior.params)}, D_opt {count(prior.tokens)}, "
        f"loss {prior.loss:.4f}): {level} intervals"
    )
    _outcomes(screen, result.designs, "design")
    screen.line(f"verdict: {result.verdict}")
    screen.line(f"How the intervals narrow with ladder compute ({_shape(proposed)})")
    _outcomes(screen, result.series, "ladder")
    screen.line(f"noise: sigma {result.noise:.3g} in log loss, {result.noise_source}; seed {result.seed}")
    screen.line(
        "shape: budgets x sizes, each budget R times the one below (xR/T: the top one T times); "
        "smallest, top: its budgets; "
        f"N_opt: high / low of its {level} interval (D_opt's is the same); loss: +- half its {level} "
        "interval, loss+ with the model error beyond the ladder (docs/uncertainty.md)"
    )
    screen.line(f"method: {result.method}")


def _outcomes(screen: Screen, items: tuple[LadderOutcome, ...], first: str) -> None:
    table = Table()
    series = first != "design"
    table.column(first, right=series)
    names = (
        ("top", "N_opt", "loss", "loss+")
        if series
        else ("shape", "smallest", "top", "N_opt", "loss", "loss+")
    )
    for name in names:
        table.column(name)
    for item in items:
        loss, plus = item.loss, item.loss_with_model_error
        cells = [
            sci(item.top_budget),
            f"x{item.params_width:.3g}",
            f"±{(loss.high - loss.low) / 2:.3f}",
            f"±{(plus.high - plus.low) / 2:.3f}",
        ]
        if series:
            table.row(sci(item.ladder_budget), *cells)
        else:
            table.row(item.name, _shape(item), sci(item.smallest_budget), *cells)
    screen.table(table)
