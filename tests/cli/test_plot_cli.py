"""`plan plot KIND`: pictures in the terminal and in files, their data, and bad input."""

from __future__ import annotations

import csv
import io
import json
import struct
import sys
from pathlib import Path

import pytest

from planner.output.grid import text_width
from tests.conftest import ROOT, Result, Run

RUNS = str(ROOT / "tests" / "examples" / "runs.csv")


def _refused(result: Result, message: str) -> None:
    assert result.exit_code == 2, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: ")
    assert message in lines[0]


def test_isoflop_json_is_the_plotted_series(run: Run) -> None:
    result = run("plot", "isoflop", "--flops", "1e20", "1e22", "--format", "json", "--no-intervals")
    assert result.exit_code == 0, result.stderr
    figure = json.loads(result.stdout)
    assert figure["kind"] == "isoflop"
    assert figure["format"]
    assert figure["planner_version"]
    (panel,) = figure["panels"]
    assert [s["name"] for s in panel["series"]] == ["1e20 FLOPs", "1e22 FLOPs", "optimum"]
    assert panel["x_label"] == "model size N (parameters)"
    assert panel["y_label"] == "loss (nats/token)"
    assert figure["laws"][0]["id"] == "besiroglu2024"
    assert "arXiv:2404.10102" in figure["caption"]


