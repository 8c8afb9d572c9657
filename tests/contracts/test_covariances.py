"""The uncertainty of the shipped laws: where each comes from, and that it is what it says.

Every shipped law has an [uncertainty] table. besiroglu2024's holds the covariance of a
bootstrap derived here (planner.fitting.derived, benchmarks/derive_covariance.py): with
the shared data beside the project, the tests repeat it and its stored command, and check
it against the published standard errors and against the bootstrap's own intervals; without
the data they skip. Plans do not draw from [uncertainty] yet: a test pins that too.
"""

from __future__ import annotations

import json
import math
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from planner.errors import LawFileError
from planner.fitting.derived import DATA_FROM_ROOT, RECIPES, Derivation, derive, gaussian_check
from planner.forms.base import Law
from planner.laws.catalog import available_laws, find_law
from planner.laws.format import Covariance, Uncertainty
from planner.laws.validate import validate_law
from planner.laws.write import render_law
from planner.planning.budget import plan
from tests.conftest import ROOT, SHARED_DATA, Run

RECIPE = RECIPES["besiroglu2024"]
DATA = SHARED_DATA / RECIPE.data


REPEATED = 1e-6
"""How closely a rerun repeats the stored covariance. Each refit stops at its convergence
test, so along the objective's flattest directions its parameters move in the eighth digit
with the machine's floating-point kernels (2.6e-8 seen between two x86-64 CPUs); the
covariance of its 4,000 resamples is itself uncertain by about 2%. For the same reason a
refit may stop on a failed line search a hair from its optimum instead of at its convergence
test (one of the 4,000 on one CPU): at most one in a thousand may."""


def _derived(law: Law) -> Covariance | None:
    return law.uncertainty.covariance if law.uncertainty is not None else None


@pytest.mark.parametrize("law", available_laws(), ids=lambda law: law.id)
def test_every_shipped_law_says_where_its_uncertainty_comes_from(law: Law) -> None:
    assert law.uncertainty is not None, f"{law.id} has no [uncertainty] table"
    covariance = law.uncertainty.covariance
    if covariance is None:
        assert "no interval" in law.uncertainty.note, law.id
    elif covariance.method == "stderr":
        assert "correlations are unknown" in law.uncertainty.note, law.id
    else:
        assert covariance.derived == "here", law.id
        assert law.id in RECIPES, law.id
    assert law.covariance is None, "a shipped law keeps its covariance in [uncertainty]"


def test_only_besiroglu2024_has_a_covariance() -> None:
    # No other shipped law's source prints standard errors or has public runs (docs/laws.md).
    with_one = [law.id for law in available_laws() if _derived(law) is not None]
    assert with_one == ["besiroglu2024"]


def test_the_stored_covariance_says_how_to_repeat_it() -> None:
    covariance = _derived(find_law("besiroglu2024"))
    assert covariance is not None
    assert covariance.names == ("log_E", "log_A", "log_B", "alpha", "beta")
    assert (covariance.resamples, covariance.seed) == (RECIPE.resamples, RECIPE.seed) == (4000, 42)
    assert covariance.data == RECIPE.data
    assert covariance.command is not None
    words = shlex.split(covariance.command)
    assert words[:3] == ["plan", "fit", f"{DATA_FROM_ROOT}/{RECIPE.data}"]
    for option, value in (("--drop-highest", "5"), ("--bootstrap", "4000"), ("--seed", "42")):
        assert words[words.index(option) + 1] == value


def _implied_stderr(law: Law) -> dict[str, float]:
    """Standard errors of the raw parameters under the stored normal: log-normal for a log_."""
    covariance = _derived(law)
    assert covariance is not None
    out = {}
    for index, name in enumerate(covariance.names):
        variance = covariance.matrix[index][index]
        if name.startswith("log_"):
            value = getattr(law.params, name.removeprefix("log_"))
            out[name.removeprefix("log_")] = value * math.sqrt(math.expm1(variance) * math.exp(variance))
        else:
            out[name] = math.sqrt(variance)
    return out


