"""Law files: their format, where they are, and how they load.

Owns the `laws/<domain>/<id>.toml` format as frozen dataclasses (the same classes pydantic
validates into; see `planner.laws.validate`), discovery of the shipped catalog, and loading.
Shipped files are built directly (the tests validate each one and check the two paths agree),
so `plan` starts without pydantic; a file given by path is always validated in full.
"""

from __future__ import annotations

import dataclasses
import math
import re
import sys
import tomllib
import types
import typing
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, Union

from planner.errors import InputError, LawFileError, LawNotFoundError
from planner.forms import STRICT, Bound, Fraction, NonNegative, Positive
from planner.forms.chinchilla import ChinchillaParams
from planner.forms.data_constrained import DataConstrainedParams
from planner.forms.frontier import FrontierParams
from planner.forms.kaplan_nd import KaplanNDParams
from planner.forms.model_size import ModelSizeParams
from planner.forms.transfer import TransferParams

Domain = Literal["language", "image", "video", "multimodal", "math", "code"]
DOMAINS: tuple[str, ...] = typing.get_args(Domain)
Pair = tuple[Positive, Positive]
RANGED = ("flops", "params", "tokens", "finetune_chars")
"""The quantities a fitted range can bound."""

LAW_ID = re.compile(r"[a-z][a-z0-9]*[0-9]{4}[a-z0-9-]*")
"""A law id, which is also its file name: firstauthor2024 or firstauthor2024-variant."""


@dataclass(frozen=True, eq=False)
class Source:
    """Where the numbers come from, precise enough to check them by hand.

    A published law cites an arXiv id or a DOI. A fit to a lab's own runs (`plan fit`)
    has no paper: it says `kind = "user-fit"` and names the runs file in `data`, with
    the file's SHA-256 so the fit can be traced to the exact runs. Shipped laws are all
    publications (a test checks).
    """

    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT

    authors: str
    year: Annotated[int, Bound(ge=1950, le=2100)]
    title: str
    locator: Annotated[str, Bound(min_length=3)]
    arxiv: str | None = None
    doi: str | None = None
    url: str | None = None
    kind: Literal["publication", "user-fit"] = "publication"
    data: Annotated[str, Bound(min_length=1)] | None = None
    data_sha256: str | None = None

    def __post_init__(self) -> None:
        if self.kind == "publication" and self.arxiv is None and self.doi is None:
            raise ValueError(
                "give at least one of 'arxiv' or 'doi' "
                '(for a fit to your own runs: kind = "user-fit" and data = the runs file)'
            )
        if self.kind == "user-fit" and self.data is None:
            raise ValueError("a user-fit source names its runs file: give data")
        if self.arxiv is not None and not re.fullmatch(r"\d{4}\.\d{4,5}", self.arxiv):
            raise ValueError(f"arxiv {self.arxiv!r} is not an arXiv id like '2203.15556'")
        if self.data_sha256 is not None and not re.fullmatch(r"[0-9a-f]{64}", self.data_sha256):
            raise ValueError("data_sha256 must be 64 lower-case hex digits (sha256sum of the runs file)")

    @property
    def citation(self) -> str:
        """One line: authors, year and identifier (or, for a user fit, the runs file)."""
        if self.kind == "user-fit":
            return f"{self.authors} {self.year}, fit to {self.data}"
        where = f"arXiv:{self.arxiv}" if self.arxiv else f"doi:{self.doi}"
        return f"{self.authors} {self.year}, {where}"


@dataclass(frozen=True, eq=False)
class Quantities:
    """What the law's symbols count: mixing total and non-embedding N is a classic mistake."""

    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT

    params: Literal["total", "non_embedding"]
    tokens: str
    loss: str
    loss_units: str
    flops: str
    data_unit: Literal["tokens", "characters"] = "tokens"
    """What D counts: tokens for the compute laws, characters for Hernandez et al.'s transfer laws."""


