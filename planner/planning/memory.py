"""Memory of a training run per GPU: model states under ZeRO, and activations.

Owns the bytes of model states per parameter (by precision and optimizer, each with its
source), their sharding by ZeRO-DP (Rajbhandari et al. 2019, arXiv 1910.02054), activation
memory with tensor, sequence and pipeline parallelism and recompute (Korthikanti et al.
2022, arXiv 2205.05198), and the search for the smallest model-parallel split that fits a
chip. Checks its inputs and raises `InputError`; pure arithmetic: no files, no printing.
Standard library only.
"""

from __future__ import annotations

import math

from planner.errors import InputError
from planner.hardware import UNIT_BYTES, Chip, find_chip
from planner.planning.results import Activations, MemoryUse, ModelStates, Split, SplitFit
from planner.planning.sense import check_positive, question
from planner.records import Alias, Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Literal

    Precision = Literal["mixed", "mixed-fp32-grads", "fp32"]
    Optimizer = Literal["adam", "sgd-momentum"]
    Recompute = Literal["none", "selective", "full"]
else:
    Precision = Alias("Literal['mixed', 'mixed-fp32-grads', 'fp32']")
    Optimizer = Alias("Literal['adam', 'sgd-momentum']")
    Recompute = Alias("Literal['none', 'selective', 'full']")

HF_ANATOMY = (
    'Hugging Face Transformers docs, "Model training anatomy", Anatomy of Model\'s Memory '
    "(https://huggingface.co/docs/transformers/model_memory_anatomy)"
)


class StateBytes(Record, kw_only=True):
    """Bytes of model states per parameter, in the three parts ZeRO partitions one by one.

    `optimizer_states` is everything the optimizer step keeps, the fp32 master weights of
    mixed precision included: ZeRO (Sec. 3.1) counts them in its K, and shards them with it.
    """

    precision: Precision
    optimizer: Optimizer
    weights: float
    gradients: float
    optimizer_states: float
    source: str

    @property
    def total(self) -> float:
        """Bytes per parameter when nothing is sharded (ZeRO's 2 + 2 + K)."""
        return self.weights + self.gradients + self.optimizer_states


STATE_BYTES = (
    StateBytes(
        precision="mixed",
        optimizer="adam",
        weights=2.0,
        gradients=2.0,
        optimizer_states=12.0,
        source="Rajbhandari et al. 2019 (ZeRO, arXiv:1910.02054), Sec. 3.1: fp16 weights 2, "
        "fp16 gradients 2, fp32 master weights, momentum and variance K = 12; 16 bytes in all",
    ),
    StateBytes(
        precision="mixed-fp32-grads",
        optimizer="adam",
        weights=2.0,
        gradients=4.0,
        optimizer_states=12.0,
        source=f"{HF_ANATOMY}: mixed-precision AdamW, 18 bytes: weights 6 (fp32 and 16-bit "
        "copies), gradients 4 (kept in fp32), AdamW 8; the fp32 copy is counted here with the "
        "optimizer states, as ZeRO counts it",
    ),
    StateBytes(
        precision="mixed-fp32-grads",
        optimizer="sgd-momentum",
        weights=2.0,
        gradients=4.0,
        optimizer_states=8.0,
        source=f"{HF_ANATOMY}: mixed-precision weights 6 (fp32 and 16-bit copies), gradients 4 "
        "(fp32), SGD with momentum 4 (one state); 14 bytes; the fp32 copy is counted with the "
        "optimizer states, as ZeRO counts it",
    ),
    StateBytes(
        precision="fp32",
        optimizer="adam",
        weights=4.0,
        gradients=4.0,
        optimizer_states=8.0,
        source=f"{HF_ANATOMY}: fp32 weights 4, gradients 4, AdamW 8 (two states); 16 bytes",
    ),
    StateBytes(
        precision="fp32",
        optimizer="sgd-momentum",
        weights=4.0,
        gradients=4.0,
        optimizer_states=4.0,
        source=f"{HF_ANATOMY}: fp32 weights 4, gradients 4, SGD with momentum 4 (one state); 12 bytes",
    ),
)
"""Every precision and optimizer with a published count of bytes per parameter. AdamW
keeps the same two moments as Adam. Moments in bf16 (about 12 bytes) are left out: we know
of no source that prints that total."""