def test_the_stored_covariance_gives_the_published_standard_errors() -> None:
    law = find_law("besiroglu2024")
    assert law.stderr is not None
    implied = _implied_stderr(law)
    for name, published in law.stderr.items():
        assert implied[name] == pytest.approx(published, rel=0.3), name


def test_plans_draw_from_the_uncertainty_table_without_numpy() -> None:
    """The shipped covariance gives the default plan its intervals; a plan with them still
    starts without numpy (the draws and percentiles are plain Python)."""
    bounds = plan(1e21, "besiroglu2024").intervals
    assert bounds is not None
    assert bounds.params is not None
    assert "bootstrap covariance of besiroglu2024" in bounds.method
    code = (
        "import sys, planner; p = planner.plan(1e21); print(p.intervals is not None, 'numpy' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert done.stdout.split() == ["True", "False"]


# The shipped covariance, repeated from the data.


@pytest.fixture(scope="module")
def derivation() -> Derivation:
    if not DATA.is_file():
        pytest.skip(f"shared data not found at {DATA}; it sits beside the project, not in it")
    return derive(RECIPE, str(DATA))


def test_the_bootstrap_repeats_the_stored_covariance(derivation: Derivation) -> None:
    stored = _derived(find_law("besiroglu2024"))
    assert stored is not None
    assert derivation.covariance.data_sha256 == stored.data_sha256, "the data file has changed"
    assert derivation.covariance.command == stored.command
    for got, want in zip(derivation.covariance.matrix, stored.matrix, strict=True):
        assert got == pytest.approx(want, rel=REPEATED, abs=1e-15)
    assert derivation.result.n_converged >= RECIPE.resamples * (1 - 1e-3)


def test_derived_standard_errors_match_the_published_ones(derivation: Derivation) -> None:
    published = find_law("besiroglu2024").stderr
    assert published is not None
    for name, value in published.items():
        assert derivation.stderr[name] == pytest.approx(value, rel=0.3), name


def test_the_stored_command_writes_the_stored_covariance(
    run: Run, derivation: Derivation, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored = _derived(find_law("besiroglu2024"))
    assert stored is not None
    assert stored.command is not None
    monkeypatch.chdir(ROOT)
    result = run(*shlex.split(stored.command)[1:], "--json")
    assert result.exit_code == 0, result.stderr
    written = json.loads(result.stdout)["covariance"]
    assert tuple(written["names"]) == stored.names
    for got, want in zip(written["matrix"], stored.matrix, strict=True):
        assert got == pytest.approx(want, rel=REPEATED, abs=1e-15)


def test_a_gaussian_in_log_parameters_gives_the_bootstrap_intervals(derivation: Derivation) -> None:
    check = gaussian_check(derivation)
    assert check.matrix == derivation.covariance.matrix
    assert check.failed == 0
    for row in check.rows:
        assert abs(row.coverage - row.level) < 0.06, row
        assert row.relative < 0.12, row  # sizes: endpoints within 12% (9.5% measured); loss 0.4%
        if row.quantity == "loss":
            assert row.relative < 0.004, row


def test_a_gaussian_in_raw_parameters_does_not(derivation: Derivation) -> None:
    check = gaussian_check(derivation, log_scales=False)
    assert check.failed > 0  # draws with A, B or E below zero, or no optimum
    assert check.worst_shift > 10


# Validation of the table, in the words a user reads.

HEAD = Path(ROOT / "laws" / "language" / "besiroglu2024.toml")


def _text_with(table: str) -> str:
    """besiroglu2024's file with its [uncertainty] replaced by `table`."""
    raw = tomllib.loads(HEAD.read_text())
    raw.pop("uncertainty")
    law = validate_law(raw, HEAD)
    return render_law(law) + "\n" + table


def _problems(text: str) -> str:
    with pytest.raises(LawFileError) as caught:
        validate_law(tomllib.loads(text), HEAD)
    return str(caught.value)


@pytest.mark.parametrize(
    ("table", "line"),
    [
        (
            '[uncertainty]\nnote = "x y"\n[uncertainty.covariance]\nmethod = "bootstrap"\n'
            'names = ["log_E", "gamma"]\nmatrix = [[1e-4, 0.0], [0.0, 1e-4]]\n',
            "uncertainty.covariance.names: gamma is not a parameter [params] gives",
        ),
        (
            '[uncertainty]\nnote = "x y"\n[uncertainty.covariance]\nmethod = "bootstrap"\n'
            'names = ["log_E", "E"]\nmatrix = [[1e-4, 0.0], [0.0, 1e-4]]\n',
            "uncertainty.covariance.names: E is named twice",
        ),
        (
            '[uncertainty]\nnote = "x y"\n[uncertainty.covariance]\nmethod = "bootstrap"\n'
            'names = ["log_E", "alpha"]\nmatrix = [[1e-4, 2e-5], [1e-5, 1e-4]]\n',
            "uncertainty.covariance: matrix is not symmetric (row 2, column 1: alpha with log_E)",
        ),
        (
            '[uncertainty]\nnote = "x y"\n[uncertainty.covariance]\nmethod = "bootstrap"\n'
            'names = ["log_E", "alpha"]\nmatrix = [[1e-4, 2e-4], [2e-4, 1e-4]]\n',
            "uncertainty.covariance: matrix is not positive semi-definite",
        ),
        (
            '[uncertainty]\nnote = "x y"\n[uncertainty.covariance]\nmethod = "bootstrap"\n'
            'names = ["log_E"]\nmatrix = [[1e-4]]\nsede = 1\n',
            "uncertainty.covariance.sede: unknown key",
        ),
        (
            '[uncertainty]\nnote = "x y"\n[uncertainty.covariance]\nmethod = "stderr"\n'
            'names = ["E", "alpha"]\nmatrix = [[0.00065843, 1e-6], [1e-6, 0.00023716]]\n',
            "uncertainty.covariance: matrix of method stderr must be diagonal (row 1, column 2: E with alpha)",
        ),
        (
            '[uncertainty]\nnote = "x y"\n[uncertainty.covariance]\nmethod = "stderr"\n'
            'names = ["E"]\nmatrix = [[0.01]]\n',
            "uncertainty.covariance.matrix: the variance of E is 0.01, not the square of its standard error",
        ),
        (
            '[uncertainty]\nnote = "x y"\n[uncertainty.covariance]\nmethod = "stderr"\n'
            'names = ["log_E"]\nmatrix = [[0.01]]\n',
            "uncertainty.covariance.names: log_E has no published standard error in [stderr]",
        ),
        (
            '[covariance]\nmethod = "bootstrap"\nnames = ["log_E"]\nmatrix = [[1e-4]]\n'
            '[uncertainty]\nnote = "x y"\n[uncertainty.covariance]\nmethod = "bootstrap"\n'
            'names = ["log_E"]\nmatrix = [[1e-4]]\n',
            "uncertainty.covariance: the law has a [covariance] already; give the covariance once",
        ),
        (
            '[uncertainty]\n[uncertainty.covariance]\nmethod = "bootstrap"\n'
            'names = ["log_E"]\nmatrix = [[1e-4]]\n',
            "uncertainty.note: Field required",
        ),
    ],
)
def test_a_bad_uncertainty_table_is_refused_naming_its_key(table: str, line: str) -> None:
    message = _problems(_text_with(table))
    assert f"\n  {line}" in message, message


def test_published_standard_errors_alone_give_a_diagonal_with_a_caveat() -> None:
    law = find_law("besiroglu2024")
    assert law.stderr is not None
    names = tuple(law.stderr)
    diagonal = tuple(
        tuple(law.stderr[name] ** 2 if i == j else 0.0 for j in range(len(names)))
        for i, name in enumerate(names)
    )
    note = "Published standard errors only: correlations are unknown, so the covariance is diagonal."
    covariance = Covariance(method="stderr", names=names, matrix=diagonal)
    se_only = law.replace(uncertainty=Uncertainty(note=note, covariance=covariance))
    text = render_law(se_only)
    assert "[uncertainty.covariance]" in text
    loaded = validate_law(tomllib.loads(text), HEAD)
    assert loaded.uncertainty is not None
    assert loaded.uncertainty.covariance is not None
    assert loaded.uncertainty.covariance.matrix == diagonal
