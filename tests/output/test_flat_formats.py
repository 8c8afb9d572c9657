"""The chip table, the law catalog and transfer estimates in CSV and Markdown: the catalogs'
every plain value of their JSON, in a column named by its path, with a note for the lists of
objects only --json carries; a transfer estimate's law and numbers under their JSON names.

The expected cells are built here from the JSON by the naming rule alone (a nested field's
path joined by "_", a list of plain values joined by "; "), not by the code that writes them.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest

from tests.conftest import Run

COMMANDS = {
    "gpus": ["gpus"],
    "laws": ["laws"],
    "code laws": ["laws", "--domain", "code"],
    "one law": ["laws", "show", "besiroglu2024"],
}
TRANSFERS = {
    "transfer": ["transfer", "--params", "1e8", "1e9", "--finetune-chars", "1e6", "1e8"],
    "transfer in tokens": ["transfer", "--params", "1e9", "--finetune-tokens", "1e8", "--chars-per-token", "3.3"],
}  # fmt: skip
CSV_ONLY = {"laws", "code laws", "one law"}
"""The Markdown of `plan laws` is the catalog page (docs/catalog.md), and of `plan laws show`
the law's part of it, not flat rows."""
VERSIONS = ("format", "planner_version", "schema_version", "notices")


def expected(data: dict[str, Any], prefix: str = "") -> tuple[dict[str, str], set[str]]:
    cells: dict[str, str] = {}
    lists: set[str] = set()
    for key, value in data.items():
        if not prefix and key in VERSIONS:
            continue
        name = f"{prefix}_{key}" if prefix else key
        if isinstance(value, dict):
            inner, inner_lists = expected(value, name)
            cells |= inner
            lists |= inner_lists
        elif isinstance(value, list) and any(isinstance(item, (dict, list)) for item in value):
            lists.add(name)
        elif isinstance(value, list):
            cells[name] = "; ".join(repr(item) if isinstance(item, float) else str(item) for item in value)
        elif isinstance(value, bool):
            cells[name] = "true" if value else "false"
        else:
            cells[name] = "" if value is None else repr(value) if isinstance(value, float) else str(value)
    return cells, lists


def _json(run: Run, args: list[str]) -> list[dict[str, Any]]:
    printed = run(*args, "--json")
    assert printed.exit_code == 0, printed.stderr
    return [json.loads(line) for line in printed.stdout.splitlines()]


@pytest.mark.parametrize("args", COMMANDS.values(), ids=COMMANDS.keys())
def test_csv_carries_every_plain_value_of_the_json(run: Run, args: list[str]) -> None:
    objects = _json(run, args)
    printed = run(*args, "--format", "csv")
    assert printed.exit_code == 0, printed.stderr
    rows = list(csv.DictReader(io.StringIO(printed.stdout)))
    assert len(rows) == len(objects)
    lists: set[str] = set()
    for data, row in zip(objects, rows, strict=True):
        cells, found = expected(data)
        lists |= found
        assert {name: row.get(name) for name in cells} == cells
        assert all(value == "" for name, value in row.items() if name not in cells)  # another row's
    for name in lists:
        assert name in printed.stderr, f"{name} is left out without a note"
    assert ("note: --format csv leaves out" in printed.stderr) == bool(lists)


@pytest.mark.parametrize(
    "args", [*(args for name, args in COMMANDS.items() if name not in CSV_ONLY), *TRANSFERS.values()]
)
def test_markdown_has_the_csv_columns_and_a_row_an_object(run: Run, args: list[str]) -> None:
    header = run(*args, "--format", "csv").stdout.splitlines()[0]
    printed = run(*args, "--format", "markdown")
    assert printed.exit_code == 0, printed.stderr
    lines = printed.stdout.splitlines()
    assert lines[0] == "| " + " | ".join(next(csv.reader([header]))) + " |"
    assert len(lines) == 2 + len(_json(run, args))
    align = lines[1].strip("|").split("|")
    assert align[0] == "---"  # an id or a law: words, aligned left


