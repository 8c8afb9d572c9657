"""`plan fit` at its edges: every bad input is one `error:` line and exit 2, never a crash.

Runs files that are not UTF-8, nest too deep or hold numbers that are not numbers; --out
names that cannot be files; options beyond what a fit can take; answers without physical
sense; and large fits, which get a note first. Most cases fail before any fitting, and a
subprocess checks that they do so before numpy and scipy load.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from planner.cli.main import main
from planner.fitting import limits
from tests.conftest import ROOT, Result, invoke, synthetic_runs, write_runs

RUNS = synthetic_runs(0)


def _with(row: int, column: str, raw: str) -> str:
    """The runs as JSON Lines with the raw JSON text `raw` as `column` of row `row` (from 1)."""
    lines = []
    for number, run in enumerate(RUNS, start=1):
        values = {key: json.dumps(value) for key, value in run.items()}
        if number == row:
            values[column] = raw
        lines.append("{" + ", ".join(f'"{key}": {value}' for key, value in values.items()) + "}\n")
    return "".join(lines)


def _csv_with(row: int, column: str, text: str) -> str:
    header = "params,tokens,loss\n"
    cells = [{key: repr(value) for key, value in run.items()} for run in RUNS]
    cells[row - 1][column] = text
    return header + "".join(f"{c['params']},{c['tokens']},{c['loss']}\n" for c in cells)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A folder with a good runs file, as the working directory of the module's runs."""
    path = tmp_path_factory.mktemp("edges")
    write_runs(path / "runs.csv", RUNS)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(path)
        patch.setenv("NO_COLOR", "1")
        yield path


def _refused(result: Result, message: str) -> None:
    """Exit 2, nothing on stdout, and one `error: ...; ...` line holding `message`."""
    assert result.exit_code == 2, result.stderr
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith("error: ")
    assert "; " in result.stderr  # what was wrong; what to do
    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


LATIN1 = (
    "params,tokens,loss,note\n"
    + "".join(f"{r['params']!r},{r['tokens']!r},{r['loss']!r},caf\xe9\n" for r in RUNS)
).encode("latin-1")

NO_LOSS = ("params,tokens\n" + "".join(f"{r['params']!r},{r['tokens']!r}\n" for r in RUNS)).encode()

BAD_FILES = [
    ("latin1.csv", LATIN1, "runs file latin1.csv is not UTF-8 text (byte 0xe9 on line 2); save it as UTF-8"),
    ("deep.jsonl", b"[" * 100_000 + b"]" * 100_000 + b"\n", "deep.jsonl: nested 100000 levels deep"),
    ("deeper.jsonl", b'{"a": ' * 100_000 + b"1" + b"}" * 100_000 + b"\n", "line 1: nested 100000 levels"),
    ("bool.jsonl", _with(3, "params", "true").encode(), "row 3 (line 3): true is a boolean, not a number"),
    ("text.jsonl", _with(2, "loss", '"lots"').encode(), "row 2 (line 2): 'lots' is not a number"),
    ("null.jsonl", _with(2, "loss", "null").encode(), "row 2 (line 2): null is not a number"),
    (
        "digits.jsonl",
        _with(3, "params", "9" * 5000).encode(),
        "line 3: holds an integer of over 4,300 digits",
    ),
    ("digits400.jsonl", _with(3, "params", "9" * 400).encode(), "an integer of 400 digits is beyond"),
    ("digits.csv", _csv_with(3, "params", "9" * 5000).encode(), "is beyond what floating point can hold"),
    ("huge.jsonl", _with(3, "tokens", "1e309").encode(), "the number is beyond what floating point can hold"),
    ("huge.csv", _csv_with(3, "tokens", "1e309").encode(), "'1e309' is beyond what floating point can hold"),
    (
        "minus0.jsonl",
        _with(3, "params", "-0").encode(),
        "row 3 (line 3): 0 is not a finite number above zero",
    ),
    ("minus0f.jsonl", _with(3, "params", "-0.0").encode(), "-0.0 is not a finite number above zero"),
    ("minus0.csv", _csv_with(3, "params", "-0").encode(), "'-0' is not a finite number above zero"),
    ("empty.csv", b"", "empty.csv is empty; give a header row"),
    ("blank.jsonl", b"\n \n", "blank.jsonl is empty"),
    ("header.csv", b"params,tokens,loss\n", "header.csv holds no runs"),
    ("units.csv", _csv_with(2, "params", "0.5").encode(), "0.5 params, but a run has at least one"),
    (
        "flops.csv",
        b"params,flops,loss\n1e9,1e9,2.5\n",
        "tokens = 'flops' / (6 x 'params'), row 1 (line 2): 0.167 tokens",
    ),
    ("array.json", b"[1, 2]", "array.json, item 1: not a JSON object; give one object per run"),
    (
        "nan21.csv",
        _csv_with(21, "loss", "nan").encode(),
        "column 'loss', row 21 (line 22): 'nan' is not a finite number above zero",
    ),
    (
        "negative.csv",
        _csv_with(4, "params", "-7e8").encode(),
        "row 4 (line 5): '-7e8' is not a finite number",
    ),
    ("noloss.csv", NO_LOSS, "noloss.csv has no loss column; the columns are: 'params', 'tokens'"),
]