@dataclass(frozen=True, eq=False)
class FittedRange:
    """The range of the runs behind the fit; outside it the planner extrapolates."""

    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT

    flops: Pair | None = None
    params: Pair | None = None
    tokens: Pair | None = None
    finetune_chars: Pair | None = None
    decades: dict[str, Positive] | None = None
    """Orders of magnitude the fit spans, by quantity, where the source gives no endpoints."""
    note: str | None = None

    def __post_init__(self) -> None:
        for name in RANGED:
            bounds = getattr(self, name)
            if bounds is not None and not bounds[0] < bounds[1]:
                raise ValueError(f"{name} must be [lowest, highest] with lowest < highest")
        unknown = sorted(set(self.decades or {}) - set(RANGED))
        if unknown:
            raise ValueError(f"decades names {', '.join(unknown)}; give any of {', '.join(RANGED)}")

    def bounds(self) -> dict[str, Pair]:
        """The ranges the file records, by quantity."""
        named = {name: getattr(self, name) for name in RANGED}
        return {name: pair for name, pair in named.items() if pair is not None}


BUDGET_OUTPUTS = ("params", "tokens", "tokens_per_param", "loss", "reducible_loss")
TRANSFER_OUTPUTS = ("transferred", "effective", "multiplier", "fraction_transferred")


@dataclass(frozen=True, eq=False)
class NaturalUnit:
    """A unit people of a domain count in (an image, a clip, a frame), as a number of tokens."""

    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT

    name: str
    tokens: Positive
    note: str | None = None


@dataclass(frozen=True, eq=False)
class Covariance:
    """Covariance of a law's fitted parameters, so that plans under it can carry intervals.

    `names` are [params] keys, or `log_<key>` for the natural log of one (bootstrap
    draws of the scale constants are far closer to normal in log space); `matrix` has
    one row and column per name, in that order, and is symmetric positive semi-definite.
    `plan fit` writes the covariance of its bootstrap draws.
    """

    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT

    method: Literal["bootstrap"]
    names: Annotated[tuple[str, ...], Bound(min_length=1)]
    matrix: tuple[tuple[float, ...], ...]
    resamples: Annotated[int, Bound(ge=2)] | None = None
    seed: Annotated[int, Bound(ge=0)] | None = None

    def __post_init__(self) -> None:
        size = len(self.names)
        if len(set(self.names)) != size:
            raise ValueError("names must not repeat a parameter")
        if len(self.matrix) != size or any(len(row) != size for row in self.matrix):
            raise ValueError(f"matrix must be {size} x {size}, one row and column per name")
        m = self.matrix
        for i in range(size):
            if m[i][i] < 0:
                raise ValueError(f"matrix: the variance of {self.names[i]} is negative")
            for j in range(i):
                if abs(m[i][j] - m[j][i]) > 1e-9 * math.sqrt(m[i][i] * m[j][j]):
                    raise ValueError(f"matrix is not symmetric (row {i + 1}, column {j + 1})")
        if not _positive_semidefinite(m):
            raise ValueError("matrix is not positive semi-definite, so it is no covariance")

    def base(self, name: str, known: set[str]) -> str:
        """The [params] key a name refers to: itself, or what its log_ prefix takes the log of."""
        stripped = name.removeprefix("log_")
        return stripped if stripped in known else name


def _positive_semidefinite(m: tuple[tuple[float, ...], ...]) -> bool:
    """Cholesky without square roots (LDL'), treating pivots within rounding of zero as zero."""
    size = len(m)
    scale = max((m[i][i] for i in range(size)), default=0.0)
    tolerance = 1e-10 * scale
    lower = [[0.0] * size for _ in range(size)]
    pivots = [0.0] * size
    for j in range(size):
        pivots[j] = m[j][j] - sum(lower[j][k] ** 2 * pivots[k] for k in range(j))
        if pivots[j] < -tolerance:
            return False
        for i in range(j + 1, size):
            rest = m[i][j] - sum(lower[i][k] * lower[j][k] * pivots[k] for k in range(j))
            if pivots[j] > tolerance:
                lower[i][j] = rest / pivots[j]
            elif abs(rest) > math.sqrt(tolerance * max(m[i][i], 0.0)) + tolerance:
                return False  # a zero variance direction that still covaries
    return True


