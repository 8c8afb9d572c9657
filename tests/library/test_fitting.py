"""The fitting core: objective maths, the batched optimizer, both forms, bootstrap, diagnostics.

The reproduction of Besiroglu et al. 2024 on the shared Chinchilla data is in
test_fit_reproduction.py; it skips when that data is absent.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import scipy.special
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.fitting import bootstrap, chinchilla, holdout_largest, huber, kaplan_nd
from planner.fitting.chinchilla import (
    LOWER,
    UPPER,
    ChinchillaKernel,
    _objective_shifted,
    make_objective,
    start_grid,
)
from planner.fitting.optimize import multistart, naive_multistart

Arrays = tuple[np.ndarray, np.ndarray, np.ndarray]


def synthetic_chinchilla(
    seed: int, n_sizes: int = 8, n_tokens: int = 8, noise: float = 0.005
) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[float, ...]]:
    """Runs on a grid of sizes and token counts, from known parameters, with seeded noise."""
    rng = np.random.default_rng(seed)
    N = np.repeat(np.logspace(7.5, 10, n_sizes), n_tokens)
    D = np.tile(np.logspace(9, 11.5, n_tokens), n_sizes)
    E, A, B, alpha, beta = 1.7, 400.0, 1800.0, 0.34, 0.28
    L = (E + A / N**alpha + B / D**beta) * np.exp(noise * rng.standard_normal(N.size))
    return N, D, L, (E, A, B, alpha, beta)


# ---------------------------------------------------------------- maths


@given(st.floats(-1.0, 1.0), st.floats(1e-4, 0.5))
def test_huber_matches_scipy(r: float, delta: float) -> None:
    assert huber(np.array([r]), delta)[0] == pytest.approx(
        scipy.special.huber(delta, r), rel=1e-12, abs=1e-18
    )


def test_huber_regions() -> None:
    d = 1e-3
    r = np.array([-1.0, -d, 0.0, d / 2, d, 2.0])
    expected = np.where(np.abs(r) <= d, 0.5 * r**2, d * (np.abs(r) - d / 2))
    np.testing.assert_allclose(huber(r, d), expected, rtol=1e-14)


theta_st = st.tuples(
    st.floats(0.0, 25.0),
    st.floats(0.0, 25.0),
    st.floats(-1.0, 1.0),
    st.floats(0.05, 2.0),
    st.floats(0.05, 2.0),
)


Objective = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]


def _fd_check(fun: Objective, theta: np.ndarray, h: float = 1e-6) -> None:
    _, g = fun(theta[None, :])
    num = np.zeros_like(theta)
    for k in range(theta.size):
        e = np.zeros_like(theta)
        e[k] = h
        num[k] = (fun((theta + e)[None, :])[0][0] - fun((theta - e)[None, :])[0][0]) / (2 * h)
    scale = max(1e-9, float(np.abs(num).max()))
    np.testing.assert_allclose(g[0], num, atol=2e-4 * scale + 1e-12)


@settings(max_examples=60, deadline=None)
@given(theta_st, st.sampled_from([None, 10.0]), st.integers(0, 3))
def test_chinchilla_gradient_matches_finite_differences(theta, asym, seed) -> None:
    N, D, L, _ = synthetic_chinchilla(seed, 4, 4, 0.02)
    w = np.random.default_rng(seed).integers(0, 3, N.size).astype(float)
    # a wide Huber threshold keeps every residual in one smooth region most of the time
    delta = 10.0

    def fun(th: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return chinchilla.objective(th, np.log(N), np.log(D), np.log(L), delta, asymmetric=asym, weights=w)

    _fd_check(fun, np.array(theta))


@settings(max_examples=60, deadline=None)
@given(
    st.tuples(st.floats(15.0, 40.0), st.floats(15.0, 40.0), st.floats(0.03, 1.0), st.floats(0.03, 1.0)),
    st.integers(0, 3),
)
def test_kaplan_gradient_matches_finite_differences(theta, seed) -> None:
    N, D, L, _ = synthetic_chinchilla(seed, 4, 4, 0.02)

    def fun(th: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return kaplan_nd.objective(th, np.log(N), np.log(D), np.log(L), 10.0)

    _fd_check(fun, np.array(theta), h=1e-7)


@settings(max_examples=40, deadline=None)
@given(theta_st, st.sampled_from([None, 3.0]))
def test_fast_kernel_equals_shifted_lse(theta, asym) -> None:
    N, D, L, _ = synthetic_chinchilla(0, 5, 5, 0.02)
    th = np.array(theta)[None, :]
    lN, lD, lL = np.log(N), np.log(D), np.log(L)
    f1, g1 = ChinchillaKernel(lN, lD, lL, 1e-3, asymmetric=asym)(th)
    f2, g2 = _objective_shifted(th, lN, lD, lL, 1e-3, asym, None)
    np.testing.assert_allclose(f1, f2, rtol=1e-10, atol=1e-300)
    np.testing.assert_allclose(g1, g2, rtol=1e-9, atol=1e-14)


def test_objective_safe_for_extreme_theta() -> None:
    N, D, L, _ = synthetic_chinchilla(0, 4, 4)
    th = np.array([[900.0, -900.0, 800.0, -5.0, 40.0], [-900.0, -900.0, -900.0, 3.0, 3.0]])
    f, g = chinchilla.objective(th, np.log(N), np.log(D), np.log(L))
    assert np.all(np.isfinite(f))
    assert np.all(np.isfinite(g))


def test_compute_optimal_satisfies_budget() -> None:
    th = np.array([6.18, 7.64, 0.597, 0.348, 0.366])
    C = np.array([1e20, 5.76e23])
    Nopt, Dopt, Lopt = chinchilla.compute_optimal(th, C)
    np.testing.assert_allclose(6 * Nopt * Dopt, C[None, :], rtol=1e-10)
    # optimality: perturbing N along the budget constraint never lowers the loss
    for f in (0.9, 1.1):
        N2, D2 = Nopt * f, Dopt / f
        L2 = np.exp(0.597) + np.exp(6.18) / N2**0.348 + np.exp(7.64) / D2**0.366
        assert np.all(Lopt < L2)


# ---------------------------------------------------------------- fits


def test_refuses_fewer_runs_than_parameters() -> None:
    N, D, L, _ = synthetic_chinchilla(0, 2, 2)
    with pytest.raises(ValueError, match="cannot fit 5 parameters to 4 runs"):
        chinchilla.fit(N, D, L)
    with pytest.raises(ValueError, match="cannot fit 4 parameters to 3 runs"):
        kaplan_nd.fit(N, D, L, drop_highest=1)
    with pytest.raises(ValueError, match="loss must contain only finite, strictly positive values"):
        chinchilla.fit(N, D, -L)


def test_recovers_synthetic_chinchilla() -> None:
    N, D, L, (E, A, B, alpha, beta) = synthetic_chinchilla(1, noise=0.003)
    fit = chinchilla.fit(N, D, L)
    p = fit.params
    assert fit.converged
    assert fit.n_starts == 4500
    assert fit.n_runs == 64
    assert p["E"] == pytest.approx(E, rel=0.03)
    assert p["alpha"] == pytest.approx(alpha, rel=0.06)
    assert p["beta"] == pytest.approx(beta, rel=0.06)
    assert np.log(p["A"]) == pytest.approx(np.log(A), rel=0.05)
    assert np.log(p["B"]) == pytest.approx(np.log(B), rel=0.05)
    codes = [c for c, _ in fit.diagnostics]
    assert "residuals" in codes
    assert "at_bound" not in codes
    np.testing.assert_allclose(fit.predict(N, D), L, rtol=0.02)


def test_recovers_synthetic_kaplan() -> None:
    rng = np.random.default_rng(3)
    N = np.repeat(np.logspace(7, 10, 7), 7)
    D = np.tile(np.logspace(9, 12, 7), 7)
    n_c, d_c, aN, aD = np.log(6.4e13), np.log(1.8e13), 0.076, 0.103
    L = ((np.exp(n_c) / N) ** (aN / aD) + np.exp(d_c) / D) ** aD * np.exp(0.003 * rng.standard_normal(N.size))
    fit = kaplan_nd.fit(N, D, L)
    assert fit.converged
    assert fit.params["alpha_N"] == pytest.approx(aN, rel=0.1)
    assert fit.params["alpha_D"] == pytest.approx(aD, rel=0.1)
    assert np.log(fit.params["N_c"]) == pytest.approx(n_c, rel=0.05)
    assert np.log(fit.params["D_c"]) == pytest.approx(d_c, rel=0.05)


def test_asymmetric_moves_fit_to_lower_envelope() -> None:
    N, D, L, _ = synthetic_chinchilla(2, noise=0.02)
    sym = chinchilla.fit(N, D, L)
    asym = chinchilla.fit(N, D, L, asymmetric=10.0)
    below_sym = np.mean(sym.log_residuals <= 0)
    below_asym = np.mean(asym.log_residuals <= 0)
    assert below_asym > below_sym + 0.2
    assert np.median(np.log(asym.predict(N, D) / sym.predict(N, D))) < 0  # curve sits lower on the data
    with pytest.raises(ValueError, match="asymmetric must be a finite factor > 0"):
        chinchilla.fit(N, D, L, asymmetric=-1.0)


def test_drop_highest_removes_highest_losses() -> None:
    N, D, L, _ = synthetic_chinchilla(4)
    L = L.copy()
    L[[3, 10]] *= 3.0
    fit = chinchilla.fit(N, D, L, drop_highest=2)
    assert set(fit.dropped) == {3, 10}
    assert fit.n_runs == L.size - 2


def test_diagnostics_flag_unidentifiable_design() -> None:
    rng = np.random.default_rng(0)
    N = np.repeat([1e8, 1e9], 5)
    D = np.tile(np.logspace(9, 11, 5), 2)
    L = (1.7 + 400 / N**0.34 + 1800 / D**0.28) * np.exp(0.005 * rng.standard_normal(N.size))
    fit = chinchilla.fit(N, D, L)
    codes = [c for c, _ in fit.diagnostics]
    assert "few_model_sizes" in codes
    assert "few_token_counts" not in codes


def test_batched_matches_naive_scipy_loop_on_subgrid() -> None:
    N, D, L, _ = synthetic_chinchilla(5, noise=0.01)
    fun = make_objective(np.log(N), np.log(D), np.log(L), delta=1e-3, asymmetric=None)
    starts = start_grid()[::45]  # 100 starts
    fast = multistart(fun, starts, LOWER, UPPER)
    naive_f, _ = naive_multistart(fun, starts, LOWER, UPPER)
    assert fast.f <= naive_f * (1 + 1e-9)
    assert fast.converged
    assert fast.grad_norm < 1e-6


def test_the_newton_polish_reaches_what_scipy_reaches() -> None:
    """The numpy polish replaced scipy's L-BFGS-B at tight tolerances; it must do as well."""
    import scipy.optimize

    from planner.fitting.optimize import polish

    N, D, L, _ = synthetic_chinchilla(11, noise=0.01)
    fun = make_objective(np.log(N), np.log(D), np.log(L), delta=1e-3, asymmetric=None)
    for x0 in (np.array([6.0, 7.5, 0.5, 0.33, 0.3]), np.array([5.0, 8.0, 0.6, 0.3, 0.35])):
        ours = polish(fun, x0, LOWER, UPPER)
        theirs = scipy.optimize.minimize(
            lambda v: tuple(a[0] for a in fun(v[None, :], np.zeros(1, dtype=np.intp))),
            x0,
            jac=True,
            method="L-BFGS-B",
            bounds=list(zip(LOWER, UPPER, strict=True)),
            options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 20_000, "maxls": 50, "maxcor": 20},
        )
        assert ours.converged
        assert ours.f <= theirs.fun + 1e-12 * abs(theirs.fun)


