"""Everything planner writes: rich tables, JSON Lines and messages on stderr.

Owns presentation only; the only module that imports rich, and only inside the functions
that draw tables, so `--json` and error paths never load it. Results go to stdout,
messages to stderr. Must not compute plans or read files. The JSON Lines and stderr
primitives live in planner.streams (re-exported here), so that `--json` never has to load
the table code at all.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from planner.laws import Law, TransferLaw, default_reason, is_default
from planner.results import FORMAT, Comparison, Intervals, Plan, Transfer
from planner.streams import _json_line, coded_notices, error, json_lines, notices, text

__all__ = ["coded_notices", "error", "json_lines", "notices", "text"]  # the primitives, for callers of output

if TYPE_CHECKING:
    from rich.console import Console

    from planner.check import CheckReport
    from planner.fitting.report import FitReport
    from planner.hardware import Chip
    from planner.inverse import SizeCurve


def law_record(law: Law) -> dict[str, Any]:
    """A law as plain data, without the empty alternatives of its format."""

    def prune(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: prune(item) for key, item in value.items() if item is not None}
        if isinstance(value, (list, tuple)):
            return [prune(item) for item in value]
        return value

    from planner import __version__

    record: dict[str, Any] = prune(dataclasses.asdict(law))
    return {
        "format": FORMAT,
        "planner_version": __version__,
        **record,
        "citation": law.citation,
        "default": is_default(law),
    }


def laws_json(laws: Iterable[Law]) -> None:
    """The catalog as JSON Lines, one law per line."""
    for law in laws:
        _json_line(law_record(law))


def count(value: float) -> str:
    """A count for people: 2.78B, 60.0B, 1.33T; scientific beyond quadrillions."""
    for size, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if 1 <= value / size < 1000:
            return f"{value / size:#.3g}".rstrip(".") + suffix
    return sci(value)


def sci(value: float) -> str:
    """Scientific notation as people type it: 1e21, 5.76e23."""
    text = f"{value:.3g}"
    return text.replace("e+", "e").replace("e0", "e").replace("e-0", "e-")


def _console() -> Console:
    import os

    from rich.console import Console

    # No markup: law files and runs files supply text, and "[params]" in it is not a style.
    console = Console(highlight=False, markup=False)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        # Piped or redirected: no screen to fit, so do not squeeze tables into 80 columns.
        console = Console(highlight=False, markup=False, width=120)
    return console


def plans_table(plans: list[Plan]) -> None:
    """Plans for several budgets under one law, as one table."""
    from rich.table import Table

    law = plans[0].law
    limited = plans[0].data
    title = f"Compute-optimal plan under {law.id}"
    asked = plans[0].inverse
    if asked is not None:
        title = {
            "loss": f"Least compute to reach loss {asked.value:.4f} under {law.id}",
            "params": f"Budget at which {count(asked.value)} parameters are compute-optimal under {law.id}",
            "tokens": f"Budget at which {count(asked.value)} tokens are compute-optimal under {law.id}",
        }[asked.given]
    if limited is not None:
        title += f" with {count(limited.unique_tokens)} unique tokens"
    table = Table(title=title, title_justify="left")
    names = ["FLOPs", "params", "tokens"]
    names += ["epochs", "D'", "N'"] if limited else ["tokens/param"]
    names += ["loss"]
    names += ["+loss", "dL/dlnC", "returns"] if limited else []
    for name in names:
        table.add_column(name, justify="right")
    for amount in plans[0].natural_units:
        table.add_column(f"{amount.unit}s", justify="right")
        table.add_column(f"nats/{amount.unit}", justify="right")
    constrained = any(p.constraints and p.constraints.binding for p in plans)
    if constrained:
        table.add_column("binds", justify="left")
        table.add_column("extra loss", justify="right")
    spent = plans[0].hardware
    timed = spent is not None and spent.days is not None
    priced = spent is not None and spent.cost is not None
    if spent is not None:
        table.add_column("GPU-hours", justify="right")
    if timed:
        table.add_column("days", justify="right")
    if priced:
        table.add_column("cost", justify="right")
    bounded = [p.intervals for p in plans if p.intervals is not None]
    for item in plans:
        row = [sci(item.flops), count(item.optimum.params), count(item.optimum.tokens)]
        data = item.data
        if data is None:
            row += [f"{item.optimum.tokens_per_param:.3g}", f"{item.optimum.loss:.4f}"]
        else:
            row += [
                f"{data.epochs:.3g}",
                count(data.effective_tokens),
                count(data.effective_params),
                f"{item.optimum.loss:.4f}",
                f"+{data.loss_penalty:.4f}",
                f"{data.loss_per_ln_flops:.3g}",
                "n/a" if data.returns is None else f"{data.returns * 100:.3g}%",
            ]
        for amount in item.natural_units:
            row += [count(amount.count), f"{amount.loss_per_unit:#.4g}".rstrip(".")]
        if constrained:
            limits = item.constraints
            binding = limits.binding if limits else None
            increase = limits.loss_increase if limits else None
            row += [binding or "", f"{increase:+.4f}" if increase is not None else ""]
        if item.hardware is not None:
            row.append(f"{item.hardware.gpu_hours:,.0f}")
            if timed:
                row.append(f"{item.hardware.days:,.1f}")
            if priced:
                from planner.tabular import money

                row.append(money(item.hardware.cost))
        table.add_row(*row)
        if item.intervals is not None:
            table.add_row(*_interval_row(item.intervals), *[""] * (len(row) - 5))
    console = _console()
    console.print(table)
    if asked is not None:
        console.print(f"solved by {asked.method}", soft_wrap=True)
    if spent is not None:
        from planner.tabular import hardware_line

        console.print(hardware_line(spent), soft_wrap=True)
    _footer(console, plans[0])
    if constrained:
        increases = [p.constraints.loss_increase or 0.0 for p in plans if p.constraints]
        side = "above" if min(increases) >= 0 else "against (negative: below)"
        console.print(f"extra loss: {side} the unconstrained optimum at the same FLOPs", soft_wrap=True)
    if bounded:
        console.print(f"intervals: {bounded[0].method}", soft_wrap=True)
    if plans[0].finetune is not None:
        _finetune_table(console, plans)


def span(low: float, high: float, show: Any = None) -> str:
    """An interval for people: 2.10B to 3.61B, or with `show` (a formatter) for other numbers."""
    text = show or count
    return f"{text(low)} to {text(high)}"


def _interval_row(bounds: Intervals) -> list[str]:
    """Cells of a row under a plan's own: the interval of params, tokens and loss."""
    return [
        f"{bounds.level:.0%} interval",
        span(*bounds.params),
        span(*bounds.tokens),
        "",
        span(*bounds.loss, show=lambda v: f"{v:.4f}"),
    ]


