"""Budget to plan: the compute-optimal split of a FLOP budget under a law.

Owns `plan` and `compare`; their results (`planner.planning.results`) are the `--json` contract.
A fine-tune priced by a transfer law is delegated to `planner.planning.finetune`. Checks its
inputs and raises `InputError`; never prints. Standard library only, so that `plan`
starts fast.
"""

from __future__ import annotations

import math
import os

from planner.errors import InfeasibleError, InputError, PlannerError
from planner.forms.base import Law, is_law
from planner.laws.catalog import default_law, find_law
from planner.laws.format import Reproduction
from planner.planning.draws import covariance_of
from planner.planning.notices import plan_notices
from planner.planning.results import (
    Allocation,
    Binding,
    Comparison,
    Constraints,
    FineTune,
    Intervals,
    LimitedData,
    MixtureOfExperts,
    NaturalAmount,
    Notice,
    Plan,
    Plans,
    RepeatedSubset,
    Spread,
    TopOneErrorProxy,
    Units,
    law_ref,
    planner_version,
)
from planner.planning.sense import LEVEL, check_level, check_positive, is_one, question, sensible
from planner.units import FLOPS_PER_PARAM_TOKEN

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from typing import Any, overload

    from planner.forms.base import Form, Limited
    from planner.hardware import Hardware
    from planner.planning.finetune import Ask
    from planner.planning.flop_convention import AttentionCost
    from planner.planning.interval_arrays import IntervalRows
    from planner.planning.results import HardwareUse
else:

    def overload(function: object) -> object:  # the typing module costs start-up time
        return function


def resolve_law(
    law: Law | str | None,
    domain: str | None = None,
    granularity: float | None = None,
    experts: float | None = None,
) -> Law:
    """A budget law from a law, an id or path, or None for the domain's default law; a
    Mixture-of-Experts law at `granularity` (with `experts` as it was fitted, if given)."""
    if law is None:
        return at_granularity(default_law(domain or "language"), granularity, experts)
    chosen = find_law(os.fspath(law), "budget") if isinstance(law, (str, os.PathLike)) else law
    if not is_law(chosen):
        raise InputError(f"law must be a Law, a law id or a path (got {type(law).__name__} {law!r})")
    if chosen.kind == "transfer":
        raise InputError(
            f"law {chosen.id} is a transfer law: it prices fine-tuning data, not a FLOP budget; "
            "use it with `plan transfer`, or as transfer= (--transfer) beside a budget law"
        )
    if domain is not None and chosen.domain != domain:
        raise InputError(
            f"law {chosen.id} is a {chosen.domain} law, not {domain}; drop --domain or choose another law"
        )
    return at_granularity(chosen, granularity, experts)


def at_granularity(law: Law, granularity: float | None, experts: float | None = None) -> Law:
    """`law` at granularity G, refused where it takes none or needs one (Krajewski et al. 2024)."""
    span = law.granularity_range()
    fitted = law.fitted_experts()
    if span is None:
        if granularity is not None or experts is not None:
            raise InputError(
                f"law {law.id} has no experts or granularity; drop granularity and experts "
                "(--granularity, --experts), which a fine-grained MoE law such as krajewski2024 takes"
            )
        return law
    low, high = span
    if experts is not None and check_positive("experts", experts) != fitted:
        raise InputError(
            f"law {law.id} was fitted with the experts fixed at E = {fitted:g} (N_MoE / N_ff) and "
            f"cannot price E = {experts:g}; give experts {fitted:g} (--experts {fitted:g}) or leave it out"
        )
    if granularity is None:
        if law.why_unplannable() is None:
            return law  # at a granularity already, or its file gives one
        raise InputError(
            f"law {law.id} needs the granularity G = d_ff / d_expert of the MoE; give granularity "
            f"(--granularity G), from {low:g} to {high:g}, e.g. 8"
        )
    G = check_positive("granularity", granularity)
    if not low <= G <= high:
        raise InputError(
            f"granularity {G:g} is outside what law {law.id} plans ({low:g} to {high:g}); "
            f"give --granularity from {low:g} to {high:g}"
        )
    return law.at_granularity(G)


