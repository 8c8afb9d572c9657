"""`python -m planner.laws` rewrites the indexes of the shipped data from the files:
laws/index.jsonl (planner.laws.index), laws/index.arrays (the parameter draws of each law
that has a covariance) and the chip table's, each file validated in full."""

from __future__ import annotations

from pathlib import Path

from planner import hardware
from planner.laws.catalog import find_law, laws_dir
from planner.laws.index import ARRAYS, NAME, render_arrays
from planner.laws.write import render_index
from planner.planning.draws import covariance_of, draw, payload
from planner.planning.tails import kept_bands, kept_tails


def law_index() -> str:
    """laws/index.jsonl as the law files make it."""
    return render_index(str(laws_dir()))


def law_arrays() -> bytes:
    """laws/index.arrays as the law files make it: the draws of every covariance, kept so
    that a plan need not draw them, and the cells of their tails and of the default level's ends (planner.planning.tails)."""
    entries = {}
    for path in sorted(laws_dir().glob("*/*.toml")):
        law = find_law(str(path))  # read from its TOML, validated in full
        covariance = covariance_of(law)
        if covariance is not None:
            drawn = draw(law, covariance)
            meta, arrays = payload(drawn, {**kept_tails(drawn), **kept_bands(drawn)})
            entries[path.relative_to(laws_dir()).as_posix()] = (path.read_bytes(), meta, arrays)
    return render_arrays(entries)


def main() -> None:
    laws = laws_dir() / NAME
    text = law_index()
    laws.write_text(text, encoding="utf-8")
    print(f"wrote {laws}: {text.count(chr(10)) - 1} lines for the law files")
    arrays = laws_dir() / ARRAYS
    arrays.write_bytes(law_arrays())
    print(f"wrote {arrays}")
    chips = Path(f"{hardware.table_path()}.index.json")
    chips.write_text(hardware.render_index(hardware.table_path()), encoding="utf-8")
    print(f"wrote {chips}")


if __name__ == "__main__":
    main()
