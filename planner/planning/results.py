"""The result types, which are the `--json` contract; field order here is output order.

Owns every object planner prints as JSON: plans, comparisons, transfer estimates and the
pieces they share (format version, law references, notices). Adding a field keeps FORMAT;
renaming, removing or changing the meaning of one bumps it. Standard library only.
"""

from __future__ import annotations

from planner.records import Alias, Record, Rows, Shown
from planner.version import FORMAT, __version__

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Literal

    from planner.forms.base import Law


class LawRef(Record):
    """Which law a result used, with enough to find its numbers in the source."""

    id: str
    name: str
    form: str
    domain: str
    citation: str
    locator: str


class Notice(Record):
    """Something the user should know about a result, e.g. extrapolation beyond the fit."""

    code: str
    message: str
    level: Literal["warning", "note"] = "warning"


class TransferUnits(Record):
    """What the numbers count: N and data differ between transfer laws and compute laws."""

    params: str
    data: str


class Transfer(Shown, Record, kw_only=True):
    """The effective data a fine-tune is worth, at one model size and fine-tuning set.

    D_T (`transferred`) = k D_F^alpha N^beta, D_E (`effective`) = D_F + D_T, `multiplier`
    = D_E / D_F and `fraction_transferred` = D_T / D_E. Data counts are in the law's unit
    (characters for Hernandez et al. 2021); `finetune_tokens` and `chars_per_token` are the
    user's, when the set was given in tokens (or a ratio was given), else None.
    """

    format: str = FORMAT
    planner_version: str
    law: LawRef
    params: float
    finetune_chars: float
    finetune_tokens: float | None
    chars_per_token: float | None
    transferred: float
    effective: float
    multiplier: float
    fraction_transferred: float
    units: TransferUnits
    notices: tuple[Notice, ...] = ()
    caveats: tuple[str, ...] = ()

    def summary(self) -> str:
        from planner.human import count

        return (
            f"{self.law.id}: {count(self.finetune_chars)} fine-tuning characters at "
            f"{count(self.params)} params are worth {count(self.effective)} "
            f"(x{self.multiplier:.2f}; {self.fraction_transferred:.0%} transferred)"
        )


class FineTune(Record):
    """A plan's fine-tune on top of pre-training, priced with a transfer law.

    mode "report": the transfer law at the plan's N for the whole fine-tuning set; the
    plan itself is unchanged. Mode "data_limited": N was chosen with the loss evaluated at
    the effective data D_E in place of the tokens trained on, which are the fine-tuning data.
    `transfer` is what `plan transfer` gives at that N and data (its notices are in the
    plan's). `effective_tokens` is D_E in tokens (None without a characters-per-token
    ratio); `loss_from_scratch` is, in data_limited mode, the plan law's loss at the same N
    and tokens with no pre-training.
    """

    mode: Literal["report", "data_limited"]
    transfer: Transfer
    effective_tokens: float | None
    loss_from_scratch: float | None


if TYPE_CHECKING:
    Binding = Literal["max_params", "max_tokens"]
else:
    Binding = Alias("Literal['max_params', 'max_tokens']")


class Allocation(Record):
    """A split of the budget: parameters, tokens and the loss the law predicts for it (None
    under a law that fits the allocation alone and predicts no loss)."""

    params: float
    tokens: float
    tokens_per_param: float
    loss: float | None


class Units(Record):
    """What the numbers count: parameters, tokens, loss and FLOPs differ between laws."""

    params: str
    tokens: str
    loss: str
    flops: str


class Constraints(Record):
    """Limits asked for, which one binds, and what it costs against the free optimum."""

    max_params: float | None
    max_tokens: float | None
    binding: Binding | None
    unconstrained: Allocation | None
    loss_increase: float | None


