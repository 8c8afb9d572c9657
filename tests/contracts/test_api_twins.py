"""Each question's library call gives what its command's `--json` prints, and shows itself
as the command does.

The twins are the table of docs/python.md ("Each question, beside its command"): every row's
command runs in tests/examples, its call after `from planner import *`, and the call's
`to_dict()` must equal the command's JSON, number for number. The rest checks what a
result looks like in Python: a one-line repr, the command's table from `table()`, in a
notebook and in rich, and `to_pandas()` in the CSV's columns.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import pytest

import planner
from tests.conftest import ROOT, Run
from tests.contracts.test_docs import EXAMPLES

PAGE = ROOT / "docs" / "python.md"
ROW = re.compile(r"^\| ([^|]+?) \| `(plan .+?)` \| `(.+?)` \|$", re.M)


def twins() -> list[tuple[str, str, str]]:
    """(question, command, call) for each row of the page's table."""
    text = PAGE.read_text().split("## Each question, beside its command", 1)[1].split("\n## ", 1)[0]
    return [(question, command.replace("\\|", "|"), call) for question, command, call in ROW.findall(text)]


TWINS = twins()
QUESTIONS = (
    "a budget",
    "a run you have",
    "a target loss",
    "hardware time and cost",
    "sizes around the optimum",
    "lifetime inference",
    "limited unique data",
    "a fine-tune's worth",
    "a budget check",
    "a fit to your runs",
)
"""The questions the library must answer in one call each, as the command does."""


def namespace() -> dict[str, Any]:
    found: dict[str, Any] = {name: getattr(planner, name) for name in planner.__all__}
    from planner.hardware import hardware

    found["hardware"] = hardware
    return found


def test_the_page_pairs_every_question() -> None:
    asked = {question for question, _, _ in TWINS}
    assert set(QUESTIONS) <= asked, f"docs/python.md lacks twins for {set(QUESTIONS) - asked}"
    assert len(TWINS) == len({command for _, command, _ in TWINS})


def _command_json(run: Run, command: str) -> tuple[int, Any]:
    words = command.split()
    path = None
    if "|" in words:
        pipe = words.index("|")
        assert words[pipe + 1 :][0] == "jq", command
        path = words[pipe + 2].strip(".")
        words = words[:pipe]
    result = run(*words[1:])
    assert result.stdout, f"{command}: {result.stderr}"
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    if path:
        lines = [line[path] for line in lines]
    return result.exit_code, lines


@pytest.mark.parametrize(("question", "command", "call"), TWINS, ids=[twin[0] for twin in TWINS])
def test_the_call_gives_what_the_command_prints(
    run: Run, monkeypatch: pytest.MonkeyPatch, question: str, command: str, call: str
) -> None:
    monkeypatch.chdir(EXAMPLES)
    code, printed = _command_json(run, command)
    result = eval(call, namespace())
    data = result.to_dict()
    assert (data if isinstance(data, list) else [data]) == printed, question
    assert code == getattr(result, "exit_code", 0)


SHOWN = {
    "a budget": lambda: planner.plan(1e21),
    "several budgets": lambda: planner.plan([1e21, 1e22]),
    "every law at a budget": lambda: planner.compare(1e21),
    "a run you have": lambda: planner.evaluate(7e9, 2e12),
    "a target loss": lambda: planner.for_loss(2.0),
    "sizes around the optimum": lambda: planner.size_curve(1e22, 0.5, 2),
    "lifetime inference": lambda: planner.inference_optimum(2e12, "hoffmann2022", target_loss=1.947),
    "limited unique data": lambda: planner.plan(1e22, unique_tokens=25e9),
    "a fine-tune's worth": lambda: planner.transfer(1e9, finetune_chars=1e8),
    "a budget check": lambda: planner.check_spec(str(EXAMPLES / "over-budget.toml")),
    "a ladder of small runs": lambda: planner.design(None, 1e21, target_flops=1e24, simulations=40),
}
"""A result of each kind that draws a table (the fit's is below, on the examples' runs)."""

COMMANDS = {
    "a budget": ["--flops", "1e21"],
    "several budgets": ["--flops", "1e21", "--flops", "1e22"],
    "every law at a budget": ["--flops", "1e21", "--compare"],
    "a run you have": ["--params", "7e9", "--tokens", "2e12"],
    "a target loss": ["--target-loss", "2.0"],
    "sizes around the optimum": ["--flops", "1e22", "--size-range", "0.5", "2"],
    "lifetime inference": ["--law", "hoffmann2022", "--inference-tokens", "2e12", "--target-loss", "1.947"],
    "limited unique data": ["--flops", "1e22", "--unique-tokens", "25e9"],
    "a fine-tune's worth": ["transfer", "--params", "1e9", "--finetune-chars", "1e8"],
    "a budget check": ["check", str(EXAMPLES / "over-budget.toml")],
    "a ladder of small runs": [
        "design",
        "--target-flops",
        "1e24",
        "--ladder-budget",
        "1e21",
        "--simulations",
        "40",
    ],
}


@pytest.mark.parametrize("question", sorted(SHOWN))
def test_a_result_reads_in_one_short_line(question: str) -> None:
    shown = repr(SHOWN[question]())
    assert "\n" not in shown
    assert shown.startswith("<")
    assert shown.endswith(">")
    assert len(shown) <= 300, shown
    assert not re.search(r"\b(nan|inf)\b", shown.lower()), shown


