"""The catalog of law files: where the shipped ones are, and how any law file loads.

Owns discovery of `laws/<domain>/<id>.toml`, the defaults (`laws/defaults.toml`), finding a
law by id or path, and loading: a shipped file is built directly into its form's law class
(the tests validate each one and check the two paths agree), so `plan` starts without
pydantic; a file given by path is always validated in full (planner.laws.validate).
"""

from __future__ import annotations

import os
import sys

from planner.errors import InputError, LawFileError, LawNotFoundError
from planner.forms import law_class
from planner.forms.base import Law
from planner.laws.format import DOMAINS, STRICT
from planner.laws.index import Arrays, Index
from planner.memo import cache
from planner.records import Record, type_hints

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any, ClassVar, Literal

    from planner.forms.transfer import TransferLaw
    from planner.laws.index import Stored


def laws_dir() -> Path:
    """The shipped law files: inside the installed package, else the source checkout's laws/."""
    from pathlib import Path

    return Path(_root())


@cache
def _root() -> str:
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    packaged = os.path.join(package, "_laws")
    return packaged if os.path.isdir(packaged) else os.path.join(os.path.dirname(package), "laws")


@cache
def _catalog_paths() -> dict[str, str]:
    """Every shipped law file (laws/<folder>/<id>.toml) by id, as a path under laws/, listed
    once: the shipped catalog does not change in a run."""
    root = _root()
    found = []
    for folder in sorted(os.listdir(root)):
        if os.path.isdir(os.path.join(root, folder)):
            names = os.listdir(os.path.join(root, folder))
            found += [f"{folder}/{name}" for name in sorted(names) if name.endswith(".toml")]
    return {relative.rpartition("/")[2][: -len(".toml")]: relative for relative in sorted(found)}


@cache
def _index() -> Index:
    root = _root()
    found = _INDEXES.get(root)
    if found is None:
        found = _INDEXES[root] = Index(root)
    return found


_INDEXES: dict[str, Index] = {}


def law_ids() -> list[str]:
    """Every shipped law id, sorted."""
    return sorted(_catalog_paths())


def available_laws(domain: str | None = None) -> list[Law]:
    """Every shipped law (of one domain, if given), sorted by domain then id.

    A law lives in the directory of its domain (the tests check it), so one domain's
    laws load without reading the others' files.
    """
    paths = [path for path in _catalog_paths().values() if domain is None or path.partition("/")[0] == domain]
    laws = [_load_shipped(path) for path in paths]
    laws = [law for law in laws if domain is None or law.domain == domain]
    return sorted(laws, key=lambda law: (DOMAINS.index(law.domain), law.id))


def planning_laws(domain: str | None = None) -> list[Law]:
    """The shipped laws of pre-training runs (every form but transfer)."""
    return [law for law in available_laws(domain) if law.kind == "budget"]


def hyperparameter_laws(domain: str | None = None) -> list[Law]:
    """The shipped laws of the learning rate and batch size (of one domain, if given)."""
    return [law for law in available_laws(domain) if law.kind == "hyperparameters"]


def transfer_laws() -> list[TransferLaw]:
    """The shipped transfer laws."""
    found: list[TransferLaw] = [law for law in available_laws() if law.kind == "transfer"]  # type: ignore[misc]
    return found


def check_domain(domain: str) -> str:
    """The domain, or InputError naming the valid ones."""
    if domain not in DOMAINS:
        raise InputError(f"no domain {domain!r}; choose one of: {', '.join(DOMAINS)}")
    return domain


class Default(Record, eq=False):
    """The law used when none is named, and why (laws/defaults.toml)."""

    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT

    law: str
    why: str


@cache
def defaults() -> dict[str, Default]:
    """Each domain's default budget law, and the default transfer law under "transfer"."""
    path = os.path.join(_root(), "defaults.toml")
    data = _shipped_bytes(path)
    indexed: dict[str, Default] | None = _index().defaults(data)
    if indexed is not None:
        return indexed
    return {key: build(Default, entry) for key, entry in _toml(data, path).items()}


def default_reason(law: Law) -> str | None:
    """Why the law is its domain's default (or the default transfer law); None if it is not."""
    entry = defaults().get("transfer" if law.kind == "transfer" else law.domain)
    return entry.why if entry is not None and entry.law == law.id else None


