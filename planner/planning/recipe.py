"""From a plan to a training recipe: learning rate, batch, steps and time.

Owns `recipe(plan, ...)`: every shipped hyper-parameter law of the plan's domain evaluated
at the plan's run (its C, or its N and D, as the law takes them), the spread between them,
the steps of each batch, and, with a GPU count, the tokens a second and days at the plan's
MFU and at Llama 3's. Each law's setting (optimizer, schedule, what its learning rate means)
travels with its numbers, and a law asked beyond its fitted runs says how far. Checks its
inputs and raises InputError; never prints. Standard library only.
"""

from __future__ import annotations

from planner.errors import InfeasibleError, InputError
from planner.hardware import DEFAULT_MFU_SOURCE, LLAMA3_MFU, LLAMA3_MFU_SOURCE, days_for, gpu_hours_for
from planner.laws.catalog import hyperparameter_laws
from planner.planning.notices import range_notice
from planner.planning.results import Hyperparameters, Interval, Notice, Recipe, RecipeTime, law_ref
from planner.planning.sense import sensible
from planner.planning.shapes import CONVENTION_FOR, DEFAULT_TIED, DEFAULT_VOCAB, TOLERANCE, candidate_shapes
from planner.units import FLOPS_PER_PARAM_TOKEN

TYPE_CHECKING = False
if TYPE_CHECKING:
    from planner.forms.base import Law
    from planner.hardware import Hardware
    from planner.planning.results import Candidate, Plan

SEQ_LEN = 4096
"""The sequence length of a recipe unless one is given: DeepSeek LLM's and Llama 2's
(Bi et al. 2024, Table 2; Touvron et al. 2023, Table 1), the batch sizes' unit there."""


def check_seq_len(value: object, name: str = "seq_len") -> int:
    """A sequence length: a whole number of tokens, at least one; InputError otherwise (the
    memory's check, so that a recipe and its memory refuse the same lengths alike)."""
    from planner.planning.memory import check_count

    return check_count(name, value, "tokens per sequence")


