"""Every table at every width: each value of a command's JSON result that its table shows
appears whole in the table output at 40, 60, 80 and 120 columns, and with COLUMNS unset or
0 (80 columns off a terminal); every cell of every table drawn keeps its words whole; no
line runs past the screen but a single word longer than it (a URL).

The values are taken from the JSON of the same command and worded with the formats the
tables use (planner.output._base), so a value cut to `2.58…` or `h100-s…`, or a column
dropped for want of room, fails here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from planner.output import grid
from planner.output._base import count, days, money, sci
from planner.output.tabular import check_value
from tests.conftest import ROOT, Run

EXAMPLES = ROOT / "tests" / "examples"
WIDTHS = ("40", "60", "80", "120", None, "0")
"""COLUMNS values: None unsets it."""

Values = Callable[[list[dict[str, Any]]], list[str]]


def loss(value: float | None) -> list[str]:
    return [] if value is None else [f"{value:.4f}"]


def plan_values(item: dict[str, Any]) -> list[str]:
    """What a plan's table shows of its JSON: the budget, the split, the loss, the intervals,
    the hardware and the data."""
    best = item["optimum"]
    shown = [count(best["params"]), count(best["tokens"])]
    if item.get("data") is None:  # limited data shows epochs, D' and N' in its place
        shown.append(f"{best['tokens_per_param']:.3g}")
    shown += loss(best["loss"])
    if item.get("inference") is None:
        shown.append(sci(item["flops"]))
    bounds = item.get("intervals") or {}
    for name in ("params", "tokens"):
        if bounds.get(name) and item.get("inference") is None and item.get("run") is None:
            shown += [count(bounds[name]["low"]), count(bounds[name]["high"])]
    spent = item.get("hardware")
    if spent:
        shown.append(f"{spent['gpu_hours']:,.0f}")
        if spent["days"] is not None:
            shown.append(days(spent["days"]))
        if spent["cost"] is not None:
            shown.append(money(spent["cost"]))
    data = item.get("data")
    if data:
        shown += [f"{data['epochs']:.3g}", count(data["effective_tokens"]), count(data["effective_params"])]
        shown.append(f"+{data['loss_penalty']:.4f}")
    run = item.get("run")
    if run:
        shown += [count(run["params"]), count(run["tokens"]), f"{run['loss']:.4f}"]
    lifetime = item.get("inference")
    if lifetime:
        optimal = lifetime["compute_optimal"]
        shown += [count(optimal["params"]), count(optimal["tokens"])]
        shown += [sci(lifetime[name]) for name in ("training_flops", "inference_flops", "total_flops")]
    recipe = item.get("recipe")
    if recipe:
        for candidate in recipe["shapes"]:
            shape = candidate["shape"]
            shown += [str(shape["n_layer"]), f"{shape['d_model']:,}", count(shape["params"]["total"])]
    fine = item.get("finetune")
    if fine:
        shown += [count(fine["transfer"]["finetune_chars"]), f"{fine['transfer']['multiplier']:.4g}"]
    return shown


def plans(objects: list[dict[str, Any]]) -> list[str]:
    shown = []
    for obj in objects:
        if "plans" in obj:  # a comparison
            spread = obj["spread"]
            shown += [f"{spread['params']:.3g}x", f"{spread['tokens']:.3g}x"]
            for item in obj["plans"]:
                shown += [item["law"]["id"], count(item["optimum"]["params"]), *loss(item["optimum"]["loss"])]
        elif "points" in obj:  # a size curve
            for point in obj["points"]:
                shown += [count(point["params"]), count(point["tokens"]), *loss(point["loss"])]
                shown.append(f"{point['fraction']:g}x")
        else:
            shown += plan_values(obj)
    return shown


def laws(objects: list[dict[str, Any]]) -> list[str]:
    return [law["id"] for law in objects]


def law_shown(objects: list[dict[str, Any]]) -> list[str]:
    (law,) = objects
    return [law["id"], *(f"{value:g}" for value in law["params"].values() if isinstance(value, float))]


def gpus(objects: list[dict[str, Any]]) -> list[str]:
    shown = []
    for chip in objects:
        shown += [chip["id"], f"{chip['peak_bf16_flops_per_second'] / 1e12:g}", f"{chip['memory']:g}"]
        shown += chip["name"].split()
    return shown


def checks(objects: list[dict[str, Any]]) -> list[str]:
    (report,) = objects
    shown = [report["plan"]["law"]["id"]] if "plan" in report else []
    for check in report["checks"]:
        shown += [check_value(check["name"], check["value"]), check_value(check["name"], check["limit"])]
        shown.append("PASS" if check["passed"] else "FAIL")
    return shown


def fit(objects: list[dict[str, Any]]) -> list[str]:
    (report,) = objects
    return [name for param in report["params"] for name in (param["name"], f"{param['value']:g}")]


def backtest(objects: list[dict[str, Any]]) -> list[str]:
    shown = []
    for cut in objects:
        shown += [sci(cut["cut"]), str(cut["fitted"])]
        for held in cut["runs"]:
            shown += [
                str(held["row"]),
                count(held["params"]),
                f"{held['loss']:.4f}",
                f"{held['predicted']:.4f}",
            ]
    return shown


def design(objects: list[dict[str, Any]]) -> list[str]:
    return [text for run in objects for text in (count(run["params"]), count(run["tokens"]))]


def transfer(objects: list[dict[str, Any]]) -> list[str]:
    shown = []
    for item in objects:
        shown += [count(item["params"]), count(item["finetune_chars"]), f"{item['multiplier']:.4g}"]
        shown.append(f"{item['fraction_transferred']:.1%}")
    return shown


COMMANDS: dict[str, tuple[list[str], list[str], Values]] = {
    # name: (the command, what gives its JSON, which values its table shows)
    "plan": (["--flops", "1e21"], ["--json"], plans),
    "budgets": (["--flops", "1e21", "--flops", "1e22", "--flops", "3e23"], ["--json"], plans),
    "compare": (["--flops", "1e21", "--compare"], ["--json"], plans),
    "size range": (["--flops", "1e22", "--size-range", "0.25", "2"], ["--json"], plans),
    "from": (["--from", "budgets.txt"], ["--json"], plans),
    "laws": (["laws"], ["--json"], laws),
    "laws show": (["laws", "show", "besiroglu2024"], ["--json"], law_shown),
    "gpus": (["gpus"], ["--json"], gpus),
    "check": (["check", "run.toml"], ["--json"], checks),
    "fit": (["fit", "runs.csv", "--bootstrap", "50"], ["--json"], fit),
    "backtest": (["backtest", "runs.csv", "--cut", "3e20", "--bootstrap", "50"], ["--json"], backtest),
    "design": (["design", "--target-flops", "1e24", "--ladder-budget", "1e21"], ["--format", "json"], design),
    "recipe": (["--flops", "1e23", "--recipe", "--gpu", "h100", "--gpus", "256"], ["--json"], plans),
    "transfer": (["transfer", "--params", "1e8", "1e9", "1e10", "--finetune-chars", "1e6", "1e8"], ["--json"], transfer),
    "target loss": (["--target-loss", "2.1"], ["--json"], plans),
    "params alone": (["--params", "7e9"], ["--json"], plans),
    "run": (["--params", "7e9", "--tokens", "2e12"], ["--json"], plans),
    "hardware time": (
        ["--gpu", "h100", "--gpus", "512", "--days", "30", "--mfu", "0.4", "--price-per-gpu-hour", "2.5"],
        ["--json"],
        plans,
    ),
    "inference": (["--target-loss", "1.947", "--inference-tokens", "2e12", "--law", "hoffmann2022"], ["--json"], plans),
    "inference cost": (
        ["--flops", "1e23", "--inference-tokens", "1e13", "--gpu", "h100", "--price-per-gpu-hour", "2.5",
         "--objective", "cost", "--inference-mfu", "0.2"],
        ["--json"],
        plans,
    ),
    "limited data": (
        ["--flops", "1e20", "--flops", "1e21", "--flops", "1e22", "--unique-tokens", "25e9", "--law", "muennighoff2023"],
        ["--json"],
        plans,
    ),
    "data-limited fine-tune": (
        ["--flops", "1e18", "--finetune-tokens", "1e8", "--chars-per-token", "3.3", "--transfer",
         "hernandez2021-text", "--max-tokens", "1e8", "--max-params", "1e10"],
        ["--json"],
        plans,
    ),
    "caps on hardware": (
        ["--flops", "1e21", "--flops", "1e22", "--max-params", "1e9", "--gpu", "h100", "--gpus", "64"],
        ["--json"],
        plans,
    ),
}  # fmt: skip


def whole(value: str, text: str) -> bool:
    """Whether `value` stands in the text as a word of its own, not cut and not part of
    another (box characters, spaces, commas and brackets may surround it)."""
    return re.search(rf"(?<![\w.$+-]){re.escape(value)}(?![\w.%…])", text) is not None


def set_width(monkeypatch: pytest.MonkeyPatch, columns: str | None) -> None:
    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)


@pytest.fixture(scope="module")
def results() -> dict[str, list[dict[str, Any]]]:
    """Each command's JSON, once."""
    from tests.conftest import invoke

    found = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(EXAMPLES)
        patch.setenv("NO_COLOR", "1")
        for name, (args, as_json, _) in COMMANDS.items():
            done = invoke(*args, *as_json)
            assert done.exit_code in (0, 1), done.stderr
            found[name] = [json.loads(line) for line in done.stdout.splitlines()]
    return found


