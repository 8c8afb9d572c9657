"""The table of a plan's training recipe: each hyper-parameter law's peak learning rate,
batch and steps, their range, each law's setting, and the time on the given GPUs. Must not
compute plans.
"""

from __future__ import annotations

from planner.output._base import count, sci, span
from planner.output.grid import Screen, Table

TYPE_CHECKING = False
if TYPE_CHECKING:
    from planner.planning.results import Plan


def recipe_table(item: Plan) -> None:
    """The recipe of one plan, under its plan's table."""
    found = item.recipe
    assert found is not None
    best = item.optimum
    table = Table(
        title=(
            f"Training recipe at {sci(item.flops)} FLOPs: {count(best.params)} parameters on "
            f"{count(best.tokens)} tokens, sequences of {found.seq_len:,} tokens"
        )
    )
    for name in ("law", "peak LR", "batch tokens", "sequences", "steps", "beyond fit"):
        table.column(name, right=name != "law")
    for estimate in found.hyperparameters:
        table.row(
            estimate.law.id,
            f"{estimate.learning_rate:.3g}",
            count(estimate.batch_tokens),
            f"{estimate.batch_sequences:,.0f}",
            count(estimate.steps),
            "" if estimate.beyond_fit is None else f"{estimate.beyond_fit:.3g}x",
        )
    table.row(
        "range",
        span(found.learning_rate.low, found.learning_rate.high, show=lambda v: f"{v:.2g}"),
        span(found.batch_tokens.low, found.batch_tokens.high),
        "",
        span(found.steps.low, found.steps.high),
        "",
        bold=True,
        section=True,
    )
    screen = Screen()
    screen.table(table)
    screen.line(
        "peak LR: the peak of each law's schedule; batch: tokens per optimizer step; steps: the "
        "plan's tokens over the batch; range: the spread between the laws, not an interval"
    )
    for estimate in found.hyperparameters:
        screen.line(
            f"{estimate.law.id} ({estimate.law.citation}; {estimate.inputs}): {estimate.optimizer}; "
            f"{estimate.schedule}"
        )
    time = found.time
    if time is not None:
        llama = time.days_at_llama3_mfu
        at_llama = (
            f"; {llama.low:,.3g} to {llama.high:,.3g} days at Llama 3 405B's 38-43% MFU (Dubey et al. 2024, Table 4)"
            if llama is not None
            else ""
        )
        days = "" if time.days is None else f", {time.days:,.3g} days"
        screen.line(
            f"time: {count(time.tokens_per_second)} tokens/s{days} at MFU {time.mfu:g} ({time.mfu_source}){at_llama}"
        )
    screen.line(f"FLOPs per token: {sci(found.flops_per_token)} ({found.flop_convention})")
