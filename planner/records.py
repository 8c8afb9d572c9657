"""Frozen records: how planner declares its result and law-file classes.

A record is declared like a frozen dataclass (annotated fields, defaults, `__post_init__`)
by subclassing `Record`; `Record` gives it an `__init__` (generic for a class's first
calls, then compiled for it), field-wise equality and
hash (or identity, with `eq=False`), a repr, immutability, `replace` and `to_dict`. It
exists because of start-up time: the standard dataclasses module costs about 25 ms to
import (it brings inspect) and about 1 ms per class, and `plan` creates some 40 classes at
every start; a record class costs tens of microseconds. Type checkers see records as
dataclasses (PEP 681). Standard library only, and none of it imported at start.

Field annotations stay strings (`from __future__ import annotations`): a record never
evaluates them. Whoever needs the types (validation, the law-file builder) resolves them.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, ClassVar, Self, dataclass_transform
else:

    def dataclass_transform(**_: object) -> Callable[[type], type]:
        return lambda cls: cls


class FrozenError(AttributeError):
    """Raised on an attempt to change a field of a record."""


def _is_field(annotation: object) -> bool:
    return not str(annotation).startswith(("ClassVar", "typing.ClassVar", "InitVar"))


@dataclass_transform(frozen_default=True, eq_default=True)
class Record:
    """The base of every record: subclass it and annotate the fields."""

    __fields__: ClassVar[tuple[str, ...]] = ()
    """Every field, in declaration order (a base class's first)."""
    __defaults__: ClassVar[dict[str, Any]] = {}
    """The default of every field that has one."""
    __keyword_fields__: ClassVar[frozenset[str]] = frozenset()
    """Fields given by keyword only: those of a class declared with `kw_only=True`."""

    def __init_subclass__(cls, *, kw_only: bool = False, eq: bool = True, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        annotations = cls.__dict__.get("__annotations__", {})  # noqa: RUF063 (inspect costs start-up)
        own = {name: text for name, text in annotations.items() if _is_field(text)}
        names = [*cls.__fields__, *(name for name in own if name not in cls.__fields__)]
        defaults = dict(cls.__defaults__)
        for name in own:
            if name in cls.__dict__:
                defaults[name] = cls.__dict__[name]
            else:
                defaults.pop(name, None)
        cls.__fields__ = tuple(names)
        cls.__defaults__ = defaults
        keyword = set(cls.__keyword_fields__) - set(own)
        cls.__keyword_fields__ = frozenset(keyword | set(own) if kw_only else keyword)
        _check_order(cls)
        type.__setattr__(cls, "__init__", _lazy_init(cls))
        if not eq:
            type.__setattr__(cls, "__eq__", object.__eq__)
            type.__setattr__(cls, "__hash__", object.__hash__)
        elif cls.__dict__.get("__hash__", Record.__hash__) is None:
            type.__setattr__(cls, "__hash__", Record.__hash__)

    if TYPE_CHECKING:

        def __init__(self, *args: Any, **kwargs: Any) -> None: ...

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenError(f"cannot assign to field {name!r} of a frozen {type(self).__name__}")

    def __delattr__(self, name: str) -> None:
        raise FrozenError(f"cannot delete field {name!r} of a frozen {type(self).__name__}")

    def _values(self) -> tuple[Any, ...]:
        values = self.__dict__
        return tuple(values[name] for name in self.__fields__)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        values = self.__dict__
        inner = ", ".join(f"{name}={values[name]!r}" for name in self.__fields__)
        return f"{type(self).__qualname__}({inner})"

    def __reduce__(self) -> tuple[Any, ...]:
        return _rebuild, (type(self), dict(self.__dict__))

    def replace(self, **changes: Any) -> Self:
        """A copy with `changes` applied, checked again by `__post_init__`."""
        cls = type(self)
        copy = object.__new__(cls)
        values = copy.__dict__
        values.update(self.__dict__)
        values.update(changes)
        if len(values) != len(cls.__fields__):
            unknown = sorted(set(changes) - set(cls.__fields__))
            raise TypeError(f"{cls.__name__} has no field {', '.join(unknown)}")
        post_init = getattr(copy, "__post_init__", None)
        if post_init is not None:
            post_init()
        return copy

    def to_dict(self) -> dict[str, Any]:
        """The fields as plain data: records become dicts, tuples lists, recursively."""
        return {name: _plain(value) for name, value in self.__dict__.items()}

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        """pydantic validates a record as its `mirror`, a dataclass, and returns the record."""
        from pydantic_core import core_schema

        return core_schema.no_info_after_validator_function(record_of, handler(mirror(cls)))


PRESENT: Callable[[Any, str, int | None], Any] | None = None
"""Draws a result as its command does (planner.display.present). Set by the planner package,
which sits above the tables: a record cannot import them itself. None: no table to draw."""


class Shown:
    """A result that shows itself as its command does: its repr is one short line (`summary`),
    `table()` is the command's table as text, and a notebook (`_repr_html_`) or rich
    (`__rich_console__`, at the console's width) shows that table. Mixed into the results a
    question returns (a plan, a comparison, a check report, a fit report, ...)."""

    __slots__ = ()

    def summary(self) -> str:
        """The result in a few words: the law, the question and its main numbers."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.summary()}>"

    def table(self, width: int | None = None) -> str:
        """The table the command prints for this result, as plain text `width` columns wide
        (80 unless given), without styles."""
        return str(_present(self, "text", width))

    def _repr_html_(self) -> str:
        return str(_present(self, "html", None))

    def __rich_console__(self, console: Any, options: Any) -> Any:
        yield _present(self, "rich", options.max_width)


class Rows:
    """A result of rows, as `--format csv` writes them (one a plan: a budget, a law of a
    comparison, a size of a curve): `to_pandas()`."""

    __slots__ = ()

    def to_pandas(self) -> Any:
        """A pandas DataFrame, one row a plan, in the columns and order of `--format csv`.
        Needs pandas, which planner does not depend on."""
        try:
            import pandas  # type: ignore[import-untyped, import-not-found, unused-ignore]
        except ImportError:
            raise ImportError("to_pandas() needs pandas: pip install pandas") from None
        columns, rows = _present(self, "rows", None)
        return pandas.DataFrame.from_records(rows, columns=columns)


def _present(result: Any, kind: str, width: int | None) -> Any:
    if PRESENT is None:
        raise RuntimeError("results are drawn by the planner package; import planner first")
    return PRESENT(result, kind, width)


def _plain(value: Any) -> Any:
    kind = type(value)
    if kind is float or kind is str or kind is int or value is None or kind is bool:
        return value
    if isinstance(value, Record):
        return value.to_dict()
    if kind is tuple or kind is list:
        return [_plain(item) for item in value]
    if kind is dict:
        return {key: _plain(item) for key, item in value.items()}
    return value


def _rebuild(cls: type[Record], values: dict[str, Any]) -> Record:
    record = cls.__new__(cls)
    record.__dict__.update(values)
    return record


def _check_order(cls: type[Record]) -> None:
    """A positional field without a default may not follow one with a default."""
    defaulted = False
    for name in cls.__fields__:
        if name in cls.__keyword_fields__:
            continue
        if name in cls.__defaults__:
            defaulted = True
        elif defaulted:
            raise TypeError(f"{cls.__name__}: field {name!r} without a default follows one with a default")


COMPILE_AFTER = 32
"""A record class made this many times gets its own compiled `__init__`."""


def _lazy_init(cls: type[Record]) -> Callable[..., None]:
    """A generic `__init__` that binds the arguments to the fields itself, until the class
    has been made COMPILE_AFTER times; then it compiles the class's own (`_make_init`),
    which is about three times faster a call. Compiling one costs about 45 us, and most
    record classes are made once or never in a run of `plan`."""
    fields = cls.__fields__
    positional = tuple(name for name in fields if name not in cls.__keyword_fields__)
    defaults = cls.__defaults__
    made = 0

    def __init__(self: Record, *args: Any, **kwargs: Any) -> None:
        nonlocal made
        made += 1
        if made > COMPILE_AFTER:
            init = _make_init(cls)
            type.__setattr__(cls, "__init__", init)
            init(self, *args, **kwargs)
            return
        name = cls.__name__
        if len(args) > len(positional):
            raise TypeError(
                f"{name}() takes {len(positional)} positional arguments but {len(args)} were given"
            )
        given = dict(zip(positional, args, strict=False))
        for key, value in kwargs.items():
            if key not in defaults and key not in fields:
                raise TypeError(f"{name}() got an unexpected keyword argument {key!r}")
            if key in given:
                raise TypeError(f"{name}() got multiple values for argument {key!r}")
            given[key] = value
        values = self.__dict__
        for field in fields:
            if field in given:
                values[field] = given[field]
            elif field in defaults:
                values[field] = defaults[field]
            else:
                raise TypeError(f"{name}() missing a required argument: {field!r}")
        if hasattr(self, "__post_init__"):
            self.__post_init__()

    __init__.__qualname__ = f"{cls.__qualname__}.__init__"
    return __init__


def _make_init(cls: type[Record]) -> Callable[..., None]:
    """`__init__` for the fields of cls, compiled once: it stores each argument in order."""
    scope: dict[str, Any] = {}
    positional: list[str] = []
    keywords: list[str] = []
    for name in cls.__fields__:
        if name in cls.__defaults__:
            scope[f"_d_{name}"] = cls.__defaults__[name]
            argument = f"{name}=_d_{name}"
        else:
            argument = name
        if name in cls.__keyword_fields__:
            keywords.append(argument)
        else:
            positional.append(argument)
    arguments = ", ".join(["self", *positional, *(["*", *keywords] if keywords else [])])
    body = [f"    _v['{name}'] = {name}" for name in cls.__fields__]
    lines = [f"def __init__({arguments}):", "    _v = self.__dict__", *body]
    if hasattr(cls, "__post_init__"):
        lines.append("    self.__post_init__()")
    exec("\n".join(lines), scope)
    init: Callable[..., None] = scope["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init


class Alias(str):
    """A type alias kept as text at run time, so that defining it needs no typing import.

    Modules write `if TYPE_CHECKING: Positive = Annotated[...]` for type checkers and
    `else: Positive = Alias("Annotated[...]")`; `type_hints` evaluates the text where types
    are needed. `Positive | None` works as in an annotation.
    """

    def __or__(self, other: object) -> Alias:
        return Alias(f"Union[{self}, {_text(other)}]")

    def __ror__(self, other: object) -> Alias:
        return Alias(f"Union[{_text(other)}, {self}]")


def _text(other: object) -> str:
    return (
        "None"
        if other is None
        else other
        if isinstance(other, str)
        else getattr(other, "__name__", repr(other))
    )


HINT_NAMES: dict[str, Any] = {}
"""Names that field annotations may use beyond their module's own (type aliases kept as
strings so that importing them costs nothing; see planner.laws.format)."""


def type_hints(cls: type) -> dict[str, Any]:
    """The field types of a record class, evaluated (with Annotated metadata kept).

    Only validation and schemas need them; this imports typing, which start-up avoids.
    """
    import typing

    names = {name: getattr(typing, name) for name in ("Annotated", "Any", "ClassVar", "Literal", "Union")}
    return typing.get_type_hints(cls, localns={**names, **HINT_NAMES}, include_extras=True)


_MIRRORS: dict[type, type] = {}


def mirror(cls: type[Record]) -> type:
    """A frozen dataclass with the fields, types, defaults and pydantic config of `cls`,
    whose `__post_init__` builds the record (so its checks run where pydantic reports
    errors by location); the record is on the instance as `__record__`."""
    if cls not in _MIRRORS:
        import dataclasses

        hints = type_hints(cls)

        def post_init(self: Any) -> None:
            values = {name: getattr(self, name) for name in cls.__fields__}
            object.__setattr__(self, "__record__", cls(**values))

        specs = []
        for name in cls.__fields__:
            keyword = name in cls.__keyword_fields__
            if name in cls.__defaults__:
                spec = dataclasses.field(default=cls.__defaults__[name], kw_only=keyword)
            else:
                spec = dataclasses.field(kw_only=keyword)
            specs.append((name, hints[name], spec))
        namespace = {"__doc__": cls.__doc__, "__module__": cls.__module__, "__post_init__": post_init}
        if hasattr(cls, "__pydantic_config__"):
            namespace["__pydantic_config__"] = cls.__pydantic_config__
        made = dataclasses.make_dataclass(cls.__name__, specs, namespace=namespace, frozen=True, eq=False)
        made.__qualname__ = cls.__qualname__
        _MIRRORS[cls] = made
    return _MIRRORS[cls]


def record_of(value: Any) -> Any:
    """The record a validated mirror instance built (see `mirror`)."""
    return value.__record__


def fields(record: Record | type[Record]) -> tuple[str, ...]:
    """The field names of a record or record class, in order."""
    return record.__fields__


def is_record(value: object) -> bool:
    """Whether `value` is a record instance (not a record class)."""
    return isinstance(value, Record)