def parameter_value(params: Any, name: str) -> float | None:
    """A parameter's value by [params] key or log_<key>, whichever way the file gives it."""
    value = getattr(params, name, None)
    if value is not None:
        return float(value)
    if name.startswith("log_"):
        plain = getattr(params, name.removeprefix("log_"), None)
        return math.log(plain) if plain is not None and plain > 0 else None
    logged = getattr(params, f"log_{name}", None)
    return math.exp(logged) if logged is not None else None


@dataclass(frozen=True, eq=False)
class Reproduction:
    """A number quoted from the source that the law must reproduce, within rel_tol.

    Two shapes. A budget row gives `flops` and quotes any of params, tokens,
    tokens_per_param, loss and reducible_loss of the plan at that budget; irreducible_loss
    needs no budget; with `unit`, losses are per natural unit, not per token. A transfer
    row gives `params` (N) and `finetune_chars` (D_F) and quotes any of transferred (D_T),
    effective (D_E), multiplier and fraction_transferred. Each law form takes one shape.
    """

    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT

    quote: str
    rel_tol: Annotated[float, Bound(gt=0, lt=1)]
    flops: Positive | None = None
    unique_tokens: Positive | None = None
    finetune_chars: Positive | None = None
    unit: str | None = None
    params: Positive | None = None
    tokens: Positive | None = None
    tokens_per_param: Positive | None = None
    loss: Positive | None = None
    reducible_loss: Positive | None = None
    irreducible_loss: Positive | None = None
    transferred: Positive | None = None
    effective: Positive | None = None
    multiplier: Positive | None = None
    fraction_transferred: Fraction | None = None
    locator: str | None = None

    def __post_init__(self) -> None:
        if self.flops is not None and self.finetune_chars is not None:
            raise ValueError(
                "give flops (a budget row) or finetune_chars with params (a transfer row), not both"
            )
        own, other = (
            (TRANSFER_OUTPUTS, (*BUDGET_OUTPUTS[1:], "irreducible_loss"))
            if self.kind == "transfer"
            else ((*BUDGET_OUTPUTS, "irreducible_loss"), TRANSFER_OUTPUTS)
        )
        stray = [name for name in other if getattr(self, name) is not None]
        if stray:
            raise ValueError(f"a {self.kind} row cannot quote {', '.join(stray)}")
        if self.kind == "transfer" and self.params is None:
            raise ValueError("a transfer row needs params, the model size the quote is for")
        expected = self.expected()
        if not expected:
            raise ValueError(f"give at least one of {', '.join(own)}")
        if self.kind == "budget" and self.flops is None and any(name in BUDGET_OUTPUTS for name in expected):
            raise ValueError("give flops: the budget at which the quoted values hold")
        if self.unique_tokens is not None and self.flops is None:
            raise ValueError("give flops with unique_tokens: the budget spent on that supply")

    @property
    def kind(self) -> Literal["budget", "transfer"]:
        """Which question the row asks: a plan for a budget, or transfer at (N, D_F)."""
        return "budget" if self.finetune_chars is None else "transfer"

    def expected(self) -> dict[str, float]:
        """The quoted values, by output field name."""
        names = TRANSFER_OUTPUTS if self.kind == "transfer" else (*BUDGET_OUTPUTS, "irreducible_loss")
        values = {name: getattr(self, name) for name in names}
        return {name: value for name, value in values.items() if value is not None}


