"""`python -m planner.laws` rewrites the indexes of the shipped data from the files:
laws/index.jsonl (planner.laws.index, with the parameter draws of each law that has a
covariance) and the chip table's, each file validated in full."""

from __future__ import annotations

from pathlib import Path

from planner import hardware
from planner.forms.base import Law
from planner.laws.catalog import laws_dir
from planner.laws.index import NAME
from planner.laws.write import render_index
from planner.planning.draws import covariance_of, draw, payload


def draws_of_law(law: Law) -> object:
    """The parameter draws of a law with a covariance, kept so that a plan need not draw them."""
    covariance = covariance_of(law)
    return payload(draw(law, covariance)) if covariance is not None else None


def law_index() -> str:
    """laws/index.jsonl as the law files (and the draws of their covariances) make it."""
    return render_index(str(laws_dir()), {"draws": draws_of_law})


def main() -> None:
    laws = laws_dir() / NAME
    text = law_index()
    laws.write_text(text, encoding="utf-8")
    print(f"wrote {laws}: {text.count(chr(10)) - 1} lines for the law files")
    chips = Path(f"{hardware.table_path()}.index.json")
    chips.write_text(hardware.render_index(hardware.table_path()), encoding="utf-8")
    print(f"wrote {chips}")


if __name__ == "__main__":
    main()
