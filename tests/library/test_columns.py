"""plan_array against plan(): the same plans, budget by budget, and the same refusals."""

from __future__ import annotations

import math
import sys
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.errors import InfeasibleError, InputError
from planner.forms.base import Law
from planner.laws.catalog import find_law, planning_laws
from planner.planning.budget import plan
from planner.planning.columns import BINDINGS, PlanColumns, plan_array

# The array path plans laws that predict a loss; an allocation law (no loss) is refused there.
PLANNABLE = [law for law in planning_laws() if law.why_unplannable() is None and law.why_no_loss() is None]
ALLOCATION_ONLY = [law for law in planning_laws() if law.why_no_loss() is not None]
LIMITED = [law for law in PLANNABLE if law.off_optimum is None and law.limited(1e10, (1.0, 1.0)) is not None]
CAPPED = [law for law in PLANNABLE if law.off_optimum is None]
REL = 1e-12


def budgets_for(law: Law) -> st.SearchStrategy[list[float]]:
    """Budgets from three decades below the law's fitted range to three above (1e15-1e27 without one)."""
    low, high = law.fitted_range.bounds().get("flops", (1e18, 1e24))
    exponents = st.floats(math.log10(low) - 3, math.log10(high) + 3)
    return st.lists(exponents.map(lambda e: 10.0**e), min_size=1, max_size=12)


def close(got: Any, want: float, rel: float = REL, tiny: float = 0.0) -> bool:
    return abs(float(got) - want) <= rel * abs(want) + tiny


def assert_same_plan(row: dict[str, Any], one: Any) -> None:
    optimum = one.optimum
    for name in ("params", "tokens", "tokens_per_param", "loss"):
        assert close(row[name], getattr(optimum, name)), (name, row[name], getattr(optimum, name))
    assert row["flops"] == one.flops
    assert row["extrapolated"] == any(notice.code == "extrapolation" for notice in one.notices)
    if one.converged_loss is None:
        assert "converged_loss" not in row
    else:
        assert close(row["converged_loss"], one.converged_loss)


@pytest.mark.parametrize("law", PLANNABLE, ids=lambda law: law.id)
@settings(max_examples=25)
@given(data=st.data())
def test_every_law_plans_arrays_as_plan_does(law: Law, data: st.DataObject) -> None:
    flops = data.draw(budgets_for(law))
    columns = plan_array(np.array(flops), law)
    assert len(columns) == len(flops)
    for row, one in zip(columns, plan(flops, law), strict=True):
        assert_same_plan(row, one)
        assert row["law"] == law.id


@pytest.mark.parametrize("law", CAPPED, ids=lambda law: law.id)
@settings(max_examples=25)
@given(data=st.data(), share=st.floats(0.01, 100.0), cap=st.sampled_from(["max_params", "max_tokens"]))
def test_caps_bind_as_in_plan(law: Law, data: st.DataObject, share: float, cap: str) -> None:
    flops = data.draw(budgets_for(law))
    middle = float(np.median(flops))
    free = plan(middle, law).optimum
    limit = {cap: max(share * getattr(free, cap.removeprefix("max_")), 1.0)}
    try:
        expected = plan(flops, law, **limit)
    except InfeasibleError:
        with pytest.raises(InfeasibleError):
            plan_array(flops, law, **limit)
        return
    columns = plan_array(flops, law, **limit)
    for row, one in zip(columns, expected, strict=True):
        assert_same_plan(row, one)
        constraints = one.constraints
        assert row["binding"] == constraints.binding
        assert row[cap] == limit[cap]
        if constraints.binding is not None:
            free_one = constraints.unconstrained
            assert close(row["unconstrained_params"], free_one.params)
            assert close(row["unconstrained_loss"], free_one.loss)
            assert close(row["loss_increase"], constraints.loss_increase, tiny=REL * free_one.loss)
        else:
            assert row["unconstrained_params"] == row["params"]
            assert row["loss_increase"] == 0.0