def _finetune_table(console: Console, plans: list[Plan]) -> None:
    """The fine-tune part of each plan: a second table, from a second law."""
    from rich.table import Table

    fines = [item.finetune for item in plans if item.finetune is not None]
    first = fines[0]
    estimate = first.transfer
    limited = first.mode == "data_limited"
    in_tokens = first.effective_tokens is not None
    title = "Data-limited fine-tune" if limited else "Fine-tuning set at the plan's N"
    table = Table(title=f"{title}, under {estimate.law.id}", title_justify="left")
    names = ["FLOPs", "D_F chars", "D_E tokens" if in_tokens else "D_E chars", "multiplier", "from transfer"]
    for name in [*names, *(["scratch loss"] if limited else [])]:
        table.add_column(name, justify="right")
    for item, fine in zip(plans, fines, strict=True):
        effective = fine.effective_tokens if fine.effective_tokens is not None else fine.transfer.effective
        row = [
            sci(item.flops),
            count(fine.transfer.finetune_chars),
            count(effective),
            f"{fine.transfer.multiplier:.4g}",
            f"{fine.transfer.fraction_transferred:.1%}",
        ]
        if fine.loss_from_scratch is not None:
            row.append(f"{fine.loss_from_scratch:.4f}")
        table.add_row(*row)
    console.print(table)
    ratio = estimate.chars_per_token
    per = f"; tokens at {ratio:g} characters per token (given)" if ratio is not None else ""
    if limited:
        console.print(
            f"D_F: the tokens trained on, in characters{per}; the plan's loss is at D_E in place of D; "
            "scratch loss: the same N and tokens without pre-training",
            soft_wrap=True,
        )
    else:
        console.print(f"D_F: the whole fine-tuning set{per}; the plan itself is unchanged", soft_wrap=True)
    console.print(
        "D_E = D_F + D_T, the effective data; multiplier D_E / D_F; from transfer D_T / D_E", soft_wrap=True
    )
    console.print(
        f"transfer law: {estimate.law.name}; {estimate.law.citation}; {estimate.law.locator}", soft_wrap=True
    )
    for caveat in estimate.caveats:
        console.print(f"caveat ({estimate.law.id}): {caveat}", soft_wrap=True)