@overload
def plan(
    flops: float,
    law: Law | str | None = ...,
    *,
    domain: str | None = ...,
    max_params: float | None = ...,
    max_tokens: float | None = ...,
    transfer: Law | str | None = ...,
    finetune_chars: float | None = ...,
    finetune_tokens: float | None = ...,
    chars_per_token: float | None = ...,
    hardware: Hardware | None = ...,
    unique_tokens: float | None = ...,
    repeated_fraction: float | None = ...,
    repeats: float | None = ...,
    level: float | None = ...,
    flop_convention: str | None = ...,
    seq_len: int | None = ...,
    vocab: int | str | None = ...,
    tied: bool | None = ...,
    kaplan_compute: str | None = ...,
    granularity: float | None = ...,
    experts: float | None = ...,
    param_convention: str | None = ...,
) -> Plan: ...
@overload
def plan(  # noqa: F811 (overload is typing's to type checkers)
    flops: Iterable[float],
    law: Law | str | None = ...,
    *,
    domain: str | None = ...,
    max_params: float | None = ...,
    max_tokens: float | None = ...,
    transfer: Law | str | None = ...,
    finetune_chars: float | None = ...,
    finetune_tokens: float | None = ...,
    chars_per_token: float | None = ...,
    hardware: Hardware | None = ...,
    unique_tokens: float | None = ...,
    repeated_fraction: float | None = ...,
    repeats: float | None = ...,
    level: float | None = ...,
    flop_convention: str | None = ...,
    seq_len: int | None = ...,
    vocab: int | str | None = ...,
    tied: bool | None = ...,
    kaplan_compute: str | None = ...,
    granularity: float | None = ...,
    experts: float | None = ...,
    param_convention: str | None = ...,
) -> Plans: ...
@question("the plan")
def plan(  # noqa: F811 (overload is typing's to type checkers)
    flops: float | Iterable[float],
    law: Law | str | None = None,
    *,
    domain: str | None = None,
    max_params: float | None = None,
    max_tokens: float | None = None,
    transfer: Law | str | None = None,
    finetune_chars: float | None = None,
    finetune_tokens: float | None = None,
    chars_per_token: float | None = None,
    hardware: Hardware | None = None,
    unique_tokens: float | None = None,
    repeated_fraction: float | None = None,
    repeats: float | None = None,
    level: float | None = LEVEL,
    flop_convention: str | None = None,
    seq_len: int | None = None,
    vocab: int | str | None = None,
    tied: bool | None = None,
    kaplan_compute: str | None = None,
    granularity: float | None = None,
    experts: float | None = None,
    param_convention: str | None = None,
) -> Plan | Plans:
    """Compute-optimal params, tokens and loss for one budget, or for each of many (a
    `Plans`: a list of them, with the command's table and `to_pandas()`).

    Args:
        flops: training budget in FLOPs; a number, or any iterable of numbers (a list, an array).
        law: a `Law`, a law id such as "hoffmann2022", a path to a law file, or None for the
            default law of the domain.
        domain: "language" (the default), "image", "video", "multimodal", "math" or "code".
        max_params: cap on the parameter count; the best split on the same budget line under it.
        max_tokens: cap on the training tokens, likewise.
        transfer: a transfer law (a `Law`, id or path) that prices a fine-tuning set given
            with finetune_chars or finetune_tokens: the plan then reports, at its N, what
            pre-training is worth (`Plan.finetune`). With max_tokens too, the tokens are the
            fine-tuning data (max_tokens at most the set) and N is chosen with the loss
            evaluated at the effective data D_E in place of the tokens trained on.
        finetune_chars: the fine-tuning set in characters (the transfer law's unit).
        finetune_tokens: the fine-tuning set in tokens; needs chars_per_token.
        chars_per_token: characters per token of the tokenizer on the fine-tuning data;
            needed with finetune_tokens and for a data-limited fine-tune. Never guessed.
        hardware: a chip, MFU, chip count and price (see `planner.hardware.hardware`); the
            plan then carries chip-hours, and wall-clock days and cost where it can.
        unique_tokens: the unique tokens available. The plan may repeat them (epochs), priced
            by Muennighoff et al. (2023)'s decay of repeated data; the result's `data` says
            how. Needs a law of form chinchilla or data-constrained.
        repeated_fraction, repeats: a subset of that fraction of the training tokens seen
            that many times; reported in `repeated_subset` and warned about where Hernandez
            et al. (2022) found such repeats damaging. Give both or neither.
        level: the level of the central intervals (`Plan.intervals`) on params, tokens and
            loss, in (0, 1); 0.95 unless given; None for none. A law without a covariance
            gives none whatever the level (its notes say why).
        flop_convention: what `flops` counts: "6N" (C = 6ND) or "6N+attn", which adds
            attention, 12 n_layer d_model seq_len FLOPs per token, at a shape of d_model /
            n_layer = 128 (planner.planning.flop_convention). None: the law's own (6N for
            all but DeepSeek's C = M D). Under 6N+attn the plan is the law's best point on
            that budget line; `Plan.attention` says what was assumed.
        seq_len, vocab, tied: the sequence length, vocabulary and embedding tying of the
            shape that prices attention under 6N+attn; None: 4096, 32000 and tied
            (planner.planning.shapes, DEFAULT_SEQ_LEN and friends).
        kaplan_compute: under a law whose C is Kaplan et al.'s C_min (kaplan2020): "min" (the
            default: the budget is C_min, compute at batch sizes far below critical) or
            "critical" (the budget is spent at the critical batch, C = 2 C_min by Eq. 5.5; the
            plan then trains on twice the tokens, as Table 6's D_opt and Eq. 6.7 count them).
        param_convention: what max_params counts, "total" or "non_embedding", where not what
            the law counts: converted (planner.planning.conversions; needs vocab, a number or
            "auto"), and `Plan.params_conversion` gives the optimum's size in that count.
        granularity: the granularity G = d_ff / d_expert of a fine-grained Mixture-of-Experts
            law (krajewski2024), which needs one; refused under other laws.
        experts: the expansion rate E = N_MoE / N_ff of such a law; only the E it was fitted
            at (64 for krajewski2024) is taken.

    Raises:
        InputError: a budget or limit that is not a finite number above zero, or fine-tuning
            options that do not go together.
        InfeasibleError: limits that leave no way to spend the budget, or a law that cannot
            price a capped allocation.
    """
    chosen = resolve_law(law, domain, granularity, experts)
    conversion = None
    if param_convention is not None:
        from planner.planning import conversions

        conversion = conversions.converter(chosen, param_convention, vocab, tied)
        param_convention = conversions.check_convention(param_convention)
    asked_params = max_params
    if max_params is not None:
        max_params = check_positive("max_params", max_params, least=1)
        asked_params = max_params
        if conversion is not None and param_convention is not None:
            max_params = conversion.to_law(param_convention, chosen.quantities.params, max_params)
    if max_tokens is not None:
        max_tokens = check_positive("max_tokens", max_tokens, least=1)
    ask = None
    if transfer is not None or finetune_chars or finetune_tokens or chars_per_token:
        from planner.planning import (
            finetune as finetuning,  # only a fine-tune needs it: keep plain plans fast
        )

        ask = finetuning.ask(transfer, finetune_chars, finetune_tokens, chars_per_token, max_tokens)
    if unique_tokens is not None:
        unique_tokens = check_positive("unique_tokens", unique_tokens)
    subset: tuple[float, float] | None = None
    if repeated_fraction is not None or repeats is not None:
        from planner.planning.limited_data import check_subset

        subset = check_subset(repeated_fraction, repeats)
    if ask is not None and (unique_tokens is not None or subset is not None):
        raise InputError(
            "a fine-tune (transfer) and limited unique data (unique_tokens, repeated subsets) are "
            "not priced together; plan them separately"
        )
    if level is not None:
        level = check_level(level)
    if vocab == "auto" and flop_convention == "6N+attn":
        raise InputError(
            "vocab 'auto' sets a conversion's vocabulary; 6N+attn prices attention at a given one"
        )
    counted_vocab = vocab if not isinstance(vocab, str) else None
    cost = attention_of(chosen, flop_convention, seq_len, counted_vocab, tied, ask is not None)

    one = is_one(flops)
    values = [flops] if one else list(flops)  # type: ignore[arg-type]
    budgets = [check_positive("flops", value, least=FLOPS_PER_PARAM_TOKEN) for value in values]
    known: Sequence[Intervals | None] | None = None
    many = len(budgets) >= MANY and ask is None and why_unplannable(chosen) is None and cost is None
    if many and level is not None and covariance_of(chosen) is not None:
        known = _block_intervals(chosen, budgets, max_params, max_tokens, unique_tokens, level)
    critical = _critical(chosen, kaplan_compute, cost is not None)
    if critical:
        limits = (max_params, max_tokens, unique_tokens, subset)
        found = _at_critical_batch(budgets, one, chosen, hardware, level, ask is not None, limits)
        if conversion is not None and param_convention is not None:
            from planner.planning.conversions import converted

            found = converted(found, conversion, param_convention, chosen, asked_params)
        return found if isinstance(found, Plan) else Plans(found)
    plans = [
        plan_one(
            budget,
            chosen,
            max_params,
            max_tokens,
            ask,
            hardware,
            unique_tokens,
            subset,
            level=level,
            known=(known[index],) if known is not None else None,
            cost=cost,
        )
        for index, budget in enumerate(budgets)
    ]
    if conversion is not None and param_convention is not None:
        from planner.planning.conversions import converted

        plans = converted(plans, conversion, param_convention, chosen, asked_params)
    return plans[0] if one else Plans(plans)