class LimitedData(Record):
    """What a limited supply of unique tokens does to the plan (Muennighoff et al. 2023).

    The plan's `optimum` is the best split of the budget given the supply: its tokens may
    exceed it, in `epochs` passes. Repeated tokens and parameters beyond what the unique data
    can use are worth less: `effective_tokens` (D') and `effective_params` (N') are what the
    law counts, and D' never exceeds `saturation_tokens`, U (1 + R_D*). `unlimited` is the plan
    of the same law, budget and limits with unlimited unique data; `loss_penalty` is how much
    higher the loss is here. `loss_per_ln_flops` is d loss / d ln C at this budget (a central
    difference of the best loss, re-planned at C e^(+-0.001)): how much one more e-fold of
    compute lowers the loss, beside the same slope with unlimited data. R_D* and R_N* are the
    decay constants used, from `decay_source`.
    """

    unique_tokens: float
    epochs: float
    effective_tokens: float
    effective_params: float
    saturation_tokens: float
    unlimited: Allocation
    loss_penalty: float
    loss_per_ln_flops: float
    unlimited_loss_per_ln_flops: float
    R_D_star: float
    R_N_star: float
    decay_source: str

    @property
    def returns(self) -> float | None:
        """loss_per_ln_flops as a share of its unlimited-data value (1 = as good as unlimited
        data, 0 = more compute is wasted); None where that value vanishes in floating point."""
        if self.unlimited_loss_per_ln_flops == 0:
            return None
        return self.loss_per_ln_flops / self.unlimited_loss_per_ln_flops


class RepeatedSubset(Record):
    """A subset of `fraction` of the training tokens seen `repeats` times (Hernandez et al.
    2022): it makes up `token_share` = fraction x repeats of the run, `repeated_tokens` in all.
    Reported and warned about, never priced: the paper gives no formula for the damage."""

    fraction: float
    repeats: float
    subset_tokens: float
    repeated_tokens: float
    token_share: float


class NaturalAmount(Record):
    """The plan in a unit of the domain: how many images (clips, frames) and the loss per one."""

    unit: str
    tokens_per_unit: float
    count: float
    loss_per_unit: float


PREDICTS = "pre-training loss, not capabilities (Ganguli et al. 2022)"
"""What every loss in a plan is: scaling laws predict the loss, not what a model can do."""


class Interval(Record):
    """A central interval on one quantity, in the units of its point value."""

    low: float
    high: float


class Intervals(Record, kw_only=True):
    """Central intervals at `level` on a result's quantities, from draws of its law's parameters.

    Each quantity is the point calculation repeated on every draw of the parameters (from
    the law's covariance), and its interval the draws' central percentiles; `method` says
    which draws and how. The loss intervals (`loss`, and `run_loss` for a given run) add
    the model-error term, a normal error of `model_error` (its sigma, in log loss) on each
    draw's prediction; `parameter_loss` is the loss interval from the draws alone, so that
    the widening shows. `failed` counts the draws for which the question has no answer (no
    optimum, a target below the draw's irreducible loss): they are left out of the
    percentiles and counted here, never dropped silently. A quantity the question fixes
    (the FLOPs of a budget, the days of a given cluster on it) has no interval.
    """

    level: float
    params: Interval | None = None
    tokens: Interval | None = None
    tokens_per_param: Interval | None = None
    loss: Interval | None = None
    parameter_loss: Interval | None = None
    run_loss: Interval | None = None
    flops: Interval | None = None
    gpu_hours: Interval | None = None
    days: Interval | None = None
    cost: Interval | None = None
    model_error: float = 0.0
    draws: int
    failed: int = 0
    method: str