def transfer_table(results: list[Transfer], law: TransferLaw) -> None:
    """Transfer estimates for a grid of model sizes and fine-tuning sets, as one table."""
    from rich.table import Table

    table = Table(title=f"Effective data from pre-training under {law.id}", title_justify="left")
    with_tokens = any(item.finetune_tokens is not None for item in results)
    names = ["params", "D_F chars", *(["D_F tokens"] if with_tokens else []), "D_T chars", "D_E chars"]
    for name in [*names, "multiplier", "from transfer"]:
        table.add_column(name, justify="right")
    for item in results:
        tokens = (
            [count(item.finetune_tokens) if item.finetune_tokens is not None else ""] if with_tokens else []
        )
        table.add_row(
            count(item.params),
            count(item.finetune_chars),
            *tokens,
            count(item.transferred),
            count(item.effective),
            f"{item.multiplier:.4g}",
            f"{item.fraction_transferred:.1%}",
        )
    console = _console()
    console.print(table)
    curve = law.params
    console.print(
        f"D_T = k D_F^alpha N^beta with k {sci(curve.k)}, alpha {curve.alpha:g}, beta {curve.beta:g}; "
        "D_E = D_F + D_T; multiplier D_E / D_F; from transfer D_T / D_E",
        soft_wrap=True,
    )
    console.print(
        f"params: {_counts(law.quantities.params)} parameters; data: {law.quantities.tokens}", soft_wrap=True
    )
    console.print(f"law: {law.name}; {law.citation}; {law.source.locator}", soft_wrap=True)
    for caveat in law.caveats:
        console.print(f"caveat: {caveat}", soft_wrap=True)


def evaluation_table(item: Plan) -> None:
    """A given run beside the compute-optimal plan at the same FLOPs, and the gap."""
    from rich.table import Table

    from planner.tabular import hardware_line, money

    run = item.run
    assert run is not None
    table = Table(
        title=f"Your run and the optimum at {sci(item.flops)} FLOPs",
        title_justify="left",
    )
    for name in ("", "params", "tokens", "tokens/param", "loss"):
        table.add_column(name, justify="left" if not name else "right")
    table.add_row(
        "your run", count(run.params), count(run.tokens), f"{run.tokens_per_param:.3g}", f"{run.loss:.4f}"
    )
    best = item.optimum
    table.add_row(
        "compute-optimal",
        count(best.params),
        count(best.tokens),
        f"{best.tokens_per_param:.3g}",
        f"{best.loss:.4f}",
    )
    console = _console()
    console.print(table)
    console.print(
        f"FLOPs: {sci(item.flops)} (C = 6ND); gap: +{run.loss_gap:.4f} nats, {run.loss_gap_percent:.3g}% above "
        f"the optimum's loss; params {run.params_ratio:.3g}x the optimum's",
        soft_wrap=True,
    )
    console.print(
        f"the compute-optimal plan reaches loss {run.loss:.4f} with {sci(run.optimal_flops_for_loss)} FLOPs, "
        f"{run.compute_fraction:.1%} of this run's: this run spends {run.compute_overhead:.1%} more",
        soft_wrap=True,
    )
    if item.hardware is not None:
        spent = item.hardware
        cost = f", {money(spent.cost)}" if spent.cost is not None else ""
        days = f", {spent.days:,.1f} days" if spent.days is not None else ""
        console.print(f"this run: {spent.gpu_hours:,.0f} GPU-hours{days}{cost}", soft_wrap=True)
        console.print(hardware_line(spent), soft_wrap=True)
    _footer(console, item)


