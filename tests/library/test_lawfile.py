"""Law files written by planner: rendering round-trips, ids from file names, atomic writes,
and the format's extensions for a lab's own fits (user-fit sources, covariance)."""

from __future__ import annotations

import math
import re
import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.errors import InputError, LawFileError
from planner.forms.base import Law
from planner.laws.catalog import available_laws, find_law, load_law
from planner.laws.format import LAW_ID, Covariance, same_law
from planner.laws.validate import validate_law
from planner.laws.write import law_id_for, render_law, suggest_id, write_atomically
from planner.planning.budget import plan
from planner.planning.results import Interval
from planner.records import fields


def _reload(law: Law, text: str) -> Law:
    return validate_law(tomllib.loads(text), Path(f"{law.id}.toml"))


@pytest.mark.parametrize("law", available_laws(), ids=lambda law: law.id)
def test_every_shipped_law_renders_to_a_file_that_loads_as_the_same_law(law: Law) -> None:
    assert same_law(_reload(law, render_law(law)), law)


@given(st.text())
def test_any_text_survives_the_toml_string(text: str) -> None:
    law = find_law("besiroglu2024")
    changed = law.replace(name=text, caveats=(text, "plain"))
    back = _reload(changed, render_law(changed, header=["a header"], comments={"params": ["note"]}))
    assert back.name == text
    assert back.caveats == (text, "plain")


@given(st.floats(min_value=1e-300, max_value=1e300))
def test_any_finite_number_survives_exactly(value: float) -> None:
    law = find_law("besiroglu2024")
    changed = law.replace(stderr={"A": value})
    assert _reload(changed, render_law(changed)).stderr == {"A": value}


def test_non_finite_numbers_are_refused() -> None:
    law = find_law("besiroglu2024").replace(stderr={"A": math.inf})
    with pytest.raises(ValueError, match="finite numbers only"):
        render_law(law)


@pytest.mark.parametrize(
    ("name", "law_id"),
    [
        ("mylab2026.toml", "mylab2026"),
        ("out/mylab2026-small.toml", "mylab2026-small"),
        ("a2026.toml", "a2026"),
    ],
)
def test_the_file_name_is_the_law_id(name: str, law_id: str) -> None:
    assert law_id_for(Path(name), 2026) == law_id


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [
        ("mylab.toml", "mylab2026.toml"),
        ("MyLab.toml", "mylab2026.toml"),
        ("runs_v2.toml", "runs2026-v2.toml"),
        ("2026.toml", "mylab2026.toml"),
        ("mylab2026.json", "mylab2026.toml"),
        ("out/Our Lab.toml", "out/our2026-lab.toml"),
    ],
)
def test_a_file_name_that_is_no_id_is_refused_with_a_suggestion(name: str, suggestion: str) -> None:
    with pytest.raises(InputError, match=re.escape(f"use e.g. --out {suggestion}") + "$"):
        law_id_for(Path(name), 2026)


@given(st.text(max_size=30), st.integers(min_value=1950, max_value=2100))
def test_the_suggested_id_is_always_valid(stem: str, year: int) -> None:
    assert LAW_ID.fullmatch(suggest_id(stem, year))


def test_writes_atomically_and_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "mylab2026.toml"
    write_atomically(target, "first\n", force=False)
    assert target.read_text() == "first\n"
    with pytest.raises(InputError, match=r"mylab2026\.toml exists; give --force to replace it"):
        write_atomically(target, "second\n", force=False)
    assert target.read_text() == "first\n"
    write_atomically(target, "second\n", force=True)
    assert target.read_text() == "second\n"
    assert [path.name for path in tmp_path.iterdir()] == ["mylab2026.toml"]  # no temporary left
    with pytest.raises(InputError, match="there is no folder"):
        write_atomically(tmp_path / "missing" / "mylab2026.toml", "x", force=False)


def _user_fit(covariance: Covariance | None) -> Law:
    law = find_law("besiroglu2024")
    source = law.source.replace(kind="user-fit", arxiv=None, url=None, data="runs.csv")
    return law.replace(id="mylab2026", source=source, covariance=covariance, uncertainty=None)


