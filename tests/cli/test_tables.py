"""The terminal tables: every value whole at any width, styles only on a terminal, ASCII
where the stream needs it, and no rich on the way.

The renderer (planner/output/grid.py) is tested directly on in-memory streams; the
commands are run at the widths people have (40, 60, 80, 120 columns) and compared, word for
word, with the same command drawn on a screen wide enough for nothing to wrap.
"""

from __future__ import annotations

import ast
import io
import subprocess
import sys
from pathlib import Path

import pytest

from planner.output.grid import Screen, Table, text_width, width, wrap
from tests.conftest import ROOT, Run

EXAMPLES = ROOT / "tests" / "examples"
BOX = set("┏━┳┓┃┡╇┩│├─┼┤└┴┘+-=|")

COMMANDS = [
    ["--flops", "1e21"],
    ["--flops", "1e21", "--flops", "1e22", "--flops", "3e23"],
    ["laws"],
    ["gpus"],
    ["check", str(EXAMPLES / "run.toml")],
    ["--flops", "1e21", "--compare"],
    ["--target-loss", "2.2"],
    ["--params", "7e9"],
    ["--params", "7e9", "--tokens", "2e12"],
    ["--flops", "1e22", "--size-range", "0.25", "2"],
    ["--target-loss", "1.947", "--inference-tokens", "2e12"],
    ["--flops", "1e21", "--flops", "1e22", "--gpu", "h100", "--gpus", "512", "--price-per-gpu-hour", "2"],
    ["--flops", "1e21", "--flops", "1e22", "--max-params", "1e9", "--gpu", "h100", "--gpus", "64"],
    ["--flops", "1e22", "--flops", "1e23", "--unique-tokens", "25e9", "--law", "muennighoff2023"],
    ["--flops", "1e21", "--law", "hoffmann2022-exact"],
    ["laws", "show", "besiroglu2024"],
    ["transfer", "--params", "1e9", "--finetune-chars", "1e8"],
]