def size_curve_table(curve: SizeCurve) -> None:
    """Model sizes around the optimum at one budget: loss, and compute to match the optimum."""
    from rich.table import Table

    table = Table(
        title=f"Model sizes around the optimum at {sci(curve.flops)} FLOPs under {curve.law.id}",
        title_justify="left",
    )
    for name in ("size", "params", "tokens", "tokens/param", "loss", "+loss", "FLOPs to match", "overhead"):
        table.add_column(name, justify="right")
    for point in curve.points:
        matched = point.flops_to_match
        overhead = point.compute_overhead
        table.add_row(
            f"{point.fraction:g}x",
            count(point.params),
            count(point.tokens),
            f"{point.tokens_per_param:.3g}",
            f"{point.loss:.4f}",
            f"+{point.loss_gap:.4f}",
            "never" if matched is None else sci(matched),
            "" if overhead is None else f"+{overhead:.1%}",
        )
    console = _console()
    console.print(table)
    console.print(
        "loss: each size trained on the tokens the budget leaves (C = 6ND); FLOPs to match: what "
        f"that size needs, trained on more or fewer tokens, to reach the optimum's loss "
        f"{curve.optimum.loss:.4f}; overhead: that above the budget",
        soft_wrap=True,
    )
    console.print(f"law: {curve.law.name}; {curve.law.citation}; {curve.law.locator}", soft_wrap=True)


def inference_table(item: Plan) -> None:
    """The lifetime-optimal plan beside the compute-optimal one for the same loss."""
    from rich.table import Table

    from planner.tabular import hardware_line, money

    life = item.inference
    assert life is not None
    table = Table(
        title=f"Training plus inference for loss {life.target_loss:.4f} and {count(life.inference_tokens)} "
        f"inference tokens under {item.law.id}",
        title_justify="left",
    )
    priced = life.total_cost is not None
    names = ["", "params", "tokens", "tokens/param", "training FLOPs", "inference FLOPs", "total FLOPs"]
    names += ["total cost"] if priced else []
    for name in names:
        table.add_column(name, justify="left" if not name else "right")
    best, usual = item.optimum, life.compute_optimal
    rows = [
        (
            "inference-aware",
            best,
            life.training_flops,
            life.inference_flops,
            life.total_flops,
            life.total_cost,
        ),
        (
            "compute-optimal",
            usual,
            life.compute_optimal_training_flops,
            life.compute_optimal_inference_flops,
            life.compute_optimal_total_flops,
            life.compute_optimal_total_cost,
        ),
    ]
    for label, split, training, inference, total, cost in rows:
        row = [label, count(split.params), count(split.tokens), f"{split.tokens_per_param:.3g}"]
        row += [sci(training), sci(inference), sci(total)]
        row += [money(cost)] if priced else []
        table.add_row(*row)
    console = _console()
    console.print(table)
    console.print(
        f"the inference-aware model has {life.params_fraction:.2%} of the parameters and needs "
        f"{life.total_flops_fraction:.2%} of the total FLOPs of the compute-optimal one "
        f"(saves {sci(life.flops_saved)} FLOPs); objective: {life.objective}; "
        "inference costs 2N FLOPs per token (Sardana et al. 2023, arXiv:2401.00448)",
        soft_wrap=True,
    )
    if priced and life.cost_saved is not None:
        console.print(
            f"cost: training {money(life.training_cost)} + inference {money(life.inference_cost)} at "
            f"inference MFU {life.inference_mfu:g}; saves {money(life.cost_saved)}",
            soft_wrap=True,
        )
    if item.hardware is not None:
        spent = item.hardware
        days = f", {spent.days:,.1f} days" if spent.days is not None else ""
        console.print(f"training: {spent.gpu_hours:,.0f} GPU-hours{days}", soft_wrap=True)
        console.print(hardware_line(spent), soft_wrap=True)
    _footer(console, item)


