"""The stream path: plan_each equals plan() budget by budget, and JSON lines equal json.dumps."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.errors import PlannerError
from planner.hardware import hardware
from planner.laws.catalog import planning_laws
from planner.output.jsonl import Writer, text
from planner.planning.budget import compare, plan, plan_each, why_unplannable
from planner.planning.inverse import size_curve
from planner.planning.sense import LEVEL
from planner.planning.transfer import transfer

PLANNABLE = [law for law in planning_laws() if why_unplannable(law) is None]
EXTREMES = [6.0, 7.0, 1e6, 1e12, 1e18, 1e21, 3.3e23, 1e27, 1e40, 1e300]


def _outcome(call: object) -> object:
    try:
        return call()  # type: ignore[operator]
    except PlannerError as err:
        return (type(err), str(err))


def _json(results: list[object], *, rounded: bool = True) -> list[str]:
    """Each result as JSON, its interval bounds to 12 significant digits unless not
    `rounded`: a block works them out in numpy, one plan in Python, the same sums to rounding."""
    dicts = [result.to_dict() for result in results]  # type: ignore[attr-defined]
    return [json.dumps(_rounded(d) if rounded else d, allow_nan=False, separators=(",", ":")) for d in dicts]


def _rounded(value: object, inside: bool = False) -> object:
    if isinstance(value, dict):
        return {key: _rounded(item, inside or key == "intervals") for key, item in value.items()}
    if isinstance(value, list):
        return [_rounded(item, inside) for item in value]
    if inside and isinstance(value, float):
        return float(f"{value:.12g}")
    return value


@pytest.mark.parametrize("law", PLANNABLE, ids=lambda law: law.id)
def test_plan_each_gives_what_plan_gives_for_every_law(law: object) -> None:
    for flops in EXTREMES:
        alone = _outcome(lambda flops=flops: plan(flops, law))
        together = _outcome(lambda flops=flops: plan_each([flops], law, level=LEVEL))
        if isinstance(alone, tuple):
            assert together == alone, flops
        else:
            assert isinstance(together, list)
            assert _json(together) == _json([alone]), flops


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(min_value=17.0, max_value=26.0), min_size=1, max_size=30))
def test_a_block_of_budgets_is_planned_exactly_as_one_by_one(exponents: list[float]) -> None:
    budgets = [10.0**exponent for exponent in exponents]
    law = PLANNABLE[0]
    for options in ({}, {"max_params": 3e9}, {"max_tokens": 1e11}, {"hardware": hardware("h100", gpus=64)}):
        assert _json(plan_each(budgets, law, **options, level=LEVEL)) == _json(
            plan(budgets, law, **options)
        ), options


def test_limited_data_in_a_block_is_plan_with_unique_tokens() -> None:
    law = next(law for law in PLANNABLE if law.id == "besiroglu2024")
    budgets = [1e20, 1e22, 1e24]
    assert _json(plan_each(budgets, law, unique_tokens=25e9, level=LEVEL)) == _json(
        plan(budgets, law, unique_tokens=25e9)
    )


RESULTS = [
    plan(1e21),
    plan(1e25),  # with an extrapolation notice
    plan(1e21, max_params=1e9),
    plan(1e21, hardware=hardware("h100", gpus=64, price_per_gpu_hour=2.5)),
    plan(1e21, unique_tokens=1e10),
    compare(1e21),
    size_curve(1e21, 0.5, 2.0),
    transfer(1e9, finetune_chars=1e8),
]


@pytest.mark.parametrize("result", RESULTS, ids=lambda result: type(result).__name__)
def test_a_json_line_is_what_json_dumps_writes(result: object) -> None:
    expected = json.dumps(result.to_dict(), allow_nan=False, separators=(",", ":")) + "\n"  # type: ignore[attr-defined]
    writer = Writer()
    assert writer.line(result) == expected
    assert writer.line(result) == expected  # kept texts, the same line


def test_a_long_stream_of_lines_is_what_json_dumps_writes() -> None:
    """The first lines are written generically, the rest by a writer compiled for the class."""
    budgets = [10.0 ** (18 + index / 20) for index in range(120)]
    writer = Writer()
    plans = plan(budgets)
    assert [writer.line(item) for item in plans] == [line + "\n" for line in _json(plans, rounded=False)]


def test_text_refuses_what_json_refuses_and_escapes_as_it_does() -> None:
    for bad in (math.nan, math.inf, -math.inf):
        with pytest.raises(ValueError, match="not JSON compliant"):
            text(bad)
    odd = 'caf\u00e9 "quoted" \\ \n \x1b \u2028 \U0001f600'
    assert text(odd) == json.dumps(odd)
    assert text({"a": [1, 2.5, None, True, "x"]}) == json.dumps(
        {"a": [1, 2.5, None, True, "x"]}, separators=(",", ":")
    )


def test_csv_rows_are_what_the_csv_module_writes(capsys: pytest.CaptureFixture[str]) -> None:
    """Rows without a cell to quote are joined; a cell with a comma, quote or line break is quoted."""
    import csv
    import io

    from planner.output import tabular

    plans = plan([1e20, 1e21, 1e22], max_params=3e9)
    for columns in (
        tabular.stream_columns(hardware=False, compare=False),
        (*tabular.PLAN_COLUMNS, ("note", lambda item: 'a, "b"\nc')),
    ):
        tabular.csv_rows(columns, plans)
        expected = io.StringIO()
        csv.writer(expected, lineterminator="\n").writerows(
            [[tabular.csv_cell(read(item)) for _, read in columns] for item in plans]
        )
        assert capsys.readouterr().out == expected.getvalue()
