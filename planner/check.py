"""Budget checks for CI: a run spec with limits, checked into a report.

Owns the spec format of `plan check SPEC` (TOML or JSON, strictly validated with pydantic,
imported only when a spec is read, into the frozen dataclasses below) and the checks:
FLOPs, GPU-hours, cost, predicted loss, and how far the run is from compute-optimal, each
with its value, limit, verdict and margin. Raises DataFileError listing every problem of a
spec; never prints.
"""

from __future__ import annotations

import math
import os

from planner.errors import DataFileError, PlannerError
from planner.laws.catalog import is_law_path
from planner.laws.format import Bound, Positive
from planner.planning.results import Plan
from planner.records import Record, Rows, Shown
from planner.strict import strict_build
from planner.units import FLOPS_PER_PARAM_TOKEN
from planner.version import FORMAT

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated, Any, ClassVar

KIND = "check spec"
SPEC_CONFIG: dict[str, Any] = {"extra": "forbid", "allow_inf_nan": False, "strict": True}
"""Unknown keys are typos and "7e9" in quotes is not a number: a spec must say what it means."""


class RunSpec(Record):
    """The run: params and tokens; or FLOPs; or wall-clock time on [hardware] (params optional)."""

    __pydantic_config__: ClassVar[dict[str, Any]] = SPEC_CONFIG

    params: Positive | None = None
    tokens: Positive | None = None
    flops: Positive | None = None
    days: Positive | None = None
    hours: Positive | None = None


class HardwareSpec(Record):
    """The chip (see `plan gpus`), how many, how well used, and the price of a GPU-hour."""

    __pydantic_config__: ClassVar[dict[str, Any]] = SPEC_CONFIG

    gpu: str
    gpus: Annotated[int, Bound(ge=1)] | None = None
    mfu: Annotated[float, Bound(gt=0, le=1)] | None = None
    price_per_gpu_hour: Positive | None = None


class Limits(Record):
    """Each limit given becomes one check; a value at its limit passes."""

    __pydantic_config__: ClassVar[dict[str, Any]] = SPEC_CONFIG

    max_flops: Positive | None = None
    max_gpu_hours: Positive | None = None
    max_cost: Positive | None = None
    max_loss: Positive | None = None
    max_loss_above_optimum_percent: Positive | None = None
    max_params_factor: Annotated[float, Bound(ge=1)] | None = None


class Spec(Record):
    """A whole spec file."""

    __pydantic_config__: ClassVar[dict[str, Any]] = SPEC_CONFIG

    run: RunSpec
    limits: Limits
    name: str | None = None
    law: str | None = None
    hardware: HardwareSpec | None = None


class CheckResult(Record):
    """One limit against the run: `margin` is limit - value (negative when over), and
    `headroom` that as a fraction of the limit."""

    name: str
    quantity: str
    value: float
    limit: float
    passed: bool
    margin: float
    headroom: float


class CheckReport(Shown, Rows, Record, kw_only=True):
    """What `plan check --json` prints: every check, the verdict, and the plan behind them."""

    format: str = FORMAT
    planner_version: str
    spec: str
    name: str | None
    passed: bool
    checks: tuple[CheckResult, ...]
    plan: Plan

    @property
    def exit_code(self) -> int:
        """What `plan check` exits with: 0 when every limit passes, 1 when any fails."""
        return 0 if self.passed else 1

    def summary(self) -> str:
        failed = [check.name for check in self.checks if not check.passed]
        verdict = f"FAIL ({', '.join(failed)})" if failed else "PASS"
        name = f"{self.name} " if self.name else ""
        return f"{name}{self.spec}: {len(self.checks)} checks, {verdict}; {self.plan.summary()}"


QUANTITIES = {
    "max_flops": "FLOPs (6ND)",
    "max_gpu_hours": "GPU-hours",
    "max_cost": "cost",
    "max_loss": "predicted loss",
    "max_loss_above_optimum_percent": "loss above the optimum, %",
    "max_params_factor": "params off the optimum, factor",
}
"""What each limit measures, in the order checks are reported."""