@dataclass(frozen=True, kw_only=True, eq=False)
class _LawBase:
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

    _row_kind: ClassVar[str] = "budget"
    _unranged: ClassVar[tuple[str, ...]] = ("finetune_chars",)

    def __post_init__(self) -> None:
        if not LAW_ID.fullmatch(self.id):
            raise ValueError(f"id {self.id!r} must look like 'firstauthor2024' or 'firstauthor2024-variant'")
        form = getattr(self, "form")  # noqa: B009 - defined by each subclass
        problems = [
            f"reproduces row {number} is a {row.kind} row; form {form} takes {self._row_kind} rows"
            for number, row in enumerate(self.reproduces, start=1)
            if row.kind != self._row_kind
        ]
        ranged = set(self.fitted_range.bounds()) | set(self.fitted_range.decades or {})
        misplaced = sorted(ranged & set(self._unranged))
        if misplaced:
            problems.append(f"fitted_range of form {form} cannot bound {', '.join(misplaced)}")
        if problems:
            raise ValueError("; ".join(problems))
        params: Any = getattr(self, "params")  # noqa: B009 - defined by each subclass
        known = {field.name for field in dataclasses.fields(params)}
        unknown = sorted(set(self.stderr or {}) - known)
        if unknown:
            raise ValueError(f"stderr names {', '.join(unknown)}, which [params] does not have")
        if self.covariance is not None:
            self._check_covariance(self.covariance, params, known)
        names = {unit.name for unit in self.units}
        for row in self.reproduces:
            if row.unit is not None and row.unit not in names:
                raise ValueError(f"reproduces: unit {row.unit!r} is not one of the [[units]] of this law")

    @staticmethod
    def _check_covariance(covariance: Covariance, params: Any, known: set[str]) -> None:
        bases = [covariance.base(name, known) for name in covariance.names]
        missing = [name for name in covariance.names if parameter_value(params, name) is None]
        if missing:
            raise ValueError(
                f"covariance names {', '.join(missing)}, which [params] does not give "
                "(use a [params] key, or log_<key> for its log)"
            )
        repeated = sorted({base for base in bases if bases.count(base) > 1})
        if repeated:
            raise ValueError(f"covariance names {', '.join(repeated)} twice (plainly and as log_)")

    def unit(self, name: str) -> NaturalUnit:
        """The natural unit called `name`."""
        return next(unit for unit in self.units if unit.name == name)

    @property
    def citation(self) -> str:
        """One-line citation of the source."""
        return self.source.citation


@dataclass(frozen=True, kw_only=True, eq=False)
class ChinchillaLaw(_LawBase):
    """A law of the form L(N, D) = E + A / N^alpha + B / D^beta."""

    form: Literal["chinchilla"]
    params: ChinchillaParams


@dataclass(frozen=True, kw_only=True, eq=False)
class DataConstrainedLaw(_LawBase):
    """Chinchilla's form with decaying value of repeated data and excess parameters
    (Muennighoff et al. 2023); with unlimited unique data it plans as Chinchilla's."""

    form: Literal["data-constrained"]
    params: DataConstrainedParams


@dataclass(frozen=True, kw_only=True, eq=False)
class KaplanNDLaw(_LawBase):
    """A law of the form L(N, D) = [(N_c / N)^(alpha_N / alpha_D) + D_c / D]^alpha_D."""

    form: Literal["kaplan-nd"]
    params: KaplanNDParams


@dataclass(frozen=True, kw_only=True, eq=False)
class FrontierLaw(_LawBase):
    """A law giving loss on the compute frontier, L(C), and N_opt(C); optionally the same
    source's model-size law L(N) as `model_size`."""

    form: Literal["frontier"]
    params: FrontierParams
    model_size: ModelSizeParams | None = None


@dataclass(frozen=True, kw_only=True, eq=False)
class ModelSizeLaw(_LawBase):
    """A law giving loss from model size alone, L(N): it cannot split a compute budget."""

    form: Literal["model-size"]
    params: ModelSizeParams


