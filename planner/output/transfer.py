"""The table of `plan transfer`: effective data from pre-training for a grid of sizes and
fine-tuning sets.
"""

from __future__ import annotations

from planner.output._base import count, counts, sci
from planner.output.grid import Screen, Table

TYPE_CHECKING = False
if TYPE_CHECKING:
    from planner.forms.transfer import TransferLaw
    from planner.planning.results import Transfer


def transfer_table(results: list[Transfer], law: TransferLaw) -> None:
    """Transfer estimates for a grid of model sizes and fine-tuning sets, as one table."""
    table = Table(title=f"Effective data from pre-training under {law.id}")
    with_tokens = any(item.finetune_tokens is not None for item in results)
    names = ["params", "D_F chars", *(["D_F tokens"] if with_tokens else []), "D_T chars", "D_E chars"]
    for name in [*names, "multiplier", "from transfer"]:
        table.column(name)
    for item in results:
        tokens = (
            [count(item.finetune_tokens) if item.finetune_tokens is not None else ""] if with_tokens else []
        )
        table.row(
            count(item.params),
            count(item.finetune_chars),
            *tokens,
            count(item.transferred),
            count(item.effective),
            f"{item.multiplier:.4g}",
            f"{item.fraction_transferred:.1%}",
        )
    screen = Screen()
    screen.table(table)
    curve = law.params
    screen.line(
        f"D_T = k D_F^alpha N^beta with k {sci(curve.k)}, alpha {curve.alpha:g}, beta {curve.beta:g}; "
        "D_E = D_F + D_T; multiplier D_E / D_F; from transfer D_T / D_E"
    )
    screen.line(f"params: {counts(law.quantities.params)} parameters; data: {law.quantities.tokens}")
    screen.line(f"law: {law.name}; {law.citation}; {law.source.locator}")
    for caveat in law.caveats:
        screen.line(f"caveat: {caveat}")


def transfer_rows(results: list[Transfer]) -> list[dict[str, object]]:
    """One flat object an estimate, for planner.output.flat: `law` (its id), `params`, then
    the rest of the JSON's numbers under their JSON names. The prose (the law's citation, the
    units, caveats) stays in the table and the JSON, as with plans."""
    from planner.output.tabular import TRANSFER_NUMBERS

    names = ("params", *TRANSFER_NUMBERS)
    return [{"law": item.law.id} | {name: getattr(item, name) for name in names} for item in results]