class RunEvaluation(Record):
    """A given run (params, tokens) against the compute-optimal plan at the same FLOPs.

    `loss_gap` is the run's loss above the optimum's, never negative; `params_ratio` is
    params / optimum params; `optimal_flops_for_loss` is the compute the optimal plan needs
    to reach the run's loss, `compute_fraction` that as a fraction of the run's FLOPs, and
    `compute_overhead` the run's FLOPs over that, minus one (what the run spends beyond it).
    """

    params: float
    tokens: float
    tokens_per_param: float
    loss: float
    loss_gap: float
    loss_gap_percent: float
    params_ratio: float
    optimal_flops_for_loss: float
    compute_fraction: float
    compute_overhead: float
    unique_tokens: float | None = None
    """With limited unique data: the supply the run repeats (`epochs` passes over it)."""
    epochs: float | None = None
    loss_unlimited_data: float | None = None
    """The run's loss with unlimited unique data; `data_penalty` is `loss` above it."""
    data_penalty: float | None = None


if TYPE_CHECKING:
    Given = Literal["loss", "params", "tokens"]
else:
    Given = Alias("Literal['loss', 'params', 'tokens']")


class Inverse(Record):
    """What an inverse plan was solved from: a target `loss`, or the `params` or `tokens` it
    must have; `method` says how the budget was found (closed form or bisection)."""

    given: Given
    value: float
    method: str


class SizePoint(Record):
    """One model size at a budget: `fraction` of the optimum's params, trained on what the
    budget leaves (C / 6N). `flops_to_match` is the compute this size needs, trained for
    longer or shorter, to reach the optimum's loss; `compute_overhead` is that over the
    budget, minus one. Both are None where the size cannot reach that loss with any data."""

    fraction: float
    params: float
    tokens: float
    tokens_per_param: float
    loss: float
    loss_gap: float
    flops_to_match: float | None
    compute_overhead: float | None
    loss_interval: Interval | None = None
    """The central interval of `loss` at the curve's level (see SizeCurve.intervals)."""


class SizeCurve(Shown, Rows, Record, kw_only=True):
    """Model sizes as fractions of the compute-optimal size at one budget (`plan --size-range`)."""

    format: str = FORMAT
    planner_version: str
    law: LawRef
    flops: float
    optimum: Allocation
    predicts: str = PREDICTS
    points: tuple[SizePoint, ...]
    intervals: Intervals | None = None
    """The optimum's intervals; each point's loss interval is in the point."""
    notices: tuple[Notice, ...] = ()

    def summary(self) -> str:
        from planner.human import count, sci

        ends = f"{self.points[0].fraction:g}x to {self.points[-1].fraction:g}x" if self.points else "no sizes"
        return (
            f"{self.law.id} at {sci(self.flops)} FLOPs: {len(self.points)} sizes, {ends} the "
            f"optimum's {count(self.optimum.params)} params"
        )


if TYPE_CHECKING:
    Objective = Literal["flops", "cost"]
else:
    Objective = Alias("Literal['flops', 'cost']")


if TYPE_CHECKING:
    Mlp = Literal["gelu", "swiglu"]
else:
    Mlp = Alias("Literal['gelu', 'swiglu']")


class Family(Record):
    """A published model whose d_model / n_layer a candidate follows."""

    name: str
    n_layer: int
    d_model: int
    source: str

    @property
    def ratio(self) -> float:
        """Its aspect ratio, d_model / n_layer."""
        return self.d_model / self.n_layer


class ParamCount(Record, kw_only=True):
    """Exact parameters of a shape: `embedding` (token and position embeddings, and the output
    head when untied) plus `non_embedding` (every block and the final norm) is `total`."""

    total: int
    non_embedding: int
    embedding: int


class FlopsPerToken(Record, kw_only=True):
    """Training FLOPs per token (forward and backward) under each convention of CONVENTIONS."""

    total: float
    """The "6N" convention: 6 x total parameters."""
    non_embedding: float
    """The "6N-nonembedding" convention: 6 x non-embedding parameters."""
    with_attention: float
    """The "6N+attn" convention: DeepSeek's M at the shape's `seq_len`."""