MANY = 32
"""From this many budgets on, `plan` works out their intervals together, in numpy (the same
intervals to rounding; below it, numpy's import costs more than it saves)."""


CRITICAL_FACTOR = 2.0
"""C / C_min at the critical batch: Kaplan et al. 2020, Eq. (5.5), C_min = C / (1 + B / B_crit)
at B = B_crit; the tokens processed double too (E = E_min (1 + B / B_crit), Eq. 5.4), which is
Eq. (6.7)'s D(C_min) = 2 C_min / 6N and Table 6's D_opt."""


def _critical(law: Law, kaplan_compute: str | None, attention: bool) -> bool:
    """Whether the budget is spent at the critical batch (and the law's C is C_min)."""
    if kaplan_compute is None or kaplan_compute == "min":
        return False
    if kaplan_compute != "critical":
        raise InputError(
            f"kaplan_compute must be min or critical (got {kaplan_compute!r}); --kaplan-compute critical "
            "counts a budget spent at the critical batch, C = 2 C_min"
        )
    if not law.quantities.minimum_compute:
        raise InputError(
            f"law {law.id} counts the compute its runs processed ({law.quantities.flops}), not Kaplan's "
            "C_min; --kaplan-compute applies to kaplan2020"
        )
    if attention:
        raise InputError(
            "kaplan_compute 'critical' and flop_convention '6N+attn' (--kaplan-compute, --flop-convention) "
            "are not priced together"
        )
    return True


