"""Everything planner writes: tables, JSON Lines, CSV and Markdown, messages on stderr.

Owns presentation only, one module per kind of output: `streams` (JSON Lines and the
one-line messages on stderr; `controls` shows control characters in both it and the tables), `tabular` (CSV and Markdown), `grid` (the terminal tables and
the wrapped lines under them, drawn with the standard library), and a module of tables per
kind of result (`plans`, `inverse`, `checks`, `laws`, `transfer`, `fit`), with the number
formats they share in `_base`. Nothing here imports rich: its import alone costs more than
the rest of a table's start-up. This file imports nothing, so `plan --json` loads only
`streams`. Results go to stdout, messages to stderr. Must not compute plans or read files.
"""