def check_table(report: CheckReport) -> None:
    """Each check: value, limit, PASS/FAIL and margin, then the verdict."""
    from rich.table import Table

    from planner.tabular import check_value, hardware_line

    item = report.plan
    table = Table(
        title=f"Budget checks: {report.name or report.spec} under {item.law.id}", title_justify="left"
    )
    for name in ("check", "value", "limit", "result", "margin"):
        table.add_column(name, justify="left" if name in ("check", "result") else "right")
    for check in report.checks:
        table.add_row(
            check.quantity,
            check_value(check.name, check.value),
            check_value(check.name, check.limit),
            "PASS" if check.passed else "FAIL",
            f"{check.headroom:+.1%}",
        )
    console = _console()
    console.print(table)
    failed = sum(not check.passed for check in report.checks)
    total = len(report.checks)
    verdict = f"all {total} checks passed" if not failed else f"{failed} of {total} checks failed"
    console.print(f"{verdict}; margin: headroom left below each limit, negative when over", soft_wrap=True)
    best = item.optimum
    run = f"{count(item.run.params)} params on {count(item.run.tokens)} tokens, " if item.run else ""
    console.print(
        f"run: {run}{sci(item.flops)} FLOPs; compute-optimal at these FLOPs: {count(best.params)} params "
        f"on {count(best.tokens)} tokens, loss {best.loss:.4f}",
        soft_wrap=True,
    )
    if item.hardware is not None:
        console.print(hardware_line(item.hardware), soft_wrap=True)
    console.print(f"law: {item.law.name}; {item.law.citation}", soft_wrap=True)


def gpus_table(chips: Iterable[Chip]) -> None:
    """The chip table: dense peaks, memory, and where each figure comes from."""
    from rich.table import Table

    table = Table(title="GPUs and other accelerators (per chip, dense peaks)", title_justify="left")
    for name in ("id", "name", "bf16 TFLOP/s", "fp8 TFLOP/s", "memory", "read in"):
        table.add_column(
            name, justify="right" if "TFLOP" in name or name == "memory" else "left", no_wrap=True
        )
    listed = list(chips)
    for chip in listed:
        table.add_row(
            chip.id,
            chip.name,
            f"{chip.bf16_tflops:g}",
            f"{chip.fp8_tflops:g}" if chip.fp8_tflops is not None else "-",
            f"{chip.memory:g} {chip.memory_unit}",
            "vendor doc" if chip.source.checked == "vendor" else "copy",
        )
    console = _console()
    console.print(table)
    console.print(
        "Dense: where a vendor prints 2:4-sparsity figures only, they are halved. 'copy': the vendor "
        "document was read in a copy; plan gpus --json gives where. Aliases: "
        + ", ".join(f"{alias} = {chip.id}" for chip in listed for alias in chip.aliases),
        soft_wrap=True,
    )
    for chip in listed:
        console.print(f"{chip.id}: {chip.source.document}, {chip.source.url}", soft_wrap=True)


def _data_footer(console: Console, item: Plan) -> None:
    data = item.data
    if data is not None:
        console.print(
            "epochs: tokens / unique tokens; D' and N': effective tokens and params, what repeated "
            "tokens and parameters beyond the unique data's use are worth, with decay constants "
            f"R_D* {data.R_D_star} and R_N* {data.R_N_star} ({data.decay_source})",
            soft_wrap=True,
        )
        console.print(
            "+loss: above the plan with unlimited unique data; dL/dlnC: change in loss per e-fold "
            "(x2.72) more compute, by central difference; returns: dL/dlnC as a share of its value "
            "with unlimited unique data",
            soft_wrap=True,
        )
    subset = item.repeated_subset
    if subset is not None:
        console.print(
            f"repeated subset: {subset.fraction * 100:.3g}% of the training tokens seen {subset.repeats:g} "
            f"times, {subset.token_share * 100:.3g}% of the run; not priced (no published formula)",
            soft_wrap=True,
        )