def _at_critical_batch(
    budgets: list[float],
    one: bool,
    law: Law,
    hardware: Hardware | None,
    level: float | None,
    finetune: bool,
    limits: tuple[float | None, float | None, float | None, tuple[float, float] | None],
) -> Plan | list[Plan]:
    """Plans of budgets spent at the critical batch: the law's optimum at C_min = C / 2,
    trained on the tokens that batch processes, twice C_min / 6N. `limits` (max_params,
    max_tokens, unique_tokens, subset) go to the plan at C_min as they are, max_tokens halved
    to the tokens of C_min (the law refuses what it cannot price, as at any budget)."""
    if finetune:
        raise InputError(
            "kaplan_compute 'critical' (--kaplan-compute) plans budgets without a fine-tune; drop transfer"
        )
    from planner.planning.results import CriticalBatch

    max_params, max_tokens, unique_tokens, subset = limits
    at_min = None if max_tokens is None else max_tokens / CRITICAL_FACTOR
    out = []
    for flops in budgets:
        base = plan_one(
            flops / CRITICAL_FACTOR, law, max_params, at_min, None, None, unique_tokens, subset, level=level
        )
        optimum = base.optimum
        tokens = CRITICAL_FACTOR * optimum.tokens
        notices = [notice for notice in base.notices if notice.code != "token_convention"]
        printed = law.printed_tokens(flops / CRITICAL_FACTOR)
        if printed is not None:
            notices.append(
                Notice(
                    "token_convention",
                    f"tokens here are 2 C_min / (6N), those of the critical batch; the source's own "
                    f"token law gives {printed:.3g} (Table 6's D_opt, which counts the same tokens)",
                    level="note",
                )
            )
        out.append(
            base.replace(
                flops=flops,
                notices=tuple(notices),
                optimum=_checked(law, flops, optimum.params, tokens, optimum.loss),
                hardware=_use(flops, hardware) if hardware is not None else None,
                critical_batch=CriticalBatch(
                    convention="critical",
                    minimum_flops=flops / CRITICAL_FACTOR,
                    factor=CRITICAL_FACTOR,
                    source="Kaplan et al. 2020, Eq. (5.5) at B = B_crit: C = 2 C_min, and twice the "
                    "tokens (Eq. 6.7, Table 6's D_opt)",
                ),
            )
        )
    return out[0] if one else out


def attention_of(
    law: Law,
    convention: str | None,
    seq_len: int | None,
    vocab: int | None,
    tied: bool | None,
    finetune: bool,
) -> AttentionCost | None:
    """The cost per token with attention where the budget counts it and the law does not
    (None where the budget counts what the law counts); InputError for an unknown convention,
    one the law cannot be converted from, or a fine-tune (`finetune`)."""
    if convention is None:
        return None
    from planner.planning import flop_convention as conventions

    convention = conventions.check_convention(convention)
    own = conventions.native(law)
    if convention == own:
        return None
    if own != "6N":
        raise InputError(
            f"law {law.id} counts its C with attention ({law.quantities.flops}); plan it under "
            f"--flop-convention {own}, its own, or leave the option out"
        )
    if finetune:
        raise InputError(
            "a fine-tune (transfer) is priced under C = 6ND only; drop --flop-convention 6N+attn "
            "or plan the fine-tune separately"
        )
    from planner.planning import shapes

    length = shapes.check_whole("seq_len", shapes.DEFAULT_SEQ_LEN if seq_len is None else seq_len, "4096")
    size = shapes.check_whole("vocab", shapes.DEFAULT_VOCAB if vocab is None else vocab, "32000")
    return conventions.attention_cost(law, length, size, shapes.DEFAULT_TIED if tied is None else bool(tied))


@question("the comparison")
def compare(
    flops: float,
    domain: str = "language",
    *,
    hardware: Hardware | None = None,
    flop_convention: str | None = None,
    seq_len: int | None = None,
    vocab: int | None = None,
    tied: bool | None = None,
) -> Comparison:
    """Plan one budget under every shipped law of a domain that can split it and predicts a
    loss, with their spread. flop_convention and the shape's seq_len, vocab and tied: as
    for `plan`, for every law.

    Transfer laws price fine-tuning data, not budgets, so they take no part; model-size laws
    cannot split a budget, and allocation laws (no loss) are planned with `plan`: both are
    listed in the notices.
    """
    from planner.laws.catalog import check_domain, planning_laws

    budget = check_positive("flops", flops, least=FLOPS_PER_PARAM_TOKEN)
    laws = planning_laws(check_domain(domain))
    plannable = [
        law
        for law in laws
        if why_unplannable(law) is None and law.why_no_loss() is None and law.why_not_compared() is None
    ]
    if not plannable:
        raise InputError(f"no shipped law plans {domain} budgets yet; see plan laws")
    plans = tuple(
        plan_one(
            budget,
            law,
            hardware=hardware,
            cost=attention_of(law, flop_convention, seq_len, vocab, tied, False),
        )
        for law in plannable
    )
    left_out = tuple(
        Notice("not_compared", f"{law.id} is left out: {_left_out(law)}", level="note")
        for law in laws
        if law not in plannable
    )

    def ratio(values: Sequence[float]) -> float:
        return max(values) / min(values)

    spread = Spread(
        params=ratio([p.optimum.params for p in plans]),
        tokens=ratio([p.optimum.tokens for p in plans]),
    )
    return Comparison(
        planner_version=planner_version(),
        flops=budget,
        domain=domain,
        plans=plans,
        spread=spread,
        notices=left_out,
    )


def _left_out(law: Law) -> str:
    """Why `compare` leaves a law out: it cannot split a budget, or it predicts no loss."""
    reason = why_unplannable(law) or law.why_not_compared()
    if reason is not None:
        return reason
    return f"{law.why_no_loss()}; plan it with --law {law.id}"


def why_unplannable(law: Law) -> str | None:
    """Why a law cannot split a FLOP budget (no compute law or no N_opt), or None when it can."""
    return law.why_unplannable()


def _allocation(law: Law, flops: float, params: float, form: Form | None = None) -> Allocation:
    """The split at `params`, priced by `form` (by default the law's own)."""
    tokens = tokens_at(form, flops, params)
    loss = (form or law.params).plan_loss(flops, params)
    return _checked(law, flops, params, tokens, loss)