def test_screening_on_a_sample_finds_the_optimum_of_the_full_grid_on_all_runs() -> None:
    """More runs than the screening sample: the fit equals every start run on every run."""
    from planner.fitting.common import SCREEN_RUNS

    N, D, L, _ = synthetic_chinchilla(12, n_sizes=20, n_tokens=20, noise=0.01)
    assert N.size > SCREEN_RUNS
    starts = start_grid()[::3]
    fit = chinchilla.fit(N, D, L, starts=starts)
    fun = make_objective(np.log(N), np.log(D), np.log(L), delta=1e-3, asymmetric=None)
    full = multistart(fun, starts, LOWER, UPPER, screening=None)
    assert fit.objective <= full.f + 1e-12 * full.f
    assert fit.converged


def test_the_check_refines_a_basin_the_sample_ranks_lower() -> None:
    """A sample that prefers the wrong one of two basins cannot hide the better one."""

    def double_well(tilt: float) -> Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
        def fun(x: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            v = x[:, 0]
            return (v**2 - 1) ** 2 + tilt * v + 1, (4 * v * (v**2 - 1) + tilt)[:, None]

        return fun

    starts = np.linspace(-2, 2, 41)[:, None]
    lower, upper = np.array([-3.0]), np.array([3.0])
    res = multistart(double_well(0.1), starts, lower, upper, screen=double_well(-0.1), n_refine=1)
    assert res.x[0] == pytest.approx(-1.0, abs=0.05)
    assert res.n_refined == 2


def test_a_fit_does_not_import_scipy() -> None:
    import subprocess
    import sys

    code = (
        "import sys, numpy as np\n"
        "from planner.fitting import chinchilla\n"
        "rng = np.random.default_rng(0)\n"
        "N = np.exp(rng.uniform(17, 23, 200)); D = np.exp(rng.uniform(20, 26, 200))\n"
        "L = 1.8 + 480 / N**0.35 + 2000 / D**0.37\n"
        "assert chinchilla.fit(N, D, L).converged\n"
        "print('scipy' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "False"


def test_fit_is_deterministic() -> None:
    N, D, L, _ = synthetic_chinchilla(6)
    a, b = chinchilla.fit(N, D, L), chinchilla.fit(N, D, L)
    assert a.theta == b.theta
    assert a.objective == b.objective


def test_holdout_largest() -> None:
    N, D, L, _ = synthetic_chinchilla(7, noise=0.003)
    h = holdout_largest(N, D, L, 5)
    C = 6 * N * D
    assert set(h.heldout) == set(np.argsort(C)[-5:])
    assert h.fit.n_runs == N.size - 5
    assert np.all(np.abs(h.relative_errors) < 0.05)
    np.testing.assert_allclose(h.relative_errors, h.predicted / h.observed - 1)
    with pytest.raises(ValueError, match="leaves fewer than the 5 runs needed"):
        holdout_largest(N[:7], D[:7], L[:7], 3)


def test_bootstrap_synthetic_shapes_and_determinism() -> None:
    N, D, L, _ = synthetic_chinchilla(8, noise=0.01)
    b1 = bootstrap(N, D, L, 50, seed=3, budgets=[1e20, 1e22])
    b2 = bootstrap(N, D, L, 50, seed=3, budgets=[1e20, 1e22], point=b1.point)
    assert b1.draws.shape == (50, 5)
    assert b1.covariance.shape == (5, 5)
    np.testing.assert_array_equal(b1.draws, b2.draws)
    assert b1.derived["N_opt"].shape == (50, 2)
    lo, hi = b1.intervals["alpha"]
    assert lo <= b1.point.params["alpha"] <= hi
    assert np.all(b1.derived_intervals["L_opt"][0] <= b1.derived_intervals["L_opt"][1])
    bk = bootstrap(N, D, L, 20, seed=0, form="kaplan-nd", budgets=[1e20])
    assert bk.draws.shape == (20, 4)
    assert bk.form == bk.point.form == "kaplan-nd"
    assert bk.derived == {}  # the kaplan-nd module offers no per-draw plans


def test_pruning_the_local_starts_leaves_every_draw_as_it_was() -> None:
    N, D, L, _ = synthetic_chinchilla(9, noise=0.01)
    pruned = bootstrap(N, D, L, 60, seed=2)
    every = bootstrap(N, D, L, 60, seed=2, point=pruned.point, prune=False)
    np.testing.assert_allclose(pruned.objective, every.objective, rtol=0, atol=1e-13)
    np.testing.assert_allclose(pruned.theta_draws, every.theta_draws, rtol=0, atol=1e-5)


def test_a_barely_positive_curvature_step_does_not_overflow() -> None:
    """These runs once drove s'y to ~1e-300 in a BFGS update, so rho^2 overflowed (a warning,
    which pytest makes an error); such updates are now dropped."""
    from tests.conftest import synthetic_runs

    rows = synthetic_runs(5, "kaplan-nd")
    N, D, L = (np.array([row[key] for row in rows]) for key in ("params", "tokens", "loss"))
    fit = kaplan_nd.fit(N, D, L)
    assert fit.converged
    assert fit.params["alpha_N"] == pytest.approx(0.076, rel=0.1)


def test_a_parameter_at_the_edge_of_the_search_is_reported() -> None:
    from planner.fitting.chinchilla import THETA_NAMES
    from planner.fitting.common import fit_diagnostics

    theta = np.array([UPPER[0], 5.0, 0.5, LOWER[3], 0.3])
    found = fit_diagnostics(theta, THETA_NAMES, LOWER, UPPER, np.zeros(3), True, 0.0)
    messages = [message for code, message in found if code == "at_bound"]
    assert messages == [
        "log_A = 40 is at the upper bound 40 of the search box",
        "alpha = 0 is at the lower bound 0 of the search box",
    ]


# ---------------------------------------------------------------- the registry of forms


def test_each_fittable_form_has_its_module() -> None:
    from planner.fitting import chinchilla, kaplan_nd
    from planner.fitting.forms import FittableForm, fittable_forms, fitter

    assert fittable_forms() == ("chinchilla", "kaplan-nd")
    assert fitter("chinchilla") is chinchilla
    assert fitter("kaplan-nd") is kaplan_nd
    for form in fittable_forms():
        module = fitter(form)
        assert isinstance(module, FittableForm)
        assert form == module.FORM
        assert len(module.THETA_NAMES) == len(module.PARAM_NAMES) == module.LOWER.size
        assert sorted(module.LAW_ORDER) == sorted(module.PARAM_NAMES)
        assert sorted(module.COVARIED) == sorted(module.THETA_NAMES)


def test_a_form_that_cannot_be_fitted_is_an_input_error() -> None:
    from planner.errors import InputError
    from planner.fitting.forms import fitter

    for form in ("kaplan", "procedure", "quadratic"):
        with pytest.raises(InputError, match=r"^no form '\w+' to fit; choose one of: chinchilla, kaplan-nd$"):
            fitter(form)
    N, D, L, _ = synthetic_chinchilla(0, 3, 3)
    with pytest.raises(InputError, match="no form 'kaplan' to fit"):
        bootstrap(N, D, L, 20, form="kaplan")


def test_a_new_form_is_one_module_named_after_it(tmp_path, monkeypatch) -> None:
    import sys

    import planner.fitting
    from planner.fitting import forms

    (tmp_path / "toy_form.py").write_text('FORM = "toy-form"\n')
    monkeypatch.setattr(planner.fitting, "__path__", [*planner.fitting.__path__, str(tmp_path)])
    monkeypatch.delitem(sys.modules, "planner.fitting.toy_form", raising=False)
    forms.fittable_forms.cache_clear()
    try:
        assert forms.fittable_forms() == ("chinchilla", "kaplan-nd", "toy-form")
        assert forms.fitter("toy-form") is sys.modules["planner.fitting.toy_form"]
        forms.fittable_forms.cache_clear()
        (tmp_path / "toy_form.py").write_text('FORM = "other-form"\n')
        del sys.modules["planner.fitting.toy_form"]
        with pytest.raises(RuntimeError, match="fits form 'other-form', so it must be named other_form"):
            forms.fittable_forms()
    finally:
        sys.modules.pop("planner.fitting.toy_form", None)
        monkeypatch.undo()
        forms.fittable_forms.cache_clear()


def test_the_package_loads_lazily_and_bootstrap_stays_the_function() -> None:
    import subprocess
    import sys

    code = (
        "import sys, planner.fitting.runs; print('numpy' in sys.modules); "
        "import planner.fitting.procedure; from planner.fitting import bootstrap; print(callable(bootstrap))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.split() == ["False", "True"]
    import planner.fitting

    assert planner.fitting.bootstrap is bootstrap
    assert callable(planner.fitting.bootstrap)


def test_a_degenerate_optimum_is_refused_not_divided_by() -> None:
    from planner.errors import InfeasibleError
    from planner.fitting import fitter
    from planner.fitting.procedure import _budget_plan

    flat = {"E": 1.0, "A": 1.0, "B": 1.0, "alpha": 0.0, "beta": 2.0}  # the fit of constant losses
    with pytest.raises(InfeasibleError, match=r"the fit has no compute-optimal plan at --budget 1e\+40"):
        _budget_plan(fitter("chinchilla"), flat, None, 1e40, 0.0)


def test_fit_refuses_sizes_and_answers_without_sense(tmp_path) -> None:
    from planner.errors import InfeasibleError, InputError
    from planner.fitting import fit
    from planner.fitting.runs import read_runs
    from tests.conftest import synthetic_runs, write_runs

    runs = read_runs(str(write_runs(tmp_path / "runs.csv", synthetic_runs(0))))
    with pytest.raises(InputError, match="more than 100,000 resamples"):
        fit(runs, bootstrap=100_001)
    with pytest.raises(InputError, match="--seed must be at most 2"):
        fit(runs, seed=2**64)
    with pytest.raises(InputError, match="is more than the 36 runs"):
        fit(runs, holdout_largest=37)
    with pytest.raises(InputError, match=r"--budget 1 is below 6 FLOPs"):
        fit(runs, budget=1.0)
    with pytest.raises(InfeasibleError, match=r"would have 0\.229 params"):
        fit(runs, budget=10.0)