class Shape(Record, kw_only=True):
    """One decoder-only transformer: its dimensions, exact counts and FLOPs per token."""

    n_layer: int
    d_model: int
    n_heads: int
    n_kv_heads: int
    d_ff: int
    vocab: int
    tied: bool
    mlp: Mlp
    biases: bool
    positions: int
    seq_len: int
    params: ParamCount
    flops_per_token: FlopsPerToken

    @property
    def head_dim(self) -> int:
        """Width of one attention head."""
        return self.d_model // self.n_heads

    @property
    def aspect_ratio(self) -> float:
        """d_model / n_layer."""
        return self.d_model / self.n_layer


class Candidate(Record, kw_only=True):
    """A shape near a size: `relative_difference` is (its total - the size) / the size."""

    shape: Shape
    family: Family
    relative_difference: float


class ModelStates(Record, kw_only=True):
    """Bytes of model states on one GPU: weights, gradients and optimizer states."""

    params_per_gpu: float
    zero_stage: int
    data_parallel: int
    weights: float
    gradients: float
    optimizer_states: float
    total: float


class Activations(Record, kw_only=True):
    """Bytes of activations on one GPU: the first pipeline stage, which holds the most.

    Under the 1F1B schedule the first of p stages holds the activations of p micro-batches
    at once (Korthikanti et al. 2022, Sec. 4.2.3), each for its ceil(L / p) layers.
    """

    per_layer: float
    layers_per_stage: int
    micro_batches_in_flight: int
    total: float


class Split(Record, kw_only=True):
    """How the GPUs are divided: data x tensor x pipeline parallel degrees."""

    data_parallel: int
    tensor_parallel: int
    pipeline_parallel: int

    @property
    def model_parallel(self) -> int:
        """GPUs one copy of the model is spread over: tensor x pipeline."""
        return self.tensor_parallel * self.pipeline_parallel


class MemoryUse(Record, kw_only=True):
    """What one GPU holds under a split: model states, activations and their sum in bytes."""

    split: Split
    model_states: ModelStates
    activations: Activations
    total: float


class SplitFit(Record, kw_only=True):
    """The smallest split that fits a GPU's memory, or, when none does, the nearest miss.

    `headroom` is the GPU's memory less what the split needs, in bytes: negative when it
    does not fit. `message` is one line to show: where it fits, or by how much it misses.
    """

    fits: bool
    split: Split
    memory: MemoryUse
    gpu: str | None
    memory_bytes: float
    headroom: float
    message: str


class Hyperparameters(Record, kw_only=True):
    """One hyper-parameter law's peak learning rate and batch for a plan's run.

    `batch_sequences` is `batch_tokens` over the recipe's sequence length (not rounded: a
    launch rounds it to what its parallelism divides); `steps` the plan's tokens over the
    batch. `inputs` says what the law was given (its C, or its N and D); `beyond_fit` is how
    many times outside the law's fitted runs that is, None inside them (or where the law
    records no range).
    """

    law: LawRef
    learning_rate: float | None
    """None for a law of the batch alone (the critical batch)."""
    batch_tokens: float
    batch_sequences: float
    steps: float
    inputs: str
    beyond_fit: float | None
    optimizer: str
    schedule: str
    learning_rate_meaning: str
    caveats: tuple[str, ...] = ()


class RecipeTime(Record, kw_only=True):
    """How long the plan's tokens take on the given GPUs: steps, tokens a second, days.

    At the plan's MFU (`mfu`, from `mfu_source`), and at the Llama 3 405B run's 38-43% as a
    cited alternative (`days_at_llama3_mfu`).
    """

    steps: Interval
    tokens_per_second: float
    days: float | None
    mfu: float
    mfu_source: str
    days_at_llama3_mfu: Interval | None
    llama3_mfu_source: str