def recipe(
    plan: Plan,
    *,
    seq_len: int = SEQ_LEN,
    vocab: int = DEFAULT_VOCAB,
    tied: bool = DEFAULT_TIED,
    gpu: str | None = None,
    gpus: int | None = None,
    mfu: float | None = None,
    hardware: Hardware | None = None,
    micro_batch: int = 1,
    zero_stage: int = 1,
    recompute: str = "selective",
    precision: str = "mixed",
    optimizer: str = "adam",
    shape: tuple[int, int, int] | None = None,
    split: tuple[int, int, int] | None = None,
) -> Recipe:
    """The training recipe of `plan`: shapes of its size, each hyper-parameter law's peak
    learning rate and batch, their spread and steps, and on GPUs the memory, the split that
    fits and the time.

    Args:
        plan: a plan from `planner.plan` (or any question that gives a `Plan`).
        seq_len: tokens per sequence: the shapes' attention FLOPs, the batch in sequences
            and the activations (default 4096).
        vocab, tied: the vocabulary and whether the output head shares the embedding, for
            the shapes' exact counts (default 32,000, tied; see planner.planning.shapes).
        gpu, gpus, mfu: the chip (an id from `plan gpus`), how many run at once and their
            MFU (default PaLM's 0.462), for the memory and the time; or `hardware`
            (planner.hardware.hardware) in their place; without either, the plan's own.
        micro_batch, zero_stage, recompute, precision, optimizer: the memory's setting
            (planner.planning.memory): sequences per GPU per micro-step, ZeRO stage 0-3,
            activation recompute none, selective or full, and the model states' bytes.
        shape: (n_layer, d_model, n_heads) of your own in place of the candidates.
        split: (data, tensor, pipeline) degrees of your own, whose product is the GPU
            count, in place of the smallest split that fits.

    Raises:
        InputError: a bad sequence length, vocabulary, memory setting or hardware.
        InfeasibleError: a domain without a hyper-parameter law.
    """
    length = check_seq_len(seq_len)
    setup = hardware
    if gpu is not None:
        from planner.hardware import hardware as chip_setup

        setup = chip_setup(gpu, gpus=gpus, mfu=mfu)
    elif gpus is not None or mfu is not None:
        raise InputError("gpus and mfu need gpu, the chip (see plan gpus), e.g. gpu='h100'")
    if plan.mixture_of_experts is not None:
        raise InfeasibleError(
            f"a recipe lays out dense transformer shapes, and the plan under {plan.law.id} is a "
            "Mixture-of-Experts, whose shapes, memory and hyper-parameters it does not cover; drop recipe (--recipe)"
        )
    laws = hyperparameter_laws(plan.law.domain)
    if not laws:
        raise InfeasibleError(
            f"no shipped hyper-parameter law covers the {plan.law.domain} domain; a recipe is "
            "given for language plans (see plan laws)"
        )
    n, d, flops = plan.optimum.params, plan.optimum.tokens, plan.flops
    notices: list[Notice] = []
    if plan.attention is not None and plan.attention.seq_len != length:
        notices.append(
            Notice(
                "seq_len_differs",
                f"the plan's FLOPs priced attention at l_seq {plan.attention.seq_len}, the recipe's "
                f"sequences are {length} tokens: plan again with the same sequence length",
            )
        )
    if shape is not None:
        from planner.planning.results import Candidate, Family
        from planner.planning.shapes import shape_of

        if not isinstance(shape, (tuple, list)) or len(shape) != 3:
            raise InputError(
                f"give the shape as (layers, d_model, heads), not {shape!r}; e.g. (32, 4096, 32)"
            )
        own = shape_of(shape[0], shape[1], shape[2], vocab, seq_len=length, tied=tied)
        given = Family("given", own.n_layer, own.d_model, "given")
        shapes: tuple[Candidate, ...] = (
            Candidate(shape=own, family=given, relative_difference=own.params.total / n - 1),
        )
        if abs(shapes[0].relative_difference) > TOLERANCE:
            notices.append(
                Notice(
                    "shape_off_plan",
                    f"the given shape has {own.params.total:.3g} parameters, "
                    f"{shapes[0].relative_difference:+.1%} from the plan's {n:.3g}",
                )
            )
    else:
        shapes = _shapes(n, vocab, tied, length)
    spent = setup if setup is not None else _plan_hardware(plan)
    memory = None
    if split is not None and (spent is None or spent.gpus is None):
        raise InputError("a split needs the GPUs it divides: give gpu and gpus (--gpu and --gpus)")
    if spent is not None and spent.gpus is not None and split is not None:
        from planner.planning.memory import split_fit

        first = shapes[0].shape
        memory = split_fit(
            first.params.total,
            n_layers=first.n_layer,
            d_model=first.d_model,
            n_heads=first.n_heads,
            seq_len=length,
            micro_batch=micro_batch,
            gpus=spent.gpus,
            split=split,
            gpu=spent.chip,
            precision=precision,
            optimizer=optimizer,
            zero_stage=zero_stage,
            recompute=recompute,
        )
        if not memory.fits:
            notices.append(Notice("memory_short", memory.message))
    elif spent is not None and spent.gpus is not None:
        from planner.planning.memory import smallest_split

        # The first shape whose heads and layers split over the GPUs so that it fits; if
        # none does, the nearest shape's nearest miss.
        fits = []
        for candidate in shapes:
            fit = smallest_split(
                candidate.shape.params.total,
                n_layers=candidate.shape.n_layer,
                d_model=candidate.shape.d_model,
                n_heads=candidate.shape.n_heads,
                seq_len=length,
                micro_batch=micro_batch,
                gpus=spent.gpus,
                gpu=spent.chip,
                precision=precision,
                optimizer=optimizer,
                zero_stage=zero_stage,
                recompute=recompute,
            )
            fits.append((candidate, fit))
            if fit.fits:
                break
        chosen, memory = next(((c, f) for c, f in fits if f.fits), fits[0])
        if chosen is not shapes[0]:
            shapes = (chosen, *(c for c in shapes if c is not chosen))
            notices.append(
                Notice(
                    "shape_for_split",
                    f"the nearest shape does not split over {spent.gpus} GPUs to fit; the recipe "
                    f"takes {chosen.shape.n_layer} layers x {chosen.shape.d_model}",
                    level="note",
                )
            )
        if not memory.fits:
            notices.append(Notice("memory_short", memory.message))
    chosen_shape = shapes[0].shape
    # The laws' own inputs, from the recipe's shape: non-embedding N, and C = M D (Eq. 2 of
    # DeepSeek LLM: attention included), where the plan counts 6ND.
    inner = chosen_shape.params.non_embedding
    with_attention = chosen_shape.flops_per_token.with_attention * d
    estimates = []
    for law in laws:
        if plan.optimum.loss is None and "flops" in law.unranged and "params" in law.unranged:
            notices.append(
                Notice(
                    "no_loss_for_law",
                    f"{law.id} is left out: it is given the plan's loss, and {plan.law.id} predicts none",
                    level="note",
                )
            )
            continue
        estimate, notice = _estimate(law, with_attention, inner, d, length, plan.optimum.loss)
        estimates.append(estimate)
        if notice is not None:
            notices.append(notice)
        if estimate.inputs.startswith("L ="):
            notices.append(
                Notice(
                    "critical_batch_units",
                    f"{law.id} is given the plan's loss {plan.optimum.loss or 0.0:.4f} ({plan.units.loss} of "
                    f"{plan.units.tokens}); its own L is of {law.quantities.tokens}: its batch is indicative",
                    level="note",
                )
            )
    notices.append(
        Notice(
            "hyperparameter_inputs",
            f"the hyper-parameter laws are given the shape's ({chosen_shape.n_layer} layers x "
            f"{chosen_shape.d_model}) non-embedding N {inner:.3g} and C = M D {with_attention:.3g} with "
            f"attention (DeepSeek LLM Eq. 2), where the plan counts "
            f"{plan.attention.formula if plan.attention else 'C = 6ND'} {flops:.3g}",
            level="note",
        )
    )
    rates = [e.learning_rate for e in estimates if e.learning_rate is not None]
    batches = [e.batch_tokens for e in estimates]
    steps = [e.steps for e in estimates]
    steps_band = Interval(min(steps), max(steps))
    found = Recipe(
        seq_len=length,
        vocab=chosen_shape.vocab,
        tied=chosen_shape.tied,
        shapes=shapes,
        flop_convention="6N+attn" if plan.attention is not None else CONVENTION_FOR[plan.units.params],
        hyperparameters=tuple(estimates),
        learning_rate=Interval(min(rates), max(rates)),
        batch_tokens=Interval(min(batches), max(batches)),
        steps=steps_band,
        memory=memory,
        time=_time(
            plan,
            setup,
            steps_band,
            plan.attention.flops_per_token if plan.attention is not None else FLOPS_PER_PARAM_TOKEN * n,
        ),
        notices=tuple(notices),
    )
    return sensible(found, "the recipe")