SLOPE = 1e-9
"""d loss / d ln C is a difference of two losses over 2e-3: rounding of the losses (1e-16 of
~2 nats) becomes ~1e-13 of it; 1e-9 leaves room and still catches a wrong step or sign."""


@pytest.mark.parametrize("law", LIMITED, ids=lambda law: law.id)
@settings(max_examples=15)
@given(
    data=st.data(),
    unique=st.floats(7.0, 13.0).map(lambda e: 10.0**e),
)
def test_limited_data_as_in_plan(law: Law, data: st.DataObject, unique: float) -> None:
    """The loss to 1e-12; N too where the supply covers the optimum (no search). Where the
    search runs, the loss is so flat at the bottom that floating point fixes N only loosely
    (both searches land anywhere on that flat bottom), so N is held to the loss it gives."""
    flops = data.draw(budgets_for(law))
    try:
        expected = plan(flops, law, unique_tokens=unique)
    except InfeasibleError:
        with pytest.raises(InfeasibleError):
            plan_array(flops, law, unique_tokens=unique)
        return
    columns = plan_array(flops, law, unique_tokens=unique)
    assert columns.unique_tokens == unique
    for row, one in zip(columns, expected, strict=True):
        data_ = one.data
        assert close(row["loss"], one.optimum.loss)
        if one.optimum.tokens <= unique:
            assert close(row["params"], one.optimum.params)
            assert close(row["epochs"], data_.epochs)
        assert close(row["unlimited_params"], data_.unlimited.params)
        assert close(row["unlimited_loss"], data_.unlimited.loss)
        assert close(row["loss_penalty"], data_.loss_penalty, tiny=REL * one.optimum.loss)
        assert close(row["loss_per_ln_flops"], data_.loss_per_ln_flops, tiny=SLOPE)
        assert close(row["unlimited_loss_per_ln_flops"], data_.unlimited_loss_per_ln_flops, tiny=SLOPE)
        assert row["saturation_tokens"] == data_.saturation_tokens
        assert row["R_D_star"] == data_.R_D_star
        assert row["decay_source"] == data_.decay_source


def test_limited_data_with_caps_as_in_plan() -> None:
    law = find_law("besiroglu2024")
    flops = np.append(np.geomspace(1e19, 1.7e23, 40), 1.7999e23)  # the last: a backward difference
    options = {"unique_tokens": 25e9, "max_params": 3e10, "max_tokens": 1e12}
    columns = plan_array(flops, law, **options)
    for row, one in zip(columns, plan(list(flops), law, **options), strict=True):
        assert close(row["loss"], one.optimum.loss)
        assert row["binding"] == one.constraints.binding
        assert close(row["loss_per_ln_flops"], one.data.loss_per_ln_flops, tiny=SLOPE)
    assert len(set(columns.binding.tolist())) > 1


def test_a_near_search_that_misses_its_bracket_searches_again_wider() -> None:
    """The loss slope seeks the optimum at C e^(+-1e-3) within 0.05 e-folds of C's; an answer
    on the edge of that bracket (the optimum lay beyond) is searched again within NEAR."""
    from planner.planning.columns import SLOPE_NEAR, SLOPE_TOL, _array_form
    from planner.planning.limited_data import limited_form

    law = find_law("besiroglu2024")
    supply = _array_form(law, limited_form(law, 25e9))
    flops = np.geomspace(3e21, 3e23, 5)  # searched (above the supply), not yet saturated
    best = supply.optimal_params_array(flops)
    off = best * math.exp(0.2)  # the optimum 0.2 e-folds below: beyond 0.05, within NEAR
    edge = off * math.exp(-SLOPE_NEAR)  # where the narrow bracket alone would end
    loss = supply.budget_loss_array
    assert np.all(loss(flops, edge) > loss(flops, best) + 1e-6)  # a miss would show
    found = supply.optimal_params_near_array(flops, off, SLOPE_NEAR, SLOPE_TOL)
    assert np.allclose(loss(flops, found), loss(flops, best), rtol=1e-12, atol=0.0)