class Recipe(Record, kw_only=True):
    """From a plan to a training run: the model's shape, its hyper-parameters, its memory
    and split on the GPUs, and the time it takes. `learning_rate`, `batch_tokens` and
    `steps` are the spread over the hyper-parameter laws: the literature's range, not an
    interval."""

    seq_len: int
    vocab: int
    tied: bool
    shapes: tuple[Candidate, ...]
    """Shapes whose exact count is near the plan's N, nearest first; the first is the one
    the hyper-parameters and the memory are worked out for."""
    flop_convention: str
    """The FLOPs per token the plan's budget counts (the law's), of the shape's conventions."""
    hyperparameters: tuple[Hyperparameters, ...]
    learning_rate: Interval
    batch_tokens: Interval
    steps: Interval
    memory: SplitFit | None = None
    """With a GPU count: the smallest split of the GPUs that fits the first shape, or by how
    much the best one misses (`fits` False)."""
    time: RecipeTime | None = None
    notices: tuple[Notice, ...] = ()

    def summary(self) -> str:
        from planner.human import count, sci

        words = []
        if self.shapes:
            shape = self.shapes[0].shape
            words.append(
                f"{shape.n_layer} layers x d_model {shape.d_model} ({count(shape.params.total)} params)"
            )
        words.append(f"peak lr {sci(self.learning_rate.low)} to {sci(self.learning_rate.high)}")
        words.append(f"batch {count(self.batch_tokens.low)} to {count(self.batch_tokens.high)} tokens")
        if self.memory is not None:
            split = self.memory.split
            fits = "fits" if self.memory.fits else "does not fit"
            words.append(
                f"{fits} at data x tensor x pipeline {split.data_parallel}x{split.tensor_parallel}"
                f"x{split.pipeline_parallel}"
            )
        if self.time is not None and self.time.days is not None:
            words.append(f"{self.time.days:,.1f} days")
        return ", ".join(words)

    def __repr__(self) -> str:
        return f"<Recipe {self.summary()}>"


class InferenceAware(Record):
    """A plan's lifetime view: the plan trains N on D and then serves `inference_tokens`.

    The plan's `flops` and `optimum` are the inference-aware training run (its loss is
    `target_loss`); `compute_optimal` is the Chinchilla-style plan that reaches the same loss
    with the least training compute. `params_fraction` and `total_flops_fraction` compare the
    two (Sardana et al. report these as "% of the parameters" and "% of the FLOPs");
    `flops_saved` = compute-optimal total minus this total. Costs are None without hardware
    and a price; `inference_mfu` is None without hardware.
    """

    inference_tokens: float
    objective: Objective
    target_loss: float
    training_flops: float
    inference_flops: float
    total_flops: float
    compute_optimal: Allocation
    compute_optimal_training_flops: float
    compute_optimal_inference_flops: float
    compute_optimal_total_flops: float
    params_fraction: float
    total_flops_fraction: float
    flops_saved: float
    inference_mfu: float | None
    training_cost: float | None
    inference_cost: float | None
    total_cost: float | None
    compute_optimal_total_cost: float | None
    cost_saved: float | None
    size_given: bool = False
    """Whether the size was given (`params`): the plan serves it rather than choosing one."""
    lifetime_optimal: Allocation | None = None
    """With a given size: the size the objective would choose, and its tokens."""
    lifetime_optimal_total_flops: float | None = None


class HardwareUse(Record):
    """What a plan costs in GPU time and money on the given hardware (a plan's `hardware`).

    `peak_flops_per_second` is one GPU's dense peak; `days` is wall-clock time on `gpus`
    GPUs; `cost` is `gpu_hours` x `price_per_gpu_hour`, in the currency of the price.
    """

    gpu: str
    gpu_name: str
    precision: Literal["bf16"]
    peak_flops_per_second: float
    mfu: float
    mfu_source: str
    gpu_hours: float
    gpus: int | None
    days: float | None
    price_per_gpu_hour: float | None
    cost: float | None


class AttentionCount(Record):
    """How a plan's FLOPs count attention (`--flop-convention 6N+attn`): the continuous shape
    that priced it at the plan's N, its FLOPs per token, and the 6ND the law itself counts."""

    convention: str
    formula: str
    seq_len: int
    aspect_ratio: float
    n_layer: float
    d_model: float
    flops_per_token: float
    attention_per_token: float
    law_flops: float
    method: str


