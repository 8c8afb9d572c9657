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

from planner.errors import LawFileError, LawNotFoundError
from planner.forms import STRICT, Bound, NonNegative, Positive
from planner.forms.chinchilla import ChinchillaParams
from planner.forms.frontier import FrontierParams
from planner.forms.kaplan_nd import KaplanNDParams

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
class Reproduction:
    """A number quoted from the source that the law must reproduce, within rel_tol."""

    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT

    quote: str
    flops: Positive
    rel_tol: Annotated[float, Bound(gt=0, lt=1)]
    params: Positive | None = None
    tokens: Positive | None = None
    tokens_per_param: Positive | None = None
    loss: Positive | None = None
    locator: str | None = None

    def __post_init__(self) -> None:
        if not self.expected():
            raise ValueError("give at least one of params, tokens, tokens_per_param, loss")

    def expected(self) -> dict[str, float]:
        """The quoted values, by output field name."""
        named = {
            "params": self.params,
            "tokens": self.tokens,
            "tokens_per_param": self.tokens_per_param,
            "loss": self.loss,
        }
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
    default: bool = False
    caveats: tuple[str, ...] = ()
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
class KaplanNDLaw(_LawBase):
    """A law of the form L(N, D) = [(N_c / N)^(alpha_N / alpha_D) + D_c / D]^alpha_D."""

    form: Literal["kaplan-nd"]
    params: KaplanNDParams


@dataclass(frozen=True, kw_only=True)
class FrontierLaw(_LawBase):
    """A law giving loss on the compute frontier, L(C), and N_opt(C)."""

    form: Literal["frontier"]
    params: FrontierParams


Law = Union[ChinchillaLaw, KaplanNDLaw, FrontierLaw]  # noqa: UP007 - used at run time
LAW_CLASSES: dict[str, type[ChinchillaLaw] | type[KaplanNDLaw] | type[FrontierLaw]] = {
    "chinchilla": ChinchillaLaw,
    "kaplan-nd": KaplanNDLaw,
    "frontier": FrontierLaw,
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


def default_law(domain: str = "language") -> Law:
    """The law a plan uses when none is named: the one marked `default = true`."""
    for law in available_laws(domain):
        if law.default:
            return law
    raise LawNotFoundError(f"default for {domain}", law_ids())


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
    assert isinstance(law, (ChinchillaLaw, KaplanNDLaw, FrontierLaw))
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
