"""Draws of a law's parameters from its covariance: what every interval is computed over.

Owns `covariance_of` (a law's top-level [covariance], which `plan fit` writes, else its
[uncertainty.covariance]) and `draws_of`: SAMPLES normal draws in the covariance's own
coordinates (log_X draws X = exp of the draw), made once per law and process, with a
fixed seed, so the same law always gives the same intervals. Standard library only (the
draws are plain lists): a plan with intervals starts without numpy.
"""

from __future__ import annotations

import math

from planner.laws.format import parameter_value, square_root
from planner.records import fields

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Any

    from planner.forms.base import Law
    from planner.laws.format import Covariance
    from planner.laws.index import Stored

SAMPLES = 4000
"""Draws per law: 100 in each 2.5% tail, so the 95% interval's ends are steady to about 2%."""
SEED = 0
"""Of the draws: fixed, so that the same law and question always give the same intervals."""


def covariance_of(law: Law) -> Covariance | None:
    """The covariance a law's intervals draw from, or None when it has none."""
    if law.covariance is not None:
        return law.covariance
    uncertainty = law.uncertainty
    return uncertainty.covariance if uncertainty is not None else None


class Draws:
    """SAMPLES draws of one law's parameters, as columns (lists) by [params] field.

    `columns` holds every field the law's [params] sets, a list of `kept` values each
    (a field outside the covariance repeats its value); `noise` one standard normal per
    kept draw, for the model-error term. `invalid` counts draws no parameter set can hold
    (a plain parameter at or below zero): left out, and counted with each question's
    failures. `cache` keeps what a form works out once from the columns.
    """

    __slots__ = (
        "_columns",
        "_drawn",
        "_kept_terms",
        "_kept_views",
        "_noise",
        "_records",
        "cache",
        "covariance",
        "invalid",
        "kept",
        "law",
        "stored",
    )

    def __init__(
        self,
        law: Law,
        covariance: Covariance,
        drawn: dict[str, list[float]] | Callable[[], dict[str, list[float]]],
        noise: list[float] | Callable[[], list[float]],
        invalid: int,
        kept_terms: Callable[[str], tuple[list[float], ...] | None] | None = None,
        kept: int | None = None,
        kept_views: Callable[[str], tuple[Sequence[float], ...] | None] | None = None,
        stored: Stored | None = None,
    ) -> None:
        """The draws `drawn` (the covaried fields' columns, or what reads them when first
        needed), from `draw` or the law index; `noise` likewise (then `kept` says how many
        draws there are); `kept_terms`, what the index keeps of a form's `derived` terms by
        key (None where it keeps none), and `kept_views` the same undecoded (see `views`);
        `stored`, the index's arrays they come from (None for draws made here)."""
        self.law = law
        self.covariance = covariance
        self.cache: dict[str, Any] = {}
        self._records: list[Any] | None = None
        self._columns: dict[str, list[float]] | None = None
        self._drawn = drawn
        self._kept_terms = kept_terms
        self._kept_views = kept_views
        self.stored = stored
        self._noise = noise
        self.kept: int = len(noise) if isinstance(noise, list) else (kept or 0)
        self.invalid = invalid

    @property
    def noise(self) -> list[float]:
        """One standard normal per kept draw, for the model-error term (read when first needed)."""
        if not isinstance(self._noise, list):
            self._noise = self._noise()
        return self._noise

    @property
    def columns(self) -> dict[str, list[float]]:
        """Every field the law's [params] sets, as a column of `kept` values."""
        if self._columns is None:
            drawn = self._drawn if isinstance(self._drawn, dict) else self._drawn()
            point = self.law.params
            self._columns = {
                field: drawn[field] if field in drawn else [float(getattr(point, field))] * self.kept
                for field in fields(point)
                if _number(getattr(point, field))
            }
        return self._columns

    def records(self) -> list[Any]:
        """The draws as parameter records of the law's form, for questions without a fast path."""
        if self._records is None:
            point = self.law.params
            columns = self.columns
            self._records = [
                point.replace(**{field: column[i] for field, column in columns.items()})
                for i in range(self.kept)
            ]
        return self._records

    def views(self, key: str, make: Callable[[Draws], Any]) -> tuple[Sequence[float], ...]:
        """`derived(key, make)`, but where the index keeps the terms and they are not yet
        decoded, as sequences that make a float only of each value read: for a question
        that reads a few draws of them (planner.planning.tails)."""
        found = self.cache.get(key)
        if found is None:
            found = self.cache.get(f"views:{key}")
        if found is None and self._kept_views is not None:
            found = self._kept_views(key)
            if found is not None:
                self.cache[f"views:{key}"] = found
        if found is None:
            found = self.derived(key, make)
        views: tuple[Sequence[float], ...] = found
        return views

    def noise_view(self) -> Sequence[float]:
        """`noise`, undecoded where the index keeps it and it is not yet decoded (see `views`)."""
        if not isinstance(self._noise, list) and self._kept_views is not None:
            found = self.cache.get("views:noise")
            if found is None:
                found = self.cache["views:noise"] = self._kept_views("noise")
            if found is not None:
                view: Sequence[float] = found[0]
                return view
        return self.noise

    def derived(self, key: str, make: Callable[[Draws], Any]) -> Any:
        """What `make` works out from these draws, worked out once (or kept by the index)."""
        found = self.cache.get(key)
        if found is None:
            if self._kept_terms is not None:
                found = self._kept_terms(key)
            if found is None:
                found = make(self)
            self.cache[key] = found
        return found


