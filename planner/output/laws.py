"""The catalog and one law in full, as tables, and laws as JSON Lines records."""

from __future__ import annotations

from planner.laws.catalog import default_reason, is_default
from planner.output._base import sci
from planner.output.grid import Screen, Table

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

    from planner.forms.base import Law


def law_record(law: Law) -> dict[str, Any]:
    """A law as plain data, without the empty alternatives of its format."""

    def prune(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: prune(item) for key, item in value.items() if item is not None}
        if isinstance(value, (list, tuple)):
            return [prune(item) for item in value]
        return value

    from planner.version import FORMAT, __version__

    record: dict[str, Any] = prune(law.to_dict())
    return {
        "format": FORMAT,
        "planner_version": __version__,
        **record,
        "citation": law.citation,
        "default": is_default(law),
    }


def laws_json(laws: Iterable[Law]) -> None:
    """The catalog as JSON Lines, one law per line."""
    from planner.output.streams import _json_line

    for law in laws:
        _json_line(law_record(law))


def laws_table(laws: list[Law]) -> None:
    """The catalog: one row per law."""
    from planner.output.catalog_page import grouped

    table = Table(title="Scaling laws, by domain and by what they answer")
    for name in ("id", "domain", "answers", "source"):
        table.column(name, right=False, wrap=name in ("answers", "source"))
    for law in grouped(laws):
        table.row(
            f"{law.id} *" if is_default(law) else law.id,
            law.domain,
            law.approach,
            f"{law.source.authors.split(',')[0]}{' et al.' if ',' in law.source.authors else ''} {law.source.year}",
        )
    screen = Screen()
    screen.table(table)
    screen.line("* the domain's default law. In full, with source and parameters: plan laws show ID")


def _parameter_table(title: str, params: Any, stderr: dict[str, float]) -> Table:
    from planner.records import fields

    table = Table(title=title)
    table.column("name", right=False)
    table.column("value")
    table.column("std. error")
    for name in fields(params):
        value = getattr(params, name)
        if value is None:
            continue
        spread = stderr.get(name)
        table.row(
            name,
            f"{value:g}" if isinstance(value, float) else str(value),
            f"{spread:g}" if spread is not None else "",
        )
    return table


def law_detail(law: Law, reproduced: list[dict[str, float]]) -> None:
    """One law in full: formula, parameters with standard errors, source, range, caveats,
    and each quoted number beside what the law gives for it."""
    screen = Screen()
    screen.line(f": {law.name}", strong=law.id)
    source = law.source
    if source.kind == "user-fit":
        screen.line(f'source: a fit by {source.authors} ({source.year}), "{source.title}"')
        digest = f" (sha256 {source.data_sha256})" if source.data_sha256 else ""
        screen.line(f"runs: {source.data}{digest}")
    else:
        where = f"arXiv:{source.arxiv}" if source.arxiv else f"doi:{source.doi}"
        screen.line(f'source: {source.authors} ({source.year}), "{source.title}", {where}')
    screen.line(f"where: {source.locator}")
    screen.line(f"domain: {law.domain}   form: {law.form}")
    reason = default_reason(law)
    if reason is not None:
        screen.line(f"the default {'transfer' if law.kind == 'transfer' else law.domain} law: {reason}")
    screen.line(f"formula: {law.params.FORMULA}")
    screen.table(_parameter_table("parameters (as printed)", law.params, law.stderr or {}))
    model_size = getattr(law, "model_size", None)
    if model_size is not None:
        screen.line(f"the same source's model-size law: {model_size.FORMULA}")
        screen.table(_parameter_table("L(N) parameters (as printed)", model_size, {}))
    quantities = law.quantities
    screen.line(f"N counts: {quantities.params.replace('_', '-')} parameters")
    screen.line(f"{quantities.data_unit}: {quantities.tokens}")
    for unit in law.units:
        screen.line(f"{unit.name}: {unit.tokens:,.0f} tokens ({unit.note or ''})")
    screen.line(f"loss: {quantities.loss} ({quantities.loss_units})")
    screen.line(f"FLOPs: {quantities.flops}")
    span = law.granularity_range()
    if span is not None:
        screen.line(
            f"granularity: G = d_ff / d_expert from {span[0]:g} to {span[1]:g} (--granularity), experts "
            f"E = {law.fitted_experts():g} as fitted; a plan's params are the active ones"
        )
    for each in getattr(law, "error_maps", ()):  # an over-training law's: loss to downstream error
        screen.line(
            f"average top-1 error proxy, {each.suite}: Err = {each.epsilon:g} - {each.k:g} "
            f"exp(-{each.gamma:g} L), a proxy, not a capability ({each.locator})"
        )
    regime = getattr(law, "regime", None)  # a transfer law's: where its fit holds
    if regime is not None:
        screen.line(
            f"low-data regime: D_F up to {regime.low_data_fraction:g} D(N), D(N) the data to reach "
            f"{regime.converged_performance:g} of infinite-data performance, estimated with "
            f"{regime.converged_data_law}"
        )
        if regime.ossification_fraction is not None:
            screen.line(f"ossification notice: from D_F = {regime.ossification_fraction:g} D(N)")
        if regime.finetune_data_available is not None:
            screen.line(
                f"fine-tuning data behind the fit: at most {sci(regime.finetune_data_available)} {law.quantities.data_unit}"
            )
    bounds = law.fitted_range.bounds()
    for name, (low, high) in bounds.items():
        screen.line(f"fitted range, {name}: {sci(low)} to {sci(high)}")
    for name, decades in (law.fitted_range.decades or {}).items():
        screen.line(f"fitted range, {name}: about {decades:g} orders of magnitude")
    if law.fitted_range.note:
        screen.line(f"fitted range: {law.fitted_range.note}")
    cov = law.covariance or (law.uncertainty.covariance if law.uncertainty is not None else None)
    if law.uncertainty is not None:
        screen.line(f"uncertainty: {law.uncertainty.note}")
    if cov is not None:
        how = f"{cov.method}" + (f", {cov.resamples} resamples" if cov.resamples else "")
        how += f", seed {cov.seed}" if cov.seed is not None else ""
        how += f", scatter {cov.scatter:.3g}" if cov.scatter is not None else ""
        screen.line(f"covariance: {how}, of {', '.join(cov.names)}; plans under this law carry intervals")
    for caveat in law.caveats:
        screen.line(f"caveat: {caveat}")
    for row, got in zip(law.reproduces, reproduced, strict=True):
        per = f" per {row.unit}" if row.unit else ""
        if row.finetune_chars is not None:
            assert row.params is not None
            where = f"at N {sci(row.params)} and D_F {sci(row.finetune_chars)}, "
        else:
            where = f"at {sci(row.flops)} FLOPs, " if row.flops is not None else ""
            if row.unique_tokens is not None:
                where += f"{sci(row.unique_tokens)} unique tokens, "
            if row.granularity is not None:
                where += f"granularity {row.granularity:g}, "
        pairs = ", ".join(
            f"{name} {sci(value)} (gives {sci(got[name])})" for name, value in row.expected().items()
        )
        screen.line(
            f'reproduces: "{row.quote}" ({row.locator or law.source.locator}): {where}{pairs}{per}, '
            f"within {row.rel_tol:.0%}"
        )
