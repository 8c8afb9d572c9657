"""The tables of a plan's training recipe: the model's candidate shapes, each hyper-parameter
law's peak learning rate, batch and steps with their range, the memory and split on the
GPUs, and the time. Must not compute plans.
"""

from __future__ import annotations

from planner.output._base import count, sci, span
from planner.output.grid import Screen, Table

TYPE_CHECKING = False
if TYPE_CHECKING:
    from planner.planning.results import Plan, Recipe

GB = 1e9


def recipe_table(item: Plan) -> None:
    """The recipe of one plan, under its plan's table."""
    found = item.recipe
    assert found is not None
    screen = Screen()
    _shapes(screen, item, found)
    _hyperparameters(screen, item, found)
    _memory_and_time(screen, found)


def _shapes(screen: Screen, item: Plan, found: Recipe) -> None:
    tied = "tied" if found.tied else "untied"
    table = Table(
        title=(
            f"Shapes of {count(item.optimum.params)} parameters (vocab {found.vocab:,}, {tied} "
            f"embeddings, sequences of {found.seq_len:,})"
        )
    )
    for name in (
        "layers",
        "d_model",
        "heads",
        "params",
        "non-emb.",
        "vs plan",
        "FLOPs/token",
        "6N+attn",
        "like",
    ):
        table.column(name, right=name != "like")
    for candidate in found.shapes:
        shape = candidate.shape
        table.row(
            str(shape.n_layer),
            f"{shape.d_model:,}",
            str(shape.n_heads),
            count(shape.params.total),
            count(shape.params.non_embedding),
            f"{candidate.relative_difference:+.1%}",
            sci(shape.flops_per_token.total),
            sci(shape.flops_per_token.with_attention),
            candidate.family.name,
        )
    screen.table(table)
    screen.line(
        f"the first shape is the recipe's; FLOPs/token: 6N of its exact count, the {found.flop_convention} "
        "convention the plan's budget counts; 6N+attn: DeepSeek LLM's M (Eq. 2), attention included; "
        "like: the family whose d_model / layers it follows"
    )
    first = found.shapes[0].shape
    block = "GELU" if first.mlp == "gelu" else "SwiGLU"
    biases = "biases" if first.biases else "no biases"
    screen.line(f"blocks: {block} feed-forward of {first.d_ff:,}, heads of {first.head_dim}, {biases}")


def _hyperparameters(screen: Screen, item: Plan, found: Recipe) -> None:
    table = Table(title=f"Hyper-parameters at {sci(item.flops)} FLOPs on {count(item.optimum.tokens)} tokens")
    for name in ("law", "peak LR", "batch tokens", "sequences", "steps", "beyond fit"):
        table.column(name, right=name != "law")
    for estimate in found.hyperparameters:
        table.row(
            estimate.law.id,
            "" if estimate.learning_rate is None else rate(estimate.learning_rate),
            count(estimate.batch_tokens),
            f"{estimate.batch_sequences:,.0f}",
            count(estimate.steps),
            "" if estimate.beyond_fit is None else times(estimate.beyond_fit),
        )
    table.row(
        "range",
        span(found.learning_rate.low, found.learning_rate.high, show=lambda v: rate(v, 2)),
        span(found.batch_tokens.low, found.batch_tokens.high),
        "",
        span(found.steps.low, found.steps.high),
        "",
        bold=True,
        section=True,
    )
    screen.table(table)
    screen.line(
        "peak LR: the peak of each law's schedule; batch: tokens per optimizer step; steps: the "
        "plan's tokens over the batch; range: the spread between the laws, not an interval"
    )
    for estimate in found.hyperparameters:
        screen.line(f"{estimate.law.id} ({estimate.law.citation}; {estimate.inputs}): {estimate.schedule}")


def _memory_and_time(screen: Screen, found: Recipe) -> None:
    memory = found.memory
    if memory is not None:
        use = memory.memory
        states = use.model_states
        screen.line(
            f"memory: {memory.message}; model states {states.total / GB:.1f} GB (ZeRO stage "
            f"{states.zero_stage}), activations {use.activations.total / GB:.1f} GB"
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
        screen.line(f"time: {count(time.tokens_per_second)} tokens/s{days} at MFU {time.mfu:g}{at_llama}")


def rate(value: float, digits: int = 3) -> str:
    """A learning rate as people write it: 4.13e-4."""
    return f"{value:.{digits - 1}e}".replace("e-0", "e-").replace("e+0", "e")


def times(value: float) -> str:
    """A factor: 50x, 5,330x."""
    return f"{value:,.0f}x" if value >= 100 else f"{value:.3g}x"
