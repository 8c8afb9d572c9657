"""Krajewski et al.'s fine-grained Mixture-of-Experts law L(N, D, G).

Krajewski et al. 2024, "Scaling Laws for Fine-Grained Mixture of Experts", arXiv 2402.07871,
Eq. (9): L(N, D, G) = c + (g / G^gamma + a) / N^alpha + b / D^beta, fitted in Table 1 with
the expansion rate E = N_MoE / N_ff fixed at 64 and G = d_ff / d_expert the granularity.

Eq. (9)'s N counts every non-embedding parameter of the MoE. A plan counts the active
ones, N_act = 12 d_model^2 n_blocks, which is what a token's FLOPs scale with; Sec. 6.1's
N = d_model^2 (8E + 4) n_blocks makes N = N_act (8E + 4) / 12, 43 N_act at E = 64 (the
reading under which Table 1 reproduces Table 2's losses). At a given G the law is then the
Chinchilla form in N_act, with E = c, A = (g / G^gamma + a) ((8E + 4) / 12)^-alpha and
B = b (our algebra, checked in the tests), answered by planner.forms.chinchilla. Eq. (10)'s
routing FLOPs are left out: the budget line is C = 6 N_act D. Pure maths.
"""

from __future__ import annotations

from planner.forms.base import Law
from planner.forms.equivalent import ChinchillaEquivalent
from planner.laws.format import STRICT, Exponent, Positive
from planner.records import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, ClassVar, Literal

    from planner.forms.chinchilla import ChinchillaParams

_SAME: dict[FineGrainedMoEParams, ChinchillaParams] = {}
"""Each parameter set's Chinchilla equivalent at its G, by identity (the records are frozen)."""


class FineGrainedMoEParams(Record, ChinchillaEquivalent, eq=False):
    """a, alpha, b, beta, g, gamma, c as in Table 1, the expansion rate E they were fitted at,
    and the granularity G plans are made at: planning sets it from the question (a law file
    may give one as its default; krajewski2024 gives none, so its plans need one)."""

    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT
    FORMULA: ClassVar[str] = "L(N, D, G) = c + (g / G^gamma + a) / N^alpha + b / D^beta"
    FRONTIER_BUDGET_METHOD: ClassVar[str] = "closed form (frontier loss solved for C)"

    a: Positive
    alpha: Exponent
    b: Positive
    beta: Exponent
    g: Positive
    gamma: Exponent
    c: Positive
    experts: Positive
    """E = N_MoE / N_ff: how many times the dense feed-forward layer's parameters the experts hold."""
    G: Positive | None = None

    @property
    def total_per_active(self) -> float:
        """N / N_act = (8E + 4) / 12, from N = d_model^2 (8E + 4) n_blocks (Sec. 6.1)."""
        return (8 * self.experts + 4) / 12

    def moe_loss(self, N: float, D: float, G: float) -> float:
        """Eq. (9) in the paper's own symbols: N all non-embedding parameters, D tokens."""
        return float(self.c + (self.g / G**self.gamma + self.a) / N**self.alpha + self.b / D**self.beta)

    @property
    def chinchilla(self) -> ChinchillaParams | None:
        """Eq. (9) at this G as E + A / N_act^alpha + B / D^beta; None without a G."""
        if self.G is None:
            return None
        found = _SAME.get(self)
        if found is None:
            from planner.forms.chinchilla import ChinchillaParams

            A = (self.g / self.G**self.gamma + self.a) * self.total_per_active**-self.alpha
            found = _SAME[self] = ChinchillaParams(alpha=self.alpha, beta=self.beta, E=self.c, A=A, B=self.b)
        return found

    @property
    def irreducible_loss(self) -> float:
        """c: the loss no finite model or data set goes below, whatever G."""
        return self.c


class GranularityRange(Record, eq=False):
    """The granularities a plan may ask for, and why those."""

    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT

    lowest: Positive
    highest: Positive
    note: str

    def __post_init__(self) -> None:
        if self.lowest > self.highest:
            raise ValueError("granularity.lowest must not exceed granularity.highest")


class FineGrainedMoELaw(Law, kw_only=True, eq=False):
    """A fine-grained MoE law: planned at one granularity G, with E fixed as fitted."""

    approach: ClassVar[str] = "loss L(N, D, G) of a fine-grained MoE"
    """What the law answers, as `plan laws` groups the catalog."""

    form: Literal["fine-grained-moe"]
    params: FineGrainedMoEParams
    granularity: GranularityRange

    off_optimum: ClassVar[str | None] = None

    def __post_init__(self) -> None:
        super().__post_init__()
        G = self.params.G
        if G is not None and not self.granularity.lowest <= G <= self.granularity.highest:
            raise ValueError(f"params.G {G:g} is outside granularity.lowest to granularity.highest")

    def why_unplannable(self) -> str | None:
        """Without a G the law has no N_opt: G is a design choice, not a fitted constant."""
        if self.params.G is None:
            return f"it needs the granularity G = d_ff / d_expert of the MoE; plan it with --law {self.id} --granularity G"
        return None

    def granularity_range(self) -> tuple[float, float]:
        """The lowest and highest G a plan may ask for."""
        return self.granularity.lowest, self.granularity.highest

    def fitted_experts(self) -> float:
        """E, the expansion rate the law was fitted at."""
        return self.params.experts

    def at_granularity(self, granularity: float) -> FineGrainedMoELaw:
        """The same law planned at G = `granularity` (within granularity_range)."""
        return self.replace(params=self.params.replace(G=granularity))

    def mixture(self, params: float) -> tuple[float, float, float] | None:
        """(E, G, all non-embedding parameters) of a model of `params` active parameters."""
        G = self.params.G
        if G is None:
            return None
        return self.params.experts, G, params * self.params.total_per_active


LAW = FineGrainedMoELaw
