"""Law files: their format, where they are, and how they load.

Owns the `laws/<domain>/<id>.toml` format as frozen dataclasses (the same classes pydantic
validates into; see `planner.lawschema`), discovery of the shipped catalog, and loading.
Shipped files are built directly (the tests validate each one and check the two paths agree),
so `plan` starts without pydantic; a file given by path is always validated in full.
"""

from __future__ import annotations

import dataclasses
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
from planner.forms import STRICT, Bound, NonNegative, Positive
from planner.forms.chinchilla import ChinchillaParams
from planner.forms.data_constrained import DataConstrainedParams
from planner.forms.frontier import FrontierParams
from planner.forms.kaplan_nd import KaplanNDParams
from planner.forms.model_size import ModelSizeParams

Domain = Literal["language", "image", "video", "multimodal", "math", "code"]
DOMAINS: tuple[str, ...] = typing.get_args(Domain)
Pair = tuple[Positive, Positive]


@dataclass(frozen=True)
class Source:
    """Where the numbers come from, precise enough to check them by hand."""

    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT

    authors: str
    year: Annotated[int, Bound(ge=1950, le=2100)]
    title: str
    locator: Annotated[str, Bound(min_length=3)]
    arxiv: str | None = None
    doi: str | None = None
    url: str | None = None

    def __post_init__(self) -> None:
        if self.arxiv is None and self.doi is None:
            raise ValueError("give at least one of 'arxiv' or 'doi'")
        if self.arxiv is not None and not re.fullmatch(r"\d{4}\.\d{4,5}", self.arxiv):
            raise ValueError(f"arxiv {self.arxiv!r} is not an arXiv id like '2203.15556'")

    @property
    def citation(self) -> str:
        """One line: authors, year and identifier."""
        where = f"arXiv:{self.arxiv}" if self.arxiv else f"doi:{self.doi}"
        return f"{self.authors} {self.year}, {where}"


@dataclass(frozen=True)
class Quantities:
    """What the law's symbols count: mixing total and non-embedding N is a classic mistake."""

    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT

    params: Literal["total", "non_embedding"]
    tokens: str
    loss: str
    loss_units: str
    flops: str


@dataclass(frozen=True)
class FittedRange:
    """The range of the runs behind the fit; outside it the planner extrapolates."""

    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT

    flops: Pair | None = None
    params: Pair | None = None
    tokens: Pair | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        for name in ("flops", "params", "tokens"):
            bounds = getattr(self, name)
            if bounds is not None and not bounds[0] < bounds[1]:
                raise ValueError(f"{name} must be [lowest, highest] with lowest < highest")

    def bounds(self) -> dict[str, Pair]:
        """The ranges the file records, by quantity."""
        named = {"flops": self.flops, "params": self.params, "tokens": self.tokens}
        return {name: pair for name, pair in named.items() if pair is not None}


@dataclass(frozen=True)
class NaturalUnit:
    """A unit people of a domain count in (an image, a clip, a frame), as a number of tokens."""

    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT

    name: str
    tokens: Positive
    note: str | None = None


AT_BUDGET = ("params", "tokens", "tokens_per_param", "loss", "reducible_loss")


@dataclass(frozen=True)
class Reproduction:
    """A number quoted from the source that the law must reproduce, within rel_tol.

    params, tokens, tokens_per_param, loss and reducible_loss are at the budget `flops`
    (with `unique_tokens`, under that supply of unique data); irreducible_loss needs none.
    With `unit`, losses are per natural unit, not per token.
    """

    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT

    quote: str
    rel_tol: Annotated[float, Bound(gt=0, lt=1)]
    flops: Positive | None = None
    unique_tokens: Positive | None = None
    unit: str | None = None
    params: Positive | None = None
    tokens: Positive | None = None
    tokens_per_param: Positive | None = None
    loss: Positive | None = None
    reducible_loss: Positive | None = None
    irreducible_loss: Positive | None = None
    locator: str | None = None

    def __post_init__(self) -> None:
        expected = self.expected()
        if not expected:
            raise ValueError(f"give at least one of {', '.join(AT_BUDGET)}, irreducible_loss")
        if self.flops is None and any(name in AT_BUDGET for name in expected):
            raise ValueError("give flops: the budget at which the quoted values hold")
        if self.unique_tokens is not None and self.flops is None:
            raise ValueError("give flops with unique_tokens: the budget spent on that supply")

    def expected(self) -> dict[str, float]:
        """The quoted values, by name."""
        named = {name: getattr(self, name) for name in (*AT_BUDGET, "irreducible_loss")}
        return {name: value for name, value in named.items() if value is not None}


@dataclass(frozen=True, kw_only=True)
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

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[a-z][a-z0-9]*[0-9]{4}[a-z0-9-]*", self.id):
            raise ValueError(f"id {self.id!r} must look like 'firstauthor2024' or 'firstauthor2024-variant'")
        params: Any = getattr(self, "params")  # noqa: B009 - defined by each subclass
        known = {field.name for field in dataclasses.fields(params)}
        unknown = sorted(set(self.stderr or {}) - known)
        if unknown:
            raise ValueError(f"stderr names {', '.join(unknown)}, which [params] does not have")
        names = {unit.name for unit in self.units}
        for row in self.reproduces:
            if row.unit is not None and row.unit not in names:
                raise ValueError(f"reproduces: unit {row.unit!r} is not one of the [[units]] of this law")

    def unit(self, name: str) -> NaturalUnit:
        """The natural unit called `name`."""
        return next(unit for unit in self.units if unit.name == name)

    @property
    def citation(self) -> str:
        """One-line citation of the source."""
        return self.source.citation