def test_a_user_fit_needs_no_paper_but_names_its_runs(tmp_path: Path) -> None:
    law = _user_fit(None)
    path = tmp_path / "mylab2026.toml"
    path.write_text(render_law(law))
    loaded = load_law(path)
    assert same_law(loaded, law)
    assert loaded.citation == "Besiroglu, Erdil, Barnett, You 2024, fit to runs.csv"
    path.write_text(render_law(law).replace('data = "runs.csv"\n', ""))
    with pytest.raises(LawFileError, match="source: a user-fit source names its runs file: give data"):
        load_law(path)


def test_shipped_laws_are_all_publications_with_an_identifier() -> None:
    for law in available_laws():
        assert law.source.kind == "publication", law.id
        assert law.source.arxiv or law.source.doi, law.id
        assert law.covariance is None or law.covariance.method == "bootstrap"


COVARIANCE = Covariance(
    method="bootstrap",
    names=("log_E", "log_A", "alpha"),
    matrix=((1e-4, 2e-5, 0.0), (2e-5, 0.06, 1e-3), (0.0, 1e-3, 2e-4)),
    resamples=1000,
    seed=0,
)


def test_a_law_with_a_covariance_round_trips_and_plans_with_intervals(tmp_path: Path) -> None:
    law = _user_fit(COVARIANCE)
    path = tmp_path / "mylab2026.toml"
    path.write_text(render_law(law))
    assert "[covariance]" in path.read_text()
    loaded = load_law(path)
    assert same_law(loaded, law)
    result = plan(1e21, str(path))
    assert result.intervals is not None
    assert result.intervals.params is not None
    assert result.intervals.params.low < result.optimum.params < result.intervals.params.high


@pytest.mark.parametrize(
    ("names", "matrix", "message"),
    [
        (("E",), ((-1.0,),), "the variance of E is negative"),
        (("E", "A"), ((1.0, 0.5), (0.4, 1.0)), "not symmetric"),
        (("E", "A"), ((1.0, 2.0), (2.0, 1.0)), "not positive semi-definite"),
        (("E", "A"), ((1.0, 0.0),), "must be 2 x 2"),
        (("E", "E"), ((1.0, 0.0), (0.0, 1.0)), "must not repeat"),
    ],
)
def test_a_covariance_must_be_one(
    names: tuple[str, ...], matrix: tuple[tuple[float, ...], ...], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        Covariance(method="bootstrap", names=names, matrix=matrix)


def test_a_covariance_may_not_name_one_parameter_twice() -> None:
    both = Covariance(method="bootstrap", names=("A", "log_A"), matrix=((1.0, 0.0), (0.0, 1.0)))
    with pytest.raises(ValueError, match=r"covariance\.names: A is named twice"):
        _user_fit(both)


def test_a_singular_covariance_is_still_a_covariance() -> None:
    assert Covariance(method="bootstrap", names=("E", "A"), matrix=((1.0, 1.0), (1.0, 1.0)))


def _with_small_covariance(law: Law) -> Law:
    given = [name for name in fields(law.params) if isinstance(getattr(law.params, name), float)]
    names = tuple(name if name.startswith("log_") else f"log_{name}" for name in given if name != "L_inf")
    size = len(names)
    matrix = tuple(tuple(1e-4 if i == j else 0.0 for j in range(size)) for i in range(size))
    covariance = Covariance(method="bootstrap", names=names, matrix=matrix)
    return law.replace(covariance=covariance, uncertainty=None)  # one covariance per law


@pytest.mark.parametrize(
    "law_id",
    ["besiroglu2024", "hoffmann2022-exact", "kaplan2020-nd", "kaplan2020", "henighan2020-image-32x32"],
)
@pytest.mark.parametrize("flops", [1e19, 1e21, 1e24])
def test_intervals_of_every_form_bracket_the_plan(law_id: str, flops: float) -> None:
    law = _with_small_covariance(find_law(law_id))
    result = plan(flops, law)
    bounds = result.intervals
    assert bounds is not None
    assert bounds.draws + bounds.failed == 4000
    for name in ("params", "tokens", "tokens_per_param", "loss"):
        band = getattr(bounds, name)
        assert band.low < getattr(result.optimum, name) < band.high, name
    assert plan(flops, law).intervals == bounds  # the same draws every time


def test_a_binding_cap_holds_in_every_draw() -> None:
    law = _with_small_covariance(find_law("besiroglu2024"))
    bounds = plan(1e23, law, max_params=1e9).intervals
    assert bounds is not None
    assert bounds.params == Interval(1e9, 1e9)