def draw(law: Law, covariance: Covariance, samples: int = SAMPLES, seed: int = SEED) -> Draws:
    """`samples` normal draws of the law's parameters from `covariance`, with `seed`."""
    point = law.params
    names = covariance.names
    found = [parameter_value(point, name) for name in names]
    root = square_root(covariance.matrix)
    mean = [value for value in found if value is not None]
    if root is None or len(mean) != len(names):  # the law file's checks refuse both
        raise ValueError(f"the covariance of {law.id} does not fit its parameters")
    given = [name for name in fields(point) if _number(getattr(point, name))]
    # How each covaried coordinate lands in a field: as drawn, exp of it, or log of it.
    targets = [_target(name, set(given)) for name in names]
    size = len(names)
    import random  # only a plan with intervals draws

    gauss = random.Random(seed).gauss
    # Column by column: z[j] holds coordinate j's standard normals, drawn in row order.
    normals = [gauss(0.0, 1.0) for _ in range(samples * (size + 1))]
    z = [normals[j :: size + 1] for j in range(size + 1)]
    drawn: dict[str, list[float]] = {}
    good = [True] * samples
    for i in range(size):
        column = [mean[i]] * samples
        for j in range(i + 1):
            weight = root[i][j]
            if weight:
                column = [c + weight * e for c, e in zip(column, z[j], strict=True)]
        field, convert = targets[i]
        if convert == "exp":
            column = [math.exp(c) for c in column]
        elif convert == "log" or not field.startswith("log_"):
            # every plain parameter of the forms is above zero (and a log needs one)
            good = [g and c > 0 for g, c in zip(good, column, strict=True)]
            if convert == "log":
                column = [math.log(c) if c > 0 else 0.0 for c in column]
        drawn[field] = column
    keep = [row for row in range(samples) if good[row]]
    for field, column in drawn.items():
        drawn[field] = [column[row] for row in keep]
    noise = [z[size][row] for row in keep]
    invalid = samples - len(keep)
    return Draws(law, covariance, drawn, noise, invalid)


def payload(
    draws: Draws, more: dict[str, tuple[list[float] | bytes, ...]] | None = None
) -> tuple[dict[str, Any], dict[str, list[float] | bytes]]:
    """The draws as the law index keeps them (planner.laws.index.Arrays): what they were
    drawn with, and by name each drawn column, the noise, and the terms the law's form
    keeps of them (its `kept_draw_terms`: what a plain plan works out from the draws),
    with `more` such terms by key (the cells of planner.planning.tails)."""
    drawn = {_target(name, set(draws.columns))[0] for name in draws.covariance.names}
    meta = {
        "samples": draws.kept + draws.invalid,
        "seed": SEED,
        "names": list(draws.covariance.names),
        "invalid": draws.invalid,
    }
    arrays: dict[str, list[float] | bytes] = {
        f"columns/{field}": draws.columns[field] for field in sorted(drawn)
    }
    arrays["noise"] = draws.noise
    kept = getattr(draws.law.params, "kept_draw_terms", None)
    terms: dict[str, tuple[list[float] | bytes, ...]] = {**kept(draws)} if kept is not None else {}
    for key, columns in {**terms, **(more or {})}.items():
        for i, column in enumerate(columns):
            arrays[f"terms/{key}/{i}"] = column
    return meta, arrays


def from_payload(law: Law, covariance: Covariance, stored: Stored) -> Draws | None:
    """The draws the index keeps, or None if they were drawn otherwise than `draw` would now.
    Each column, the noise and each kept term is read when first asked for."""
    meta = stored.meta
    if (
        meta.get("samples") != SAMPLES
        or meta.get("seed") != SEED
        or meta.get("names") != list(covariance.names)
    ):
        return None
    names = stored.names()

    def drawn() -> dict[str, list[float]]:
        return {name[8:]: stored.array(name) for name in names if name.startswith("columns/")}

    def kept_terms(key: str) -> tuple[list[float], ...] | None:
        prefix = f"terms/{key}/"
        found = [name for name in names if name.startswith(prefix)]
        if not found:
            return None
        return tuple(stored.array(f"{prefix}{i}") for i in range(len(found)))

    def kept_views(key: str) -> tuple[Sequence[float], ...] | None:
        if key == "noise":
            return (stored.view("noise"),)
        prefix = f"terms/{key}/"
        count = sum(1 for name in names if name.startswith(prefix))
        return tuple(stored.view(f"{prefix}{i}") for i in range(count)) if count else None

    def noise() -> list[float]:
        return stored.array("noise")

    kept = meta["samples"] - meta["invalid"]
    return Draws(law, covariance, drawn, noise, meta["invalid"], kept_terms, kept, kept_views, stored)


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _target(name: str, given: set[str]) -> tuple[str, str]:
    """(the [params] field a covariance coordinate sets, how: "same", "exp" or "log")."""
    if name in given:
        return name, "same"
    if name.startswith("log_") and name.removeprefix("log_") in given:
        return name.removeprefix("log_"), "exp"
    return f"log_{name}", "log"


_DRAWS: dict[Law, Draws | None] = {}


def draws_of(law: Law) -> Draws | None:
    """The law's draws (made on first use, kept for the process), or None without a covariance."""
    if law in _DRAWS:
        return _DRAWS[law]
    covariance = covariance_of(law)
    found = None
    if covariance is not None:
        from planner.laws.catalog import shipped_arrays

        kept = shipped_arrays(law)
        found = from_payload(law, covariance, kept) if kept is not None else None
        if found is None:
            found = draw(law, covariance)
    _DRAWS[law] = found
    return found
