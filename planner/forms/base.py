"""What every law form provides: the `Law` base class and the protocols planning relies on.

Owns the questions planning may ask of any law (can it split a budget, can it price a run
off its optimum, can it price repeated data, ...) with the answer of a form that cannot;
each form's class in this package overrides what its maths can do. Outside planner.forms,
code asks these questions and never which form a law has. Standard library only.
"""

from __future__ import annotations

from planner.laws.format import (
    LAW_ID,
    STRICT,
    Bound,
    Covariance,
    Domain,
    FittedRange,
    NaturalUnit,
    NonNegative,
    Quantities,
    Reproduction,
    Source,
    Uncertainty,
    parameter_value,
)
from planner.records import Alias, Record, fields

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated, Any, ClassVar, Literal, Protocol

if TYPE_CHECKING:
    Kind = Literal["budget", "transfer", "hyperparameters"]
else:
    Kind = Alias("Literal['budget', 'transfer', 'hyperparameters']")


if TYPE_CHECKING:  # protocols: only type checkers read them
    from collections.abc import Callable

    class Drawn(Protocol):
        """Draws of a law's parameters as columns, one list per [params] field
        (planner.planning.draws.Draws): what a form's `draw_*` methods read."""

        columns: dict[str, list[float]]

        def derived(self, key: str, make: Callable[[Any], Any]) -> Any:
            """What `make` works out from the draws, worked out once."""

    class Form(Protocol):
        """A law's maths on the budget line C = 6ND; C always in FLOPs, N and D in counts."""

        def optimal_params(self, C: float) -> float:
            """Compute-optimal N at budget C, tokens following from C = 6ND."""

        def budget_loss(self, C: float, N: float) -> float | None:
            """Loss of N parameters trained on C / (6N) tokens; None off the form's frontier."""

        def plan_loss(self, C: float, N: float) -> float | None:
            """The loss a plan of N parameters at C reports (the frontier loss for frontier laws;
            None for a law that predicts no loss, see Law.why_no_loss)."""

    class Limited(Form, Protocol):
        """A law's budget line with a finite supply of U unique tokens (Muennighoff et al. 2023)."""

        U: float
        R_D_star: float
        R_N_star: float

        @property
        def saturation(self) -> float:
            """U (1 + R_D*): the effective data no number of epochs reaches."""

        def effective(self, N: float, D: float) -> tuple[float, float]:
            """(N', D'): what N parameters trained on D tokens from this supply are worth."""

        def with_params(self, law: Any) -> Limited:
            """The same supply and decay under other parameters (a draw of them)."""

        def loss(self, N: float, D: float) -> float:
            """The loss of N parameters trained on D tokens from this supply."""


