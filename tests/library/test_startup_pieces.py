"""The stand-ins that keep standard modules off a plain plan's start: each gives what the
module it stands in for gives."""

from __future__ import annotations

import json
import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.jsontext import escape, loads
from planner.laws.format import LAW_ID, LAW_ID_PATTERN
from planner.memo import cache

IDS = st.text(alphabet="abz0129-_A.", max_size=14) | st.from_regex(LAW_ID_PATTERN, fullmatch=True)


@settings(max_examples=500)
@given(IDS)
def test_the_law_id_check_is_the_pattern(text: str) -> None:
    assert LAW_ID.fullmatch(text) == (re.fullmatch(LAW_ID_PATTERN, text) is not None)


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("hoffmann2022", True),
        ("hoffmann2022-exact", True),
        ("llama3-2024", False),
        ("a1234", True),
        ("1234", False),
        ("ab123", False),
        ("ab123-4567", False),
        ("Hoffmann2022", False),
        ("", False),
    ],
)
def test_the_law_id_check_on_known_ids(text: str, ok: bool) -> None:
    assert LAW_ID.fullmatch(text) is ok


FINITE = st.floats(allow_nan=False, allow_infinity=False)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | FINITE | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300)
@given(JSON)
def test_loads_reads_what_json_writes(value: object) -> None:
    for text in (json.dumps(value), json.dumps(value, ensure_ascii=False, separators=(",", ":"))):
        assert loads(text) == json.loads(text)
        assert loads(" " + text + "\n") == json.loads(text)


def test_loads_calls_the_object_hook_like_json() -> None:
    text = '{"a": {"b": [1, {"c": 2.5}]}, "d": null}'

    def tag(value: dict) -> dict:
        return {"tagged": sorted(value)}

    assert loads(text, object_hook=tag) == json.loads(text, object_hook=tag)


@pytest.mark.parametrize("text", ["", "{", '{"a": 1} x', "[1,]", "nul", '"\x01"'])
def test_loads_refuses_what_json_refuses(text: str) -> None:
    with pytest.raises(ValueError, match=r"."):
        json.loads(text)
    with pytest.raises(ValueError, match=r"."):
        loads(text)


def test_loads_reads_json_constants_as_json_does() -> None:
    assert math.isinf(loads("[Infinity]")[0])
    assert math.isnan(loads("NaN"))


@settings(max_examples=300)
@given(st.text())
def test_escape_is_json_dumps_of_a_string(text: str) -> None:
    assert escape(text) == json.dumps(text)


def test_cache_keeps_results_by_arguments_until_cleared() -> None:
    calls: list[tuple[int, int]] = []

    @cache
    def add(a: int, b: int) -> int:
        """Adds."""
        calls.append((a, b))
        return a + b

    assert add(1, 2) == add(1, 2) == 3
    assert add(2, 1) == 3
    assert calls == [(1, 2), (2, 1)]
    assert add.__name__ == "add"
    assert add.__doc__ == "Adds."
    add.cache_clear()  # type: ignore[attr-defined]
    assert add(1, 2) == 3
    assert calls == [(1, 2), (2, 1), (1, 2)]
