"""Strict builds: a record made at once from plain data (parsed JSON or TOML) that plainly
fits its fields, without pydantic.

Owns `strict_build`, which `plan check` uses so that a spec that is plainly right starts
without pydantic's import; anything it is not sure of it leaves to full validation, which
decides and names every problem. It reads the fields' annotation text itself (with the
names in planner.records.HINT_NAMES), never typing. Standard library only.
"""

from __future__ import annotations

from planner.records import HINT_NAMES, Alias, Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class _Check:
    """What a field takes, read from its annotation text by `strict_build`."""

    def __init__(self, types: tuple[type, ...] = (), **how: Any) -> None:
        self.types = types
        self.optional: bool = how.get("optional", False)
        self.limits: dict[str, Any] = how.get("limits", {})
        self.choices: tuple[Any, ...] | None = how.get("choices")
        self.record: type[Record] | None = how.get("record")

    def _with(self, **changes: Any) -> _Check:
        how = {
            "optional": self.optional,
            "limits": self.limits,
            "choices": self.choices,
            "record": self.record,
        }
        return _Check(self.types, **(how | changes))

    def __or__(self, other: object) -> _Check:
        if other is None:
            return self._with(optional=True)
        raise _Unsure

    __ror__ = __or__

    def take(self, value: Any) -> Any:
        """The value as the field holds it; _Unsure unless it plainly fits."""
        if value is None and self.optional:
            return None
        if self.record is not None:
            return strict_build(self.record, value, unsure=True)
        if self.choices is not None:
            if value not in self.choices or type(value) is bool:
                raise _Unsure
            return value
        kind = type(value)
        if kind not in self.types:
            raise _Unsure
        if float in self.types:
            try:
                value = float(value)
            except OverflowError:  # an integer beyond floats: full validation says so
                raise _Unsure from None
            if value != value or value in (float("inf"), float("-inf")):
                raise _Unsure
        if not all(_within(value, name, limit) for name, limit in self.limits.items()):
            raise _Unsure
        return value


def _within(value: Any, name: str, limit: Any) -> bool:
    if name == "gt":
        return bool(value > limit)
    if name == "ge":
        return bool(value >= limit)
    if name == "lt":
        return bool(value < limit)
    if name == "le":
        return bool(value <= limit)
    if name == "min_length":
        return bool(len(value) >= limit)
    return False  # a limit this does not know (a pattern): full validation decides


class _Unsure(Exception):
    """Raised by a strict build where full validation must decide (and explain)."""


class _Annotated:
    def __getitem__(self, args: tuple[Any, ...]) -> _Check:
        inner, *extras = args
        check = _check_of(inner)
        limits = dict(check.limits)
        for extra in extras:
            limits.update(getattr(extra, "limits", {}))
        return check._with(limits=limits)


class _Literal:
    def __getitem__(self, args: Any) -> _Check:
        return _Check(choices=args if isinstance(args, tuple) else (args,))


def _check_of(value: Any) -> _Check:
    if isinstance(value, _Check):
        return value
    if value is float:
        return _Check((float, int))
    if value in (int, str, bool):
        return _Check((value,))
    if isinstance(value, type) and issubclass(value, Record):
        return _Check(record=value)
    args = getattr(value, "__args__", None)  # `Record | None`, a types.UnionType
    if args is not None and len(args) == 2 and type(None) in args:
        other = args[0] if args[1] is type(None) else args[1]
        return _check_of(other)._with(optional=True)
    raise _Unsure


_CHECKS: dict[type, dict[str, _Check] | None] = {}


def _checks(cls: type[Record]) -> dict[str, _Check] | None:
    """Each field's check, from its annotation text; None where the text is beyond them."""
    if cls not in _CHECKS:
        import sys

        scope: dict[str, Any] = {"Annotated": _Annotated(), "Literal": _Literal()}
        for name, text in HINT_NAMES.items():
            if not isinstance(text, Alias):
                scope[name] = text
        for name, text in HINT_NAMES.items():
            if isinstance(text, Alias):
                try:
                    scope[name] = eval(text, {}, scope)
                except Exception:
                    scope[name] = None
        checks: dict[str, _Check] | None = {}
        for base in reversed(cls.__mro__):
            annotations = base.__dict__.get("__annotations__", {})  # noqa: RUF063
            module = vars(sys.modules[base.__module__])
            for name, text in annotations.items():
                if name in cls.__fields__ and checks is not None:
                    try:
                        checks[name] = _check_of(eval(text, dict(module), scope))
                    except Exception:
                        checks = None
        _CHECKS[cls] = checks
    return _CHECKS[cls]


def strict_build(cls: type[Record], value: Any, *, unsure: bool = False) -> Any:
    """A record built from plain data (parsed JSON or TOML) that plainly fits its fields:
    only known keys, every required one, exact types (no text for numbers, no booleans),
    finite numbers within their bounds, and `__post_init__` content. None otherwise, and
    then full validation (pydantic) must decide and explain: this never accepts what that
    would refuse, and builds the same record (a test checks both)."""
    try:
        checks = _checks(cls)
        if checks is None or type(value) is not dict or not set(value) <= set(checks):
            raise _Unsure
        if any(name not in value and name not in cls.__defaults__ for name in cls.__fields__):
            raise _Unsure
        taken = {name: checks[name].take(item) for name, item in value.items()}
        try:
            return cls(**taken)
        except (ValueError, TypeError):
            raise _Unsure from None
    except _Unsure:
        if unsure:
            raise
        return None
