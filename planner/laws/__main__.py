"""`python -m planner.laws` rewrites the indexes of the shipped data from the files:
laws/index.jsonl (planner.laws.index) and the chip table's, each file validated in full."""

from pathlib import Path

from planner import hardware
from planner.laws.catalog import laws_dir
from planner.laws.index import NAME
from planner.laws.write import render_index

laws = laws_dir() / NAME
text = render_index(str(laws_dir()))
laws.write_text(text, encoding="utf-8")
print(f"wrote {laws}: {text.count(chr(10)) - 1} law files")
chips = Path(f"{hardware.table_path()}.index.json")
chips.write_text(hardware.render_index(hardware.table_path()), encoding="utf-8")
print(f"wrote {chips}")
