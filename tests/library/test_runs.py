"""Reading a lab's runs: formats, column names, and errors that name the column and row."""

from __future__ import annotations

import io
import json
import math
import re
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.errors import InputError
from planner.fitting.runs import read_runs


def _write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_csv_with_the_shared_data_column_names(tmp_path: Path) -> None:
    text = "x,Model Size,Training FLOP,loss\n1,1e9,6e19,2.5\n2,2e9,2.4e20,2.3\n"
    runs = read_runs(_write(tmp_path, "runs.csv", text))
    assert (runs.columns.params, runs.columns.flops, runs.columns.loss) == (
        "Model Size",
        "Training FLOP",
        "loss",
    )
    assert runs.columns.tokens is None
    assert runs.tokens == (1e10, 2e10)  # D = C / (6N)
    assert runs.flops == (6e19, 2.4e20)
    assert runs.file_format == "csv"
    assert len(runs) == 2


def test_json_lines_with_named_columns(tmp_path: Path) -> None:
    lines = [{"n": 1e9, "d": 2e10, "loss": 2.5}, {"n": "2e9", "d": 4e10, "loss": 2.3}]
    text = "\n".join(json.dumps(line) for line in lines) + "\n\n"
    runs = read_runs(_write(tmp_path, "runs.jsonl", text), params_col="n", tokens_col="d", loss_col="loss")
    assert runs.params == (1e9, 2e9)
    assert runs.flops == (6 * 1e9 * 2e10, 6 * 2e9 * 4e10)
    assert runs.file_format == "jsonl"


def test_a_json_array_and_sniffing_without_an_extension(tmp_path: Path) -> None:
    array = json.dumps([{"params": 1e9, "tokens": 2e10, "loss": 2.5}] * 3)
    assert len(read_runs(_write(tmp_path, "runs", array))) == 3
    lines = '{"params": 1e9, "tokens": 2e10, "loss": 2.5}\n'
    assert read_runs(_write(tmp_path, "runs.txt", lines)).file_format == "jsonl"


def test_tab_separated_with_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "runs.tsv"
    path.write_bytes("\ufeffN\tD\tL\n1e9\t2e10\t2.5\n".encode())
    runs = read_runs(str(path))
    assert runs.columns.params == "N"
    assert runs.loss == (2.5,)


def test_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("params,tokens,loss\n1e9,2e10,2.5\n"))
    runs = read_runs("-")
    assert runs.source == "stdin"
    assert runs.tokens == (2e10,)


def test_the_digest_identifies_the_exact_file(tmp_path: Path) -> None:
    first = read_runs(_write(tmp_path, "a.csv", "params,tokens,loss\n1e9,2e10,2.5\n"))
    second = read_runs(_write(tmp_path, "b.csv", "params,tokens,loss\n1e9,2e10,2.50\n"))
    assert first.sha256 != second.sha256
    assert re.fullmatch(r"[0-9a-f]{64}", first.sha256)


@pytest.mark.parametrize(
    ("text", "options", "message"),
    [
        (
            "a,b,c\n1,2,3\n",
            {},
            "runs.csv has no params column; the columns are: 'a', 'b', 'c'; give --params-col NAME",
        ),
        (
            "params,tokens,loss\n1,2,3\n",
            {"loss_col": "L"},
            "has no column 'L'; the columns are: 'params', 'tokens', 'loss'",
        ),
        ("params,loss\n1,2\n", {}, "has no tokens or FLOPs column (the columns are: params, loss)"),
        (
            "params,tokens,loss\n1e9,2e10,-2.5\n",
            {},
            "column 'loss', row 1 (line 2): '-2.5' is not a finite number above zero",
        ),
        (
            "params,tokens,loss\n1e9,2e10,2\n1e9,nan,2\n",
            {},
            "column 'tokens', row 2 (line 3): 'nan' is not a finite",
        ),
        ("params,tokens,loss\n1e9,2e10,inf\n", {}, "column 'loss', row 1 (line 2): 'inf' is not a finite"),
        (
            "params,tokens,loss\n0,2e10,2\n",
            {},
            "column 'params', row 1 (line 2): '0' is not a finite number above zero",
        ),
        ("params,tokens,loss\n1e9,lots,2\n", {}, "column 'tokens', row 1 (line 2): 'lots' is not a number"),
        ("params,tokens,loss\n1e9,,2\n", {}, "column 'tokens', row 1 (line 2): empty"),
        ("params,tokens,loss\n1e9,2e10\n", {}, "line 2: 2 fields, but the header has 3"),
        ("", {}, "runs.csv is empty"),
        ("params,tokens,loss\n", {}, "runs.csv holds no runs"),
        ("params,tokens,loss\n1,2,3\n", {"tokens_col": "tokens", "flops_col": "flops"}, "not both"),
    ],
)
def test_bad_runs_are_named_with_column_and_row(
    tmp_path: Path, text: str, options: dict[str, str], message: str
) -> None:
    with pytest.raises(InputError, match=re.escape(message)):
        read_runs(_write(tmp_path, "runs.csv", text), **options)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"params": 1e9, "tokens": 2e10, "loss": 2.5}\n[1, 2]\n', "line 2: not a JSON object"),
        ('{"params": 1e9, "tokens": 2e10, "loss": 2.5}\n{"params": 1e9\n', "line 2: not valid JSON"),
        (
            '{"params": 1e9, "tokens": 2e10, "loss": true}\n',
            "column 'loss', row 1 (line 1): true is a boolean, not a number; fix or remove the run",
        ),
        (
            '{"params": 1e9, "tokens": 2e10, "loss": 2}\n{"params": 1e9, "tokens": 2e10}\n',
            "column 'loss', row 2 (line 2): no value",
        ),
        (
            '{"params": 1e9, "tokens": 2e10, "loss": -1}\n',
            "column 'loss', row 1 (line 1): -1 is not a finite number",
        ),
    ],
)
def test_bad_json_lines(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError, match=re.escape(message)):
        read_runs(_write(tmp_path, "runs.jsonl", text))


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(
        InputError, match=r"cannot read runs file '.*missing\.csv': no such file; give a path, or - for stdin"
    ):
        read_runs(str(tmp_path / "missing.csv"))
    with pytest.raises(InputError, match="it is a folder; give a file"):
        read_runs(str(tmp_path))
    binary = tmp_path / "runs.csv"
    binary.write_bytes(b"\xff\xfe\x00params")
    with pytest.raises(
        InputError, match=r"runs\.csv is not UTF-8 text \(byte 0xff on line 1\); save it as UTF-8"
    ):
        read_runs(str(binary))


