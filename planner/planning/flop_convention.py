"""FLOP conventions of a budget: C = 6ND as most laws count it, or 6ND plus attention.

Owns what `--flop-convention 6N+attn` means for a plan. Under it the budget pays for the
attention scores too, C = (6N + 12 n_layer d_model l_seq) D (DeepSeek-AI 2024, arXiv
2401.02954, Eq. 2's attention term; PaLM's 12 L H Q T, Chowdhery et al. 2022, App. B), so
the same FLOPs buy fewer tokens, and more so for small models with long sequences. The law's
loss L(N, D) does not change with the accounting; the budget line does, and the plan is the
best point of the law on that line: `AttentionPriced` is the law's form seen through it
(N stays the law's N, D = C / cost(N)). A law that gives no loss off its own optimum (a
frontier or allocation law) keeps its allocation, at the share of the budget it counts:
the C6 = 6ND with C6 (1 + a(N) / 6N) = C.

The attention term needs n_layer and d_model for each N: a continuous shape at a fixed
aspect ratio d_model / n_layer (ASPECT, or that of `--shape`), with 12 n_layer d_model^2
parameters in the blocks plus the embeddings where the law counts them. Standard library only.
"""

from __future__ import annotations

import math

from planner.errors import InputError
from planner.optimize import golden_section, log_root
from planner.units import FLOPS_PER_PARAM_TOKEN

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from planner.forms.base import Form, Law
    from planner.planning.results import AttentionCount

CONVENTIONS = ("6N", "6N+attn")
"""What a budget's FLOPs count: 6 x the law's N per token, or that plus attention."""

ASPECT = 128.0
"""d_model / n_layer of the continuous shape that prices attention: GPT-3 175B's 12288 / 96
(Brown et al. 2020, arXiv 2005.14165, Table 2.1), shared by LLaMA 7B and 13B (Touvron et al.
2023, arXiv 2302.13971, Table 2); the recipe's candidate families span 86 to 205."""

BLOCK_PARAMS = 12.0
"""Parameters of one block per d_model^2: 4 d^2 of attention projections and 8 d^2 of MLP
(GELU with d_ff = 4d, or SwiGLU's three matrices with d_ff = 8d/3)."""

ATTENTION_FLOPS = 12.0
"""Attention FLOPs per token per layer per d_model l_seq (forward and backward, DeepSeek Eq. 2)."""

TOLERANCE = 1e-10
"""How closely, in ln N, the optimum on the attention-priced budget line is found."""

DRAW_TOLERANCE = 1e-5
"""The same for each draw of an interval: 1e-5 in ln N, far inside the intervals' own
Monte Carlo error (4000 draws: about 1e-3 in the bounds' ln N)."""


class AttentionCost:
    """FLOPs per token of a model of N parameters (as a law counts them) with attention."""

    __slots__ = ("aspect", "embedding", "seq_len", "tied", "vocab")

    def __init__(self, seq_len: int, vocab: int, tied: bool, embedded: bool, aspect: float = ASPECT) -> None:
        self.seq_len = seq_len
        self.vocab = vocab
        self.tied = tied
        self.aspect = aspect
        # Embedding parameters per unit of d_model inside the law's N: none when it counts
        # non-embedding parameters, the vocabulary once tied and twice untied otherwise.
        self.embedding = 0.0 if not embedded else float(vocab if tied else 2 * vocab)

    def width(self, N: float) -> float:
        """d_model of the continuous shape with N parameters: the real root of
        (12 / aspect) d^3 + embedding d = N (Cardano: one real root, as both terms grow)."""
        p = self.embedding * self.aspect / BLOCK_PARAMS
        q = N * self.aspect / BLOCK_PARAMS
        if p == 0.0:
            return math.cbrt(q)
        root = math.sqrt(q * q / 4.0 + p * p * p / 27.0)
        high = q / 2.0 + root
        low = p * p * p / 27.0 / high  # = root - q / 2 without the cancellation
        return math.cbrt(high) - math.cbrt(low)

    def attention(self, N: float) -> float:
        """Attention FLOPs per token: 12 n_layer d_model l_seq, n_layer = d_model / aspect."""
        d = self.width(N)
        return ATTENTION_FLOPS * d * d / self.aspect * self.seq_len

    def per_token(self, N: float) -> float:
        """Training FLOPs per token: 6N plus attention."""
        return FLOPS_PER_PARAM_TOKEN * N + self.attention(N)

    def params_for_tokens(self, C: float, D: float) -> float:
        """The N whose cost per token spends C on D tokens (cost grows with N: bisection in ln N)."""
        target = C / D
        high = target / FLOPS_PER_PARAM_TOKEN  # attention only adds cost: N is below this
        if high <= 0 or not math.isfinite(high):
            return 0.0
        return log_root(self.per_token, target, high, 40.0, 1e-13)

    def shape(self, N: float) -> tuple[float, float]:
        """(n_layer, d_model) of the continuous shape: what the attention term assumed."""
        d = self.width(N)
        return d / self.aspect, d


