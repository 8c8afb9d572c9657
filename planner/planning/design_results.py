"""The result types of `plan design`: a ladder of small runs and how its designs compare.

Part of the results layer beside planner.planning.results, apart from it so that a plain
plan does not create these classes at start. The `--json` contract of `plan design`; field
order is output order. Standard library only.
"""

from __future__ import annotations

from planner.planning.results import Allocation, Interval, LawRef, Notice
from planner.records import Record, Shown
from planner.version import FORMAT


class LadderRun(Record):
    """One run of a proposed ladder: its isoFLOP budget, size and tokens (C = 6ND)."""

    budget: float
    params: float
    tokens: float
    flops: float


class LadderOutcome(Record, kw_only=True):
    """One ladder design and the spread of the target's prediction over simulated fits to it.

    `params`, `tokens` (N_opt, D_opt at the target's FLOPs) and `loss` (the target's loss)
    are central intervals at `level` of the fits alone (budgets are `budget_step` apart, the
    top one `top_step` above the one below it); `loss_with_model_error` adds the
    model error of a run `decades` beyond the ladder's largest (planning.model_error).
    Widths: `params_width` and `tokens_width` are high / low, `loss_width` high - low in
    nats; `params_width_stderr` is the simulation's own standard error of log(params_width).
    """

    name: str
    budgets: int
    sizes: int
    budget_step: float
    top_step: float
    spread: float
    ladder_budget: float
    used_flops: float
    smallest_budget: float
    top_budget: float
    runs: int
    decades: float
    simulations: int
    failed: int
    params: Interval
    tokens: Interval
    loss: Interval
    loss_with_model_error: Interval
    params_width: float
    tokens_width: float
    loss_width: float
    params_width_stderr: float


class LadderDesign(Shown, Record, kw_only=True):
    """`plan design`: a ladder of small runs for a target, and how well fits to it predict it.

    `runs` are the proposed ladder's; `designs` compare it (first) with other ways to spend
    the same ladder compute, `series` with the same shape at other ladder budgets, and
    `compared_series` (when asked for: `plan plot design` draws it) the other designs at those
    budgets; `favoured` names the design whose N_opt interval is narrowest and `verdict` says
    by how much.
    """

    format: str = FORMAT
    planner_version: str
    law: LawRef
    target_flops: float
    target_params: float | None = None
    target_tokens: float | None = None
    prior: Allocation
    noise: float
    noise_source: str
    level: float
    seed: int
    method: str
    runs: tuple[LadderRun, ...]
    designs: tuple[LadderOutcome, ...]
    series: tuple[LadderOutcome, ...]
    compared_series: tuple[LadderOutcome, ...] = ()
    favoured: str
    verdict: str
    notices: tuple[Notice, ...] = ()

    def summary(self) -> str:
        from planner.human import count, sci

        target = f"{sci(self.target_flops)} FLOPs"
        if self.target_params is not None and self.target_tokens is not None:
            target = f"{count(self.target_params)} params on {count(self.target_tokens)} tokens"
        cost = f" costing {sci(self.designs[0].ladder_budget)} FLOPs" if self.designs else ""
        return (
            f"{self.law.id}: {len(self.runs)} runs{cost} for a target of {target}; favoured: {self.favoured}"
        )
