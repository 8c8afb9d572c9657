"""Model shapes: exact parameter counts and FLOPs per token of decoder-only transformers.

Owns the count of a shape (layers, width, heads, vocabulary, block kind), its FLOPs per
token under the conventions scaling laws use, and a few shapes of a given size that follow
the aspect ratios of published model families. Pure maths, standard library only: no
files, no printing; bad input raises InputError with one line saying what to give.
"""

from __future__ import annotations

import math
import operator

from planner.errors import InfeasibleError, InputError
from planner.planning.results import Candidate, Family, FlopsPerToken, ParamCount, Shape
from planner.planning.sense import check_positive
from planner.units import FLOPS_PER_PARAM_TOKEN

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Literal

    Mlp = Literal["gelu", "swiglu"]
    Convention = Literal["6N", "6N-nonembedding", "6N+attn"]

MLPS = ("gelu", "swiglu")
"""The feed-forward blocks counted: GPT-2/GPT-3's GELU MLP and Llama's SwiGLU."""

CONVENTIONS = {
    "6N": "6 x total parameters, embeddings included: C = 6ND of Chinchilla-form laws "
    "(Hoffmann et al. 2022, arXiv 2203.15556, Sec. 3 and App. F)",
    "6N-nonembedding": "6 x non-embedding parameters: C = 6ND of Kaplan et al. 2020 "
    "(arXiv 2001.08361, Sec. 2.1), whose N leaves out the vocabulary and position embeddings",
    "6N+attn": "DeepSeek's M = 72 n_layer d_model^2 + 12 n_layer d_model l_seq, non-embedding "
    "FLOPs per token with attention (DeepSeek-AI 2024, arXiv 2401.02954, Sec. 3.2, Eq. 2); "
    "its attention term is PaLM's 12 L H Q T with H Q = d_model (Chowdhery et al. 2022, "
    "arXiv 2204.02311, App. B)",
}
"""Each FLOPs-per-token convention, by name, with the law family that uses it."""

CONVENTION_FOR = {"total": "6N", "non_embedding": "6N-nonembedding"}
"""The convention that matches a law file's `quantities.params`: price a shape the way the law counts."""

HEAD_DIM = 128
"""Width of one attention head in every candidate: GPT-3 175B (Brown et al. 2020, arXiv
2005.14165, Table 2.1), Chinchilla (Hoffmann et al. 2022, Table 4, key/value size 128) and
DeepSeek LLM 7B and 67B (arXiv 2401.02954, Table 2: 4096 / 32, 8192 / 64) all use 128, so
a candidate's d_model is a multiple of 128."""

SWIGLU_MULTIPLE = 256
"""Llama rounds its SwiGLU hidden size up to a multiple of 256 (`multiple_of` in Meta's
reference model, github.com/meta-llama/llama, llama/model.py); with 2/3 4d (Touvron et al.
2023, arXiv 2302.13971, Sec. 2) this gives 11008 for d_model 4096 and 13824 for 5120."""

DEFAULT_VOCAB = 32000
"""The default law (besiroglu2024, a Chinchilla refit) counts total parameters of models
tokenised with a 32,000-token SentencePiece vocabulary (Rae et al. 2021, arXiv 2112.11446,
Sec. 2.1; used again by Hoffmann et al. 2022); Llama 1 and 2 use 32k too (Touvron et al.
2023, arXiv 2307.09288, Sec. 2.2). A shape meant for that law should spend what it did on
embeddings."""

DEFAULT_TIED = True
"""Input and output embeddings shared, so the vocabulary matrix counts once: GPT-2 and GPT-3
(whose Table D.1 counts `params_of` reproduces only tied) and PaLM ("shared input-output
embeddings", Chowdhery et al. 2022, Sec. 2) do so. Llama and DeepSeek LLM do not: give
tied=False for them."""

DEFAULT_MLP: Mlp = "swiglu"
"""The block of Llama, PaLM and DeepSeek LLM, the families whose recipes most runs now follow."""

DEFAULT_SEQ_LEN = 4096
"""Context of Llama 2 (Touvron et al. 2023, arXiv 2307.09288, Sec. 2.2) and DeepSeek LLM
(arXiv 2401.02954, Table 2); it only enters the FLOPs of the "6N+attn" convention."""

TOLERANCE = 0.02
"""A candidate's total count is within 2% of the size asked for whenever the shape grid
allows it (sizes of about 1e8 parameters and more at the default vocabulary); among those
within it, the one nearest its family's aspect ratio is chosen."""