class Law(Record, kw_only=True, eq=False):
    """A law file: the tables every law shares; each form's subclass adds `form` and `params`.

    The class attributes and methods below are the capabilities planning uses, answered
    here for a form that has none of them.
    """

    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT

    schema_version: Literal[1]
    id: Annotated[str, Bound(min_length=1)]
    name: str
    domain: Domain
    source: Source
    quantities: Quantities
    fitted_range: FittedRange
    caveats: tuple[str, ...] = ()
    units: tuple[NaturalUnit, ...] = ()
    stderr: dict[str, NonNegative] | None = None
    reproduces: tuple[Reproduction, ...] = ()
    covariance: Covariance | None = None
    uncertainty: Uncertainty | None = None

    if TYPE_CHECKING:
        form: str
        params: Any  # each form's parameter class, which is its maths (see Form)

    approach: ClassVar[str] = ""
    """What the law answers (loss L(N, D), frontier L(C), allocation, ...): each form says."""
    kind: ClassVar[Kind] = "budget"
    """What the law prices: a pre-training budget, or (transfer) fine-tuning data."""
    off_optimum: ClassVar[str | None] = "no loss for a given number of tokens"
    """What the law gives in place of a loss at any (N, D); None when it prices any run."""
    unranged: ClassVar[tuple[str, ...]] = ("finetune_chars",)
    """Quantities a fitted_range of this form may not bound."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.id}: {self.name} ({self.source.authors} {self.source.year})>"

    def why_unplannable(self) -> str | None:
        """Why the law cannot split a FLOP budget, or None when it can."""
        return None

    def decay_constants(self) -> tuple[float, float] | None:
        """(R_D*, R_N*) fitted with this law for repeated data and excess parameters, if any."""
        return None

    def limited(self, unique_tokens: float, decay: tuple[float, float]) -> Limited | None:
        """The budget line with `unique_tokens` available, repeats priced by `decay`
        (R_D*, R_N*); None where the form cannot price repeated data."""
        return None

    def printed_tokens(self, flops: float) -> float | None:
        """Tokens from a token law the source prints beside N_opt (not C / 6N), if any."""
        return None

    def why_no_loss(self) -> str | None:
        """Why the law predicts no loss at all (an allocation law), or None when it gives one."""
        return None

    def converged_loss(self, params: float) -> float | None:
        """The loss of `params` parameters trained to convergence, where the source gives it."""
        return None

    def data_to_reach(self, params: float, performance: float) -> float | None:
        """Tokens at which `params` parameters reach `performance` of their infinite-data
        loss, where the form can say (Kaplan et al. 2020, Eq. 4.3); else None."""
        return None

    def why_not_compared(self) -> str | None:
        """Why a law that plans budgets should be left out of a comparison of optima, if so."""
        return None

    def error_proxies(self, loss: float) -> tuple[tuple[str, int, float], ...]:
        """(suite, tasks, average top-1 error) the source maps `loss` to, one per task suite;
        () for most laws."""
        return ()

    def granularity_range(self) -> tuple[float, float] | None:
        """The lowest and highest granularity G of a Mixture-of-Experts law; None for a law without G."""
        return None

    def fitted_experts(self) -> float | None:
        """The expansion rate E a Mixture-of-Experts law was fitted at; None for a law without one."""
        return None

    def at_granularity(self, granularity: float) -> Law:
        """The law planned at granularity G (a law with a granularity_range); else itself."""
        return self

    def mixture(self, params: float) -> tuple[float, float, float] | None:
        """(E, G, all parameters) of a model of `params` active parameters under a law at a G."""
        return None

    def __post_init__(self) -> None:
        if not LAW_ID.fullmatch(self.id):
            raise ValueError(f"id {self.id!r} must look like 'firstauthor2024' or 'firstauthor2024-variant'")
        problems = [
            f"reproduces row {number} is a {row.kind} row; form {self.form} takes {self.kind} rows"
            for number, row in enumerate(self.reproduces, start=1)
            if row.kind != self.kind
        ]
        ranged = set(self.fitted_range.bounds()) | set(self.fitted_range.decades or {})
        misplaced = sorted(ranged & set(self.unranged))
        if misplaced:
            problems.append(f"fitted_range of form {self.form} cannot bound {', '.join(misplaced)}")
        if problems:
            raise ValueError("; ".join(problems))
        known = set(fields(self.params))
        unknown = sorted(set(self.stderr or {}) - known)
        if unknown:
            raise ValueError(f"stderr names {', '.join(unknown)}, which [params] does not have")
        staged = self.uncertainty.covariance if self.uncertainty is not None else None
        if staged is not None and self.covariance is not None:
            raise ValueError(
                "uncertainty.covariance: the law has a [covariance] already; give the covariance once"
            )
        for key, covariance in (("covariance", self.covariance), ("uncertainty.covariance", staged)):
            if covariance is not None:
                self._check_covariance(key, covariance, self.params, known)
                if covariance.method == "stderr":
                    self._check_stderr_diagonal(key, covariance, self.stderr or {})
        names = {unit.name for unit in self.units}
        for row in self.reproduces:
            if row.unit is not None and row.unit not in names:
                raise ValueError(f"reproduces: unit {row.unit!r} is not one of the [[units]] of this law")

    @staticmethod
    def _check_covariance(key: str, covariance: Covariance, params: Any, known: set[str]) -> None:
        """Refuse names that are no [params] key (or log_ of one), naming the table's key."""
        bases = [covariance.base(name, known) for name in covariance.names]
        missing = [name for name in covariance.names if parameter_value(params, name) is None]
        if missing:
            given = [name for name in sorted(known) if getattr(params, name, None) is not None]
            raise ValueError(
                f"{key}.names: {', '.join(missing)} is not a parameter [params] gives "
                f"(use a [params] key, or log_<key> for its log; [params] gives {', '.join(given)})"
            )
        repeated = sorted({base for base in bases if bases.count(base) > 1})
        if repeated:
            raise ValueError(f"{key}.names: {', '.join(repeated)} is named twice (plainly and as log_)")

    @staticmethod
    def _check_stderr_diagonal(key: str, covariance: Covariance, stderr: dict[str, float]) -> None:
        """A covariance from published standard errors holds exactly their squares."""
        for index, name in enumerate(covariance.names):
            published = stderr.get(name)
            if published is None:
                raise ValueError(
                    f"{key}.names: {name} has no published standard error in [stderr]; "
                    "a covariance of method stderr is built from them"
                )
            variance = covariance.matrix[index][index]
            if abs(variance - published**2) > 1e-9 * published**2:
                raise ValueError(
                    f"{key}.matrix: the variance of {name} is {variance:g}, "
                    f"not the square of its standard error in [stderr] ({published:g}^2 = {published**2:g})"
                )

    def unit(self, name: str) -> NaturalUnit:
        """The natural unit called `name`."""
        return next(unit for unit in self.units if unit.name == name)

    @property
    def citation(self) -> str:
        """One-line citation of the source."""
        return self.source.citation


def is_law(value: object) -> bool:
    """Whether `value` is a law of any form (not which form: ask the law that)."""
    return isinstance(value, Law)
