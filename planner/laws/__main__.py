"""`python -m planner.laws` rewrites laws/index.jsonl from the law files."""

from planner.laws.write import write_index

write_index()