def test_the_search_finds_an_optimum_as_low_as_plan() -> None:
    """Where N differs from plan()'s, the array's N is at least as good under the same loss."""
    law = find_law("muennighoff2023")
    flops = np.geomspace(1e21, 1e27, 200)
    columns = plan_array(flops, law, unique_tokens=25e9)
    scalar = np.array([one.optimum.params for one in plan(list(flops), law, unique_tokens=25e9)])
    form = law.limited(25e9, law.decay_constants() or (1.0, 1.0))
    assert form is not None
    theirs = np.array([form.budget_loss(c, n) for c, n in zip(flops, scalar, strict=True)])
    ours = np.array([form.budget_loss(c, n) for c, n in zip(flops, columns.params, strict=True)])
    assert np.all(ours <= theirs * (1 + 4e-16))


@pytest.mark.parametrize(
    ("flops", "error", "message"),
    [
        ([1e21, float("nan")], InputError, "flops[1] must be a finite number above zero (got nan)"),
        ([1e21, 1e22, float("inf")], InputError, "flops[2] must be a finite number above zero (got inf)"),
        ([0.0], InputError, "flops[0] must be a finite number above zero"),
        ([1e21, -1e21], InputError, "flops[1] must be a finite number above zero (got -1e+21)"),
        ([1e21, 5.0], InfeasibleError, "flops 5 is too small to plan"),
        ([], InputError, "flops is empty"),
        ([[1e21, 1e22]], InputError, "flops must be a 1-D array of budgets (got shape 1x2)"),
        (np.float64(1e21), InputError, "got shape 0-d"),
        (["1e21"], InputError, "flops must be an array of real numbers (got dtype <U4)"),
        ([True], InputError, "got dtype bool"),
        ([1e21 + 1j], InputError, "got dtype complex128"),
        ([10**30], InputError, "got dtype object"),
        ("1e21", InputError, "not text"),
    ],
)
def test_bad_budgets_are_refused_by_index(flops: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error) as raised:
        plan_array(flops)
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


EXTREMES = [6.0, 60.0, 1e6, 1e12, 1e300, 1.7e308]


@pytest.mark.parametrize("law", PLANNABLE, ids=lambda law: law.id)
@pytest.mark.parametrize("options", [{}, {"unique_tokens": 1.0}, {"unique_tokens": 1e3}, {"max_tokens": 1.0}])
def test_budgets_are_refused_where_plan_refuses_them(law: Law, options: dict[str, float]) -> None:
    for flops in EXTREMES:
        try:
            expected = plan(flops, law, **options)
        except InputError as err:
            refused: type[InputError] = type(err)
        else:
            row = plan_array([flops], law, **options)[0]
            assert close(row["loss"], expected.optimum.loss)
            continue
        with pytest.raises(refused) as raised:
            plan_array([flops], law, **options)
        assert type(raised.value) is refused


def test_the_first_bad_budget_is_named() -> None:
    with pytest.raises(
        InfeasibleError, match=r"^flops\[0\] \(1e\+21 FLOPs\): the plan would have .* effective params"
    ):
        plan_array([1e21, 1e22], unique_tokens=1.0)
    with pytest.raises(InfeasibleError, match=r"^flops\[1\] .*cannot be spent within max_params"):
        plan_array([1e21, 1e30], max_params=1e9, max_tokens=1e12)


def test_laws_and_options_the_arrays_do_not_take() -> None:
    with pytest.raises(InputError, match=r"hardware is not priced for arrays of budgets; use plan\(\)"):
        plan_array([1e21], hardware=None)
    with pytest.raises(TypeError, match="max_param"):
        plan_array([1e21], max_param=1e9)
    with pytest.raises(InfeasibleError, match="cannot split a FLOP budget"):
        plan_array([1e21], "henighan2020-image-to-text-text")
    with pytest.raises(InputError, match="transfer law"):
        plan_array([1e21], "hernandez2021-text")
    with pytest.raises(InputError, match="cannot price repeated data"):
        plan_array([1e21], "kaplan2020", unique_tokens=1e9)
    with pytest.raises(
        InfeasibleError, match=r"^flops\[1\] .*cannot price a capped plan \(max_params binds\)"
    ):
        plan_array([1e10, 1e24], "kaplan2020", max_params=1e7)
    with pytest.raises(InputError, match="max_params must be a finite number above zero"):
        plan_array([1e21], max_params=-1)