def read_spec(source: str) -> tuple[Spec, str]:
    """The validated spec from a file, or from stdin when `source` is `-`; and its label."""
    from planner.inputs import ReadError, read_text

    try:
        text, label = read_text(source, "check spec")
    except ReadError as err:
        raise DataFileError(err.label, [err.detail], KIND) from None
    is_json = source.endswith(".json") or (not source.endswith(".toml") and text.lstrip().startswith("{"))
    return parse_spec(text, label, is_json, folder=None if source == "-" else os.path.dirname(source)), label


def parse_spec(text: str, label: str, is_json: bool, folder: str | None = None) -> Spec:
    """A spec from its text (JSON or TOML), strictly validated; DataFileError lists every problem.

    A spec that plainly fits is built at once (planner.strict.strict_build); any other goes
    through pydantic, which decides and names every problem. A relative law path in it is
    taken from `folder`, the spec file's (None: the working folder, as for stdin).
    """
    from planner.inputs import JSONError, loads_json, loads_toml

    try:
        raw = loads_json(text) if is_json else loads_toml(text)
    except JSONError as err:
        raise DataFileError(label, [str(err)], KIND) from None
    except ValueError as err:
        raise DataFileError(label, [f"not valid TOML: {err}"], KIND) from None
    if not isinstance(raw, dict):
        raise DataFileError(label, ["(top level): give an object with [run] and [limits]"], KIND)
    spec: Spec | None = strict_build(Spec, raw)
    if spec is None:
        spec = _validated(raw, label)
    if folder and spec.law is not None and is_law_path(spec.law) and not os.path.isabs(spec.law):
        spec = Spec(
            run=spec.run,
            limits=spec.limits,
            name=spec.name,
            law=os.path.join(folder, spec.law),
            hardware=spec.hardware,
        )
    found = consistency_problems(spec)
    if found:
        raise DataFileError(label, found, KIND)
    return spec


def _validated(raw: dict[str, Any], label: str) -> Spec:
    import json  # with pydantic, only where the strict build declined the spec

    from pydantic import TypeAdapter, ValidationError

    from planner.validation import problems

    try:
        # Through JSON: strict pydantic takes nested tables as objects only in JSON mode.
        spec: Spec = TypeAdapter(Spec).validate_json(json.dumps(raw, default=str), strict=True)
    except ValidationError as err:
        raise DataFileError(label, problems(err, KIND), KIND) from None
    return spec


def consistency_problems(spec: Spec) -> list[str]:
    """What the keys, each valid on its own, cannot mean together."""
    run, limits, hardware = spec.run, spec.limits, spec.hardware
    found: list[str] = []
    given = [key for key in ("flops", "tokens", "days", "hours") if getattr(run, key) is not None]
    if not given:
        found.append(
            "run: give the budget as one of flops, tokens (with params), days or hours (with [hardware])"
        )
    elif len(given) > 1:
        found.append(f"run: give only one of flops, tokens, days, hours (found {', '.join(given)})")
    if run.tokens is not None and run.params is None:
        found.append("run.tokens: needs run.params (the run is params x tokens)")
    if (
        run.tokens is not None
        and run.params is not None
        and not math.isfinite(FLOPS_PER_PARAM_TOKEN * run.params * run.tokens)
    ):
        found.append("run: params x tokens is too large to count in floating point")
    for key in ("days", "hours"):
        if getattr(run, key) is not None and (hardware is None or hardware.gpus is None):
            found.append(f"run.{key}: needs [hardware] with gpu and gpus to turn time into FLOPs")
    if not any(getattr(limits, key) is not None for key in QUANTITIES):
        found.append(f"limits: give at least one of {', '.join(QUANTITIES)}")
    if limits.max_gpu_hours is not None and hardware is None:
        found.append("limits.max_gpu_hours: needs [hardware] with gpu (and mfu) to count GPU-hours")
    if limits.max_cost is not None and (hardware is None or hardware.price_per_gpu_hour is None):
        found.append("limits.max_cost: needs hardware.price_per_gpu_hour")
    for key in ("max_loss_above_optimum_percent", "max_params_factor"):
        if getattr(limits, key) is not None and run.params is None:
            found.append(f"limits.{key}: needs run.params (a run without one is planned at the optimum)")
    found.extend(_lookup_problems(spec))
    return found