@pytest.mark.parametrize("columns", WIDTHS, ids=lambda c: f"COLUMNS={c}")
@pytest.mark.parametrize("name", COMMANDS)
def test_every_value_of_the_json_appears_whole(
    run: Run,
    monkeypatch: pytest.MonkeyPatch,
    results: dict[str, list[dict[str, Any]]],
    name: str,
    columns: str | None,
) -> None:
    args, _, values = COMMANDS[name]
    monkeypatch.chdir(EXAMPLES)
    drawn: list[grid.Table] = []
    draw = grid.Screen.draw

    def recording(screen: grid.Screen, table: grid.Table) -> list[str]:
        drawn.append(table)
        return draw(screen, table)

    monkeypatch.setattr(grid.Screen, "draw", recording)
    set_width(monkeypatch, columns)
    shown = run(*args)
    assert shown.exit_code in (0, 1), shown.stderr
    text = shown.stdout
    size = int(columns) if columns not in (None, "0") else grid.DEFAULT_WIDTH
    expected = values(results[name])
    assert expected
    missing = [value for value in expected if not whole(value, text)]
    assert not missing, f"at COLUMNS={columns}, cut or lost: {missing}\n{text}"
    assert drawn
    cells = {word for table in drawn for cells, _, _ in table.rows for cell in cells for word in cell.split()}
    lost = [word for word in cells if not whole(word, text) and word not in text.split()]
    assert not lost, f"at COLUMNS={columns}, cells cut: {lost}\n{text}"
    assert "…" not in text
    for line in text.splitlines():
        assert grid.text_width(line) <= size or len(line.split()) == 1, f"at COLUMNS={columns}:\n{line}"