RATIO_BAND = 1.25
"""How far (as a factor) a candidate's d_model / n_layer may stray from its family's ratio.
Kaplan et al. 2020 (Sec. 3.1, Fig. 5) find the loss within a few percent over ratios 20-200."""


FAMILIES = (
    Family("GPT-3 175B", 96, 12288, "Brown et al. 2020, arXiv 2005.14165, Table 2.1"),
    Family("Chinchilla 70B", 80, 8192, "Hoffmann et al. 2022, arXiv 2203.15556, Table 4"),
    Family("Gopher 280B", 80, 16384, "Rae et al. 2021, arXiv 2112.11446, Table 1"),
    Family("DeepSeek LLM 7B", 30, 4096, "DeepSeek-AI 2024, arXiv 2401.02954, Table 2"),
    Family("DeepSeek LLM 67B", 95, 8192, "DeepSeek-AI 2024, arXiv 2401.02954, Table 2"),
)
"""Aspect ratios 128, 102.4, 204.8, 136.5 and 86.2. LLaMA 7B and 13B share GPT-3's 128 and
LLaMA 65B (Llama 2 70B) Chinchilla's 102.4 (Touvron et al. 2023, arXiv 2302.13971, Table 2)."""


def params_of(
    n_layer: int,
    d_model: int,
    n_heads: int,
    vocab: int,
    *,
    tied: bool = DEFAULT_TIED,
    mlp: Mlp = DEFAULT_MLP,
    d_ff: int | None = None,
    n_kv_heads: int | None = None,
    biases: bool | None = None,
    positions: int = 0,
) -> ParamCount:
    """The exact parameter count of a pre-norm decoder-only transformer.

    Each of the `n_layer` blocks holds the attention projections (query and output d x d,
    key and value d x n_kv_heads head_dim), the MLP and two norms; a final norm follows.
    mlp "gelu" is two matrices d x d_ff, d_ff = 4 d by default (Vaswani et al. 2017; GPT-3,
    Brown et al. 2020, Sec. 2.1). mlp "swiglu" is three (gate, up, down), d_ff = 2/3 4d
    (Touvron et al. 2023, arXiv 2302.13971, Sec. 2) rounded up to a multiple of
    SWIGLU_MULTIPLE, as Llama does. With `biases` (the default for "gelu", as GPT-2/GPT-3)
    every linear layer has a bias and every norm a gain and a bias (LayerNorm); without
    (the default for "swiglu", as Llama) none has a bias and every norm is a gain (RMSNorm).
    The embedding is vocab x d, plus `positions` x d learned position embeddings (GPT-3:
    2048; rotary or relative positions: 0), plus an untied output head vocab x d, no bias.

    Args:
        n_layer, d_model, n_heads, vocab: the shape; n_heads must divide d_model.
        tied: whether the output head shares the input embedding.
        mlp: "gelu" or "swiglu".
        d_ff: the MLP hidden size, when it is not the default above.
        n_kv_heads: key/value heads for grouped-query attention; n_heads by default.
        biases: see above; None takes the default of `mlp`.
        positions: rows of learned position embeddings.

    Raises:
        InputError: a size that is not a whole number above zero, heads that do not divide
            d_model (or key/value heads that do not divide heads), or an unknown mlp.
    """
    dims = _dims(n_layer, d_model, n_heads, vocab, mlp, d_ff, n_kv_heads, biases, positions)
    return _count(*dims, tied=bool(tied))


def flops_per_token(
    n_layer: int,
    d_model: int,
    n_heads: int,
    vocab: int,
    *,
    seq_len: int = DEFAULT_SEQ_LEN,
    convention: Convention = "6N",
    tied: bool = DEFAULT_TIED,
    mlp: Mlp = DEFAULT_MLP,
    d_ff: int | None = None,
    n_kv_heads: int | None = None,
    biases: bool | None = None,
    positions: int = 0,
) -> float:
    """Training FLOPs per token of a shape under `convention` (a key of CONVENTIONS).

    The shape's arguments are those of `params_of`. "6N+attn" is DeepSeek's M, which counts
    a block as 12 d_model^2 parameters whatever its MLP or key/value heads, as the DeepSeek
    law was fitted with; the other two are 6 x the exact counts.
    """
    shape = shape_of(
        n_layer,
        d_model,
        n_heads,
        vocab,
        seq_len=seq_len,
        tied=tied,
        mlp=mlp,
        d_ff=d_ff,
        n_kv_heads=n_kv_heads,
        biases=biases,
        positions=positions,
    )
    if convention not in CONVENTIONS:
        raise InputError(
            f"convention must be one of {', '.join(map(repr, CONVENTIONS))} (got {convention!r}); "
            "give the one your law counts with"
        )
    flops = shape.flops_per_token
    return {"6N": flops.total, "6N-nonembedding": flops.non_embedding, "6N+attn": flops.with_attention}[
        convention
    ]


