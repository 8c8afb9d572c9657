"""docs/catalog.md holds `plan laws --format markdown` between its markers, as printed now."""

from __future__ import annotations

import os
from pathlib import Path

from planner.laws.catalog import available_laws
from planner.output.catalog_page import catalog_markdown, grouped
from tests.conftest import Run

PAGE = Path(__file__).parents[2] / "docs" / "catalog.md"
START = "<!-- catalog: plan laws --format markdown -->\n"
END = "<!-- end catalog -->\n"


def test_the_catalog_page_is_the_command_output(run: Run) -> None:
    text = PAGE.read_text()
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    printed = run("laws", "--format", "markdown")
    assert printed.exit_code == 0, printed.stderr
    assert printed.stdout == catalog_markdown(available_laws())
    fresh = head + START + printed.stdout + END + tail
    if os.environ.get("UPDATE_DOCS"):
        PAGE.write_text(fresh)
    assert text == fresh, "docs/catalog.md is stale; rerun with UPDATE_DOCS=1"


def test_every_law_is_on_the_page_with_its_counts_and_caveats() -> None:
    text = catalog_markdown(available_laws())
    for law in available_laws():
        assert f"| `{law.id}` | {law.approach} |" in text
        for caveat in law.caveats:
            assert f"- `{law.id}`: {caveat}" in text


def test_the_catalog_is_grouped_by_domain_then_approach() -> None:
    laws = grouped(available_laws())
    domains = [law.domain for law in laws]
    assert domains == sorted(domains, key=domains.index)  # each domain's laws together
    language = [law.approach for law in laws if law.domain == "language"]
    assert language.index("loss L(N, D)") < language.index("allocation N_opt(C), D_opt(C)")
    assert language[-1].startswith("hyper-parameters")