@pytest.mark.parametrize("question", sorted(SHOWN))
@pytest.mark.parametrize("width", [40, 60, 100])
def test_table_is_the_command_s_table(
    run: Run, monkeypatch: pytest.MonkeyPatch, question: str, width: int
) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    printed = run(*COMMANDS[question])
    drawn = SHOWN[question]().table(width=width)
    assert drawn.startswith(printed.stdout), question
    notices = drawn[len(printed.stdout) :]
    for line in printed.stderr.splitlines():  # the notices, as the command words them
        assert line.split()[0] in notices
    assert all(len(line) <= width for line in drawn.splitlines() if " " in line.strip())


def test_table_width_ignores_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    assert max(len(line) for line in planner.plan(1e21).table(width=60).splitlines()) <= 60
    monkeypatch.delenv("COLUMNS")
    assert planner.plan(1e21).table() == planner.plan(1e21).table(width=80)


def test_a_notebook_shows_the_table_escaped() -> None:
    result = planner.plan(1e21)
    html = result._repr_html_()
    assert html.startswith("<pre")
    assert html.endswith("</pre>")
    assert "Compute-optimal plan under besiroglu2024" in html
    assert "2.78B" in html
    check = planner.check_spec(str(EXAMPLES / "over-budget.toml"))._repr_html_()
    assert "FAIL" in check
    assert check.count("<") == 2  # <pre> and </pre>: the text inside is escaped
    assert (
        "&gt;"
        in planner.for_loss(2.0, level=None).replace(notices=(planner.Notice("x", "a <b> c"),))._repr_html_()
    )


def test_rich_draws_the_table_at_the_console_s_width(monkeypatch: pytest.MonkeyPatch) -> None:
    rich_console = pytest.importorskip("rich.console")
    monkeypatch.delenv("NO_COLOR")
    out = io.StringIO()
    console = rich_console.Console(file=out, width=60, force_terminal=True, color_system="standard")
    console.print(planner.plan(1e21))
    text = out.getvalue()
    assert "\x1b[" in text  # the table's styles
    plain = re.sub(r"\x1b\[[0-9;]*m", "", text)
    assert plain.rstrip("\n") == planner.plan(1e21).table(width=60).rstrip("\n")


def test_to_dict_of_several_budgets_is_each_plan_s() -> None:
    plans = planner.plan([1e21, 1e22])
    assert isinstance(plans, list)
    assert plans == [planner.plan(1e21), planner.plan(1e22)]
    assert plans.to_dict() == [planner.plan(1e21).to_dict(), planner.plan(1e22).to_dict()]


@pytest.mark.parametrize(
    ("make", "args"),
    [
        (lambda: planner.plan([1e21, 1e22, 1e23]), ["--flops", "1e21", "--flops", "1e22", "--flops", "1e23"]),
        (lambda: planner.compare(1e21), ["--flops", "1e21", "--compare"]),
        (lambda: planner.size_curve(1e22, 0.5, 2), ["--flops", "1e22", "--size-range", "0.5", "2"]),
        (lambda: planner.plan(1e22, unique_tokens=25e9), ["--flops", "1e22", "--unique-tokens", "25e9"]),
    ],
)
def test_to_pandas_has_the_csv_s_columns_and_rows(run: Run, make: Any, args: list[str]) -> None:
    pd = pytest.importorskip("pandas")
    frame = make().to_pandas()
    printed = list(csv.reader(io.StringIO(run(*args, "--format", "csv").stdout)))
    assert list(frame.columns) == printed[0]
    assert len(frame) == len(printed) - 1
    for row, cells in zip(frame.itertuples(index=False), printed[1:], strict=True):
        for value, cell in zip(row, cells, strict=True):
            if cell == "":
                assert value is None or pd.isna(value)
            elif isinstance(value, float):
                assert value == float(cell)
            else:
                assert str(value) == cell


def test_to_pandas_without_pandas_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match="pip install pandas"):
        planner.plan([1e21, 1e22]).to_pandas()


def test_a_fit_report_reads_and_draws_as_the_command(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(EXAMPLES)
    report = planner.fit(planner.read_runs("runs.csv"))
    shown = repr(report)
    assert shown.startswith("<FitReport chinchilla fit to")
    assert "\n" not in shown
    assert len(shown) <= 300
    printed = run("fit", "runs.csv")
    drawn = report.table(width=100)
    assert drawn.startswith(printed.stdout)
    assert drawn[len(printed.stdout) :] == "note: " + printed.stderr.split(": ", 1)[1]


def test_the_inputs_of_the_calls_read_in_one_line() -> None:
    from planner.hardware import hardware

    shown = [
        repr(planner.find_law("hoffmann2022")),
        repr(planner.read_runs(str(EXAMPLES / "runs.csv"))),
        repr(hardware("h100", gpus=8, price_per_gpu_hour=2.5)),
    ]
    assert (
        shown[0]
        == "<ChinchillaLaw hoffmann2022: Chinchilla approach 3, Eq. (10) as printed (Hoffmann et al. 2022)>"
    )
    assert shown[1].endswith("runs.csv: 36 runs (params, tokens, loss)>")
    assert shown[2] == "<Hardware 8 x h100-sxm, MFU 0.462 (assumed), $2.5 per GPU-hour>"


def test_a_transfer_under_a_law_file_of_its_own_reads_as_its_summary(tmp_path: Any) -> None:
    shipped = ROOT / "laws" / "code" / "hernandez2021-text.toml"
    text = shipped.read_text().replace('id = "hernandez2021-text"', 'id = "mytransfer2026"')
    own = tmp_path / "mytransfer2026.toml"
    own.write_text(text)
    worth = planner.transfer(1e9, str(own), finetune_chars=1e8)
    assert worth.law.id == "mytransfer2026"
    assert worth.table().startswith(worth.summary() + "\n")  # then its notices
    assert "Effective data from pre-training" in planner.transfer(1e9, finetune_chars=1e8).table()