@pytest.mark.parametrize(("name", "data", "message"), BAD_FILES, ids=[case[0] for case in BAD_FILES])
def test_a_bad_runs_file_is_one_line_and_exit_2(folder: Path, name: str, data: bytes, message: str) -> None:
    (folder / name).write_bytes(data)
    _refused(invoke("fit", name), message)


def test_a_latin1_file_on_stdin_is_refused_as_by_path(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(LATIN1), encoding="utf-8"))
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    with pytest.raises(SystemExit) as done:
        main(["fit", "-"])
    monkeypatch.undo()
    _refused(
        Result(int(done.value.code or 0), out.getvalue(), err.getvalue()),
        "runs file stdin is not UTF-8 text (byte 0xe9 on line 2); save it as UTF-8",
    )


BEFORE_NUMPY = """
import sys
from planner.cli.main import main
for args in {cases!r}:
    try:
        main(args)
    except SystemExit as done:
        assert done.code == 2, (args, done.code)
loaded = sorted(name for name in ("numpy", "scipy", "pydantic") if name in sys.modules)
print(",".join(loaded) or "none")
"""


def test_bad_input_is_refused_before_numpy_loads(folder: Path) -> None:
    (folder / "bool.jsonl").write_bytes(_with(3, "params", "true").encode())
    (folder / "huge.csv").write_bytes(_csv_with(3, "tokens", "1e309").encode())
    (folder / "nan21.csv").write_bytes(_csv_with(21, "loss", "nan").encode())
    (folder / "negative.csv").write_bytes(_csv_with(4, "params", "-7e8").encode())
    (folder / "noloss.csv").write_bytes(NO_LOSS)
    cases = [
        ["fit", "bool.jsonl"],
        ["fit", "huge.csv"],
        ["fit", "nan21.csv", "--bootstrap", "1000"],
        ["fit", "negative.csv"],
        ["fit", "noloss.csv"],
        ["fit", "-"],  # the Latin-1 runs on stdin
        ["fit", "runs.csv", "--bootstrap", "99999999999999999999"],
        ["fit", "runs.csv", "--seed", str(2**64)],
        ["fit", "runs.csv", "--drop-highest", "37"],
        ["fit", "runs.csv", "--out", ""],
    ]
    done = subprocess.run(
        [sys.executable, "-c", BEFORE_NUMPY.format(cases=cases)],
        input=LATIN1,
        capture_output=True,
        cwd=folder,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.decode().strip() == "none"
    errors = done.stderr.decode().splitlines()
    assert len(errors) == len(cases)
    assert all(line.startswith("error: ") for line in errors)
    assert "row 21 (line 22): 'nan' is not a finite number above zero" in errors[2]
    assert errors[5] == "error: runs file stdin is not UTF-8 text (byte 0xe9 on line 2); save it as UTF-8"


def test_a_byte_order_mark_is_accepted(folder: Path) -> None:
    (folder / "bom.csv").write_bytes(b"\xef\xbb\xbf" + (folder / "runs.csv").read_bytes())
    result = invoke("fit", "bom.csv", "--bootstrap", "0", "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["runs"]["params_column"] == "params"  # not "\ufeffparams"
    assert report["runs"]["count"] == 36
    assert "error" not in result.stderr


@pytest.mark.parametrize(
    ("out", "message"),
    [
        ("", "--out '' is not a file name; give one such as --out mylab2026.toml"),
        (" ", "--out ' ' is not a file name"),
        (".", "--out '.' is not a file name"),
        ("/", "--out '/' is not a file name"),
        ("a\x00b2026.toml", "--out holds a control character (such as a NUL byte or a newline)"),
        ("a\nb2026.toml", "--out holds a control character"),
        ("shelf2026.toml", "cannot write shelf2026.toml: it is a folder; give a file name"),
    ],
)
def test_an_out_that_cannot_be_a_file_is_refused(folder: Path, out: str, message: str) -> None:
    (folder / "shelf2026.toml").mkdir(exist_ok=True)
    _refused(invoke("fit", "runs.csv", "--out", out), message)
    assert "\x00" not in invoke("fit", "runs.csv", "--out", out).stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--bootstrap", "99999999999999999999"], "--bootstrap 99999999999999999999 is more than 100,000"),
        (["--bootstrap", "100001"], "--bootstrap 100001 is more than 100,000 resamples"),
        (["--bootstrap", "9" * 30], "--bootstrap is more than 100,000 resamples"),
        (["--holdout-largest", "99999999999999999999"], "is more than the 36 runs in runs.csv; give fewer"),
        (
            ["--drop-highest", "99999999999999999999"],
            "--drop-highest 99999999999999999999 is more than the 36",
        ),
        (["--drop-highest", "36"], "runs.csv has 36 runs, 0 after --drop-highest 36"),
        (["--holdout-largest", "36"], "--holdout-largest 36 leaves 0 of 36 runs to fit"),
        (["--seed", str(2**64)], "--seed must be at most 2^64 - 1 (18446744073709551615)"),
    ],
)
def test_options_beyond_what_a_fit_takes(folder: Path, args: list[str], message: str) -> None:
    _refused(invoke("fit", "runs.csv", *args), message)