SPLITTABLE = 1e9
"""From this many parameters on, a recipe's shapes keep heads to multiples of 8 and layers
to multiples of 4, so that tensor parallelism over an 8-GPU server and pipeline stages
divide them (smaller models train without model parallelism)."""


def _shapes(params: float, vocab: int, tied: bool, seq_len: int) -> tuple[Candidate, ...]:
    """Candidate shapes of the plan's size: parallel-friendly ones where any are near it."""
    found: tuple[Candidate, ...] = ()
    if params >= SPLITTABLE:
        found = candidate_shapes(
            params, vocab=vocab, tied=tied, seq_len=seq_len, heads_multiple=8, layers_multiple=4
        )
    if not found or abs(found[0].relative_difference) > TOLERANCE:
        found = candidate_shapes(params, vocab=vocab, tied=tied, seq_len=seq_len)
    near = tuple(c for c in found[1:] if abs(c.relative_difference) <= SHOWN)
    return (found[0], *near)


SHOWN = 0.05
"""Candidates beyond the nearest are shown within this relative distance of the plan's N."""


def _plan_hardware(plan: Plan) -> Hardware | None:
    """The hardware a plan was made with, rebuilt from its record (chip, MFU, GPU count)."""
    spent = plan.hardware
    if spent is None:
        return None
    from planner.hardware import find_chip
    from planner.hardware import hardware as chip_setup

    return chip_setup(find_chip(spent.gpu), gpus=spent.gpus, mfu=spent.mfu)


def _estimate(
    law: Law, flops: float, n: float, d: float, seq_len: int, loss: float | None
) -> tuple[Hyperparameters, Notice | None]:
    params = law.params
    rate = params.learning_rate(flops, n, d, loss)
    batch = params.batch_tokens(flops, n, d, loss)
    ranged = law.fitted_range.bounds()
    observed = {"flops": flops, "params": n, "tokens": d}
    if "flops" not in law.unranged:
        inputs = f"C = {flops:.3g}"
    elif "params" not in law.unranged:
        inputs = f"N = {n:.3g}, D = {d:.3g}"
    else:
        inputs = f"L = {loss or 0.0:.4g}"
    used = {name: value for name, value in observed.items() if name not in law.unranged}
    factors = []
    for name, value in used.items():
        bounds = ranged.get(name)
        if bounds is not None:
            low, high = bounds
            factors.append(value / high if value > high else low / value if value < low else 1.0)
    beyond = max(factors) if factors and max(factors) > 1.0 else None
    notice = range_notice(law, used, " (hyper-parameters)")
    setting = law.setting  # type: ignore[attr-defined]
    return (
        Hyperparameters(
            law=law_ref(law),
            learning_rate=rate,
            batch_tokens=batch,
            batch_sequences=batch / seq_len,
            steps=d / batch,
            inputs=inputs,
            beyond_fit=beyond,
            optimizer=setting.optimizer,
            schedule=setting.schedule,
            learning_rate_meaning=setting.learning_rate,
            caveats=law.caveats,
        ),
        notice,
    )


def _time(plan: Plan, setup: Hardware | None, steps: Interval, flops_per_token: float) -> RecipeTime | None:
    """Tokens a second and days on the plan's GPUs (or `setup`'s); None without a GPU count."""
    spent = plan.hardware
    if setup is not None:
        peak, mfu, gpus = setup.chip.peak_flops_per_second, setup.mfu, setup.gpus
        source = "given" if setup.mfu_given else DEFAULT_MFU_SOURCE
    elif spent is not None:
        peak, mfu, gpus = spent.peak_flops_per_second, spent.mfu, spent.gpus
        source = spent.mfu_source
    else:
        return None
    if gpus is None:
        return None
    rate = gpus * peak * mfu / flops_per_token
    days = days_for(gpu_hours_for(plan.flops, peak, mfu), gpus)
    low, high = LLAMA3_MFU
    return RecipeTime(
        steps=steps,
        tokens_per_second=rate,
        days=days,
        mfu=mfu,
        mfu_source=source,
        days_at_llama3_mfu=Interval(days * mfu / high, days * mfu / low),
        llama3_mfu_source=LLAMA3_MFU_SOURCE,
    )
