"""Total <-> non-embedding parameter counts (Pearce & Song 2024; Tao et al. 2024), and the
plans that convert a user's sizes to the law's count."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner import plan
from planner.errors import InputError
from planner.planning.conversions import Converter, constants
from planner.planning.run import evaluate
from tests.conftest import Run


def test_pearce_and_song_at_their_vocabulary() -> None:
    """N_T = N_E + 47491 N_E^(1/3) (their script, vocabulary 32k)."""
    found = Converter(32000, tied=True)
    assert found.total(1e9) == pytest.approx(1e9 + 47491 * 1e3, rel=1e-12)
    assert found.total(8e9) == pytest.approx(8e9 + 47491 * 2e3, rel=1e-12)
    assert Converter(64000, tied=True).embedding(1e9) == pytest.approx(2 * 47491e3, rel=1e-12)
    assert Converter(32000, tied=False).embedding(1e9) == pytest.approx(2 * 47491e3, rel=1e-12)


def test_tao_vocabulary_gives_the_worked_values() -> None:
    """N_v = 3,145,728 (N_nv / 33M)^0.8354: about 2.6-2.8e8 at 7B and 1.7-1.9e9 at 70B."""
    found = Converter("auto", tied=True)
    assert 2.6e8 <= found.embedding(7e9) <= 2.8e8
    assert 1.7e9 <= found.embedding(70e9) <= 1.9e9
    assert found.embedding(33e6) == pytest.approx(3145728, rel=1e-12)


@settings(max_examples=100)
@given(
    st.floats(math.log(1e6), math.log(1e13)), st.sampled_from([32000, 50257, 128000, "auto"]), st.booleans()
)
def test_the_conversions_invert(log_n: float, vocab: int | str, tied: bool) -> None:
    found = Converter(vocab, tied)
    n = math.exp(log_n)
    assert found.non_embedding(found.total(n)) == pytest.approx(n, rel=1e-12)
    assert found.total(n) > n
    assert found.to_law("total", "non_embedding", found.total(n)) == pytest.approx(n, rel=1e-12)
    assert found.to_user("total", "non_embedding", n) == found.total(n)
    assert found.to_law("total", "total", n) == n


def test_the_data_file_holds_what_the_module_reads() -> None:
    data = constants()
    assert data["params"]["gamma"] == 47491.0
    assert data["vocabulary"]["exponent"] == 0.83540


def test_a_cap_in_total_parameters_binds_at_its_non_embedding_count() -> None:
    found = plan(1e21, "kaplan2020-nd", param_convention="total", vocab=32000, max_params=2e9, level=None)
    conversion = found.params_conversion
    assert conversion is not None
    assert conversion.rule == "pearce2024"
    assert found.constraints is not None
    assert found.constraints.binding == "max_params"
    assert found.optimum.params == pytest.approx(Converter(32000, True).non_embedding(2e9), rel=1e-12)
    assert conversion.optimum_params == pytest.approx(2e9, rel=1e-12)
    assert conversion.asked_params == 2e9


def test_no_conversion_where_the_counts_agree() -> None:
    assert plan(1e21, param_convention="total", level=None).params_conversion is None
    assert plan(1e21, param_convention="total", level=None) == plan(1e21, level=None)


def test_a_given_run_is_converted_to_the_law_count() -> None:
    found = evaluate(7e9, 2e12, "kaplan2020-nd", param_convention="total", vocab="auto", level=None)
    assert found.run is not None
    assert found.run.params == pytest.approx(Converter("auto", True).non_embedding(7e9), rel=1e-12)
    assert found.params_conversion is not None
    assert found.params_conversion.asked_params == 7e9


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"param_convention": "total"}, "needs the vocabulary"),
        ({"param_convention": "all", "vocab": 32000}, "param_convention must be total or non-embedding"),
        ({"param_convention": "total", "vocab": 0}, "vocab must be a whole number above zero or 'auto'"),
    ],
)
def test_conversions_refuse_what_they_cannot_do(kwargs: dict, message: str) -> None:
    with pytest.raises(InputError, match=r".") as raised:
        plan(1e21, "kaplan2020-nd", level=None, **kwargs)
    assert message in str(raised.value)


def test_the_command_line_says_a_conversion_happened(run: Run) -> None:
    args = ("--flops", "1e21", "--law", "kaplan2020-nd", "--param-convention", "total", "--vocab", "32000")
    done = run(*args)
    assert done.exit_code == 0, done.stderr
    assert "params converted: yours count total parameters, the law's non-emb. ones" in " ".join(
        done.stdout.split()
    )
    found = json.loads(run(*args, "--json").stdout)
    assert found["params_conversion"]["rule"] == "pearce2024"
    for bad, message in (
        (
            ["--flops", "1e21", "--law", "kaplan2020-nd", "--param-convention", "total"],
            "needs the vocabulary",
        ),
        (["--target-loss", "2.5", "--param-convention", "total"], "--param-convention converts"),
        (["--flops", "1e21", "--compare", "--param-convention", "total"], "drop it for --compare"),
        (
            ["--flops", "1e21", "--vocab", "many", "--param-convention", "total"],
            "--vocab takes a whole number",
        ),
    ):
        refused = run(*bad)
        assert refused.exit_code == 2, refused.stderr
        assert refused.stdout == ""
        assert message in refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1