ZERO_STAGES = (0, 1, 2, 3)
RECOMPUTE_MODES = ("none", "selective", "full")

MAX_TENSOR_PARALLEL = 8
"""Tensor parallelism stays inside one 8-GPU server: it all-reduces in every layer, so it
should go up to the GPUs of one server and pipeline parallelism beyond (Narayanan et al.
2021, arXiv:2104.04473, Sec. 3.3, Takeaway #1)."""


def state_bytes(precision: str = "mixed", optimizer: str = "adam") -> StateBytes:
    """Bytes per parameter of model states for a precision and optimizer, with the source.

    Raises:
        InputError: an unknown precision or optimizer, or a pair no source counts.
    """
    precisions = list(dict.fromkeys(row.precision for row in STATE_BYTES))
    optimizers = list(dict.fromkeys(row.optimizer for row in STATE_BYTES))
    if precision not in precisions:
        raise InputError(f"no precision named {precision!r}; choose one of: {', '.join(precisions)}")
    if optimizer not in optimizers:
        raise InputError(f"no optimizer named {optimizer!r}; choose one of: {', '.join(optimizers)}")
    for row in STATE_BYTES:
        if (row.precision, row.optimizer) == (precision, optimizer):
            return row
    pairs = ", ".join(f"{row.optimizer} with {row.precision}" for row in STATE_BYTES)
    raise InputError(
        f"no source we cite counts the bytes of {optimizer} with {precision} precision; choose one of: {pairs}"
    )


@question("the model states")
def model_states(
    params: float,
    *,
    precision: str = "mixed",
    optimizer: str = "adam",
    zero_stage: int = 0,
    data_parallel: int = 1,
) -> ModelStates:
    """Bytes of model states per GPU for `params` parameters under a ZeRO stage.

    ZeRO-DP (Rajbhandari et al. 2019, Sec. 5.1-5.3, Figure 1), with Psi parameters, N_d
    data-parallel ranks and 2 + 2 + K bytes per parameter: stage 1 shards the optimizer
    states (4 Psi + K Psi / N_d), stage 2 the gradients too (2 Psi + (2 + K) Psi / N_d),
    stage 3 the weights too ((4 + K) Psi / N_d). Here the three parts are those of
    `state_bytes`, so the same sharding holds for every precision and optimizer.

    Args:
        params: the parameters one model-parallel shard holds (the whole model without
            tensor or pipeline parallelism).
        data_parallel: N_d, the data-parallel ranks ZeRO shards over.
    """
    count = check_positive("params", params, least=1, example="7e9")
    ranks = check_count("data_parallel", data_parallel, "data-parallel ranks")
    stage = check_zero_stage(zero_stage)
    return _states(count, state_bytes(precision, optimizer), stage, ranks)


def _states(params: float, per: StateBytes, stage: int, ranks: int) -> ModelStates:
    weights = per.weights * params / (ranks if stage >= 3 else 1)
    gradients = per.gradients * params / (ranks if stage >= 2 else 1)
    optimizer_states = per.optimizer_states * params / (ranks if stage >= 1 else 1)
    return ModelStates(
        params_per_gpu=params,
        zero_stage=stage,
        data_parallel=ranks,
        weights=weights,
        gradients=gradients,
        optimizer_states=optimizer_states,
        total=weights + gradients + optimizer_states,
    )