def _checked(law: Law, flops: float, params: float, tokens: float, loss: float | None) -> Allocation:
    ratio = tokens / params
    finite = math.isfinite(params) and math.isfinite(tokens) and math.isfinite(ratio)
    finite = finite and (loss is None or math.isfinite(loss))
    if finite and (params < 1 or tokens < 1):
        raise InfeasibleError(
            f"{flops:.3g} FLOPs is too small to plan: the split would be {params:.3g} parameters "
            f"on {tokens:.3g} tokens; give a larger budget"
        )
    if not (finite and params > 0 and tokens > 0 and ratio > 0 and (loss is None or loss > 0)):
        raise InfeasibleError(
            f"{flops:.3g} FLOPs is beyond what law {law.id} can compute in floating point; "
            "give a budget nearer the range the law was fitted on"
        )
    return Allocation(params, tokens, ratio, loss)


def _increase(optimum: Allocation, unconstrained: Allocation) -> float | None:
    """The loss a cap costs, where the law gives a loss."""
    if optimum.loss is None or unconstrained.loss is None:
        return None
    return optimum.loss - unconstrained.loss


def plan_one(
    flops: float,
    law: Law,
    max_params: float | None = None,
    max_tokens: float | None = None,
    fine: Ask | None = None,
    hardware: Hardware | None = None,
    unique_tokens: float | None = None,
    subset: tuple[float, float] | None = None,
    *,
    level: float | None = None,
    known: tuple[Intervals | None] | None = None,
    cost: AttentionCost | None = None,
) -> Plan:
    """One plan from checked inputs (`plan` checks them); subset is (fraction, repeats);
    intervals at `level` where the law has a covariance (`known`: already worked out, as
    a stream's block works them out together); `cost`: the budget counts attention too."""
    reason = why_unplannable(law)
    if reason is not None:
        raise InfeasibleError(
            f"law {law.id} cannot split a FLOP budget: {reason}; see plan laws show {law.id}, "
            f"or plan with a {law.domain} law that gives N_opt"
        )
    form: Form = law.params
    supply: Limited | None = None
    if unique_tokens is not None:
        from planner.planning.limited_data import limited_form

        form = supply = limited_form(law, unique_tokens)
    base: Form = law.params
    if cost is not None:
        from planner.planning.flop_convention import priced

        form = priced(law, form, cost)
        base = form if supply is None else priced(law, base, cost)
    free, params, binding = _split(form, flops, max_params, max_tokens)
    if fine is not None and max_tokens is not None:
        low = flops / (FLOPS_PER_PARAM_TOKEN * max_tokens)
        return _data_limited_plan(flops, law, max_params, max_tokens, fine, free, low, hardware)
    low = params_for_tokens(form, flops, max_tokens) if max_tokens else 0.0
    high = max_params or math.inf
    unconstrained = _allocation(law, flops, free, form)
    constraints = None
    if binding is not None and law.off_optimum is not None:
        raise InfeasibleError(
            f"law {law.id} gives {law.off_optimum}, so it cannot "
            f"price a capped plan ({binding} binds); use a law of form chinchilla or kaplan-nd"
        )
    optimum = _allocation(law, flops, params, form) if binding else unconstrained
    if max_params is not None or max_tokens is not None:
        constraints = Constraints(
            max_params=max_params,
            max_tokens=max_tokens,
            binding=binding,
            unconstrained=unconstrained if binding else None,
            loss_increase=_increase(optimum, unconstrained) if binding else None,
        )
    intervals = None
    asked = level is not None and covariance_of(law) is not None
    if asked and known is not None:
        intervals = known[0]
    elif asked:
        from planner.planning.intervals import budget_intervals

        assert level is not None
        intervals = budget_intervals(law, flops, low, high, level, form=supply if cost is None else form)
    notices = list(plan_notices(law, flops, optimum, constraints, hardware, intervals=intervals, asked=asked))
    finetune = None
    if fine is not None:
        from planner.planning import finetune as finetuning

        finetune, more = finetuning.report(law, fine, optimum.params)
        notices += more
    data = None
    repeated = None
    if unique_tokens is not None or subset is not None:
        from planner.planning import limited_data as repetition

        if supply is not None:
            unlimited = plan_one(
                flops, law, max_params, max_tokens, cost=cost
            )  # its intervals are not reported
            data = repetition.limited_data(
                law,
                supply,
                flops,
                optimum,
                unlimited.optimum,
                _loss_slope(form, flops, max_params, max_tokens),
                _loss_slope(base, flops, max_params, max_tokens),
            )
            notices += repetition.data_notices(law, data)
        if subset is not None:
            repeated = repetition.repeated_subset(*subset, optimum.tokens)
            notices += repetition.subset_notices(repeated)
    found = _result(law, flops, optimum, constraints, notices, finetune, hardware, intervals, data, repeated)
    if cost is not None:
        from planner.planning.flop_convention import AttentionPriced, counted

        assert isinstance(form, AttentionPriced)
        found = found.replace(flop_convention="6N+attn", attention=counted(form, flops, optimum.params))
    return found


def tokens_at(form: Any, flops: float, params: float) -> float:
    """Tokens `params` parameters train on at `flops` under the form's accounting: C / 6N,
    unless the form counts more per token (planner.planning.flop_convention)."""
    at = getattr(form, "tokens_at", None)
    return at(flops, params) if at is not None else flops / (FLOPS_PER_PARAM_TOKEN * params)


def params_for_tokens(form: Any, flops: float, tokens: float) -> float:
    """The parameters that spend `flops` on `tokens` under the form's accounting (C / 6D unless it says)."""
    at = getattr(form, "params_for_tokens", None)
    return at(flops, tokens) if at is not None else flops / (FLOPS_PER_PARAM_TOKEN * tokens)


