"""The registry of fittable forms: a law file's form name -> the module that fits it.

Owns the one dispatch on form names in the fitting, and the interface each form's module
offers (:class:`FittableForm`). The form ``x-y`` is fitted by ``planner.fitting.x_y``, a
module that defines ``FORM = "x-y"``; nothing lists the forms, they are found by scanning
this package. To add a fittable form, add that one file with every name of
:class:`FittableForm` at module level; the rest of the fitting, ``plan fit --form`` and
its error message then know it (saving a fit as a law, userlaw.fitted_law, and the JSON
contract's form names, report.Form, still name each form). Pure: no printing, no files.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar, Protocol, cast, runtime_checkable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from planner.errors import InputError

if TYPE_CHECKING:
    from planner.fitting.common import FitResult
    from planner.fitting.optimize import BatchFun, Screening
    from planner.fitting.progress import Progress

FloatArray = NDArray[np.float64]
_PACKAGE = __name__.rpartition(".")[0]

ComputeOptimal = Callable[[ArrayLike, ArrayLike], tuple[FloatArray, FloatArray, FloatArray]]
"""``(theta rows (K, p), budgets C (m,)) -> (N_opt, D_opt, L_opt)``, each ``(K, m)``."""


class LawParams(Protocol):
    """A form's planning parameters (planner.forms), as the fit plans a budget with them."""

    FORMULA: ClassVar[str]

    def __init__(self, **values: float) -> None: ...

    def optimal_params(self, C: float) -> float: ...

    def budget_loss(self, C: float, N: float) -> float: ...


@runtime_checkable
class FittableForm(Protocol):
    """What every form's fitting module defines at module level.

    Constants: ``FORM`` (the law-file form name), ``PARAM_NAMES`` (the natural parameters,
    the order of ``FitResult.params`` and of bootstrap draws), ``THETA_NAMES`` (the
    optimizer's coordinates, as law files spell them), ``LAW_ORDER`` (the order of a law
    file's [params]), ``COVARIED`` (the coordinates of a saved covariance: the fit's own,
    scale constants as logs) and the search box ``LOWER``/``UPPER`` of theta.
    ``compute_optimal`` is the capability of per-draw budget plans in the bootstrap, or
    None for a form that does not offer them; ``LOCAL_SCREENING`` says how the bootstrap
    prunes each resample's local starts (None: not at all).
    """

    # Read-only members: a module's constants, whose inferred types are narrower, conform.
    @property
    def FORM(self) -> str: ...
    @property
    def PARAM_NAMES(self) -> tuple[str, ...]: ...
    @property
    def THETA_NAMES(self) -> tuple[str, ...]: ...
    @property
    def LAW_ORDER(self) -> tuple[str, ...]: ...
    @property
    def COVARIED(self) -> tuple[str, ...]: ...
    @property
    def LOWER(self) -> FloatArray: ...
    @property
    def UPPER(self) -> FloatArray: ...
    @property
    def compute_optimal(self) -> ComputeOptimal | None: ...
    @property
    def LOCAL_SCREENING(self) -> Screening | None: ...

    def fit(
        self,
        N: ArrayLike,
        D: ArrayLike,
        loss: ArrayLike,
        *,
        drop_highest: int = 0,
        asymmetric: float | None = None,
        delta: float = 1e-3,
        starts: FloatArray | None = None,
        progress: Progress | None = None,
    ) -> FitResult:
        """Fit the form to runs over its full start grid (ValueError on bad input)."""

    def log_predict(self, theta: FloatArray, logN: FloatArray, logD: FloatArray) -> FloatArray:
        """``(S, p)`` theta rows and ``(n,)`` log sizes and tokens -> ``(S, n)`` log loss."""

    def make_objective(
        self,
        logN: FloatArray,
        logD: FloatArray,
        logL: FloatArray,
        *,
        delta: float,
        asymmetric: float | None,
        weights: FloatArray | None = None,
    ) -> BatchFun:
        """The batched objective ``fun(theta, rows) -> (f, grad)`` for the optimizer."""

    def local_starts(self, theta_hat: FloatArray, logN: FloatArray, logD: FloatArray) -> FloatArray:
        """A small start grid around a point estimate, for every bootstrap refit."""

    def theta_draws_to_params(self, theta: FloatArray) -> FloatArray:
        """Rows of theta -> rows of the natural parameters, in ``PARAM_NAMES`` order."""

    def params_class(self) -> type[LawParams]:
        """The form's parameters class in planner.forms, to plan a budget under a fit."""


def fitter(form: str) -> FittableForm:
    """The module that fits ``form``.

    Raises:
        InputError: no module in planner.fitting fits that form.
    """
    forms = fittable_forms()
    if form not in forms:
        raise InputError(f"no form {form!r} to fit; choose one of: {', '.join(forms)}")
    return cast(FittableForm, importlib.import_module(f"{_PACKAGE}.{_module_name(form)}"))


@functools.cache
def fittable_forms() -> tuple[str, ...]:
    """The form names that can be fitted, sorted: every module here that defines ``FORM``."""
    package = importlib.import_module(_PACKAGE)
    found = []
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{_PACKAGE}.{info.name}")
        form = getattr(module, "FORM", None)
        if form is None:
            continue
        if _module_name(form) != info.name:
            raise RuntimeError(
                f"{module.__name__} fits form {form!r}, so it must be named {_module_name(form)}"
            )
        found.append(form)
    return tuple(sorted(found))


def _module_name(form: str) -> str:
    return form.replace("-", "_")