class AttentionPriced:
    """A law's form on the budget line C = (6N + attention) D: the same N and loss, fewer tokens.

    Satisfies planner.forms.base.Form for planning (`optimal_params`, `budget_loss`,
    `plan_loss`), plus `tokens_at(C, N)` and `params_for_tokens(C, D)`, which planning asks
    of a form instead of assuming D = C / 6N, and `with_params` for the intervals' draws.
    """

    __slots__ = ("cost", "inner", "on_line", "tolerance")

    formula = "C = (6N + 12 n_layer d_model l_seq) D"

    def __init__(self, inner: Form, cost: AttentionCost, on_line: bool, tolerance: float = TOLERANCE) -> None:
        self.inner = inner
        self.cost = cost
        self.tolerance = tolerance
        self.on_line = on_line
        """Whether the law prices any N on a budget line (its optimum is then re-found on
        the attention-priced line), or only its own optimum (its allocation is kept)."""

    def law_flops(self, C: float, N: float) -> float:
        """The 6ND the law counts when N parameters train on the tokens C buys."""
        return FLOPS_PER_PARAM_TOKEN * N * C / self.cost.per_token(N)

    def tokens_at(self, C: float, N: float) -> float:
        return C / self.cost.per_token(N)

    def params_for_tokens(self, C: float, D: float) -> float:
        return self.cost.params_for_tokens(C, D)

    def budget_loss(self, C: float, N: float) -> float | None:
        return self.inner.budget_loss(self.law_flops(C, N), N)

    def plan_loss(self, C: float, N: float) -> float | None:
        return self.inner.plan_loss(self.law_flops(C, N), N)

    def share(self, C: float) -> float:
        """The law's budget C6 whose own optimum costs C with attention: C6 (1 + a / 6N) = C
        at N = N_opt(C6), by fixed-point iteration (a / 6N falls as N^(-1/3): it contracts)."""
        law_flops = C
        for _ in range(100):
            n = self.inner.optimal_params(law_flops)
            following = C * FLOPS_PER_PARAM_TOKEN * n / self.cost.per_token(n)
            if abs(following - law_flops) <= 1e-15 * law_flops:
                break
            law_flops = following
        return law_flops

    def optimal_params(self, C: float) -> float:
        """The best N on the attention-priced line, to `tolerance` in ln N; where the law
        prices only its own optimum, the law's N_opt at its share of the budget (`share`)."""
        if not self.on_line:
            return self.inner.optimal_params(self.share(C))
        first = self.inner.optimal_params(C)  # one step of `share` centres the search
        center = math.log(
            self.inner.optimal_params(C * FLOPS_PER_PARAM_TOKEN * first / self.cost.per_token(first))
        )
        low, high = center - 0.1, center + 0.4  # attention moves the optimum to a larger N

        def loss(log_n: float) -> float:
            value = self.budget_loss(C, math.exp(log_n))
            return math.inf if value is None or not math.isfinite(value) else value

        search = max(SEARCH, self.tolerance)  # a draw's plan needs no more than the search
        for _ in range(8):  # widen until the minimum is inside
            log_n, _ = golden_section(loss, low, high, search)
            near_low, near_high = log_n - low <= 2 * search, high - log_n <= 2 * search
            if not (near_low or near_high):
                break
            low, high = (low - 1.0, high) if near_low else (low, high + 1.0)
        if self.tolerance >= SEARCH:
            return math.exp(log_n)
        return math.exp(_slope_zero(loss, log_n, self.tolerance))

    def with_params(self, params: Any) -> AttentionPriced:
        """The same pricing of another draw of the law's parameters."""
        again = getattr(self.inner, "with_params", None)
        inner = again(params) if again is not None else params
        return AttentionPriced(inner, self.cost, self.on_line, DRAW_TOLERANCE)


SEARCH = 1e-5
"""The golden-section search's tolerance in ln N: a loss this flat cannot place its minimum
closer than about the square root of rounding (1e-8); the slope's zero places it (`_slope_zero`)."""

STEP = 1e-4
"""Half-width in ln N of the central difference whose zero is the optimum."""


def _slope_zero(loss: Callable[[float], float], near: float, tolerance: float) -> float:
    """The zero of loss's slope in ln N within SEARCH of `near`, by bisection on the central
    difference: good to about rounding / (STEP x curvature), some 1e-11 in ln N, where the
    minimum of the loss itself is good to only 1e-8."""

    def slope(u: float) -> float:
        return loss(u + STEP) - loss(u - STEP)

    low, high = near - 2 * SEARCH, near + 2 * SEARCH
    if not (slope(low) < 0 < slope(high)):
        return near  # no sign change to follow (a flat or capped stretch): the search's answer
    while high - low > tolerance:
        middle = 0.5 * (low + high)
        if slope(middle) < 0:
            low = middle
        else:
            high = middle
    return 0.5 * (low + high)


def native(law: Law) -> str:
    """The convention a law's own C counts: its file's `quantities.flop_convention`."""
    return law.quantities.flop_convention


def check_convention(name: str) -> str:
    if name not in CONVENTIONS:
        raise InputError(
            f"flop_convention must be one of {', '.join(CONVENTIONS)} (got {name!r}); "
            "6N counts C = 6ND, 6N+attn adds attention, 12 n_layer d_model l_seq per token"
        )
    return name


def attention_cost(law: Law, seq_len: int, vocab: int, tied: bool, aspect: float = ASPECT) -> AttentionCost:
    """The cost per token of the law's N with attention, for a plan under 6N+attn."""
    return AttentionCost(seq_len, vocab, tied, embedded=law.quantities.params == "total", aspect=aspect)


def priced(law: Law, form: Form, cost: AttentionCost) -> AttentionPriced:
    return AttentionPriced(form, cost, on_line=law.off_optimum is None)


def counted(form: AttentionPriced, flops: float, params: float) -> AttentionCount:
    """What a plan under 6N+attn assumed, at its N."""
    from planner.planning.results import AttentionCount

    cost = form.cost
    n_layer, d_model = cost.shape(params)
    return AttentionCount(
        convention="6N+attn",
        formula=form.formula,
        seq_len=cost.seq_len,
        aspect_ratio=cost.aspect,
        n_layer=n_layer,
        d_model=d_model,
        flops_per_token=cost.per_token(params),
        attention_per_token=cost.attention(params),
        law_flops=form.law_flops(flops, params),
        method="optimum on this budget line" if form.on_line else "the law's allocation of its 6ND share",
    )