def test_the_size_of_a_fit_is_bounded() -> None:
    from planner.errors import InputError

    options = {"bootstrap": 0, "seed": 0, "drop_highest": 0, "holdout_largest": 0, "source": "big.csv"}
    limits.check_size(limits.MAX_RUNS, **options)
    with pytest.raises(InputError, match=r"big\.csv has 100,001 runs; at most 100,000 are fitted"):
        limits.check_size(limits.MAX_RUNS + 1, **options)
    limits.check_size(limits.MAX_RUNS, **{**options, "bootstrap": 200})
    with pytest.raises(
        InputError, match=r"--bootstrap 201 of 100,000 runs would hold 20,100,000.*--bootstrap 200"
    ):
        limits.check_size(limits.MAX_RUNS, **{**options, "bootstrap": 201})


def test_too_many_runs_are_refused_before_the_fit(folder: Path) -> None:
    row = "1e9,2e10,2.5\n"
    (folder / "many.csv").write_text("params,tokens,loss\n" + row * (limits.MAX_RUNS + 1))
    _refused(invoke("fit", "many.csv"), "many.csv has 100,001 runs; at most 100,000 are fitted")


def test_a_long_fit_is_announced_before_it_starts(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert limits.slow_note(36, 200) is None
    assert limits.slow_note(100_000, 200) == (
        "fitting 100,000 runs and 200 bootstrap resamples takes roughly 83 seconds"
    )
    monkeypatch.setattr(limits, "SLOW_SECONDS", 0.0)
    result = invoke("fit", "runs.csv", "--bootstrap", "0", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[0] == "note: fitting 36 runs takes roughly 0 seconds"
    assert json.loads(result.stdout)["runs"]["count"] == 36


def test_constant_losses_are_refused(folder: Path) -> None:
    rows = [{**run, "loss": 2.5} for run in RUNS]
    write_runs(folder / "flat.csv", rows)
    _refused(
        invoke("fit", "flat.csv", "--budget", "1e40"),
        "every run in flat.csv has the same loss (2.5), so no law of size and data can be fitted",
    )


def test_a_plan_of_less_than_one_parameter_is_refused(folder: Path) -> None:
    _refused(
        invoke("fit", "runs.csv", "--bootstrap", "0", "--budget", "10"),
        "the plan at --budget 10 under this fit would have 0.229 params (optimum.params), "
        "but a model has at least one parameter; give a larger budget",
    )


def test_a_budget_below_one_parameter_on_one_token_is_refused_before_the_fit(folder: Path) -> None:
    _refused(
        invoke("fit", "runs.csv", "--budget", "0.5"),
        "--budget 0.5 is below 6 FLOPs, the cost of one parameter trained on one token (C = 6ND)",
    )


def test_an_interrupted_save_leaves_no_file(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import planner.laws.write

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(planner.laws.write, "_put_in_place", interrupted)
    with pytest.raises(SystemExit) as done:  # Ctrl-C: exit 130 with one line, as a shell reports it
        main(["fit", "runs.csv", "--bootstrap", "0", "--out", "cut2026.toml"])
    assert done.value.code == 130
    assert not [name for name in os.listdir(folder) if "cut2026" in name]


def test_sigint_during_a_fit_leaves_no_file(folder: Path) -> None:
    rows = synthetic_runs(1, sizes=40)  # 1,600 runs: a fit of several seconds, announced by a note
    write_runs(folder / "long.csv", rows)
    process = subprocess.Popen(
        [sys.executable, "-m", "planner", "fit", "long.csv", "--bootstrap", "2000", "--out", "long2026.toml"],
        cwd=folder,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert process.stderr is not None
    first = process.stderr.readline().decode()
    assert first.startswith("note: fitting 1,600 runs and 2,000 bootstrap resamples"), first
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=60)
    assert process.returncode != 0
    assert not [name for name in os.listdir(folder) if "long2026" in name]


def test_out_refuses_a_symlink_and_force_replaces_the_link_not_its_target(folder: Path) -> None:
    target = folder / "target.txt"
    target.write_text("keep me\n")
    (folder / "link2026.toml").symlink_to(target)
    (folder / "dangling2026.toml").symlink_to(folder / "nowhere.txt")
    _refused(invoke("fit", "runs.csv", "--out", "link2026.toml"), "link2026.toml exists; give --force")
    _refused(
        invoke("fit", "runs.csv", "--bootstrap", "0", "--out", "dangling2026.toml"),
        "dangling2026.toml exists; give --force",
    )
    assert not (folder / "nowhere.txt").exists()
    forced = invoke("fit", "runs.csv", "--bootstrap", "0", "--out", "link2026.toml", "--force")
    assert forced.exit_code == 0, forced.stderr
    assert not (folder / "link2026.toml").is_symlink()
    assert (folder / "link2026.toml").read_text().startswith("# A chinchilla law")
    assert target.read_text() == "keep me\n"


def test_a_column_named_across_two_lines_is_quoted_in_one_error_line(tmp_path: Path) -> None:
    runs = tmp_path / "runs.csv"
    runs.write_text('params,"0\n0",loss\n1e8,1e9,3.0\n2e8,1e9,2.9\n')
    result = invoke("fit", str(runs), "--bootstrap", "0", "--json")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "the columns are: params, 0\\n0, loss" in result.stderr


def test_an_error_keeps_its_indented_details_on_their_own_lines(capsys: pytest.CaptureFixture[str]) -> None:
    from planner.output.streams import error

    error("runs.csv has 2 bad rows:\n  row 3: loss is nan\n  row 4: params is -1")
    assert (
        capsys.readouterr().err
        == "error: runs.csv has 2 bad rows:\n  row 3: loss is nan\n  row 4: params is -1\n"
    )
