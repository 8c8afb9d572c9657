"""Shared pieces of the tables: number formats (planner.human's, named here too), the screen
they are drawn on, and the footer lines every plan table ends with. No table of its own; must
not compute plans.
"""

from __future__ import annotations

from planner.human import count as count
from planner.human import days as days
from planner.human import money as money
from planner.human import sci as sci

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from planner.output.grid import Screen
    from planner.planning.results import AttentionCount, Intervals, Plan


def span(low: float, high: float, show: Callable[[float], str] | None = None) -> str:
    """An interval for people: 2.10B to 3.61B, or with `show` (a formatter) for other numbers;
    one number where both ends read the same (a cap that binds in every draw)."""
    text = show or count
    ends = text(low), text(high)
    return ends[0] if ends[0] == ends[1] else f"{ends[0]} to {ends[1]}"


def loss_cell(loss: float | None) -> str:
    """A loss for a table, or "none" under a law that predicts no loss (an allocation law)."""
    return "none" if loss is None else f"{loss:.4f}"


def law_columns(item: Plan) -> list[str]:
    """Columns a plan's law adds: an MoE's total parameters, average top-1 error proxies."""
    names = ["total params"] if item.mixture_of_experts is not None else []
    return names + [f"err{proxy.tasks}*" for proxy in item.average_top1_error_proxy]


def law_cells(item: Plan, run: bool = False) -> list[str]:
    """The cells of `law_columns` for the plan's optimum, or (`run`) for its given run."""
    cells = []
    mixture = item.mixture_of_experts
    if mixture is not None:
        total = mixture.run_total_params if run else mixture.total_params
        cells.append(count(total) if total is not None else "")
    for proxy in item.average_top1_error_proxy:
        error = proxy.run_error if run else proxy.error
        cells.append(f"{error:.1%}" if error is not None else "")
    return cells


def law_lines(screen: Screen, item: Plan) -> None:
    """The footer lines that say what `law_columns` are."""
    mixture = item.mixture_of_experts
    if mixture is not None:
        E, G = mixture.experts, mixture.granularity
        screen.line(
            f"mixture of experts: E {E:g} (the experts hold {E:g}x the dense FFN's parameters), "
            f"granularity G {G:g} (d_ff / d_expert): {E * G:g} experts, {G:g} active a token; "
            "params: active non-embedding; total params: all non-embedding, the law's N"
        )
    proxies = item.average_top1_error_proxy
    if proxies:
        named = "; ".join(f"err{proxy.tasks}*: {proxy.suite}" for proxy in proxies)
        screen.line(
            f"* average top-1 error proxy, mapped from the loss by the law's source ({named}): "
            "an average over that suite, not a capability"
        )


def interval_row(bounds: Intervals) -> list[str]:
    """Cells of a row under a plan's own: the interval of params, tokens, tokens per
    parameter and loss (empty where the question fixes the quantity)."""
    per = bounds.tokens_per_param
    loss = bounds.loss
    return [
        f"{bounds.level:.0%} interval",
        span(bounds.params.low, bounds.params.high) if bounds.params else "",
        span(bounds.tokens.low, bounds.tokens.high) if bounds.tokens else "",
        span(per.low, per.high, show=lambda v: f"{v:.3g}") if per else "",
        span(loss.low, loss.high, show=lambda v: f"{v:.3f}") if loss else "",
    ]


def interval_lines(screen: Screen, bounds: Intervals) -> None:
    """The footer lines of a result with intervals: FLOPs and hardware ranges, and the method."""
    level = f"{bounds.level:.0%}"
    if bounds.flops is not None:
        screen.line(f"FLOPs needed, {level} interval: {sci(bounds.flops.low)} to {sci(bounds.flops.high)}")
    if bounds.gpu_hours is not None:
        parts = [f"{bounds.gpu_hours.low:,.0f} to {bounds.gpu_hours.high:,.0f} GPU-hours"]
        if bounds.days is not None:
            parts.append(f"{days(bounds.days.low)} to {days(bounds.days.high)} days")
        if bounds.cost is not None:
            parts.append(f"{money(bounds.cost.low)} to {money(bounds.cost.high)}")
        screen.line(f"hardware, {level} interval: {', '.join(parts)}")
    if bounds.failed:
        screen.line(f"{bounds.failed} draws gave no answer and are left out of the intervals")
    screen.line(f"intervals: {bounds.method}")


def data_footer(screen: Screen, item: Plan) -> None:
    data = item.data
    if data is not None:
        screen.line(
            "epochs: tokens / unique tokens; D' and N': effective tokens and params, what repeated "
            "tokens and parameters beyond the unique data's use are worth, with decay constants "
            f"R_D* {data.R_D_star} and R_N* {data.R_N_star} ({data.decay_source})"
        )
        screen.line(
            "+loss: above the plan with unlimited unique data; dL/dlnC: change in loss per e-fold "
            "(x2.72) more compute, by central difference; returns: dL/dlnC as a share of its value "
            "with unlimited unique data"
        )
    subset = item.repeated_subset
    if subset is not None:
        screen.line(
            f"repeated subset: {subset.fraction * 100:.3g}% of the training tokens seen {subset.repeats:g} "
            f"times, {subset.token_share * 100:.3g}% of the run; not priced (no published formula)"
        )


def footer(screen: Screen, item: Plan) -> None:
    data_footer(screen, item)
    units = item.units
    counted = item.attention
    flops = f"the law's FLOPs: {units.flops}" if counted is not None else f"FLOPs: {units.flops}"
    screen.line(f"params: {counts(units.params)} parameters; tokens: {units.tokens}; {flops}")
    if counted is not None:
        screen.line(attention_line(counted))
    conversion = item.params_conversion
    if conversion is not None:
        asked = f"; asked {count(conversion.asked_params)}" if conversion.asked_params is not None else ""
        screen.line(
            f"params converted: yours count {counts(conversion.given)} parameters, the law's "
            f"{counts(conversion.law_counts)} ones, by {conversion.formula} ({conversion.source}); the "
            f"optimum's {count(item.optimum.params)} is {count(conversion.optimum_params)} in yours{asked}"
        )
    critical = item.critical_batch
    if critical is not None:
        screen.line(
            f"FLOPs at the critical batch: C = {critical.factor:g} C_min; the law is asked at C_min "
            f"{sci(critical.minimum_flops)} and the tokens are those of that batch ({critical.source})"
        )
    if item.optimum.loss is None:
        screen.line("loss: none, the law fits the split of a budget only")
    else:
        screen.line(f"loss: {units.loss}, {item.predicts}")
    for amount in item.natural_units:
        screen.line(f"{amount.unit}: {amount.tokens_per_unit:,.0f} tokens")
    screen.line(f"law: {item.law.name}; {item.law.citation}; {item.law.locator}")
    for caveat in item.caveats:
        screen.line(f"caveat: {caveat}")


def attention_line(counted: AttentionCount) -> str:
    """What --flop-convention 6N+attn assumed, in one footer line."""
    share = counted.attention_per_token / counted.flops_per_token
    return (
        f"FLOPs counted as {counted.convention}: {counted.formula}, l_seq {counted.seq_len}, at a shape of "
        f"{counted.n_layer:.1f} layers x d_model {counted.d_model:.0f} (d_model / n_layer "
        f"{counted.aspect_ratio:g}): {sci(counted.flops_per_token)} FLOPs a token, {share:.1%} of them "
        f"attention; the law's C = 6ND is {sci(counted.law_flops)} of the budget ({counted.method})"
    )


def counts(params: str) -> str:
    return {"total": "total", "non_embedding": "non-emb."}.get(params, params)