def is_default(law: Law) -> bool:
    """Whether the law is its domain's default (or the default transfer law)."""
    return default_reason(law) is not None


def default_law(domain: str = "language") -> Law:
    """The law a plan uses when none is named: the domain's entry in laws/defaults.toml."""
    entry = defaults().get(check_domain(domain))
    if entry is None:
        raise InputError(f"no shipped law plans {domain} budgets yet; see plan laws, or give --law")
    law = find_law(entry.law)
    assert law.kind == "budget", "defaults.toml names a transfer law for a domain"
    return law


def default_transfer_law() -> TransferLaw:
    """The law `plan transfer` uses when none is named: "transfer" in laws/defaults.toml."""
    law = find_law(defaults()["transfer"].law)
    assert law.kind == "transfer", "defaults.toml names a budget law for transfer"
    return law  # type: ignore[return-value]


def is_law_path(name: str) -> bool:
    """Whether a law name is a file's path (it has a '/' or ends in .toml), not an id."""
    return "/" in name or name.endswith(".toml") or (sys.platform == "win32" and "\\" in name)


def find_law(name: str, kind: Literal["budget", "transfer"] | None = None) -> Law:
    """A shipped law by id, or any law file by path (a name with '/' or ending in .toml).

    kind narrows the ids an unknown name is told to choose from: budget or transfer laws.
    """
    if is_law_path(name):
        from pathlib import Path

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


def _read_toml(path: Path | str) -> dict[str, Any]:
    return _toml(_read_bytes(path), path)


def _shipped_bytes(path: str) -> bytes:
    """A shipped file's bytes (ours, so planner.inputs's checks for users' files are not needed)."""
    try:
        with open(path, "rb") as file:
            return file.read()
    except OSError:
        return _read_bytes(path)  # says why, as for any law file


def _read_bytes(path: Path | str) -> bytes:
    from planner.inputs import ReadError, read_bytes

    try:
        data, _ = read_bytes(os.fspath(path), "law file")
    except ReadError as err:
        raise LawFileError(path, [err.detail]) from None
    return data


def _toml(data: bytes, path: Path | str) -> dict[str, Any]:
    from planner.inputs import ReadError, decode, loads_toml

    try:
        text = decode(data, os.fspath(path), "law file")
    except ReadError as err:
        raise LawFileError(path, [err.detail]) from None
    try:
        return loads_toml(text)
    except ValueError as err:
        raise LawFileError(path, [f"not valid TOML: {err}"]) from None


@cache
def _load_shipped(relative: str) -> Law:
    """A shipped law: from the index while the file is unchanged, else built from its TOML."""
    path = os.path.join(_root(), relative)
    data = _shipped_bytes(path)
    indexed: Law | None = _index().law(relative, data)
    if indexed is not None:
        _SHIPPED[indexed] = (relative, data)
        return indexed
    raw = _toml(data, path)
    cls = law_class(raw["form"])
    assert cls is not None, f"shipped law {path} has an unknown form"
    law: Law = build(cls, raw)
    _SHIPPED[law] = (relative, data)
    return law


_SHIPPED: dict[Law, tuple[str, bytes]] = {}
"""Each shipped law loaded, with its file (under laws/) and the bytes it was built from."""


def shipped_arrays(law: Law) -> Stored | None:
    """The arrays the law index keeps for a shipped law (its parameter draws,
    planner.planning.draws), while its file is unchanged; None for any other law."""
    found = _SHIPPED.get(law)
    return None if found is None else _arrays().get(*found)


@cache
def _arrays() -> Arrays:
    return Arrays(_root())


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = type_hints(cls)
    return _HINTS[cls]


def build(tp: Any, value: Any) -> Any:
    """Build typed data from parsed TOML without validating it (shipped files only)."""
    import typing  # reading the types costs start-up time: only a changed shipped file comes here

    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return build(typing.get_args(tp)[0], value)
    if isinstance(tp, type) and issubclass(tp, Record):
        hints = _hints(tp)
        return tp(**{key: build(hints[key], item) for key, item in value.items()})
    import types

    if origin in (typing.Union, types.UnionType):
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