@dataclass(frozen=True, eq=False)
class TransferRegime:
    """Where a transfer law holds: the low-data regime, and where pre-training can hurt.

    D(N) is the data a model of N parameters needs to reach `converged_performance` of its
    infinite-data performance, estimated with the kaplan-nd law `converged_data_law`. The
    fit holds for D_F up to `low_data_fraction` D(N); at `ossification_fraction` D(N) and
    beyond, pre-training may hurt. `finetune_data_available` is the most fine-tuning data
    the fits can have seen (the size of the fine-tuning distribution's data set).
    """

    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT

    low_data_fraction: Fraction
    converged_performance: Fraction
    converged_data_law: Annotated[str, Bound(min_length=1)]
    ossification_fraction: Positive | None = None
    finetune_data_available: Positive | None = None


@dataclass(frozen=True, kw_only=True, eq=False)
class TransferLaw(_LawBase):
    """Effective data transferred by pre-training, D_T = k D_F^alpha N^beta (not a budget law)."""

    form: Literal["transfer"]
    params: TransferParams
    regime: TransferRegime

    _row_kind: ClassVar[str] = "transfer"
    _unranged: ClassVar[tuple[str, ...]] = ("flops", "tokens")


BudgetLaw = Union[ChinchillaLaw, DataConstrainedLaw, KaplanNDLaw, FrontierLaw, ModelSizeLaw]  # noqa: UP007
"""A law of a pre-training run (every form but transfer); a model-size law cannot split a budget."""
Law = Union[ChinchillaLaw, DataConstrainedLaw, KaplanNDLaw, FrontierLaw, ModelSizeLaw, TransferLaw]  # noqa: UP007
LAW_CLASSES: dict[
    str,
    type[ChinchillaLaw]
    | type[DataConstrainedLaw]
    | type[KaplanNDLaw]
    | type[FrontierLaw]
    | type[ModelSizeLaw]
    | type[TransferLaw],
] = {
    "chinchilla": ChinchillaLaw,
    "data-constrained": DataConstrainedLaw,
    "kaplan-nd": KaplanNDLaw,
    "frontier": FrontierLaw,
    "model-size": ModelSizeLaw,
    "transfer": TransferLaw,
}


def same_law(first: Any, second: Any) -> bool:
    """Whether two laws (or parts of laws) hold the same data.

    Law-file types compare by identity: generating field-by-field equality for each of them
    cost about 0.4 ms of start-up per class, and only the tests and the law writer compare.
    """
    return type(first) is type(second) and dataclasses.asdict(first) == dataclasses.asdict(second)


def laws_dir() -> Path:
    """The shipped law files: inside the installed package, else the source checkout's laws/."""
    package = Path(__file__).parents[1]
    packaged = package / "_laws"
    return packaged if packaged.is_dir() else package.parent / "laws"


def _catalog_paths() -> dict[str, Path]:
    return {path.stem: path for path in sorted(laws_dir().glob("*/*.toml"))}


def law_ids() -> list[str]:
    """Every shipped law id, sorted."""
    return sorted(_catalog_paths())


def available_laws(domain: str | None = None) -> list[Law]:
    """Every shipped law (of one domain, if given), sorted by domain then id.

    A law lives in the directory of its domain (the tests check it), so one domain's
    laws load without reading the others' files.
    """
    paths = [path for path in _catalog_paths().values() if domain is None or path.parent.name == domain]
    laws = [_load_shipped(path) for path in paths]
    laws = [law for law in laws if domain is None or law.domain == domain]
    return sorted(laws, key=lambda law: (DOMAINS.index(law.domain), law.id))


def planning_laws(domain: str | None = None) -> list[BudgetLaw]:
    """The shipped laws of pre-training runs (every form but transfer)."""
    return [law for law in available_laws(domain) if not isinstance(law, TransferLaw)]


def transfer_laws() -> list[TransferLaw]:
    """The shipped transfer laws."""
    return [law for law in available_laws() if isinstance(law, TransferLaw)]


def check_domain(domain: str) -> str:
    """The domain, or InputError naming the valid ones."""
    if domain not in DOMAINS:
        raise InputError(f"no domain {domain!r}; choose one of: {', '.join(DOMAINS)}")
    return domain