@question("the activations of a layer")
def activation_bytes_per_layer(
    *,
    seq_len: int,
    micro_batch: int,
    d_model: int,
    n_heads: int,
    tensor_parallel: int = 1,
    sequence_parallel: bool = True,
    recompute: str = "selective",
) -> float:
    """Bytes of activations one transformer layer keeps for the backward pass, on one GPU.

    Korthikanti et al. 2022, "Reducing Activation Recomputation in Large Transformer
    Models", arXiv:2205.05198, Sec. 4 and Table 2; s tokens, b sequences, width h, a heads,
    16-bit activations, 1-byte dropout masks, an MLP of 4h:
      none, no parallelism (Eq. 1):    s b h (34 + 5 a s / h)
      none, tensor parallel t:         s b h (10 + 24 / t + 5 a s / (h t))
      none, t + sequence parallel:     (s b h / t)(34 + 5 a s / h)   (per layer of Eq. 5)
      selective (Sec. 5):              the same without the 5 a s / h term (the attention
                                       scores, softmax and its dropout, recomputed)
      full:                            2 s b h, or 2 s b h / t with sequence parallel
    Full recompute keeps only each layer's 16-bit input; that line is derived from the
    same accounting (the shard of it with sequence parallel is ours too).

    Raises:
        InputError: a size that is not a whole number above zero, heads that do not divide
            d_model, or a tensor-parallel degree that does not divide the heads.
    """
    s, b, h, a = check_shape(seq_len=seq_len, micro_batch=micro_batch, d_model=d_model, n_heads=n_heads)
    t = check_tensor_parallel(tensor_parallel, a)
    return _per_layer(s, b, h, a, t, bool(sequence_parallel), check_recompute(recompute))


def _per_layer(s: int, b: int, h: int, a: int, t: int, sequence_parallel: bool, recompute: str) -> float:
    sbh = float(s) * b * h
    if recompute == "full":
        return 2 * sbh / (t if sequence_parallel else 1)
    attention = 0.0 if recompute == "selective" else 5 * a * s / h
    if sequence_parallel:
        return sbh / t * (34 + attention)
    return sbh * (10 + 24 / t + attention / t)


@question("the activations")
def activations(
    *,
    n_layers: int,
    seq_len: int,
    micro_batch: int,
    d_model: int,
    n_heads: int,
    tensor_parallel: int = 1,
    pipeline_parallel: int = 1,
    sequence_parallel: bool = True,
    recompute: str = "selective",
) -> Activations:
    """Bytes of activations on the GPU that holds the most: one of the first pipeline stage.

    With p stages that stage has ceil(L / p) layers and, under the 1F1B schedule, p
    micro-batches in flight, so it holds about L layers' worth whatever p is (Korthikanti
    et al. 2022, Sec. 4.2.3 and Eq. 5). We assume at least p micro-batches per step and the
    non-interleaved schedule, and leave out the embedding, output layer and loss, which the
    paper shows are small beside the layers.
    """
    layers = check_count("n_layers", n_layers, "layers")
    per_layer = activation_bytes_per_layer(
        seq_len=seq_len,
        micro_batch=micro_batch,
        d_model=d_model,
        n_heads=n_heads,
        tensor_parallel=tensor_parallel,
        sequence_parallel=sequence_parallel,
        recompute=recompute,
    )
    stages = check_pipeline_parallel(pipeline_parallel, layers)
    per_stage = math.ceil(layers / stages)
    return Activations(
        per_layer=per_layer,
        layers_per_stage=per_stage,
        micro_batches_in_flight=stages,
        total=per_layer * per_stage * stages,
    )


@question("the memory per GPU")
def memory_per_gpu(
    params: float,
    *,
    n_layers: int,
    d_model: int,
    n_heads: int,
    seq_len: int,
    micro_batch: int,
    gpus: int,
    split: Split | tuple[int, int, int] | None = None,
    precision: str = "mixed",
    optimizer: str = "adam",
    zero_stage: int = 0,
    recompute: str = "selective",
    sequence_parallel: bool = True,
) -> MemoryUse:
    """Bytes one GPU holds under a split: model states plus activations.

    The first pipeline stage is counted: ceil(L / p) of the L layers, so params ceil(L / p)
    / (L t) parameters, which spreads the embeddings over the layers; ZeRO then shards its
    model states over the data-parallel ranks.

    Args:
        split: (data, tensor, pipeline) degrees or a `Split`, whose product is `gpus`;
            None for data parallelism alone.
        recompute: "none", "selective" (the default: Korthikanti et al.'s recommendation,
            2.7% more FLOPs for GPT-3) or "full".

    Raises:
        InputError: a bad size, precision, optimizer, ZeRO stage or recompute mode, or a
            split whose product is not `gpus`.
    """
    count = check_positive("params", params, least=1, example="7e9")
    shape = check_shape(seq_len=seq_len, micro_batch=micro_batch, d_model=d_model, n_heads=n_heads)
    layers = check_count("n_layers", n_layers, "layers")
    chosen = check_split(split, check_count("gpus", gpus, "GPUs"), n_heads=shape[3], n_layers=layers)
    per = state_bytes(precision, optimizer)
    stage, mode = check_zero_stage(zero_stage), check_recompute(recompute)
    return _use(count, layers, shape, chosen, per, stage, mode, bool(sequence_parallel))


