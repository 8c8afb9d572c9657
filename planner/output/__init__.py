"""Everything planner writes: rich tables, JSON Lines and messages on stderr.

Owns presentation only, one module per kind of table; the only package that imports rich,
and only inside the functions that draw tables, so `--json` and error paths never load it.
Results go to stdout, messages to stderr. Must not compute plans or read files.
"""

from planner.output._base import count, sci, span
from planner.output.checks import check_table, gpus_table
from planner.output.fit import fit_json, fit_tables
from planner.output.inverse import inference_table, size_curve_table
from planner.output.laws import law_detail, law_record, laws_json, laws_table
from planner.output.plans import comparison_table, evaluation_table, plans_table
from planner.output.streams import coded_notices, error, json_lines, notices, text
from planner.output.transfer import transfer_table

__all__ = [
    "check_table",
    "coded_notices",
    "comparison_table",
    "count",
    "error",
    "evaluation_table",
    "fit_json",
    "fit_tables",
    "gpus_table",
    "inference_table",
    "json_lines",
    "law_detail",
    "law_record",
    "laws_json",
    "laws_table",
    "notices",
    "plans_table",
    "sci",
    "size_curve_table",
    "span",
    "text",
    "transfer_table",
]