def shape_of(
    n_layer: int,
    d_model: int,
    n_heads: int,
    vocab: int,
    *,
    seq_len: int = DEFAULT_SEQ_LEN,
    tied: bool = DEFAULT_TIED,
    mlp: Mlp = DEFAULT_MLP,
    d_ff: int | None = None,
    n_kv_heads: int | None = None,
    biases: bool | None = None,
    positions: int = 0,
) -> Shape:
    """A shape with its exact counts and its FLOPs per token under every convention."""
    dims = _dims(n_layer, d_model, n_heads, vocab, mlp, d_ff, n_kv_heads, biases, positions)
    return _shape(*dims, tied=bool(tied), seq_len=_whole("seq_len", seq_len, "4096"))


def swiglu_hidden(d_model: int) -> int:
    """Llama's SwiGLU hidden size: 2/3 of 4 d_model, rounded up to a multiple of SWIGLU_MULTIPLE."""
    d = _whole("d_model", d_model, "4096")
    return -(-(8 * d // 3) // SWIGLU_MULTIPLE) * SWIGLU_MULTIPLE


def candidate_shapes(
    params: float,
    *,
    vocab: int = DEFAULT_VOCAB,
    tied: bool = DEFAULT_TIED,
    seq_len: int = DEFAULT_SEQ_LEN,
    mlp: Mlp = DEFAULT_MLP,
    count: int = 4,
    heads_multiple: int = 1,
    layers_multiple: int = 1,
) -> tuple[Candidate, ...]:
    """A few shapes whose exact total count is near `params`, nearest first.

    `heads_multiple` and `layers_multiple` keep the head count and the layer count to
    multiples of them, so that tensor parallelism (which splits the heads) and pipeline
    parallelism (the layers) divide the shape evenly, as published families do (LLaMA's
    32, 40, 52 and 64 heads on 32 to 80 layers, Touvron et al. 2023, Table 2).

    Every candidate has a d_model that is a multiple of HEAD_DIM, heads of HEAD_DIM, and
    d_model / n_layer within RATIO_BAND of its family's (FAMILIES). Each family, in order,
    offers its shape within TOLERANCE of `params` that is nearest its ratio and not offered
    already; the shapes nearest in size fill in up to `count`. Blocks are those of
    `params_of` for `mlp` (Llama's for "swiglu", GPT-3's for "gelu"), with no learned
    position embeddings.

    Raises:
        InputError: a size that is not a number above zero, a bad vocab, seq_len or mlp, or
            a count outside 1 to len(FAMILIES).
        InfeasibleError: a size below the smallest shape (one layer of width HEAD_DIM).
    """
    target = check_positive("params", params, least=1.0, example="7e9")
    vocab = _whole("vocab", vocab, "32000")
    seq_len = _whole("seq_len", seq_len, "4096")
    kind = _check_mlp(mlp)
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= len(FAMILIES):
        raise InputError(
            f"count must be a whole number from 1 to {len(FAMILIES)} (got {count!r}); give e.g. 4"
        )
    tied = bool(tied)
    smallest = _total(1, HEAD_DIM, vocab, kind, tied)
    if target < smallest:
        raise InfeasibleError(
            f"params {target:.3g} is below the smallest shape (1 layer of width {HEAD_DIM}: "
            f"{smallest:,} parameters at vocab {vocab}); give at least {smallest:.3g} or a smaller vocab"
        )
    for name, value in (("heads_multiple", heads_multiple), ("layers_multiple", layers_multiple)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InputError(f"{name} must be a whole number, at least 1 (got {value!r}); give e.g. 8")
    candidates = []
    for n, d, family in _pick(target, vocab, tied, kind, count, heads_multiple, layers_multiple):
        dims = _dims(n, d, d // HEAD_DIM, vocab, kind, None, None, None, 0)
        shape = _shape(*dims, tied=tied, seq_len=seq_len)
        difference = shape.params.total / target - 1
        candidates.append(Candidate(shape=shape, family=family, relative_difference=difference))
    return tuple(candidates)


def _pick(
    target: float, vocab: int, tied: bool, mlp: Mlp, count: int, heads: int = 1, layers: int = 1
) -> list[tuple[int, int, Family]]:
    """(n_layer, d_model, family) of the candidates, nearest in size first."""
    by_ratio = []  # (within TOLERANCE first, then nearest the family's ratio) per family
    by_size = []
    for family in FAMILIES:
        for n, d in _grid(target, family.ratio, vocab, tied, heads, layers):
            off = abs(_total(n, d, vocab, mlp, tied) / target - 1)
            stray = abs(math.log(d / n / family.ratio))
            if off <= TOLERANCE:
                by_ratio.append((stray, n, d, family))
            by_size.append((off, n, d, family))
    by_ratio.sort(key=lambda option: option[0])
    by_size.sort(key=lambda option: option[:3])
    off_of = {(n, d): off for off, n, d, _ in by_size}
    chosen: dict[tuple[int, int], Family] = {}
    for family in FAMILIES:
        found = next(((n, d) for _, n, d, of in by_ratio if of is family and (n, d) not in chosen), None)
        if found is not None:
            chosen[found] = family
    for _, n, d, family in by_size:
        if len(chosen) >= count:
            break
        chosen.setdefault((n, d), family)
    nearest = sorted(chosen, key=lambda nd: (off_of[nd], *nd))[:count]
    return [(n, d, chosen[(n, d)]) for n, d in nearest]


def _total(n_layer: int, d_model: int, vocab: int, mlp: Mlp, tied: bool) -> int:
    """The exact total of a candidate's shape: heads of HEAD_DIM, the block's defaults."""
    hidden = 4 * d_model if mlp == "gelu" else swiglu_hidden(d_model)
    dims = (n_layer, d_model, d_model // HEAD_DIM, d_model // HEAD_DIM, hidden, vocab, mlp, mlp == "gelu", 0)
    return _count(*dims, tied=tied).total


def _grid(
    target: float, ratio: float, vocab: int, tied: bool, heads: int = 1, layers_multiple: int = 1
) -> list[tuple[int, int]]:
    """(n_layer, d_model) pairs near `target` parameters with d_model / n_layer near `ratio`.

    Per layer about 12 d^2 parameters (4 d^2 attention, 8 d^2 MLP for either block), so
    n_layer is found on the curve d = ratio n, and d_model for each n_layer near it from
    the quadratic 12 n d^2 + (vocab or 2 vocab) d = target, then every multiple of HEAD_DIM
    close by; the exact count decides between them.
    """
    heads_of_vocab = vocab * (1 if tied else 2)

    def approx(n: float, d: float) -> float:
        return 12 * n * d * d + heads_of_vocab * d

    low, high = 1e-3, 1e9
    for _ in range(200):  # bisection on the monotone approx(n, ratio n)
        mid = math.sqrt(low * high)
        low, high = (mid, high) if approx(mid, ratio * mid) < target else (low, mid)
    centre = high
    spread = min(max(3.0, centre * (RATIO_BAND - 1)), 64.0)  # past ~250 layers one more is under 1.2%
    layers = [
        n
        for n in range(max(1, math.floor(centre - spread)), math.ceil(centre + spread) + 1)
        if n % layers_multiple == 0
    ]
    unit = HEAD_DIM * heads
    pairs = []
    for n in layers:
        a, b = 12 * n, heads_of_vocab
        d = (-b + math.sqrt(b * b + 4 * a * target)) / (2 * a)
        step = round(d / unit)
        for k in range(step - 2, step + 3):
            width = k * unit
            if width >= unit and 1 / RATIO_BAND <= width / n / ratio <= RATIO_BAND:
                pairs.append((n, width))
    if not pairs:  # tiny sizes: the band holds no whole shape, so take the nearest ones
        n = max(1, round(centre))
        pairs = [(n, max(HEAD_DIM, round(ratio * n / HEAD_DIM) * HEAD_DIM)), (1, HEAD_DIM)]
    return pairs


def _dims(
    n_layer: object,
    d_model: object,
    n_heads: object,
    vocab: object,
    mlp: object,
    d_ff: object,
    n_kv_heads: object,
    biases: object,
    positions: object,
) -> tuple[int, int, int, int, int, int, Mlp, bool, int]:
    """The checked dimensions: n_layer, d_model, n_heads, n_kv_heads, d_ff, vocab, mlp, biases, positions."""
    layers = _whole("n_layer", n_layer, "32")
    width = _whole("d_model", d_model, "4096")
    heads = _whole("n_heads", n_heads, "32")
    words = _whole("vocab", vocab, "32000")
    kind = _check_mlp(mlp)
    if width % heads:
        roots = [h for h in range(1, math.isqrt(width) + 1) if width % h == 0]
        near = min(sorted({*roots, *(width // h for h in roots)}), key=lambda h: abs(h - width / HEAD_DIM))
        raise InputError(
            f"n_heads ({heads}) must divide d_model ({width}); give a head count that does, e.g. {near}"
        )
    kv = heads if n_kv_heads is None else _whole("n_kv_heads", n_kv_heads, str(heads))
    if heads % kv:
        raise InputError(f"n_kv_heads ({kv}) must divide n_heads ({heads}); give e.g. {heads} or 1")
    if d_ff is not None:
        hidden = _whole("d_ff", d_ff, "11008")
    else:
        hidden = 4 * width if kind == "gelu" else swiglu_hidden(width)
    with_biases = kind == "gelu" if biases is None else bool(biases)
    rows = _whole("positions", positions, "2048 (or 0 for rotary positions)", least=0)
    return layers, width, heads, kv, hidden, words, kind, with_biases, rows


def _count(
    n_layer: int,
    d_model: int,
    n_heads: int,
    n_kv_heads: int,
    d_ff: int,
    vocab: int,
    mlp: Mlp,
    biases: bool,
    positions: int,
    *,
    tied: bool,
) -> ParamCount:
    d = d_model
    kv = n_kv_heads * (d // n_heads)
    attention = 2 * d * d + 2 * d * kv + (2 * d + 2 * kv if biases else 0)
    matrices = 2 if mlp == "gelu" else 3
    feed_forward = matrices * d * d_ff + ((matrices - 1) * d_ff + d if biases else 0)
    norm = 2 * d if biases else d
    non_embedding = n_layer * (attention + feed_forward + 2 * norm) + norm
    embedding = (vocab + positions) * d + (0 if tied else vocab * d)
    return ParamCount(total=non_embedding + embedding, non_embedding=non_embedding, embedding=embedding)


def _shape(
    n_layer: int,
    d_model: int,
    n_heads: int,
    n_kv_heads: int,
    d_ff: int,
    vocab: int,
    mlp: Mlp,
    biases: bool,
    positions: int,
    *,
    tied: bool,
    seq_len: int,
) -> Shape:
    dims = (n_layer, d_model, n_heads, n_kv_heads, d_ff, vocab, mlp, biases, positions)
    params = _count(*dims, tied=tied)
    # DeepSeek Eq. (2): 72 n d^2 is 6 x 12 n d^2, the block counted without biases, norms or
    # its real MLP width; 12 n d l is attention's QK^T and AV over the whole context.
    deepseek_m = 72 * n_layer * d_model**2 + 12 * n_layer * d_model * seq_len
    flops = FlopsPerToken(
        total=FLOPS_PER_PARAM_TOKEN * params.total,
        non_embedding=FLOPS_PER_PARAM_TOKEN * params.non_embedding,
        with_attention=float(deepseek_m),
    )
    return Shape(
        n_layer=n_layer,
        d_model=d_model,
        n_heads=n_heads,
        n_kv_heads=n_kv_heads,
        d_ff=d_ff,
        vocab=vocab,
        tied=tied,
        mlp=mlp,
        biases=biases,
        positions=positions,
        seq_len=seq_len,
        params=params,
        flops_per_token=flops,
    )


def _check_mlp(mlp: object) -> Mlp:
    if mlp == "gelu" or mlp == "swiglu":
        return "gelu" if mlp == "gelu" else "swiglu"
    raise InputError(f"mlp must be 'gelu' or 'swiglu' (got {mlp!r}); give one of those")


def check_whole(name: str, value: object, example: str) -> int:
    """A dimension given by a user (e.g. --vocab): a whole number, at least 1; else InputError."""
    return _whole(name, value, example)


def _whole(name: str, value: object, example: str, *, least: int = 1) -> int:
    """`value` as an int if it is a whole number of at least `least`, else InputError naming `name`."""
    number: int | None = None
    if isinstance(value, float) and value.is_integer():
        number = int(value)
    elif not isinstance(value, (bool, float)):
        try:
            number = operator.index(value)  # type: ignore[arg-type]
        except TypeError:
            number = None
    if number is None or number < least:
        what = "above zero" if least == 1 else f"of {least} or more"
        raise InputError(f"{name} must be a whole number {what} (got {value!r}); give e.g. {example}")
    return number