positive = st.floats(min_value=1e-3, max_value=1e25, allow_nan=False, allow_infinity=False)
count = st.floats(min_value=1, max_value=1e25, allow_nan=False, allow_infinity=False)
"""Parameters and tokens: a run has at least one of each."""
run = st.tuples(count, count, positive)


@given(st.lists(run, min_size=1, max_size=20), st.sampled_from(["csv", "jsonl"]))
def test_values_survive_both_formats_exactly(
    rows: list[tuple[float, float, float]], file_format: str
) -> None:
    if file_format == "csv":
        text = "params,tokens,loss\n" + "".join(f"{n!r},{d!r},{loss!r}\n" for n, d, loss in rows)
    else:
        text = "".join(json.dumps({"params": n, "tokens": d, "loss": loss}) + "\n" for n, d, loss in rows)
    with tempfile.TemporaryDirectory() as folder:
        runs = read_runs(_write(Path(folder), f"runs.{file_format}", text))
    assert runs.params == tuple(n for n, _, _ in rows)
    assert runs.tokens == tuple(d for _, d, _ in rows)
    assert runs.loss == tuple(loss for _, _, loss in rows)
    assert all(
        math.isclose(c, 6 * n * d) for c, n, d in zip(runs.flops, runs.params, runs.tokens, strict=True)
    )


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ('"2e9"', None),  # a number written as text is read as that number
        ('" 2_000_000_000 "', None),
        ("-0.0", "-0.0 is not a finite number above zero"),
        ('"1e309"', "'1e309' is beyond what floating point can hold"),
        ("1" + "0" * 400, "an integer of 401 digits is beyond what floating point can hold"),
        ('"nan"', "'nan' is not a finite number above zero"),
        ("[1]", "[1] is not a number"),
        ("0.5", "0.5 params, but a run has at least one; give the count itself"),
    ],
)
def test_numbers_in_json_lines(tmp_path: Path, raw: str, message: str | None) -> None:
    text = (
        '{"params": 1e9, "tokens": 2e10, "loss": 2.5}\n{"params": ' + raw + ', "tokens": 2e10, "loss": 2.5}\n'
    )
    path = _write(tmp_path, "runs.jsonl", text)
    if message is None:
        assert read_runs(path).params == (1e9, 2e9)
    else:
        with pytest.raises(InputError, match=re.escape(message)):
            read_runs(path)


def test_stdin_is_read_as_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    data = "\ufeffparams,tokens,loss\n1e9,2e10,2.5\n".encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    runs = read_runs("-")
    assert runs.columns.params == "params"  # the byte-order mark is not part of the name
    import hashlib

    assert runs.sha256 == hashlib.sha256(data).hexdigest()  # the digest of the bytes as given
    monkeypatch.setattr(
        sys, "stdin", io.TextIOWrapper(io.BytesIO(b"params,tokens,loss\n1e9,2e10,2.5 \xe9\n"))
    )
    with pytest.raises(InputError, match=r"runs file stdin is not UTF-8 text \(byte 0xe9 on line 2\)"):
        read_runs("-")