class TopOneErrorProxy(Record):
    """An average top-1 error over a task suite, mapped from the predicted loss by the law's
    source (Gadre et al. 2024: Err = epsilon - k exp(-gamma L)): a proxy fitted on that suite,
    not a capability. `error` is the optimum's, `run_error` a given run's (else None); both
    are fractions (0.55 = 55% of answers wrong, averaged over the suite's tasks)."""

    suite: str
    tasks: int
    error: float
    run_error: float | None = None


class MixtureOfExperts(Record):
    """The MoE a fine-grained MoE law plans (Krajewski et al. 2024): `experts` E = N_MoE / N_ff
    (the experts hold E times the dense feed-forward parameters), `granularity` G = d_ff /
    d_expert, so E x G experts of which G are active a token. The plan's params count active
    non-embedding parameters; `total_params` is all non-embedding parameters of that model
    (the law's N), `run_total_params` the same for a given run (else None)."""

    experts: float
    granularity: float
    total_params: float
    run_total_params: float | None = None


class ParamsConversion(Record):
    """Sizes given in another count than the law's (`--param-convention`), converted
    (planner.planning.conversions): the rule, and the optimum's size in the user's count."""

    given: str
    law_counts: str
    rule: str
    vocab: int | None
    formula: str
    source: str
    optimum_params: float
    asked_params: float | None
    caveats: tuple[str, ...]


class CriticalBatch(Record):
    """A budget spent at the critical batch under a law whose C is Kaplan's C_min
    (`--kaplan-compute critical`): Eq. (5.5), C_min = C / (1 + B / B_crit), at B = B_crit."""

    convention: str
    minimum_flops: float
    factor: float
    source: str


class Plan(Shown, Rows, Record, kw_only=True):
    """The compute-optimal plan for one budget under one law."""

    format: str = FORMAT
    planner_version: str
    law: LawRef
    flops: float
    optimum: Allocation
    units: Units
    predicts: str = PREDICTS
    constraints: Constraints | None = None
    data: LimitedData | None = None
    repeated_subset: RepeatedSubset | None = None
    natural_units: tuple[NaturalAmount, ...] = ()
    converged_loss: float | None = None
    notices: tuple[Notice, ...] = ()
    caveats: tuple[str, ...] = ()
    finetune: FineTune | None = None
    hardware: HardwareUse | None = None
    run: RunEvaluation | None = None
    intervals: Intervals | None = None
    inverse: Inverse | None = None
    inference: InferenceAware | None = None
    recipe: Recipe | None = None
    flop_convention: str = "6N"
    """What `flops` counts: "6N" (6 x N x D) or "6N+attn" (attention too; see `attention`)."""
    attention: AttentionCount | None = None
    critical_batch: CriticalBatch | None = None
    params_conversion: ParamsConversion | None = None
    """With `--param-convention`: how the user's sizes were converted to the law's count."""
    """With `--kaplan-compute critical`: the C_min the law was asked at, and why."""
    average_top1_error_proxy: tuple[TopOneErrorProxy, ...] = ()
    """Under a law that maps loss to downstream error (gadre2024-*): one per task suite."""
    mixture_of_experts: MixtureOfExperts | None = None
    """Under a fine-grained MoE law (krajewski2024): the experts and granularity planned at."""

    def summary(self) -> str:
        from planner.human import count, days, money, sci

        law, best, run = self.law.id, self.optimum, self.run
        if run is not None:
            optimum = f" the optimum's {best.loss:.4f}" if best.loss is not None else " the optimum"
            return (
                f"{law}: a run of {count(run.params)} params on {count(run.tokens)} tokens "
                f"({sci(self.flops)} FLOPs), loss {run.loss:.4f}, {run.loss_gap_percent:.2f}% above"
                f"{optimum}"
            )
        asked = self.inverse
        if asked is None:
            head = f"{law} at {sci(self.flops)} FLOPs"
        else:
            if asked.given == "loss":
                head = f"{law}: loss {asked.value:.4f} needs {sci(self.flops)} FLOPs"
            else:
                head = f"{law}: {count(asked.value)} {asked.given} are compute-optimal at {sci(self.flops)} FLOPs"
        words = [f"{count(best.params)} params", f"{count(best.tokens)} tokens"]
        if best.loss is not None:
            loss = f"loss {best.loss:.4f}"
            bounds = self.intervals
            if bounds is not None and bounds.loss is not None:
                loss += f" ({bounds.level:.0%}: {bounds.loss.low:.4f} to {bounds.loss.high:.4f})"
            words.append(loss)
        if self.data is not None:
            words.append(f"{self.data.epochs:.3g} epochs of {count(self.data.unique_tokens)} unique tokens")
        if self.constraints is not None and self.constraints.binding is not None:
            words.append(f"{self.constraints.binding} binds")
        if self.inference is not None:
            words.append(f"serves {count(self.inference.inference_tokens)} tokens")
        spent = self.hardware
        if spent is not None:
            words.append(f"{spent.gpu_hours:,.0f} {spent.gpu} GPU-hours")
            if spent.days is not None:
                words.append(f"{days(spent.days)} days on {spent.gpus:,}")
            if spent.cost is not None:
                words.append(money(spent.cost))
        return f"{head}: {', '.join(words)}"