def _split(
    form: Form, flops: float, max_params: float | None, max_tokens: float | None
) -> tuple[float, float, Binding | None]:
    """(free N, N within the caps, which cap binds): the best N on the budget line.

    Clamping the free optimum into the caps is exact because every form's loss is unimodal
    in log N along the budget line (convex for the closed forms; checked numerically for
    the data-constrained one, whose solver also guards against a second dip).
    """
    try:
        free = form.optimal_params(flops)
    except OverflowError:
        free = math.inf
    low = params_for_tokens(form, flops, max_tokens) if max_tokens else 0.0
    high = max_params or math.inf
    if low > high:
        assert max_params is not None
        assert max_tokens is not None
        most = max_tokens * max_params * flops / tokens_at(form, flops, max_params) / max_params
        raise InfeasibleError(
            f"{flops:.3g} FLOPs cannot be spent within max_params {max_params:.3g} and "
            f"max_tokens {max_tokens:.3g}, which allow at most {most:.3g} FLOPs "
            f"({getattr(form, 'formula', 'C = 6ND')}); lower the budget or raise a limit"
        )
    params = min(max(free, low), high)
    binding: Binding | None = None
    if params < free:
        binding = "max_params"
    elif params > free:
        binding = "max_tokens"
    return free, params, binding


LOG_STEP = 1e-3
"""Half-width in ln C of the central difference for d loss / d ln C."""


def _loss_slope(form: Form, flops: float, max_params: float | None, max_tokens: float | None) -> float:
    """d loss / d ln C of the best plan at `flops`: a central difference of the best loss,
    re-planned at C e^(+-LOG_STEP) under the same limits.

    Differencing the optimum (not the loss at a fixed split) is what the envelope theorem
    asks for, and stays right where the optimum sits on a kink of the data-constrained loss
    (e.g. exactly one epoch). Solver error in N moves the loss by O(error^2) at a smooth
    minimum, far below the O(LOG_STEP^2) truncation error. Where a larger budget no longer
    fits the caps, a backward difference is used.
    """

    def best(budget: float) -> float:
        _, params, _ = _split(form, budget, max_params, max_tokens)
        loss = form.budget_loss(budget, params)
        assert loss is not None
        return loss

    low = best(flops * math.exp(-LOG_STEP))
    try:
        return (best(flops * math.exp(LOG_STEP)) - low) / (2 * LOG_STEP)
    except InfeasibleError:
        return (best(flops) - low) / LOG_STEP


def _data_limited_plan(
    flops: float,
    law: Law,
    max_params: float | None,
    max_tokens: float,
    fine: Ask,
    free: float,
    low: float,
    hardware: Hardware | None,
) -> Plan:
    """N for a fine-tune limited to max_tokens of fine-tuning data, the loss at D_E."""
    from planner.planning import finetune as finetuning

    if law.off_optimum is not None:
        raise InfeasibleError(
            f"law {law.id} gives {law.off_optimum}, so it cannot "
            "price a data-limited fine-tune; use a law of form chinchilla or kaplan-nd"
        )
    high = max_params if max_params is not None else flops / FLOPS_PER_PARAM_TOKEN  # D >= 1 token
    if low > high:
        raise InfeasibleError(
            f"{flops:.3g} FLOPs is too small to plan: it buys less than one token at "
            f"{low:.3g} parameters; give a larger budget"
        )
    params = finetuning.best_params(law, fine, flops, low, high)
    if max_params is None and params >= high * (1 - 1e-9):
        raise InfeasibleError(
            f"under {fine.law.id} the loss keeps falling as N grows (what pre-training is worth "
            "grows as N^beta), so a data-limited fine-tune has no best size without a cap; give "
            "max_params (--max-params), the largest pre-trained model you can fine-tune"
        )
    unconstrained = _allocation(law, flops, free)
    tokens, effective = finetuning.effective_tokens(fine, flops, params)
    optimum = _checked(law, flops, params, tokens, finetuning.loss_with_transfer(law, fine, flops, params))
    binding: Binding | None = None
    if params <= low * (1 + 1e-12):
        binding = "max_tokens"
    elif max_params is not None and params >= max_params * (1 - 1e-12):
        binding = "max_params"
    constraints = Constraints(
        max_params=max_params,
        max_tokens=max_tokens,
        binding=binding,
        unconstrained=unconstrained,
        loss_increase=_increase(optimum, unconstrained),
    )
    notices = list(plan_notices(law, flops, optimum, constraints, hardware, law_tokens=effective))
    finetune, more = finetuning.data_limited(law, fine, flops, params, binding == "max_params")
    return _result(law, flops, optimum, constraints, notices + more, finetune, hardware)


