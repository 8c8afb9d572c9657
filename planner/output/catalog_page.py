"""The catalog as a Markdown page: every law with its source, what N counts, its FLOP
convention, fitted range and caveats (`plan laws --format markdown`, which docs/catalog.md
shows and the tests keep current)."""

from __future__ import annotations

from planner.output._base import sci

TYPE_CHECKING = False
if TYPE_CHECKING:
    from planner.forms.base import Law

ORDER = (
    "loss L(N, D)",
    "loss L(N, D) with repeated data",
    "loss L(N, D) of over-trained runs, with an error proxy",
    "loss L(N, D, G) of a fine-grained MoE",
    "frontier L(C) and N_opt(C)",
    "allocation N_opt(C), D_opt(C)",
    "converged loss L(N)",
    "fine-tuning transfer D_T(D_F, N)",
)
"""The order of approaches within a domain; hyper-parameter laws come last, then any other."""


def grouped(laws: list[Law]) -> list[Law]:
    """`laws` by domain (as given) and then by approach (ORDER), each group in id order."""
    domains: list[str] = []
    for law in laws:
        if law.domain not in domains:
            domains.append(law.domain)

    def key(law: Law) -> tuple[int, int, str]:
        rank = ORDER.index(law.approach) if law.approach in ORDER else len(ORDER)
        rank += law.approach.startswith("hyper-parameters")
        return domains.index(law.domain), rank, law.id

    return sorted(laws, key=key)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _fitted(law: Law) -> str:
    parts = [f"{name} {sci(low)} to {sci(high)}" for name, (low, high) in law.fitted_range.bounds().items()]
    parts += [
        f"{name} about {decades:g} decades" for name, decades in (law.fitted_range.decades or {}).items()
    ]
    if law.fitted_range.note:
        parts.append(law.fitted_range.note)
    return "; ".join(parts) or "not recorded"


def catalog_markdown(laws: list[Law]) -> str:
    """The page: one section per domain, one table row per law, its caveats below the table."""
    lines: list[str] = []
    domain = None
    for law in grouped(laws):
        if law.domain != domain:
            domain = law.domain
            lines += ["", f"## {domain}", "", "| id | answers | source | N counts | FLOPs | fitted range |"]
            lines.append("|---|---|---|---|---|---|")
        source = f"{law.source.authors} {law.source.year}, {law.citation.rpartition(', ')[2]}; {law.source.locator}"
        quantities = law.quantities
        lines.append(
            "| "
            + " | ".join(
                _cell(text)
                for text in (
                    f"`{law.id}`",
                    law.approach,
                    source,
                    quantities.params.replace("_", "-"),
                    f"{quantities.flops} ({quantities.flop_convention})",
                    _fitted(law),
                )
            )
            + " |"
        )
    lines += ["", "## Caveats", ""]
    for law in grouped(laws):
        for caveat in law.caveats:
            lines.append(f"- `{law.id}`: {caveat}")
    return "\n".join(lines).lstrip("\n") + "\n"