def labelled_plan() -> grid.Table:
    table = grid.Table("plan")
    for name in ("FLOPs", "params", "tokens", "tokens/param", "loss", "days", "cost"):
        table.column(name)
    table.row("1e21", "2.78B", "59.9B", "21.5", "2.3048", "0.5", "$12,153")
    table.row(
        "95% interval", "2.38B to 3.25B", "51.3B to 70.0B", "15.8 to 29.4", "2.272 to 2.342", label=True
    )
    return table


def drawn_at(table: grid.Table, columns: int) -> list[str]:
    import io

    screen = grid.Screen(io.StringIO())
    screen.width = columns
    return screen.draw(table)


def test_a_stacked_row_with_a_label_names_itself_instead_of_filling_the_first_key() -> None:
    lines = drawn_at(labelled_plan(), 40)
    assert "FLOPs:        1e21" in lines
    assert "95% interval" in lines
    assert not any(line.startswith("FLOPs:") and "interval" in line for line in lines)
    assert lines[-1] == ""  # so a footer's "params: ..." does not read as one more key


def test_a_panel_leaves_out_a_labelled_row_with_nothing_in_its_columns() -> None:
    table = labelled_plan()
    table.row("1e22", "9.06B", "184B", "20.3", "2.1405", "5.1", "$121,530")
    table.row("95% interval", "7.10B to 11.5B", "145B to 235B", "12.6 to 33.1", "2.107 to 2.177", label=True)
    lines = drawn_at(table, 60)
    panels = "\n".join(lines).split("┏")[1:]
    assert len(panels) > 1
    last = panels[-1]
    assert "cost" in last
    assert "interval" not in last
    assert all("interval" in panel for panel in panels[:-1])


class Terminal:
    """A stderr that says it is a terminal and keeps what is written."""

    def __init__(self) -> None:
        self.text = ""

    def isatty(self) -> bool:
        return True

    def fileno(self) -> int:
        raise OSError("no descriptor")

    def write(self, text: str) -> int:
        self.text += text
        return len(text)


def test_notices_wrap_at_spaces_on_a_terminal_and_stay_one_line_in_a_pipe(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import io

    from planner.output import streams
    from planner.planning.results import Notice

    message = "extrapolation beyond the runs behind besiroglu2024: flops 6.07e+23 is 46.7x above the largest (1.3e+22)"
    notice = Notice(code="extrapolation", message=message)
    monkeypatch.setenv("COLUMNS", "40")
    screen = Terminal()
    monkeypatch.setattr("sys.stderr", screen)
    streams.notices([notice])
    lines = screen.text.splitlines()
    assert len(lines) > 1
    assert all(len(line) <= 40 for line in lines)
    assert all(line.startswith("  ") for line in lines[1:])
    assert " ".join(line.strip() for line in lines) == f"warning: {message}"
    pipe = io.StringIO()
    monkeypatch.setattr("sys.stderr", pipe)
    streams.notices([notice])
    assert pipe.getvalue() == f"warning: {message}\n"


def test_a_run_of_hours_shows_its_days_in_two_figures_not_as_zero(run: Run) -> None:
    lines = run("--flops", "1e21", "--gpu", "h100", "--gpus", "512", "--no-intervals").stdout.splitlines()
    (row,) = [line for line in lines if line.startswith("│  1e21")]
    spent = json.loads(run("--flops", "1e21", "--gpu", "h100", "--gpus", "512", "--json").stdout)["hardware"]
    assert spent["days"] < 0.1
    assert f" {spent['days']:.2g} " in row
    assert days(0.0) == "0.0"
    assert days(30.0) == "30.0"
    assert days(1234.56) == "1,234.6"