def plan_each(
    budgets: Sequence[float],
    law: Law,
    max_params: float | None = None,
    max_tokens: float | None = None,
    hardware: Hardware | None = None,
    unique_tokens: float | None = None,
    repeated_fraction: float | None = None,
    repeats: float | None = None,
    level: float | None = None,
    flop_convention: str | None = None,
    seq_len: int | None = None,
    vocab: int | None = None,
    tied: bool | None = None,
    *,
    columns: bool = True,
) -> Sequence[Plan]:
    """The plans of many budgets under one law and one set of options (a block of
    `plan --from`), each what `plan(flops, law, ...)` gives; inputs checked by the caller.

    A plain budget (no caps, hardware or data limit, a law without covariance) takes
    plan_one's own few steps without the per-call checks of `plan` and `question`, which
    a stream of 1e5 budgets feels; what those would check (every number finite, every size
    at least one) `_allocation` checks, and `sensible` the rest where a law adds numbers.
    Many plain budgets under a law that splits them at once come back as a `PlanBlock`
    (planner.planning.blocks: the same plans, kept as columns until asked for), unless
    `columns` is False.
    """
    subset = None if repeated_fraction is None or repeats is None else (repeated_fraction, repeats)
    given = None
    cost = attention_of(law, flop_convention, seq_len, vocab, tied, False)
    many = len(budgets) >= MANY and cost is None  # a few lines (an open pipe's) plan at once without numpy
    if many and level is not None and covariance_of(law) is not None and why_unplannable(law) is None:
        given = _block_intervals(law, budgets, max_params, max_tokens, unique_tokens, level)
    plain = max_params is None and max_tokens is None and hardware is None and unique_tokens is None
    plain = plain and subset is None and why_unplannable(law) is None and cost is None
    plain = plain and (given is not None or level is None or covariance_of(law) is None)
    form = law.params
    model: Plan | None = None
    splits = _splits(form, budgets) if plain else None

    def one(index: int) -> Plan:
        nonlocal model
        flops = budgets[index]
        if plain:
            # plan_one's own steps for a plan without caps, hardware or data limits; what
            # _result makes of them differs between budgets only in the fields replaced here
            try:
                if splits is not None:
                    params, loss = splits[index]
                    optimum = _checked(law, flops, params, flops / (FLOPS_PER_PARAM_TOKEN * params), loss)
                else:
                    optimum = _allocation(law, flops, form.optimal_params(flops))
                bounds = given[index] if given is not None else None
                notices = tuple(  # as plan_one's
                    plan_notices(law, flops, optimum, None, None, intervals=bounds, asked=given is not None)
                )
                if model is None:
                    model = _result(law, flops, optimum, None, list(notices), None, None)
                result = model.replace(
                    flops=flops,
                    optimum=optimum,
                    natural_units=_natural_units(law, optimum) if law.units else (),
                    converged_loss=law.converged_loss(optimum.params),
                    notices=notices,
                    intervals=bounds,
                )
                extras = bool(model.average_top1_error_proxy) or model.mixture_of_experts is not None
                if extras:  # what the law adds to its plans, as _result adds it
                    result = result.replace(
                        average_top1_error_proxy=error_proxies(law, optimum.loss),
                        mixture_of_experts=mixture_of_experts(law, optimum.params),
                    )
                if law.units or result.converged_loss is not None or extras:
                    result = sensible(result, "the plan")  # what _allocation did not check
                return result
            except (ArithmeticError, ValueError, PlannerError):
                pass  # the full plan below says what went wrong, as plan() would
        known = (given[index],) if given is not None else None
        return _one(flops, law, max_params, max_tokens, hardware, unique_tokens, subset, level, known, cost)

    if columns and many and splits is not None and not law.units:
        from planner.planning.blocks import plan_block

        block = plan_block(law, budgets, splits, given, level, one)
        if block is not None:
            return block
    return [one(index) for index in range(len(budgets))]


def _block_intervals(
    law: Law,
    budgets: Sequence[float],
    max_params: float | None,
    max_tokens: float | None,
    unique_tokens: float | None,
    level: float,
) -> IntervalRows | list[None]:
    """The intervals of every budget of a block, worked out together (in numpy)."""
    import numpy as np

    from planner.planning.interval_arrays import interval_records

    C = np.asarray(budgets, dtype=np.float64)
    low = C / (FLOPS_PER_PARAM_TOKEN * max_tokens) if max_tokens else np.zeros_like(C)
    high = np.full_like(C, max_params if max_params is not None else math.inf)
    supply = None
    if unique_tokens is not None:
        from planner.planning.limited_data import limited_form

        supply = limited_form(law, unique_tokens)
    return interval_records(law, C, low, high, level, form=supply)


def _splits(form: Any, budgets: Sequence[float]) -> list[tuple[float, float]] | None:
    """(N, loss) of each budget's free optimum from a form that splits many at once (see
    ChinchillaParams.plans_of), or None: then each budget asks optimal_params and plan_loss."""
    many = getattr(form, "plans_of", None)
    if many is None:
        return None
    try:
        splits: list[tuple[float, float]] | None = many(budgets)
    except (ArithmeticError, ValueError):
        return None  # one budget beyond floating point: each is asked alone, and that one refused
    return splits


@question("the plan")
def _one(
    flops: float,
    law: Law,
    max_params: float | None = None,
    max_tokens: float | None = None,
    hardware: Hardware | None = None,
    unique_tokens: float | None = None,
    subset: tuple[float, float] | None = None,
    level: float | None = None,
    known: tuple[Intervals | None] | None = None,
    cost: AttentionCost | None = None,
) -> Plan:
    return plan_one(
        flops,
        law,
        max_params,
        max_tokens,
        None,
        hardware,
        unique_tokens,
        subset,
        level=level,
        known=known,
        cost=cost,
    )


