"""Converting a user's parameter count to the one a law counts: total <-> non-embedding.

Owns `--param-convention`: when a plan's law counts non-embedding parameters (Kaplan et al.)
and the user's sizes count all of them (or the reverse), the sizes are converted with the
constants of `planner/conversions.toml`, and the plan says so (`Plan.params_conversion`).

- With the vocabulary given (`vocab`), Pearce & Song 2024's fit over Chinchilla's
  configurations, N_total = N_nonemb + gamma N_nonemb^(1/3), gamma = 47491 at its 32k
  vocabulary (tied). The term is the embedding: V d with d proportional to N_nonemb^(1/3) at a
  fixed aspect ratio, so another vocabulary scales gamma by V / 32000, and an untied output
  head doubles it.
- With `vocab="auto"`, the vocabulary a size calls for, Tao et al. 2024's approach 2:
  N_v = 3,145,728 (N_nonemb / 33M)^0.8354 vocabulary parameters, N_total = N_nonemb + N_v.

A conversion needs one of the two: without a vocabulary it is refused in one line. Standard
library only; loaded only when a plan converts.
"""

from __future__ import annotations

import os

from planner.errors import InputError
from planner.memo import cache

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from planner.forms.base import Law
    from planner.planning.results import ParamsConversion

CONVENTIONS = ("total", "non_embedding")
"""What a user's parameter counts may count: as `quantities.params` of a law file."""

PEARCE = "pearce2024"
TAO = "tao2024"


@cache
def constants() -> dict[str, Any]:
    """planner/conversions.toml, checked: every table and key the module reads, numbers above zero."""
    from planner.inputs import loads_toml

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "conversions.toml")
    with open(path, encoding="utf-8") as file:
        data = loads_toml(file.read())
    wanted = {
        "params": ("gamma", "power", "vocab", "source", "locator", "caveats"),
        "vocabulary": ("scale", "reference", "exponent", "source", "locator", "caveats"),
    }
    for table, keys in wanted.items():
        found = data.get(table)
        if not isinstance(found, dict) or sorted(found) != sorted(keys):
            raise ValueError(f"conversions.toml: [{table}] must hold exactly {', '.join(keys)}")
        for key in keys[:3]:
            value = found[key]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
                raise ValueError(f"conversions.toml: [{table}] {key} must be a number above zero")
    return data


class Converter:
    """N_total = N_nonemb + embedding(N_nonemb), by one of the two rules, and its inverse."""

    __slots__ = ("_gamma", "_power", "_tao", "caveats", "formula", "rule", "source", "vocab")

    def __init__(self, vocab: int | str, tied: bool) -> None:
        data = constants()
        if vocab == "auto":
            table = data["vocabulary"]
            self.rule = TAO
            self.vocab: int | None = None
            self._tao = (float(table["scale"]), float(table["reference"]), float(table["exponent"]))
            self._gamma = self._power = 0.0
            self.formula = (
                f"N_total = N_nonemb + {table['scale']:,.0f} (N_nonemb / {table['reference']:.3g})^"
                f"{table['exponent']:g}, the vocabulary parameters N_nonemb calls for"
            )
        else:
            table = data["params"]
            self.rule = PEARCE
            self.vocab = int(vocab)
            self._gamma = float(table["gamma"]) * self.vocab / float(table["vocab"]) * (1.0 if tied else 2.0)
            self._power = float(table["power"])
            self._tao = (0.0, 1.0, 0.0)
            head = "tied" if tied else "untied, twice"
            self.formula = (
                f"N_total = N_nonemb + {self._gamma:,.0f} N_nonemb^(1/3) (gamma {table['gamma']:g} at "
                f"vocabulary {table['vocab']:,}, scaled to {self.vocab:,}, {head})"
            )
        self.source = f"{table['source']}; {table['locator']}"
        self.caveats = tuple(table["caveats"])

    def embedding(self, non_embedding: float) -> float:
        if self.rule == TAO:
            scale, reference, exponent = self._tao
            return float(scale * (non_embedding / reference) ** exponent)
        return float(self._gamma * non_embedding**self._power)

    def total(self, non_embedding: float) -> float:
        return non_embedding + self.embedding(non_embedding)

    def non_embedding(self, total: float) -> float:
        """The inverse of `total` (which grows with N_nonemb): bisection in ln N."""
        from planner.optimize import log_root

        return log_root(self.total, total, total, 60.0, 1e-14)

    def to_law(self, given: str, law_counts: str, params: float) -> float:
        """A count in the user's convention `given` as the law counts it."""
        if given == law_counts:
            return params
        return self.non_embedding(params) if given == "total" else self.total(params)

    def to_user(self, given: str, law_counts: str, params: float) -> float:
        """A count as the law counts it in the user's convention `given`."""
        if given == law_counts:
            return params
        return self.total(params) if given == "total" else self.non_embedding(params)


def check_convention(given: str) -> str:
    name = given.replace("-", "_")
    if name not in CONVENTIONS:
        raise InputError(
            f"param_convention must be total or non-embedding (got {given!r}): what your parameter "
            "counts include"
        )
    return name


def converter(law: Law, given: str | None, vocab: int | str | None, tied: bool | None) -> Converter | None:
    """The converter from a user's counts to the law's, or None where none is needed."""
    if given is None:
        return None
    name = check_convention(given)
    if name == law.quantities.params:
        return None
    if vocab is None:
        raise InputError(
            f"converting {name.replace('_', '-')} parameters to law {law.id}'s "
            f"{law.quantities.params.replace('_', '-')} ones needs the vocabulary: give vocab (--vocab V; "
            "32000 is Pearce & Song's fit) or vocab 'auto' (--vocab auto: Tao et al. 2024's for the size)"
        )
    if vocab != "auto" and (isinstance(vocab, bool) or not isinstance(vocab, int) or vocab < 1):
        raise InputError(f"vocab must be a whole number above zero or 'auto' (got {vocab!r})")
    return Converter(vocab, True if tied is None else bool(tied))


def record(
    found: Converter, given: str, law: Law, optimum_params: float, asked: float | None = None
) -> ParamsConversion:
    """What a plan's conversion did: the rule, and the optimum's size in the user's count."""
    from planner.planning.results import ParamsConversion

    return ParamsConversion(
        given=given,
        law_counts=law.quantities.params,
        rule=found.rule,
        vocab=found.vocab,
        formula=found.formula,
        source=found.source,
        optimum_params=found.to_user(given, law.quantities.params, optimum_params),
        asked_params=asked,
        caveats=found.caveats,
    )


def converted(found: Any, conversion: Converter, given: str, law: Law, asked: float | None) -> Any:
    """`found` (a plan or a list of plans) with the conversion recorded on each."""
    if isinstance(found, list):
        return [converted(one, conversion, given, law, asked) for one in found]
    return found.replace(params_conversion=record(conversion, given, law, found.optimum.params, asked))