class Terminal(io.StringIO):
    """An in-memory stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def draw(table: Table, columns: int, stream: io.StringIO | None = None) -> str:
    stream = stream if stream is not None else io.StringIO()
    screen = Screen(stream)
    screen.width = columns
    screen.table(table)
    return stream.getvalue()


def words(text: str, header: bool = True) -> set[str]:
    """The words of the output, box characters dropped; without `header`, header rows too."""
    found = set()
    for line in text.splitlines():
        if not header and line.startswith(("┃", "+")):
            continue
        for word in line.split():
            if not set(word) <= BOX:
                found.add(word.removesuffix(":"))
    return found


def chips() -> Table:
    table = Table("GPUs and other accelerators (per chip, dense peaks)")
    table.column("id", right=False)
    table.column("name", right=False, wrap=True)
    table.column("bf16 TFLOP/s")
    table.column("memory")
    table.row("a100-40gb", "NVIDIA A100 40GB (SXM4)", "312", "40 GB")
    table.row("tpu-v5p", "Google Cloud TPU v5p", "459", "95 GB")
    return table


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_every_value_is_whole_at_every_width(
    run: Run, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "10000")
    wide = run(*args)
    assert wide.exit_code in (0, 1), wide.stderr
    expected = words(wide.stdout, header=False)
    for columns in (40, 60, 80, 120):
        monkeypatch.setenv("COLUMNS", str(columns))
        narrow = run(*args).stdout
        assert "…" not in narrow
        missing = expected - words(narrow)
        assert not missing, f"at {columns} columns, cut or lost: {sorted(missing)}\n{narrow}"
        for line in narrow.splitlines():
            # Only a word longer than the screen (a URL) may run past it, on a line of its own.
            if text_width(line) > columns:
                assert len(line.split()) == 1, f"at {columns} columns:\n{line}"


def test_the_default_plan_looks_as_it_did(run: Run) -> None:
    assert run("--flops", "1e21").stdout.splitlines()[:7] == [
        "Compute-optimal plan under besiroglu2024",
        "┏━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━┓",
        "┃        FLOPs ┃         params ┃         tokens ┃ tokens/param ┃           loss ┃",
        "┡━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━┩",
        "│         1e21 │          2.78B │          59.9B │         21.5 │         2.3048 │",
        "│ 95% interval │ 2.38B to 3.25B │ 51.3B to 70.0B │ 15.8 to 29.4 │ 2.272 to 2.342 │",
        "└──────────────┴────────────────┴────────────────┴──────────────┴────────────────┘",
    ]
    assert run("--flops", "1e21", "--no-intervals").stdout.splitlines()[:6] == [
        "Compute-optimal plan under besiroglu2024",
        "┏━━━━━━━┳━━━━━━━━┳━━━━━━━━┳━━━━━━━━━━━━━━┳━━━━━━━━┓",
        "┃ FLOPs ┃ params ┃ tokens ┃ tokens/param ┃   loss ┃",
        "┡━━━━━━━╇━━━━━━━━╇━━━━━━━━╇━━━━━━━━━━━━━━╇━━━━━━━━┩",
        "│  1e21 │  2.78B │  59.9B │         21.5 │ 2.3048 │",
        "└───────┴────────┴────────┴──────────────┴────────┘",
    ]


def test_a_single_result_too_wide_is_stacked(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "40")
    lines = run("--flops", "1e21", "--gpu", "h100", "--gpus", "512", "--price-per-gpu-hour", "2").stdout
    assert "FLOPs:        1e21" in lines.splitlines()
    assert "params:       2.78B" in lines.splitlines()
    assert not any(text_width(line) > 40 for line in lines.splitlines())


def test_a_wide_table_of_many_rows_splits_into_panels_led_by_its_first_column() -> None:
    table = Table("wide")
    for name in ("FLOPs", "params", "tokens", "tokens/param", "loss", "GPU-hours", "days", "cost"):
        table.column(name)
    table.row("1e21", "2.78B", "59.9B", "21.5", "2.3048", "608", "0.0", "$1,215")
    table.row("1e22", "7.41B", "225B", "30.4", "2.1616", "6,076", "0.5", "$12,153")
    table.row("1e23", "19.8B", "842B", "42.6", "2.0574", "60,758", "4.9", "$121,516")
    out = draw(table, 50)
    boxes = [line for line in out.splitlines() if line.startswith("┃")]
    assert len(boxes) >= 2
    assert all(line.split()[1] == "FLOPs" for line in boxes)
    assert out.count("1e23") == len(boxes)
    assert not any(text_width(line) > 50 for line in out.splitlines())


def test_free_text_wraps_at_spaces_and_ids_never_break() -> None:
    out = draw(chips(), 48)
    assert "a100-40gb" in out
    assert "│ NVIDIA A100" in out or "│ NVIDIA" in out
    assert not any(text_width(line) > 48 for line in out.splitlines())
    assert words(chips().title) <= words(out)
    assert {"NVIDIA", "A100", "40GB", "(SXM4)", "Google", "Cloud", "TPU", "v5p", "40", "GB"} <= words(out)


def test_headers_wrap_after_a_slash_or_a_hyphen_before_the_table_splits() -> None:
    table = Table()
    for name in ("FLOPs", "tokens/param", "GPU-hours", "bf16 TFLOP/s"):
        table.column(name)
    table.row("1e21", "21.5", "608", "312")
    table.row("1e22", "30.4", "6,076", "312")
    assert draw(table, 37).splitlines()[:4] == [
        "┏━━━━━━━┳━━━━━━━━━┳━━━━━━━┳━━━━━━━━━┓",
        "┃       ┃ tokens/ ┃  GPU- ┃    bf16 ┃",
        "┃ FLOPs ┃   param ┃ hours ┃ TFLOP/s ┃",  # "s" alone is too short a piece to break off
        "┡━━━━━━━╇━━━━━━━━━╇━━━━━━━╇━━━━━━━━━┩",
    ]


def test_footer_lines_wrap_at_word_boundaries_with_an_indent() -> None:
    stream = io.StringIO()
    screen = Screen(stream)
    screen.width = 30
    text = "law: Chinchilla approach 3, Epoch AI replication refit; https://example.org/a/very/long/address"
    screen.line(text)
    lines = stream.getvalue().splitlines()
    assert lines[0] == "law: Chinchilla approach 3,"
    assert all(line.startswith("  ") for line in lines[1:])
    assert " ".join(line.strip() for line in lines) == text
    assert "  https://example.org/a/very/long/address" in lines


def test_wrap_keeps_a_line_that_fits_and_never_splits_a_word() -> None:
    assert wrap("domain: language   form: chinchilla", 40) == ["domain: language   form: chinchilla"]
    assert wrap("aaaa bbbbbbbbbbbb cc", 6) == ["aaaa", "bbbbbbbbbbbb", "cc"]
    assert wrap("one\ntwo three", 5) == ["one", "two", "three"]


def test_styles_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.delenv("TERM", raising=False)
    assert "\x1b[" in draw(chips(), 100, Terminal())
    assert "\x1b[" not in draw(chips(), 100, io.StringIO())
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\x1b[1m" in draw(chips(), 100, io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")  # beats FORCE_COLOR
    assert "\x1b[" not in draw(chips(), 100, Terminal())
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.delenv("FORCE_COLOR")
    monkeypatch.setenv("TERM", "dumb")
    assert "\x1b[" not in draw(chips(), 100, Terminal())


def test_styles_do_not_change_the_layout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR")
    styled = draw(chips(), 60, Terminal())
    plain = draw(chips(), 60, io.StringIO())
    assert styled.replace("\x1b[1m", "").replace("\x1b[3m", "").replace("\x1b[0m", "") == plain


def test_no_ansi_from_commands_with_no_color(run: Run) -> None:
    for args in COMMANDS[:6]:
        assert "\x1b" not in run(*args).stdout


def test_ascii_box_where_the_stream_cannot_encode_one() -> None:
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="ascii", errors="strict")
    table = chips()
    table.row("x", "αβ name", "1", "2 GB")
    screen = Screen(stream)
    screen.table(table)
    stream.flush()
    out = raw.getvalue().decode("ascii")
    assert out.splitlines()[1].startswith("+---")
    assert "| a100-40gb |" in out
    assert "\\u03b1\\u03b2 name" in out
    assert len({len(line) for line in out.splitlines()[1:]}) == 1


def test_wide_characters_take_two_columns_and_stay_aligned() -> None:
    table = Table()
    table.column("name", right=False)
    table.column("loss")
    table.row("日本語モデル", "2.3048")
    table.row("café", "2.1")
    table.row("plain", "2.0")
    lines = draw(table, 80).splitlines()
    assert text_width("日本語モデル") == 12
    assert text_width("cafe\u0301") == 4
    assert len({text_width(line) for line in lines}) == 1


def test_control_characters_in_cells_are_shown_not_sent() -> None:
    table = Table("spec \x1b[2J")
    table.column("name", right=False)
    table.row("ok\x1b]0;pwned\x07")
    out = draw(table, 80)
    assert "\x1b" not in out
    assert "\x07" not in out
    assert "\\x1b" in out


@pytest.mark.parametrize(
    ("columns", "expected"),
    [(None, 80), ("", 80), ("junk", 80), ("0", 80), ("-5", 80), ("5", 20), ("60", 60), ("250", 250)],
)
def test_width_comes_from_columns_else_80_off_a_terminal(
    monkeypatch: pytest.MonkeyPatch, columns: str | None, expected: int
) -> None:
    if columns is None:
        monkeypatch.delenv("COLUMNS")
    else:
        monkeypatch.setenv("COLUMNS", columns)
    assert width(io.StringIO()) == expected


def test_width_of_a_terminal_is_its_size(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    monkeypatch.delenv("COLUMNS")
    monkeypatch.setattr(os, "get_terminal_size", lambda fd: os.terminal_size((132, 40)))

    class Tty(Terminal):
        def fileno(self) -> int:
            return 1

    assert width(Tty()) == 132


def test_table_paths_import_no_rich() -> None:
    """Every table prints without rich: its import alone would cost more than the table."""
    for args in (["--flops", "1e21"], ["laws"], ["gpus"], ["check", str(EXAMPLES / "run.toml")]):
        code = (
            "import atexit, sys\n"
            "atexit.register(lambda: print('rich' in sys.modules, file=sys.stderr))\n"
            "from planner.cli.main import main\n"
            f"main({args!r})\n"
        )
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        assert done.stderr.splitlines()[-1] == "False", args


SLOW_AT_START = {"typing", "dataclasses", "inspect", "re", "pathlib", "shutil", "rich", "enum"}
TABLE_PATH = ["grid", "_base", "show", "plans", "inverse", "checks", "laws", "transfer", "fit"]


@pytest.mark.parametrize("name", TABLE_PATH)
def test_table_modules_import_nothing_slow_at_module_level(name: str) -> None:
    tree = ast.parse(Path(ROOT / "planner" / "output" / f"{name}.py").read_text())
    top = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            top |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            top.add(node.module.split(".")[0])
    assert not top & SLOW_AT_START