def _result(
    law: Law,
    flops: float,
    optimum: Allocation,
    constraints: Constraints | None,
    notices: list[Notice],
    finetune: FineTune | None,
    hardware: Hardware | None,
    intervals: Intervals | None = None,
    data: LimitedData | None = None,
    repeated: RepeatedSubset | None = None,
) -> Plan:
    return Plan(
        planner_version=planner_version(),
        law=law_ref(law),
        flops=flops,
        optimum=optimum,
        units=_units(law),
        constraints=constraints,
        data=data,
        repeated_subset=repeated,
        natural_units=_natural_units(law, optimum),
        converged_loss=law.converged_loss(optimum.params),
        notices=tuple(notices),
        caveats=law.caveats,
        finetune=finetune,
        hardware=_use(flops, hardware) if hardware is not None else None,
        intervals=intervals,
        flop_convention=law.quantities.flop_convention,
        average_top1_error_proxy=error_proxies(law, optimum.loss),
        mixture_of_experts=mixture_of_experts(law, optimum.params),
    )


def error_proxies(law: Law, loss: float | None) -> tuple[TopOneErrorProxy, ...]:
    """The average top-1 errors the law's source maps the loss to, where it does."""
    if loss is None:
        return ()
    return tuple(TopOneErrorProxy(suite, tasks, error) for suite, tasks, error in law.error_proxies(loss))


def mixture_of_experts(law: Law, params: float) -> MixtureOfExperts | None:
    """The experts and granularity of a plan under a fine-grained MoE law, else None."""
    found = law.mixture(params)
    if found is None:
        return None
    experts, granularity, total = found
    return MixtureOfExperts(experts, granularity, total)


def _natural_units(law: Law, optimum: Allocation) -> tuple[NaturalAmount, ...]:
    if optimum.loss is None:
        return ()
    return tuple(
        NaturalAmount(unit.name, unit.tokens, optimum.tokens / unit.tokens, optimum.loss * unit.tokens)
        for unit in law.units
    )


def _units(law: Law) -> Units:
    """What a law's numbers count, one record per law (its plans share it)."""
    units = _UNITS.get(law)
    if units is None:
        quantities = law.quantities
        units = _UNITS[law] = Units(
            params=quantities.params,
            tokens=quantities.tokens,
            loss=quantities.loss_units,
            flops=quantities.flops,
        )
    return units


_UNITS: dict[Law, Units] = {}


def _use(flops: float, hardware: Hardware) -> HardwareUse:
    from planner.hardware import use

    return use(flops, hardware)


def reproduce(law: Law, row: Reproduction) -> dict[str, float]:
    """What the law gives for each value a `reproduces` row quotes, in the row's units."""
    if row.finetune_chars is not None:
        from planner.planning.transfer import transfer

        assert law.kind == "transfer"
        assert row.params is not None
        result = transfer(row.params, law, finetune_chars=row.finetune_chars)
        return {name: float(getattr(result, name)) for name in row.expected()}
    if row.kind == "hyperparameters":
        assert law.kind == "hyperparameters"
        flops = row.flops or FLOPS_PER_PARAM_TOKEN * (row.params or 0.0) * (row.tokens or 0.0)
        n, d = row.params or 0.0, row.tokens or 0.0
        return {name: float(getattr(law.params, name)(flops, n, d, row.loss)) for name in row.expected()}
    assert law.kind == "budget"
    if row.granularity is not None:
        law = law.at_granularity(row.granularity)
    per = law.unit(row.unit).tokens if row.unit else 1.0
    got: dict[str, float] = {}
    if row.flops is not None and any(name != "irreducible_loss" for name in row.expected()):
        optimum = plan_one(row.flops, law, unique_tokens=row.unique_tokens).optimum
        got |= {
            "params": optimum.params,
            "tokens": optimum.tokens / per,
            "tokens_per_param": optimum.tokens_per_param,
        }
        if optimum.loss is not None:
            got["loss"] = optimum.loss * per
            got["reducible_loss"] = (optimum.loss - law.params.irreducible_loss) * per
    if law.why_no_loss() is None:
        got["irreducible_loss"] = law.params.irreducible_loss * per
    return {name: got[name] for name in row.expected()}


@question("the plan")
def plan_for_time(
    setup: Hardware,
    law: Law | str | None = None,
    *,
    days: float | None = None,
    hours: float | None = None,
    max_params: float | None = None,
    max_tokens: float | None = None,
    domain: str | None = None,
    unique_tokens: float | None = None,
    repeated_fraction: float | None = None,
    repeats: float | None = None,
    level: float | None = LEVEL,
    flop_convention: str | None = None,
    seq_len: int | None = None,
    vocab: int | None = None,
    tied: bool | None = None,
    kaplan_compute: str | None = None,
    granularity: float | None = None,
    experts: float | None = None,
) -> Plan:
    """The plan for what `setup.gpus` GPUs compute in `days` (or `hours`) of wall-clock time.

    The budget is GPUs x seconds x peak FLOP/s x MFU; the plan's `hardware` repeats the
    GPU-hours and days exactly as given. flop_convention and the shape's seq_len, vocab
    and tied: as for `plan` (the chips compute attention too: "6N+attn" prices it).

    Raises:
        InputError: no GPU count, not exactly one of days and hours, or a bad limit.
    """
    from planner.hardware import budget, use

    flops = budget(setup, days=days, hours=hours)
    result = plan(
        flops,
        law,
        domain=domain,
        max_params=max_params,
        max_tokens=max_tokens,
        hardware=setup,
        unique_tokens=unique_tokens,
        repeated_fraction=repeated_fraction,
        repeats=repeats,
        level=level,
        flop_convention=flop_convention,
        seq_len=seq_len,
        vocab=vocab,
        tied=tied,
        kaplan_compute=kaplan_compute,
        granularity=granularity,
        experts=experts,
    )
    return result.replace(hardware=use(flops, setup, days=days, hours=hours))
