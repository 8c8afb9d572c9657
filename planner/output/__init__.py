"""Everything planner writes: rich tables, JSON Lines, CSV and Markdown, messages on stderr.

Owns presentation only, one module per kind of output: `streams` (JSON Lines and the
one-line messages on stderr), `tabular` (CSV and Markdown), and a module of rich tables per
kind of result (`plans`, `inverse`, `checks`, `laws`, `transfer`, `fit`), with the number
formats they share in `_base`. The only package that imports rich, and only inside the
functions that draw tables, so `--json` and error paths never load it; this file imports
nothing, so `plan --json` loads only `streams`. Results go to stdout, messages to stderr.
Must not compute plans or read files.
"""