def _footer(console: Console, item: Plan) -> None:
    _data_footer(console, item)
    console.print(
        f"params: {_counts(item.units.params)} parameters; loss in {item.units.loss}", soft_wrap=True
    )
    console.print(f"FLOPs: {item.units.flops}", soft_wrap=True)
    console.print(f"tokens: {item.units.tokens}", soft_wrap=True)
    for amount in item.natural_units:
        console.print(f"{amount.unit}: {amount.tokens_per_unit:,.0f} tokens", soft_wrap=True)
    console.print(f"law: {item.law.name}; {item.law.citation}; {item.law.locator}", soft_wrap=True)
    for caveat in item.caveats:
        console.print(f"caveat: {caveat}", soft_wrap=True)


def comparison_table(result: Comparison) -> None:
    """Every law of a domain at one budget, and how far apart they are."""
    from rich.table import Table

    table = Table(title=f"{sci(result.flops)} FLOPs under every {result.domain} law", title_justify="left")
    for name in ("law", "params", "tokens", "tokens/param", "loss"):
        table.add_column(name, justify="left" if name == "law" else "right", no_wrap=name == "law")
    for item in result.plans:
        table.add_row(
            item.law.id,
            count(item.optimum.params),
            count(item.optimum.tokens),
            f"{item.optimum.tokens_per_param:.3g}",
            f"{item.optimum.loss:.4f}",
        )
    spread = result.spread
    table.add_row("spread (max/min)", f"{spread.params:.3g}x", f"{spread.tokens:.3g}x", "", "", style="bold")
    console = _console()
    console.print(table)
    console.print(
        "Laws count parameters, tokens and loss differently (see below): the spread shows "
        "how much the choice of law matters, not an error bar.",
        soft_wrap=True,
    )
    for item in result.plans:
        console.print(
            f"{item.law.id}: {item.law.citation}; {item.units.tokens}; loss {item.units.loss}", soft_wrap=True
        )


def laws_table(laws: list[Law]) -> None:
    """The catalog: one row per law."""
    from rich.table import Table

    table = Table(title="Scaling laws", title_justify="left")
    for name in ("id", "domain", "form", "source"):
        table.add_column(name, no_wrap=True)
    for law in laws:
        table.add_row(
            f"{law.id} *" if is_default(law) else law.id,
            law.domain,
            law.form,
            f"{law.source.authors.split(',')[0]}{' et al.' if ',' in law.source.authors else ''} {law.source.year}",
        )
    console = _console()
    console.print(table)
    console.print(
        "* the domain's default law. In full, with source and parameters: plan laws show ID", soft_wrap=True
    )


def _counts(params: str) -> str:
    return {"total": "total", "non_embedding": "non-emb."}.get(params, params)


def _parameter_table(title: str, params: Any, stderr: dict[str, float]) -> Any:
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    table.add_column("name")
    table.add_column("value", justify="right")
    table.add_column("std. error", justify="right")
    for field in dataclasses.fields(params):
        value = getattr(params, field.name)
        if value is None:
            continue
        spread = stderr.get(field.name)
        table.add_row(
            field.name,
            f"{value:g}" if isinstance(value, float) else str(value),
            f"{spread:g}" if spread is not None else "",
        )
    return table