@dataclass(frozen=True, eq=False)
class Default:
    """The law used when none is named, and why (laws/defaults.toml)."""

    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT

    law: str
    why: str


@cache
def defaults() -> dict[str, Default]:
    """Each domain's default budget law, and the default transfer law under "transfer"."""
    path = laws_dir() / "defaults.toml"
    return {key: build(Default, entry) for key, entry in _read_toml(path).items()}


def default_reason(law: Law) -> str | None:
    """Why the law is its domain's default (or the default transfer law); None if it is not."""
    entry = defaults().get("transfer" if isinstance(law, TransferLaw) else law.domain)
    return entry.why if entry is not None and entry.law == law.id else None


def is_default(law: Law) -> bool:
    """Whether the law is its domain's default (or the default transfer law)."""
    return default_reason(law) is not None


def default_law(domain: str = "language") -> BudgetLaw:
    """The law a plan uses when none is named: the domain's entry in laws/defaults.toml."""
    entry = defaults().get(check_domain(domain))
    if entry is None:
        raise InputError(f"no shipped law plans {domain} budgets yet; see plan laws, or give --law")
    law = find_law(entry.law)
    assert not isinstance(law, TransferLaw), "defaults.toml names a transfer law for a domain"
    return law


def default_transfer_law() -> TransferLaw:
    """The law `plan transfer` uses when none is named: "transfer" in laws/defaults.toml."""
    law = find_law(defaults()["transfer"].law)
    assert isinstance(law, TransferLaw), "defaults.toml names a budget law for transfer"
    return law


def find_law(name: str, kind: Literal["budget", "transfer"] | None = None) -> Law:
    """A shipped law by id, or any law file by path (a name with '/' or ending in .toml).

    kind narrows the ids an unknown name is told to choose from: budget or transfer laws.
    """
    if "/" in name or name.endswith(".toml") or (sys.platform == "win32" and "\\" in name):
        return load_law(Path(name))
    path = _catalog_paths().get(name)
    if path is None:
        if kind is None:
            raise LawNotFoundError(name, law_ids())
        laws = planning_laws() if kind == "budget" else transfer_laws()
        raise LawNotFoundError(name, [law.id for law in laws])
    return _load_shipped(path)


def load_law(path: Path) -> Law:
    """Read and fully validate one law file, or raise LawFileError naming every problem."""
    from planner.laws.validate import validate_law

    return validate_law(_read_toml(path), path)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise LawFileError(path, [f"cannot read the file: {err.strerror or err}"]) from None
    except UnicodeDecodeError:
        raise LawFileError(path, ["the file is not UTF-8 text"]) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise LawFileError(path, [f"not valid TOML: {err}"]) from None


@cache
def _load_shipped(path: Path) -> Law:
    raw = _read_toml(path)
    cls = LAW_CLASSES[raw["form"]]
    law = build(cls, raw)
    assert isinstance(
        law, (ChinchillaLaw, DataConstrainedLaw, KaplanNDLaw, FrontierLaw, ModelSizeLaw, TransferLaw)
    )
    return law


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def build(tp: Any, value: Any) -> Any:
    """Build typed data from parsed TOML without validating it (shipped files only)."""
    origin = typing.get_origin(tp)
    if origin is Annotated:
        return build(typing.get_args(tp)[0], value)
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        hints = _hints(tp)
        return tp(**{key: build(hints[key], item) for key, item in value.items()})
    if origin in (Union, types.UnionType):
        if value is None:
            return None
        options = [arg for arg in typing.get_args(tp) if arg is not type(None)]
        return build(options[0], value)
    if origin is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(build(args[0], item) for item in value)
        return tuple(build(arg, item) for arg, item in zip(args, value, strict=True))
    if origin is dict:
        return {key: build(typing.get_args(tp)[1], item) for key, item in value.items()}
    if tp is float:
        return float(value)
    return value