@dataclass(frozen=True, kw_only=True)
class ChinchillaLaw(_LawBase):
    """A law of the form L(N, D) = E + A / N^alpha + B / D^beta."""

    form: Literal["chinchilla"]
    params: ChinchillaParams


@dataclass(frozen=True, kw_only=True)
class DataConstrainedLaw(_LawBase):
    """Chinchilla's form with decaying value of repeated data and excess parameters
    (Muennighoff et al. 2023); with unlimited unique data it plans as Chinchilla's."""

    form: Literal["data-constrained"]
    params: DataConstrainedParams


@dataclass(frozen=True, kw_only=True)
class KaplanNDLaw(_LawBase):
    """A law of the form L(N, D) = [(N_c / N)^(alpha_N / alpha_D) + D_c / D]^alpha_D."""

    form: Literal["kaplan-nd"]
    params: KaplanNDParams


@dataclass(frozen=True, kw_only=True)
class FrontierLaw(_LawBase):
    """A law giving loss on the compute frontier, L(C), and N_opt(C); optionally the same
    source's model-size law L(N) as `model_size`."""

    form: Literal["frontier"]
    params: FrontierParams
    model_size: ModelSizeParams | None = None


@dataclass(frozen=True, kw_only=True)
class ModelSizeLaw(_LawBase):
    """A law giving loss from model size alone, L(N): it cannot split a compute budget."""

    form: Literal["model-size"]
    params: ModelSizeParams


Law = Union[ChinchillaLaw, DataConstrainedLaw, KaplanNDLaw, FrontierLaw, ModelSizeLaw]  # noqa: UP007 - used at run time
LAW_CLASSES: dict[
    str,
    type[ChinchillaLaw]
    | type[DataConstrainedLaw]
    | type[KaplanNDLaw]
    | type[FrontierLaw]
    | type[ModelSizeLaw],
] = {
    "chinchilla": ChinchillaLaw,
    "data-constrained": DataConstrainedLaw,
    "kaplan-nd": KaplanNDLaw,
    "frontier": FrontierLaw,
    "model-size": ModelSizeLaw,
}


def laws_dir() -> Path:
    """The shipped law files: inside the installed package, else the source checkout's laws/."""
    packaged = Path(__file__).parent / "_laws"
    return packaged if packaged.is_dir() else Path(__file__).parent.parent / "laws"


def _catalog_paths() -> dict[str, Path]:
    return {path.stem: path for path in sorted(laws_dir().glob("*/*.toml"))}


def law_ids() -> list[str]:
    """Every shipped law id, sorted."""
    return sorted(_catalog_paths())


def available_laws(domain: str | None = None) -> list[Law]:
    """Every shipped law (of one domain, if given), sorted by domain then id."""
    laws = [_load_shipped(path) for path in _catalog_paths().values()]
    laws = [law for law in laws if domain is None or law.domain == domain]
    return sorted(laws, key=lambda law: (DOMAINS.index(law.domain), law.id))


def check_domain(domain: str) -> str:
    """The domain, or InputError naming the valid ones."""
    if domain not in DOMAINS:
        raise InputError(f"no domain {domain!r}; choose one of: {', '.join(DOMAINS)}")
    return domain


@dataclass(frozen=True)
class Default:
    """The law a domain plans with when none is named, and why (laws/defaults.toml)."""

    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT

    law: str
    why: str


@cache
def defaults() -> dict[str, Default]:
    """Each domain's default law, from laws/defaults.toml."""
    path = laws_dir() / "defaults.toml"
    return {domain: build(Default, entry) for domain, entry in _read_toml(path).items()}


def is_default(law: Law) -> bool:
    """Whether the law is its domain's default."""
    entry = defaults().get(law.domain)
    return entry is not None and entry.law == law.id


def default_law(domain: str = "language") -> Law:
    """The law a plan uses when none is named: the domain's entry in laws/defaults.toml."""
    entry = defaults().get(check_domain(domain))
    if entry is None:
        raise InputError(f"no shipped law plans {domain} budgets yet; see plan laws, or give --law")
    return find_law(entry.law)


def find_law(name: str) -> Law:
    """A shipped law by id, or any law file by path (a name with '/' or ending in .toml)."""
    if "/" in name or name.endswith(".toml") or (sys.platform == "win32" and "\\" in name):
        return load_law(Path(name))
    path = _catalog_paths().get(name)
    if path is None:
        raise LawNotFoundError(name, law_ids())
    return _load_shipped(path)


def load_law(path: Path) -> Law:
    """Read and fully validate one law file, or raise LawFileError naming every problem."""
    from planner.lawschema import validate_law

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
    assert isinstance(law, (ChinchillaLaw, DataConstrainedLaw, KaplanNDLaw, FrontierLaw, ModelSizeLaw))
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
