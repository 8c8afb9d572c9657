"""Records: the dataclass semantics planner relies on, and strict builds that agree with pydantic."""

from __future__ import annotations

import copy
import math
import pickle
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from planner.check import Spec
from planner.records import FrozenError, Record, fields
from planner.strict import strict_build


class Point(Record):
    x: float
    label: str = "p"


class Tagged(Record, kw_only=True, eq=False):
    point: Point
    tags: tuple[str, ...] = ()


def test_a_record_behaves_like_a_frozen_dataclass() -> None:
    point = Point(1.0)
    assert point == Point(1.0, "p")
    assert hash(point) == hash(Point(1.0))
    assert point != Point(2.0)
    assert repr(point) == "Point(x=1.0, label='p')"
    assert point.replace(label="q") == Point(1.0, "q")
    assert fields(point) == ("x", "label")
    with pytest.raises(FrozenError):
        point.x = 2.0  # type: ignore[misc]
    with pytest.raises(TypeError):
        Tagged(Point(1.0))  # type: ignore[misc]  # keyword only
    tagged = Tagged(point=point, tags=("a",))
    assert tagged != Tagged(point=point, tags=("a",))  # eq=False: identity
    assert pickle.loads(pickle.dumps(tagged)).to_dict() == {"point": {"x": 1.0, "label": "p"}, "tags": ["a"]}
    with pytest.raises(TypeError, match="no field nope"):
        point.replace(nope=1)


def test_a_required_field_after_a_default_is_refused() -> None:
    with pytest.raises(TypeError, match="without a default follows one with a default"):

        class Bad(Record):
            a: float = 1.0
            b: float


VALID: dict[str, Any] = {
    "name": "7B",
    "law": "besiroglu2024",
    "run": {"params": 7e9, "tokens": 2e12},
    "hardware": {"gpu": "h100-sxm", "gpus": 512, "mfu": 0.4, "price_per_gpu_hour": 2.5},
    "limits": {"max_flops": 1e23, "max_gpu_hours": 100_000, "max_params_factor": 5},
}

ODD = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["", "7e9", "h100-sxm", "x"]),
    st.just([]),
    st.just({}),
    st.just({"params": 1.0}),
)


@st.composite
def specs(draw: st.DrawFn) -> dict[str, Any]:
    """The valid spec with a few keys changed, dropped or added, anywhere in it."""
    spec = {key: dict(value) if isinstance(value, dict) else value for key, value in VALID.items()}
    for _ in range(draw(st.integers(0, 3))):
        table = draw(st.sampled_from([None, "run", "hardware", "limits"]))
        if table is None or not isinstance(spec.get(table), dict):
            target = spec
        else:  # a copy: a drawn value may be a `just` object shared between examples
            target = spec[table] = dict(spec[table])
        key = draw(st.sampled_from([*target, "max_cost", "days", "extra", "gpu", "mfu", "max_loss"]))
        if draw(st.booleans()) and key in target:
            del target[key]
        else:
            target[key] = copy.deepcopy(draw(ODD))
    return spec


def _pydantic(raw: dict[str, Any]) -> Spec | None:
    import json

    try:
        text = json.dumps(raw, default=str)
    except ValueError:
        return None
    try:
        spec: Spec = TypeAdapter(Spec).validate_json(text, strict=True)
    except ValidationError:
        return None
    return spec


@settings(max_examples=400, deadline=None)
@given(specs())
def test_a_strict_build_never_takes_what_pydantic_refuses_and_builds_the_same_spec(
    raw: dict[str, Any],
) -> None:
    fast = strict_build(Spec, raw)
    if fast is not None:
        slow = _pydantic(raw)
        assert slow is not None, raw
        assert repr(fast) == repr(slow)


def test_the_valid_spec_is_built_strictly_and_odd_ones_are_left_to_pydantic() -> None:
    assert strict_build(Spec, VALID) is not None
    for run in ({"params": True}, {"params": "7e9"}, {"params": math.inf}, {"params": -1.0}, {"nope": 1.0}):
        assert strict_build(Spec, {**VALID, "run": run}) is None
    assert strict_build(Spec, {**VALID, "hardware": {**VALID["hardware"], "gpus": 1.5}}) is None


def test_the_generic_and_the_compiled_init_agree() -> None:
    """A class's first COMPILE_AFTER records are bound generically, the rest by its compiled
    __init__: the same records, and the same refusals."""
    from planner.records import COMPILE_AFTER

    class Mixed(Record):
        a: float
        b: str = "b"

    class Keyed(Mixed, kw_only=True):
        c: int

    for _ in range(COMPILE_AFTER + 3):
        assert Keyed(1.0, c=3) == Keyed(a=1.0, b="b", c=3)
        assert Mixed(2.0).to_dict() == {"a": 2.0, "b": "b"}
        for bad in (lambda: Keyed(1.0, "b", 3), lambda: Keyed(c=3), lambda: Mixed(1.0, b="x", z=1)):
            with pytest.raises(TypeError):
                bad()