def test_isoflop_csv_has_one_row_per_point(run: Run) -> None:
    result = run("plot", "isoflop", "--flops", "1e21", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["panel", "series", "x_quantity", "y_quantity", "x", "y", "low", "high"]
    curve = [row for row in rows if row["series"] == "1e21 FLOPs"]
    assert len(curve) == 21
    assert all(float(row["low"]) < float(row["y"]) < float(row["high"]) for row in curve)
    (optimum,) = [row for row in rows if row["series"] == "optimum"]
    assert optimum["low"] == optimum["high"] == ""


def test_compare_draws_every_law_that_can_answer(run: Run) -> None:
    result = run("plot", "isoflop", "--flops", "1e21", "--compare", "--format", "json", "--no-intervals")
    assert result.exit_code == 0, result.stderr
    figure = json.loads(result.stdout)
    ids = [law["id"] for law in figure["laws"]]
    assert "besiroglu2024" in ids
    assert "hoffmann2022" in ids
    assert "kaplan2020" not in ids  # a frontier law has no isoFLOP curve
    assert "kaplan2020 is left out" in result.stderr


def test_frontier_has_bands_and_the_fitted_range(run: Run) -> None:
    result = run("plot", "frontier", "--law", "besiroglu2024", "--law", "kaplan2020", "--format", "json")
    assert result.exit_code == 0, result.stderr
    figure = json.loads(result.stdout)
    loss, sizes = figure["panels"]
    assert figure["level"] == 0.95
    besiroglu, kaplan = loss["series"]
    assert besiroglu["low"] is not None
    assert kaplan["low"] is None
    assert loss["spans"] == [{"low": 1.4e18, "high": 1.3e22, "label": "besiroglu2024 fitted range"}]
    assert [s["name"] for s in sizes["series"]] == [
        "besiroglu2024 N",
        "besiroglu2024 D",
        "kaplan2020 N",
        "kaplan2020 D",
    ]
    assert besiroglu["x"][0] == 1e18
    assert besiroglu["x"][-1] == 1e25


def test_fit_marks_the_held_out_runs(run: Run) -> None:
    result = run("plot", "fit", RUNS, "--holdout-largest", "3", "--format", "json")
    assert result.exit_code == 0, result.stderr
    figure = json.loads(result.stdout)
    assert [p["y"] for p in figure["panels"]] == ["loss", "predicted_loss", "residual", "residual"]
    for panel in figure["panels"]:
        held = [s for s in panel["series"] if s["name"].startswith("held out")]
        assert len(held) == 1
        assert len(held[0]["x"]) == 3
    runs = [s for s in figure["panels"][0]["series"] if s["style"] == "points"]
    assert sum(len(s["x"]) for s in runs) == 36
    assert len(runs) <= 8


def test_size_curve_csv(run: Run) -> None:
    result = run("plot", "size-curve", "--flops", "1e21", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {row["y_quantity"] for row in rows} == {"compute_overhead"}
    assert [float(row["y"]) for row in rows if row["x"] == "1.0"] == [0.0]


@pytest.mark.parametrize("columns", [80, 60])
def test_terminal_picture_fits_the_screen(run: Run, monkeypatch: pytest.MonkeyPatch, columns: int) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    result = run("plot", "frontier", "--format", "text")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert max(text_width(line) for line in lines) <= columns
    assert "training compute C (FLOPs), log scale" in result.stdout
    assert "fitted range of compute (besiroglu2024): 1.4e18 to 1.3e22" in result.stdout
    assert any(0x2800 <= ord(char) <= 0x28FF for char in result.stdout)  # braille dots
    assert "\x1b" not in result.stdout  # NO_COLOR


def test_without_a_terminal_it_says_what_to_do(run: Run) -> None:
    _refused(run("plot", "isoflop", "--flops", "1e21"), "stdout is not a terminal")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["plot"], "give a kind of picture"),
        (["plot", "bogus"], "plan plot has no subcommand 'bogus'"),
        (["plot", "isoflop", "--format", "csv"], "give at least one budget"),
        (
            ["plot", "isoflop", "--flops", "1e21", "--law", "kaplan2020", "--format", "csv"],
            "no isoFLOP curve",
        ),
        (
            ["plot", "isoflop", "--flops", "1e21", "--compare", "--law", "hoffmann2022", "--format", "csv"],
            "--compare",
        ),
        (["plot", "isoflop", "--flops", "-1", "--format", "csv"], "--flops must be a finite number"),
        (
            ["plot", "size-curve", "--flops", "1e21", "--law", "kaplan2020", "--format", "csv"],
            "frontier only",
        ),
        (["plot", "frontier", "--flops-range", "1e25", "1e18", "--format", "csv"], "low < high"),
        (["plot", "frontier", "--law", "hernandez2021-text", "--format", "csv"], "transfer law"),
        (["plot", "frontier", "--law", "hoffmann2022-approach1", "--format", "csv"], "no frontier to draw"),
        (
            ["plot", "isoflop", "--flops", "1e21", "--law", "porian2024", "--format", "csv"],
            "no isoFLOP curve",
        ),
        (["plot", "frontier", "--out", "x.jpg"], "give a file name ending .png, .svg or .pdf"),
        (["plot", "frontier", "--out", "picture"], "has no extension"),
        (["plot", "frontier", "--out", "/nonexistent/x.png"], "there is no folder /nonexistent"),
        (["plot", "frontier", "--out", "x.png", "--format", "csv"], "give one"),
        (["plot", "fit", "missing.csv", "--format", "csv"], "missing.csv"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(run: Run, args: list[str], message: str) -> None:
    _refused(run(*args), message)


def test_a_folder_is_not_an_out_file(run: Run, tmp_path: Path) -> None:
    _refused(run("plot", "frontier", "--out", str(tmp_path)), "no extension")
    folder = tmp_path / "pictures.png"
    folder.mkdir()
    _refused(run("plot", "frontier", "--out", str(folder)), "it is a folder")


def test_missing_extra_says_how_to_install(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now fails
    out = tmp_path / "x.png"
    _refused(run("plot", "frontier", "--out", str(out)), "pip install 'scaling-law-planner[plot]'")
    assert list(tmp_path.iterdir()) == []


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_png_has_the_documented_size(run: Run, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    from planner.output.figures import DPI, SIZES

    out = tmp_path / "isoflop.png"
    result = run("plot", "isoflop", "--flops", "1e21", "--no-intervals", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    width, height = SIZES[1]
    assert _png_size(out) == (round(width * DPI), round(height * DPI))
    assert [path.name for path in tmp_path.iterdir()] == [out.name]  # no temporary file left


def test_fit_png_has_four_panels_size(run: Run, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    from planner.output.figures import DPI, SIZES

    out = tmp_path / "fit.png"
    assert run("plot", "fit", RUNS, "--holdout-largest", "2", "--out", str(out)).exit_code == 0
    assert _png_size(out) == (round(SIZES[4][0] * DPI), round(SIZES[4][1] * DPI))


def test_svg_names_axes_and_series_and_is_the_same_each_time(run: Run, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    first, second = tmp_path / "a.svg", tmp_path / "b.svg"
    for out in (first, second):
        result = run(
            "plot", "isoflop", "--flops", "1e19", "1e21", "--compare", "--no-intervals", "--out", str(out)
        )
        assert result.exit_code == 0, result.stderr
    text = first.read_text()
    assert text.startswith("<?xml")
    assert "</svg>" in text
    for words in (
        "model size N (parameters)",
        "loss (nats/token)",
        "hoffmann2022, 1e21 FLOPs",
        "besiroglu2024 optimum",
    ):
        assert words in text
    assert "arXiv:2203.15556" in text  # the caption cites the sources
    assert first.read_bytes() == second.read_bytes()


def test_pdf(run: Run, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    out = tmp_path / "size.pdf"
    assert run("plot", "size-curve", "--flops", "1e21", "--out", str(out)).exit_code == 0
    assert out.read_bytes().startswith(b"%PDF")


def test_a_failed_save_leaves_nothing_behind(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Figure, "savefig", full)
    out = tmp_path / "x.png"
    out.write_bytes(b"old")
    _refused(run("plot", "size-curve", "--flops", "1e21", "--out", str(out)), "No space left on device")
    assert [path.name for path in tmp_path.iterdir()] == ["x.png"]
    assert out.read_bytes() == b"old"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["plot", "bogus"], "error: plan plot has no subcommand 'bogus'; give one of isoflop, frontier, fit"),
        (["laws", "bogus"], "error: plan laws has no subcommand 'bogus'; give one of show"),
    ],
)
def test_an_unknown_subcommand_names_the_group_and_its_kinds(run: Run, args: list[str], message: str) -> None:
    done = run(*args)
    assert done.exit_code == 2
    assert done.stdout == ""
    assert done.stderr.startswith(message)
    assert len(done.stderr.strip().splitlines()) == 1