def _use(
    params: float,
    layers: int,
    shape: tuple[int, int, int, int],
    split: Split,
    per: StateBytes,
    zero_stage: int,
    recompute: str,
    sequence_parallel: bool,
) -> MemoryUse:
    tp, pp = split.tensor_parallel, split.pipeline_parallel
    per_stage = math.ceil(layers / pp)
    states = _states(params * per_stage / (layers * tp), per, zero_stage, split.data_parallel)
    per_layer = _per_layer(*shape, tp, sequence_parallel, recompute)
    held = Activations(
        per_layer=per_layer,
        layers_per_stage=per_stage,
        micro_batches_in_flight=pp,
        total=per_layer * per_stage * pp,
    )
    return MemoryUse(split=split, model_states=states, activations=held, total=states.total + held.total)


def splits(gpus: int, *, n_heads: int, n_layers: int) -> tuple[Split, ...]:
    """Every split `smallest_split` tries, in its order: smallest tensor x pipeline degree
    first, then smaller pipeline, then smaller tensor degree.

    Data x tensor x pipeline is exactly `gpus`; tensor divides the heads and is at most
    MAX_TENSOR_PARALLEL; pipeline divides the layers, so every stage has as many.
    """
    total = check_count("gpus", gpus, "GPUs")
    heads = check_count("n_heads", n_heads, "attention heads")
    layers = check_count("n_layers", n_layers, "layers")
    found = [
        Split(data_parallel=total // (tp * pp), tensor_parallel=tp, pipeline_parallel=pp)
        for tp in range(1, min(MAX_TENSOR_PARALLEL, heads, total) + 1)
        if heads % tp == 0 and total % tp == 0
        for pp in range(1, min(layers, total // tp) + 1)
        if layers % pp == 0 and (total // tp) % pp == 0
    ]
    return tuple(sorted(found, key=lambda s: (s.model_parallel, s.pipeline_parallel, s.tensor_parallel)))


@question("the memory of the split")
def split_fit(
    params: float,
    *,
    n_layers: int,
    d_model: int,
    n_heads: int,
    seq_len: int,
    micro_batch: int,
    gpus: int,
    split: Split | tuple[int, int, int],
    gpu: Chip | str | None = None,
    memory_bytes: float | None = None,
    precision: str = "mixed",
    optimizer: str = "adam",
    zero_stage: int = 0,
    recompute: str = "selective",
    sequence_parallel: bool = True,
) -> SplitFit:
    """Whether a given split of `gpus` fits one GPU's memory, as `smallest_split` says it.

    Raises:
        InputError: as `smallest_split`, or a split whose degrees do not multiply to `gpus`,
            whose tensor degree does not divide the heads or whose pipeline degree does not
            divide the layers.
    """
    chip, capacity = _capacity(gpu, memory_bytes)
    use = memory_per_gpu(
        params,
        n_layers=n_layers,
        d_model=d_model,
        n_heads=n_heads,
        seq_len=seq_len,
        micro_batch=micro_batch,
        gpus=gpus,
        split=split,
        precision=precision,
        optimizer=optimizer,
        zero_stage=zero_stage,
        recompute=recompute,
        sequence_parallel=sequence_parallel,
    )
    return _fit(use, use.total <= capacity, chip, capacity, recompute, micro_batch)


@question("the smallest split")
def smallest_split(
    params: float,
    *,
    n_layers: int,
    d_model: int,
    n_heads: int,
    seq_len: int,
    micro_batch: int,
    gpus: int,
    gpu: Chip | str | None = None,
    memory_bytes: float | None = None,
    precision: str = "mixed",
    optimizer: str = "adam",
    zero_stage: int = 0,
    recompute: str = "selective",
    sequence_parallel: bool = True,
) -> SplitFit:
    """The split of `gpus` with the least model parallelism whose memory fits one GPU.

    Tries `splits` in order and returns the first that fits. When none fits, it returns
    the split that needs least (`fits` False), whose `message` says by how much it misses;
    raise `InfeasibleError(fit.message)` to refuse. Other arguments as in `memory_per_gpu`.

    Args:
        gpu: a chip id, alias or `Chip` from the chip table, for its memory; or give
            `memory_bytes`, the memory of one GPU. Exactly one of the two.

    Raises:
        InputError: a bad size, chip, precision, optimizer, ZeRO stage or recompute mode,
            or both or neither of gpu and memory_bytes.
    """
    chip, capacity = _capacity(gpu, memory_bytes)
    count = check_positive("params", params, least=1, example="7e9")
    shape = check_shape(seq_len=seq_len, micro_batch=micro_batch, d_model=d_model, n_heads=n_heads)
    layers = check_count("n_layers", n_layers, "layers")
    per = state_bytes(precision, optimizer)
    stage, mode = check_zero_stage(zero_stage), check_recompute(recompute)
    tried = [
        _use(count, layers, shape, split, per, stage, mode, bool(sequence_parallel))
        for split in splits(gpus, n_heads=shape[3], n_layers=layers)
    ]
    fitting = [use for use in tried if use.total <= capacity]
    best = fitting[0] if fitting else min(tried, key=lambda use: use.total)
    return _fit(best, bool(fitting), chip, capacity, mode, shape[1])


def _fit(use: MemoryUse, fits: bool, chip: Chip | None, capacity: float, mode: str, batch: int) -> SplitFit:
    """The verdict on one split's memory against one GPU's."""
    return SplitFit(
        fits=fits,
        split=use.split,
        memory=use,
        gpu=chip.id if chip is not None else None,
        memory_bytes=capacity,
        headroom=capacity - use.total,
        message=_verdict(use, chip, capacity, use.model_states.zero_stage, mode, batch),
    )


def _capacity(gpu: Chip | str | None, memory_bytes: float | None) -> tuple[Chip | None, float]:
    if (gpu is None) == (memory_bytes is None):
        raise InputError("give one of gpu (a chip id, e.g. h100) and memory_bytes (the memory of one GPU)")
    if gpu is not None:
        chip = gpu if isinstance(gpu, Chip) else find_chip(gpu)
        return chip, chip.memory_bytes
    return None, check_positive("memory_bytes", memory_bytes, example="80e9")


def _verdict(use: MemoryUse, chip: Chip | None, capacity: float, stage: int, mode: str, batch: int) -> str:
    unit = chip.memory_unit if chip is not None else "GB"
    scale = UNIT_BYTES[unit]
    split = use.split
    where = f"tp {split.tensor_parallel}, pp {split.pipeline_parallel}, dp {split.data_parallel}"
    has = f"the {chip.name} has" if chip is not None else "one GPU has"
    if use.total <= capacity:
        return (
            f"fits at {where}: {use.total / scale:.1f} {unit} per GPU; {has} {capacity / scale:.3g} {unit}, "
            f"{(capacity - use.total) / scale:.1f} {unit} to spare"
        )
    short = (use.total - capacity) / capacity * 100
    hints = [
        *(["more GPUs"] if use.model_states.total > use.activations.total else []),
        *(["ZeRO stage 3"] if stage < 3 else []),
        *(["full recompute"] if mode != "full" else []),
        *(["a smaller micro batch"] if batch > 1 else []),
        "a shorter sequence or a GPU with more memory",
    ]
    percent = f"{short:.0f}" if short >= 1 else f"{short:.2g}"
    return (
        f"needs {use.total / scale:.1f} {unit} per GPU at {where}; {has} {capacity / scale:.3g} {unit}: "
        f"{percent}% short; try {', '.join(hints)}"
    )


# The checks. Each refuses with one line that names the input and what to give.


def check_count(name: str, value: object, what: str) -> int:
    """A whole number, 1 or more, as an int; InputError otherwise."""
    if isinstance(value, (str, bytes, bool)) or not hasattr(value, "__float__"):
        raise InputError(f"{name} must be a whole number of {what}, 1 or more (got {value!r})")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not (math.isfinite(number) and number >= 1 and number.is_integer()):
        raise InputError(f"{name} must be a whole number of {what}, 1 or more (got {value!r})")
    return int(number)


def check_shape(
    *, seq_len: object, micro_batch: object, d_model: object, n_heads: object
) -> tuple[int, int, int, int]:
    """(s, b, h, a) as whole numbers, with the heads dividing the width; InputError otherwise."""
    s = check_count("seq_len", seq_len, "tokens per sequence")
    b = check_count("micro_batch", micro_batch, "sequences per micro batch")
    h = check_count("d_model", d_model, "model width")
    a = check_count("n_heads", n_heads, "attention heads")
    if h % a:
        near = min((n for n in range(1, 2 * a + 1) if h % n == 0), key=lambda n: abs(n - a))
        raise InputError(f"n_heads ({a}) must divide d_model ({h}); give a divisor of {h}, e.g. {near}")
    return s, b, h, a


def check_tensor_parallel(value: object, heads: int) -> int:
    """A tensor-parallel degree that divides the heads, as an int; InputError otherwise."""
    t = check_count("tensor_parallel", value, "GPUs")
    if heads % t:
        raise InputError(
            f"tensor parallel {t} must divide the {heads} attention heads; give a divisor of {heads}"
        )
    return t


def check_pipeline_parallel(value: object, layers: int) -> int:
    """A pipeline-parallel degree of at most the layers, as an int; InputError otherwise."""
    p = check_count("pipeline_parallel", value, "stages")
    if p > layers:
        raise InputError(
            f"pipeline parallel {p} has more stages than the {layers} layers; give at most {layers}"
        )
    return p


def check_split(
    split: Split | tuple[int, int, int] | None, gpus: int, *, n_heads: int, n_layers: int
) -> Split:
    """A split of exactly `gpus` GPUs; None is data parallelism alone. InputError otherwise."""
    if split is None:
        return Split(data_parallel=gpus, tensor_parallel=1, pipeline_parallel=1)
    if isinstance(split, Split):
        degrees: tuple[object, ...] = (split.data_parallel, split.tensor_parallel, split.pipeline_parallel)
    else:
        degrees = tuple(split) if isinstance(split, (tuple, list)) else ()
    if len(degrees) != 3:
        raise InputError(f"give the split as three degrees (data, tensor, pipeline), not {split!r}")
    dp = check_count("data_parallel", degrees[0], "GPUs")
    tp = check_tensor_parallel(degrees[1], n_heads)
    pp = check_pipeline_parallel(degrees[2], n_layers)
    if dp * tp * pp != gpus:
        raise InputError(
            f"data {dp} x tensor {tp} x pipeline {pp} is {dp * tp * pp} GPUs, not {gpus}; "
            "give degrees whose product is the GPU count"
        )
    return Split(data_parallel=dp, tensor_parallel=tp, pipeline_parallel=pp)


def check_zero_stage(value: object) -> int:
    """A ZeRO stage 0-3 as an int; InputError otherwise."""
    if isinstance(value, bool) or value not in ZERO_STAGES:
        raise InputError(f"zero_stage must be 0, 1, 2 or 3 (got {value!r}); 0 shards nothing")
    return int(value)


def check_recompute(value: object) -> str:
    """A recompute mode, or InputError listing them."""
    if value not in RECOMPUTE_MODES:
        raise InputError(f"no recompute mode named {value!r}; choose one of: {', '.join(RECOMPUTE_MODES)}")
    return str(value)