@pytest.mark.parametrize("args", TRANSFERS.values(), ids=TRANSFERS.keys())
def test_a_transfer_row_is_its_law_and_its_json_numbers(run: Run, args: list[str]) -> None:
    objects = _json(run, args)
    printed = run(*args, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(printed.stdout)))
    names = ["params", "finetune_chars", "finetune_tokens", "chars_per_token", "transferred", "effective"]
    names += ["multiplier", "fraction_transferred"]
    assert list(rows[0]) == ["law", *names]
    for data, row in zip(objects, rows, strict=True):
        assert row["law"] == data["law"]["id"]
        for name in names:
            assert row[name] == ("" if data[name] is None else repr(data[name]))
    assert "leaves out" not in printed.stderr


EVERY = {**COMMANDS, **TRANSFERS}


@pytest.mark.parametrize("args", EVERY.values(), ids=EVERY.keys())
def test_json_and_another_format_together_are_refused(run: Run, args: list[str]) -> None:
    printed = run(*args, "--json", "--format", "csv")
    assert printed.exit_code == 2
    assert printed.stdout == ""
    assert printed.stderr.count("\n") == 1
    assert "--json" in printed.stderr


@pytest.mark.parametrize("args", EVERY.values(), ids=EVERY.keys())
def test_format_json_is_the_json(run: Run, args: list[str]) -> None:
    assert run(*args, "--format", "json").stdout == run(*args, "--json").stdout


def test_one_law_in_markdown_is_its_part_of_the_catalog_page(run: Run) -> None:
    page = run("laws", "--format", "markdown").stdout
    part = run("laws", "show", "besiroglu2024", "--format", "markdown").stdout
    row = next(line for line in part.splitlines() if line.startswith("| `besiroglu2024`"))
    assert row in page.splitlines()
    assert all(
        line in page.splitlines() for line in part.splitlines() if line.startswith("- `besiroglu2024`")
    )


def test_quiet_keeps_the_left_out_note_off_stderr(run: Run) -> None:
    printed = run("laws", "--format", "csv", "--quiet")
    assert printed.exit_code == 0
    assert printed.stderr == ""


FIT = ["fit", "runs.csv", "--budget", "1e22", "--holdout-largest", "3"]


def test_a_fit_in_csv_is_one_row_of_its_json_numbers(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.contracts.test_docs import EXAMPLES

    monkeypatch.chdir(EXAMPLES)
    (data,) = _json(run, FIT)
    printed = run(*FIT, "--format", "csv")
    assert printed.exit_code == 0, printed.stderr
    (row,) = list(csv.DictReader(io.StringIO(printed.stdout)))
    assert (row["form"], row["source"], row["runs"]) == (data["form"], data["runs"]["source"], "36")
    for estimate in data["params"]:
        name = estimate["name"]
        assert row[name] == repr(estimate["value"])
        assert row[f"{name}_stderr"] == repr(estimate["stderr"])
        assert [row[f"{name}_low"], row[f"{name}_high"]] == [repr(end) for end in estimate["interval"]]
    assert row["residual_rms"] == repr(data["residuals"]["rms"])
    assert row["plan_params"] == repr(data["plan"]["optimum"]["params"])
    assert row["plan_loss_high"] == repr(data["plan"]["intervals"]["loss"]["high"])
    assert row["holdout_max_abs_relative_error"] == repr(data["holdout"]["max_abs_relative_error"])
    assert "leaves out covariance, holdout.runs, holdout.params of the fit" in printed.stderr
    markdown = run(*FIT, "--format", "markdown").stdout.splitlines()
    assert markdown[0] == "| " + " | ".join(row) + " |"
    assert len(markdown) == 3


def test_a_backtest_in_markdown_has_the_csv_s_rows(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.contracts.test_docs import EXAMPLES

    monkeypatch.chdir(EXAMPLES)
    args = ["backtest", "runs.csv", "--cut", "1e20"]
    rows = list(csv.reader(io.StringIO(run(*args, "--format", "csv").stdout)))
    printed = run(*args, "--format", "markdown")
    assert printed.exit_code == 0, printed.stderr
    lines = printed.stdout.splitlines()
    assert lines[0] == "| " + " | ".join(rows[0]) + " |"
    assert len(lines) == len(rows) + 1
    for line, cells in zip(lines[2:], rows[1:], strict=True):
        shown = [cell.strip() for cell in line.strip("|").split("|")]
        assert shown[:3] == [cells[0], "1e20", cells[2]]
        assert shown[rows[0].index("predicted")] == f"{float(cells[rows[0].index('predicted')]):.4f}"
