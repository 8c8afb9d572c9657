"""Law forms: one module per published functional form, found by name.

A form is the maths of one kind of law file (`form = "kaplan-nd"` in the file). Its module,
`planner/forms/kaplan_nd.py` (the form name with `_` for `-`), owns all of it:

- a frozen record (`planner.records.Record`) of the `[params]` table in the paper's own symbols, with the loss and
  the compute-optimal allocation (`optimal_params`, `budget_loss`, `plan_loss`; see
  `planner.forms.base.Form`), citing paper and equation in place;
- its law class, a subclass of `planner.forms.base.Law` with `form: Literal["kaplan-nd"]`
  and `params`, overriding the capabilities its maths has (can it split a budget, price a
  run off the optimum, price repeated data, ...); the base class answers for a form that
  cannot;
- `LAW = ThatClass`, which is how this registry finds it.

Nothing outside this package asks which form a law has: planning asks the law. To add a
form:

1. write `planner/forms/<name>.py` as above (copy the smallest, `model_size.py`);
2. add law files of the form under `laws/<domain>/`, each with `[[reproduces]]` rows;
3. add tests of its maths (tests/library/test_forms.py) and regenerate the law-file schema
   (`UPDATE_GOLDEN=1 python -m pytest tests/contracts`), which lists every form.

Validation, the catalog, `plan laws`, `plan schema law-file` and every question pick the new
form up from here. Helper modules that are not forms (`base`, `limited_data`, `equivalent`) have no `LAW`.
Pure maths: no files, no printing, no user-facing errors.
"""

from __future__ import annotations

import sys

from planner.memo import cache

TYPE_CHECKING = False
if TYPE_CHECKING:
    from planner.forms.base import Law


def module_name(form: str) -> str:
    """The module of a form: `kaplan-nd` lives in planner.forms.kaplan_nd."""
    return form.replace("-", "_")


def law_class(form: str) -> type[Law] | None:
    """The law class of a form, or None if no module of this package defines that form."""
    name = module_name(form)
    if form != name.replace("_", "-") or not name.isidentifier() or name.startswith("_"):
        return None
    try:  # __import__, not importlib: importing importlib costs a plain plan's start
        __import__(f"{__name__}.{name}")
    except ModuleNotFoundError as err:
        if err.name == f"{__name__}.{name}":
            return None
        raise
    law: type[Law] | None = getattr(sys.modules[f"{__name__}.{name}"], "LAW", None)
    return law


@cache
def _module_names() -> frozenset[str]:
    import pkgutil  # only listing every form needs it

    return frozenset(info.name for info in pkgutil.iter_modules(__path__))


@cache
def form_names() -> tuple[str, ...]:
    """Every form name, as law files spell it, alphabetically."""
    return tuple(
        name.replace("_", "-") for name in sorted(_module_names()) if law_class(name.replace("_", "-"))
    )


def law_classes() -> tuple[type[Law], ...]:
    """Every form's law class, in the order of `form_names`."""
    classes = (law_class(form) for form in form_names())
    return tuple(law for law in classes if law is not None)
