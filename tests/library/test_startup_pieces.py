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


KEYS = st.sampled_from(["name", "params", "tokens", "gpu", "max_cost", "a-b", "x_1", "run", "A", "1"])
SCALARS = st.sampled_from(
    [
        '"7B on 2T"',
        '""',
        '"a # b"',
        '"tab\there"',
        '"esc\\n"',
        "7e9",
        "2e12",
        "1e21",
        "0.4",
        "100_000",
        "1_000.5",
        "-0.0",
        "+3",
        "0",
        "01",
        "1.",
        ".5",
        "1e",
        "1e+05",
        "0e5",
        "nan",
        "inf",
        "true",
        "false",
        "True",
        "1 2",
        "[1, 2]",
        "{a = 1}",
        "0x10",
        "1979-05-27",
        "'lit'",
        "1__0",
        "_1",
        "1_",
        "5E-3",
    ]
)
LINES = st.one_of(
    st.builds(lambda k, v, c: f"{k} = {v}{c}", KEYS, SCALARS, st.sampled_from(["", " # note", "#x", "  "])),
    st.builds(lambda k: f"[{k}]", KEYS),
    st.builds(lambda a, b: f"[{a}.{b}]", KEYS, KEYS),
    st.sampled_from(
        ["", "# comment", "  # indented", "[[run]]", "a.b = 1", '"q" = 1', "= 1", "key", "\ufeffk = 1"]
    ),
)


def _same(left: object, right: object) -> bool:
    if type(left) is not type(right):
        return False
    if isinstance(left, dict):
        return left.keys() == right.keys() and all(_same(left[k], right[k]) for k in left)  # type: ignore[attr-defined]
    if isinstance(left, float):
        return left == right or (math.isnan(left) and math.isnan(right))  # type: ignore[arg-type]
    return left == right


@settings(max_examples=1500)
@given(st.lists(LINES, max_size=12), st.sampled_from(["\n", "\r\n"]))
def test_flat_toml_reads_what_tomllib_reads_or_leaves_it_to_tomllib(lines: list[str], end: str) -> None:
    import tomllib

    from planner.flat_toml import read

    text = end.join(lines)
    found = read(text)
    if found is None:
        return  # tomllib reads it (or refuses it) instead
    assert _same(found, tomllib.loads(text)), text


def test_flat_toml_reads_the_example_specs() -> None:
    import tomllib
    from pathlib import Path

    from planner.flat_toml import read

    for path in Path(__file__).parents[1].joinpath("examples").glob("*.toml"):
        text = path.read_text()
        assert read(text) == tomllib.loads(text), path