class Plans(Shown, Rows, list["Plan"]):
    """The plans of several budgets, as `plan([...])` gives them: a list of `Plan`, shown as
    the command's table (`table()`, a notebook, rich), with `to_dict()` (each plan's) and
    `to_pandas()` (one row a plan, in the CSV's columns)."""

    __slots__ = ()

    def summary(self) -> str:
        from planner.human import sci

        if not self:
            return "no plans"
        laws = sorted({item.law.id for item in self})
        budgets = [item.flops for item in self]
        span = (
            sci(min(budgets))
            if min(budgets) == max(budgets)
            else f"{sci(min(budgets))} to {sci(max(budgets))}"
        )
        return f"{len(self)} plans under {', '.join(laws)}, {span} FLOPs"

    def to_dict(self) -> list[dict[str, Any]]:
        """Each plan's `to_dict()`: what `--json` prints, a line a plan."""
        return [item.to_dict() for item in self]


class Spread(Record):
    """How far apart the laws are: max / min of params and of tokens over the plans."""

    params: float
    tokens: float


class Comparison(Shown, Rows, Record, kw_only=True):
    """Every law of a domain planned at the same budget."""

    format: str = FORMAT
    planner_version: str
    flops: float
    domain: str
    plans: tuple[Plan, ...]
    spread: Spread
    notices: tuple[Notice, ...] = ()

    def summary(self) -> str:
        from planner.human import count, sci

        params = [item.optimum.params for item in self.plans]
        tokens = [item.optimum.tokens for item in self.plans]
        return (
            f"{len(self.plans)} {self.domain} laws at {sci(self.flops)} FLOPs: params "
            f"{count(min(params))} to {count(max(params))} (x{self.spread.params:.2f}), tokens "
            f"{count(min(tokens))} to {count(max(tokens))} (x{self.spread.tokens:.2f})"
        )


def law_ref(law: Law) -> LawRef:
    """The reference to a law that results carry (one per law, shared by its results)."""
    ref = _REFS.get(law)
    if ref is None:
        ref = _REFS[law] = _law_ref(law)
    return ref


_REFS: dict[Law, LawRef] = {}


def _law_ref(law: Law) -> LawRef:
    return LawRef(
        id=law.id,
        name=law.name,
        form=law.form,
        domain=law.domain,
        citation=law.citation,
        locator=law.source.locator,
    )


def planner_version() -> str:
    """The installed planner's version, as results report it."""
    return __version__