def law_detail(law: Law, reproduced: list[dict[str, float]]) -> None:
    """One law in full: formula, parameters with standard errors, source, range, caveats,
    and each quoted number beside what the law gives for it."""
    console = _console()
    from rich.text import Text

    console.print(Text.assemble((law.id, "bold"), f": {law.name}"), soft_wrap=True)
    source = law.source
    if source.kind == "user-fit":
        console.print(f'source: a fit by {source.authors} ({source.year}), "{source.title}"', soft_wrap=True)
        digest = f" (sha256 {source.data_sha256})" if source.data_sha256 else ""
        console.print(f"runs: {source.data}{digest}", soft_wrap=True)
    else:
        where = f"arXiv:{source.arxiv}" if source.arxiv else f"doi:{source.doi}"
        console.print(f'source: {source.authors} ({source.year}), "{source.title}", {where}', soft_wrap=True)
    console.print(f"where: {source.locator}", soft_wrap=True)
    console.print(f"domain: {law.domain}   form: {law.form}", soft_wrap=True)
    reason = default_reason(law)
    if reason is not None:
        console.print(
            f"the default {'transfer' if isinstance(law, TransferLaw) else law.domain} law: {reason}",
            soft_wrap=True,
        )
    console.print(f"formula: {law.params.FORMULA}", soft_wrap=True)
    console.print(_parameter_table("parameters (as printed)", law.params, law.stderr or {}))
    model_size = getattr(law, "model_size", None)
    if model_size is not None:
        console.print(f"the same source's model-size law: {model_size.FORMULA}", soft_wrap=True)
        console.print(_parameter_table("L(N) parameters (as printed)", model_size, {}))
    quantities = law.quantities
    console.print(f"N counts: {quantities.params.replace('_', '-')} parameters", soft_wrap=True)
    console.print(f"{quantities.data_unit}: {quantities.tokens}", soft_wrap=True)
    for unit in law.units:
        console.print(f"{unit.name}: {unit.tokens:,.0f} tokens ({unit.note or ''})", soft_wrap=True)
    console.print(f"loss: {quantities.loss} ({quantities.loss_units})", soft_wrap=True)
    console.print(f"FLOPs: {quantities.flops}", soft_wrap=True)
    if isinstance(law, TransferLaw):
        regime = law.regime
        console.print(
            f"low-data regime: D_F up to {regime.low_data_fraction:g} D(N), D(N) the data to reach "
            f"{regime.converged_performance:g} of infinite-data performance, estimated with "
            f"{regime.converged_data_law}",
            soft_wrap=True,
        )
        if regime.ossification_fraction is not None:
            console.print(
                f"ossification notice: from D_F = {regime.ossification_fraction:g} D(N)", soft_wrap=True
            )
        if regime.finetune_data_available is not None:
            console.print(
                f"fine-tuning data behind the fit: at most {sci(regime.finetune_data_available)} {law.quantities.data_unit}"
            )
    bounds = law.fitted_range.bounds()
    for name, (low, high) in bounds.items():
        console.print(f"fitted range, {name}: {sci(low)} to {sci(high)}")
    for name, decades in (law.fitted_range.decades or {}).items():
        console.print(f"fitted range, {name}: about {decades:g} orders of magnitude")
    if law.fitted_range.note:
        console.print(f"fitted range: {law.fitted_range.note}", soft_wrap=True)
    if law.covariance is not None:
        cov = law.covariance
        how = f"{cov.method}" + (f", {cov.resamples} resamples" if cov.resamples else "")
        how += f", seed {cov.seed}" if cov.seed is not None else ""
        console.print(
            f"covariance: {how}, of {', '.join(cov.names)}; plans under this law carry intervals",
            soft_wrap=True,
        )
    for caveat in law.caveats:
        console.print(f"caveat: {caveat}", soft_wrap=True)
    for row, got in zip(law.reproduces, reproduced, strict=True):
        per = f" per {row.unit}" if row.unit else ""
        if row.finetune_chars is not None:
            assert row.params is not None
            where = f"at N {sci(row.params)} and D_F {sci(row.finetune_chars)}, "
        else:
            where = f"at {sci(row.flops)} FLOPs, " if row.flops is not None else ""
            if row.unique_tokens is not None:
                where += f"{sci(row.unique_tokens)} unique tokens, "
        pairs = ", ".join(
            f"{name} {sci(value)} (gives {sci(got[name])})" for name, value in row.expected().items()
        )
        console.print(
            f'reproduces: "{row.quote}" ({row.locator or law.source.locator}): {where}{pairs}{per}, '
            f"within {row.rel_tol:.0%}",
            soft_wrap=True,
        )


def fit_json(report: FitReport) -> None:
    """The fit report as one compact JSON object on one line."""
    _json_line(dataclasses.asdict(report))