def _lookup_problems(spec: Spec) -> list[str]:
    from planner.hardware import find_chip
    from planner.planning.budget import resolve_law

    found = []
    try:
        resolve_law(spec.law)
    except PlannerError as err:
        found.append(f"law: {err}")
    if spec.hardware is not None:
        try:
            find_chip(spec.hardware.gpu)
        except PlannerError as err:
            found.append(f"hardware.gpu: {err}")
    return found


def check_spec(source: str) -> CheckReport:
    """`plan check SOURCE` in one call: the spec file (or `-`, stdin) read, validated and
    checked. `report.passed` is the verdict, `report.exit_code` the command's exit code.

    Raises:
        DataFileError: a spec that cannot be read or does not validate (every problem listed).
    """
    return run_checks(*read_spec(source))


def run_checks(spec: Spec, label: str) -> CheckReport:
    """Plan the spec's run and check it against every limit it gives."""
    from planner.version import __version__

    result = spec_plan(spec)
    values = measured(result)
    checks = []
    for name in QUANTITIES:
        limit = getattr(spec.limits, name)
        if limit is None:
            continue
        value = values[name]
        assert value is not None  # consistency_problems made sure
        margin = limit - value
        checks.append(
            CheckResult(name, QUANTITIES[name], value, limit, value <= limit, margin, margin / limit)
        )
    from planner.planning.sense import sensible

    report = CheckReport(
        planner_version=__version__,
        spec=label,
        name=spec.name,
        passed=all(check.passed for check in checks),
        checks=tuple(checks),
        plan=result,
    )
    return sensible(report, "the checks of the spec")  # e.g. the headroom over a limit of 1e-308


def spec_plan(spec: Spec) -> Plan:
    """The plan of the spec's run: at its FLOPs, with the run judged if it names params."""
    from planner.hardware import hardware
    from planner.planning.budget import plan_for_time, plan_one, resolve_law
    from planner.planning.run import judge

    law = resolve_law(spec.law)
    run, chips = spec.run, spec.hardware
    setup = None
    if chips is not None:
        setup = hardware(
            chips.gpu, mfu=chips.mfu, gpus=chips.gpus, price_per_gpu_hour=chips.price_per_gpu_hour
        )
    if setup is not None and (run.days is not None or run.hours is not None):
        base = plan_for_time(setup, law, days=run.days, hours=run.hours)
    else:
        flops = (
            run.flops
            if run.flops is not None
            else FLOPS_PER_PARAM_TOKEN * _given(run.params) * _given(run.tokens)
        )
        base = plan_one(flops, law, hardware=setup)
    judged = base if run.params is None else judge(base, law, run.params, run.tokens)
    from planner.planning.sense import sensible

    return sensible(judged, "the plan of the spec")  # e.g. GPU-hours beyond floating point at a tiny MFU


def _given(value: float | None) -> float:
    assert value is not None
    return value


def measured(result: Plan) -> dict[str, float | None]:
    """The value each limit is checked against, where the plan has it."""
    hardware, run = result.hardware, result.run
    factor = None
    if run is not None:
        factor = max(run.params_ratio, 1.0 / run.params_ratio)
    return {
        "max_flops": result.flops,
        "max_gpu_hours": hardware.gpu_hours if hardware else None,
        "max_cost": hardware.cost if hardware else None,
        "max_loss": run.loss if run else result.optimum.loss,
        "max_loss_above_optimum_percent": run.loss_gap_percent if run else None,
        "max_params_factor": factor,
    }