def test_columns_rows_and_slices() -> None:
    flops = np.array([1e20, 1e21, 1e22])
    columns = plan_array(flops, "hoffmann2022", max_params=5e9)
    assert isinstance(columns, PlanColumns)
    assert not hasattr(columns, "__dict__")
    assert len(columns) == 3
    last = columns[-1]
    assert last == columns[2]
    assert last["law"] == "hoffmann2022"
    assert last["binding"] == "max_params"
    assert last["max_params"] == 5e9
    assert type(last["params"]) is float
    with pytest.raises(IndexError):
        columns[3]
    tail = columns[1:]
    assert isinstance(tail, PlanColumns)
    assert tail.flops.tolist() == [1e21, 1e22]
    assert columns[columns.binding == 0].flops.tolist() == [1e20, 1e21]
    whole = columns.to_dict()
    assert whole["law"] == "hoffmann2022"
    assert whole["params"] is columns.params
    assert "epochs" not in whole
    assert columns.epochs is None
    assert BINDINGS[int(columns.binding[2])] == "max_params"
    assert "3 budgets under hoffmann2022" in repr(columns)
    flops[0] = 5e20  # the result keeps its own copy
    assert columns.flops[0] == 1e20


def test_to_pandas() -> None:
    pd = pytest.importorskip("pandas")
    frame = plan_array(np.geomspace(1e19, 1e23, 5), max_tokens=1e11).to_pandas()
    assert isinstance(frame, pd.DataFrame)
    assert len(frame) == 5
    assert list(frame.columns[:5]) == ["flops", "params", "tokens", "tokens_per_param", "loss"]
    assert frame["binding"].tolist()[0] == "none"
    assert frame["binding"].tolist()[-1] == "max_tokens"
    assert frame.attrs["law"] == "besiroglu2024"
    assert frame.attrs["max_tokens"] == 1e11


def test_to_pandas_without_pandas(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match="pip install pandas"):
        plan_array([1e21]).to_pandas()


def test_results_never_hold_nan_or_inf() -> None:
    flops = np.geomspace(6.0, 1e30, 400)
    for law in PLANNABLE:
        try:
            columns = plan_array(flops, law)
        except InfeasibleError:
            continue
        for name, column in columns.columns().items():
            assert np.all(np.isfinite(column.astype(float))), (law.id, name)


@pytest.mark.parametrize("law", ALLOCATION_ONLY, ids=lambda law: law.id)
def test_a_law_without_a_loss_is_refused_with_one_line_naming_plan(law: Law) -> None:
    with pytest.raises(InputError, match=r"has no array path; use plan\(\) for each budget"):
        plan_array([1e21], law)


def test_a_notebook_shows_the_ends_of_the_columns() -> None:
    plans = plan_array(np.geomspace(1e19, 1e23, 20), max_params=3e9)
    shown = plans._repr_html_()
    assert shown.startswith("<table><caption>20 plans under besiroglu2024</caption>")
    assert shown.count("<tr>") == 1 + 5 + 1 + 5  # the header, both ends and the gap
    assert "10 more" in shown
    assert f"<td>{plans.params[0]:.6g}</td>" in shown
    assert f"<td>{plans.params[-1]:.6g}</td>" in shown
    assert "<td>max_params</td>" in shown
    one = plan_array(np.array([1e21]))._repr_html_()
    assert "<caption>1 plan under besiroglu2024</caption>" in one
    assert one.count("<tr>") == 2