def fit_tables(report: FitReport) -> None:
    """The fit report for people: parameters, how the fit went, the plan, the holdout."""
    from rich.table import Table

    runs, method = report.runs, report.method
    console = _console()
    console.print(f"{report.form} fit to {runs.source}: {runs.fitted} of {runs.count} runs", soft_wrap=True)
    table = Table()
    table.add_column("param")
    table.add_column("estimate", justify="right")
    table.add_column("std. error", justify="right")
    level = report.bootstrap.level if report.bootstrap else 0.95
    table.add_column(f"{level:.0%} interval", justify="right")
    for estimate in report.params:
        table.add_row(
            estimate.name,
            f"{estimate.value:.6g}",
            f"{estimate.stderr:.4g}" if estimate.stderr is not None else "",
            span(*estimate.interval, show=lambda v: f"{v:.4g}") if estimate.interval else "",
        )
    console.print(table)
    console.print(f"form: {report.formula}", soft_wrap=True)
    state = "converged" if method.converged else "NOT converged"
    envelope = f", runs above the curve weighted {method.asymmetric:g}x" if method.asymmetric else ""
    console.print(
        f"fit: Huber loss (delta {method.delta:g}) on log loss{envelope}, {method.starts:,} starts; "
        f"objective {method.objective:.6g}, {state} (projected gradient {method.projected_gradient:.2g})",
        soft_wrap=True,
    )
    if report.bootstrap is not None:
        boot = report.bootstrap
        console.print(
            f"bootstrap: {boot.resamples} resamples (seed {boot.seed}), {boot.converged} converged; "
            f"intervals are percentiles of the refits",
            soft_wrap=True,
        )
    else:
        console.print("bootstrap: none (--bootstrap 0), so no standard errors or intervals", soft_wrap=True)
    res = report.residuals
    console.print(
        f"residuals, log(predicted / observed loss) over {res.runs} runs: RMS {res.rms:.3g}, "
        f"median {res.median:.2g}, largest {res.max_abs:.3g}",
        soft_wrap=True,
    )
    ranges = "; ".join(
        f"{name} {sci(low)} to {sci(high)}" for name, (low, high) in report.fitted_range.bounds().items()
    )
    console.print(f"fitted range: {ranges or report.fitted_range.note}", soft_wrap=True)
    if report.plan is not None:
        _budget_table(console, report)
    if report.holdout is not None:
        _holdout_table(console, report)
    if report.law_file is not None:
        console.print(
            f"law file: {report.law_file}; plan with it: plan --flops {sci(report.plan.flops) if report.plan else '1e22'} "
            f"--law {_as_path(report.law_file)}",
            soft_wrap=True,
        )


def _as_path(name: str) -> str:
    """A law file name as `--law` takes it: with a folder, so it is not read as an id."""
    return name if "/" in name else f"./{name}"


def _budget_table(console: Console, report: FitReport) -> None:
    from rich.table import Table

    plan = report.plan
    assert plan is not None
    console.print(f"Compute-optimal plan under the fit at {sci(plan.flops)} FLOPs", soft_wrap=True)
    table = Table()
    for name in ("FLOPs", "params", "tokens", "tokens/param", "loss"):
        table.add_column(name, justify="right")
    best = plan.optimum
    table.add_row(
        sci(plan.flops),
        count(best.params),
        count(best.tokens),
        f"{best.tokens_per_param:.3g}",
        f"{best.loss:.4f}",
    )
    if plan.intervals is not None:
        table.add_row(*_interval_row(plan.intervals))
    console.print(table)
    if plan.intervals is not None:
        console.print(f"intervals: {plan.intervals.method}", soft_wrap=True)


def _holdout_table(console: Console, report: FitReport) -> None:
    from rich.table import Table

    holdout = report.holdout
    assert holdout is not None
    console.print(
        f"Holdout: the {len(holdout.runs)} largest-compute runs, predicted by a fit to the other {holdout.fitted}",
        soft_wrap=True,
    )
    table = Table()
    for name in ("row", "params", "tokens", "FLOPs", "loss", "predicted", "error"):
        table.add_column(name, justify="right")
    for run in holdout.runs:
        table.add_row(
            str(run.row),
            count(run.params),
            count(run.tokens),
            sci(run.flops),
            f"{run.loss:.4f}",
            f"{run.predicted:.4f}",
            f"{run.relative_error:+.2%}",
        )
    console.print(table)
    console.print(
        f"holdout: RMS log residual {holdout.rms_log_residual:.3g}, largest error {holdout.max_abs_relative_error:.2%}; "
        "fitted without them: " + ", ".join(f"{e.name} {e.value:.4g}" for e in holdout.params),
        soft_wrap=True,
    )
