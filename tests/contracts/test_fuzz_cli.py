"""A bounded fuzz of the command-line contract: lines generated from the declarations.

Every command, option and argument comes from `planner.cli.main.all_commands()`, so a new
option is fuzzed the day it is declared; values are drawn by the option's kind (the edges
of floating point for numbers, valid and invalid choices, law ids, bad law files and
example files for text). Whatever the line, `plan` must keep the contract users and CI
rely on:

- the exit code is 0, 1 or 2 (70 is a bug, anything else too), and no "Traceback";
- exit 2 prints one `error: ...` line on stderr (detail lines indented by two spaces may
  follow it) and nothing on stdout;
- exit 0 or 1 prints its result on stdout, and no nan or inf as a number; with `--json` every stdout line is JSON,
  and every `params` or `tokens` number in it (at any depth) is at least 1.

`PLANNER_FUZZ_EXAMPLES=5000` runs a deeper fuzz than the default. `PLANNER_FUZZ_REPORT=FILE`
appends every line that breaks the contract to FILE as JSON and keeps going, so one deep
run lists every class of failure instead of the one hypothesis shrinks to.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import re
import shutil
import sys
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.cli.declare import Argument, Command, Option
from planner.cli.main import all_commands, main
from planner.forms import form_names
from planner.hardware import chips
from planner.laws.catalog import DOMAINS, law_ids
from planner.output.schema import SCHEMAS
from tests.conftest import ROOT, synthetic_runs

DEEP = int(os.environ.get("PLANNER_FUZZ_EXAMPLES", "0"))
EXAMPLES = DEEP or 1000
"""Command lines per run: the default keeps this file under half a minute on two cores."""
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)
REPORT = os.environ.get("PLANNER_FUZZ_REPORT")

COMMANDS: dict[str, Command] = all_commands()

# -- the files a line may name: copies in a scratch folder, so `--out ... --force` cannot
# overwrite anything in the repository; relative names, so no line reaches outside it.

RUNS_ROWS = synthetic_runs(0, sizes=3)
RUNS_CSV = "params,tokens,loss\n" + "".join(
    f"{r['params']!r},{r['tokens']!r},{r['loss']!r}\n" for r in RUNS_ROWS
)
RUNS_JSONL = "".join(json.dumps(row) + "\n" for row in RUNS_ROWS)
BUDGETS_JSONL = '{"flops": 1e21}\n{"flops": 1e22, "law": "hoffmann2022", "max_params": 3e9}\n'

WORKSPACE_FILES: dict[str, bytes] = {
    **{f"examples/{p.name}": p.read_bytes() for p in sorted((ROOT / "tests" / "examples").iterdir())},
    **{f"bad_laws/{p.name}": p.read_bytes() for p in sorted((ROOT / "tests" / "bad_laws").glob("*.toml"))},
    **{f"laws/{p.name}": p.read_bytes() for p in sorted((ROOT / "tests" / "laws").glob("*.toml"))},
    "besiroglu2024.toml": (ROOT / "laws" / "language" / "besiroglu2024.toml").read_bytes(),
    "runs.csv": RUNS_CSV.encode(),
    "runs.jsonl": RUNS_JSONL.encode(),
    "runs.tsv": RUNS_CSV.replace(",", "\t").encode(),
    "few.csv": b"params,tokens,loss\n" + RUNS_CSV.encode().splitlines(keepends=True)[1],
    "latin1.csv": "params,tokens,loss,caf\xe9\n".encode("latin-1") + RUNS_CSV.encode().split(b"\n", 1)[1],
    "budgets.jsonl": BUDGETS_JSONL.encode(),
    "empty.txt": b"",
}
PATHS = [*sorted(WORKSPACE_FILES), "missing.toml", "missing/runs.csv", "examples", ".", "-"]

# -- values, by kind

EDGE_NUMBERS = (
    "0", "-0", "0.0", "5e-324", "-5e-324", "2.2e-308", "1e-300", "1e-30", "1e-9", "1e308",
    "1.7976931348623157e308", "1.8e308", "-1e308", "nan", "-nan", "NaN", "inf", "-inf",
    "Infinity", "+inf", "9" * 400, "1" + "0" * 30, "-1", "-1e21", "-0.5", "1", "0.5", "1_000",
    "1e", "0x10", " 1e21", "1e21 ", "1e21e3", "\u0661", "1e-5", "1e5", "1e15", "1e30", "1e40",
    "7m", "7G", "7b", "2t", "3P", "7e9B", "B", "-7B", "0B", "1.5.5B", "\u0667B", "9" * 400 + "T", "7 B",
)  # fmt: skip
"""Sizes with a suffix among them: refused ones (m, G, b, t, P) and ones at the edges."""
NORMAL_NUMBERS = (
    "1e21",
    "5.76e23",
    "3e23",
    "1e18",
    "1e25",
    "7e9",
    "1e8",
    "2e12",
    "1e11",
    "0.4",
    "2.0",
    "512",
    "30",
    "7B",
    "70M",
    "2T",
    "1.5T",
    "32k",
    "1.5e21",
)
WHOLE_NUMBERS = ("0", "1", "2", "3", "-1", "1.5", "1e3", "", "x", "9" * 30, "9" * 400, "-0", "0_1")
"""Small counts, or ones refused: a count like --bootstrap 100000 would take minutes."""
GARBAGE = (
    "", " ", "lots", "=", "=1e21", "--json", "-", "-x", "--", "a=b", "1e21=", "caf\udce9",
    "\u00e9", "\u2028", "'", '"', "{}", "[1]", "../x", "none", "None", "true", "null", "-1e21",
)  # fmt: skip
VOCABULARY = (
    *law_ids(),
    *(chip.id for chip in chips()),
    *DOMAINS,
    *form_names(),
    *SCHEMAS,
    "params",
    "tokens",
    "loss",
    "flops",
    "Model Size",
    "mylab2026.toml",
    "out/fit2026.toml",
)
"""Valid words some text option takes: law ids, GPU ids, domains, forms, schemas, columns."""

garbage = st.one_of(st.sampled_from(GARBAGE), st.text(st.characters(exclude_characters="/\x00"), max_size=12))
numbers = st.one_of(
    st.sampled_from(EDGE_NUMBERS),
    st.sampled_from(NORMAL_NUMBERS),
    st.floats().map(repr),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    garbage,
)
texts = st.one_of(st.sampled_from(VOCABULARY), st.sampled_from(PATHS), garbage)


def value_of(option: Option) -> st.SearchStrategy[list[str]]:
    """The words after an option: drawn by its kind, half of them plausible."""
    if option.kind in ("count", "number", "amount"):
        return st.one_of(st.just(option.example), st.sampled_from(EDGE_NUMBERS), numbers).map(lambda v: [v])
    if option.kind == "whole":
        return st.one_of(st.just(option.example), st.sampled_from(WHOLE_NUMBERS), garbage).map(lambda v: [v])
    if option.kind == "pair":
        both = st.lists(st.one_of(st.sampled_from(option.example.split()), numbers), min_size=1, max_size=2)
        return st.one_of(st.just(option.example.split()), both, numbers.map(lambda v: [f"{v}:{v}"]))
    if option.kind == "choice":
        return st.one_of(
            st.sampled_from(option.choices), st.sampled_from(option.choices).map(str.upper), garbage
        ).map(lambda v: [v])
    return texts.map(lambda v: [v])


@st.composite
def option_words(draw: st.DrawFn, option: Option) -> list[str]:
    """One option as it would be typed: `--flag`, `--name VALUE` or `--name=VALUE`."""
    if option.kind == "flag":
        return [option.flag] if draw(st.integers(0, 19)) else [f"{option.flag}={draw(garbage)}"]
    words = draw(value_of(option))
    if option.spread and draw(st.booleans()):
        words += draw(st.lists(numbers, max_size=3))
    if len(words) == 1 and draw(st.integers(0, 3)) == 0:
        return [f"{option.flag}={words[0]}"]
    return [option.flag, *words]


STDIN = (
    b"",
    b"1e21\n1e22\n",
    BUDGETS_JSONL.encode(),
    RUNS_CSV.encode(),
    RUNS_JSONL.encode(),
    WORKSPACE_FILES["latin1.csv"],
    WORKSPACE_FILES["examples/run.toml"],
    WORKSPACE_FILES["examples/run.json"],
    b"\xef\xbb\xbf1e21\n",
    b"\xe9\n",
    b"[" * 1000 + b"]" * 1000,
    b'{"flops": ' * 1000,
    b"5e-324\n",
    b"1e308\n-1\nnan\n",
)
stdins = st.one_of(st.sampled_from(STDIN), st.binary(max_size=40), st.text(max_size=40).map(str.encode))


@dataclass
class Line:
    """One generated command line and what it runs with."""

    argv: list[str]
    stdin: bytes = b""
    columns: str = "100"
    stdout_closed: bool = False
    env: dict[str, str] = field(default_factory=dict)

    json: bool = False
    """Whether the line asks for JSON Lines: a `--json` flag, or `--format json` every time."""
    stdin_errors: str = "strict"
    """How stdin decodes bytes that are not UTF-8: strict under a UTF-8 locale, surrogateescape under C."""
    note: str = ""
    refuse: str = ""
    """Why the line must be refused (exit 2), when its input is known to be wrong."""
    """How the file it reads was made (tests/contracts/test_fuzz_files.py), for the report."""


@st.composite
def command_lines(draw: st.DrawFn) -> Line:
    """A command, a random subset of its declared options with values, its arguments, stdin."""
    name = draw(st.sampled_from(list(COMMANDS)))
    command = COMMANDS[name]
    chosen: list[Option] = []
    if command.options:
        if draw(st.integers(0, 9)) < 6:
            chosen.append(command.options[0])  # the first declared option is the command's main one
        chosen += draw(
            st.lists(st.sampled_from(command.options), max_size=draw(st.sampled_from([1, 2, 3, 6])))
        )
    parts = [draw(option_words(option)) for option in chosen]
    if name in ("fit", "backtest") and draw(st.integers(0, 9)) < 8:
        parts.append(["--bootstrap", "0"])  # a fit with the default 200 resamples takes seconds
    for argument in command.arguments:
        parts.insert(draw(st.integers(0, len(parts))), [draw(argument_values(argument))])
    if draw(st.integers(0, 9)) == 0:
        parts.insert(
            draw(st.integers(0, len(parts))), [draw(st.sampled_from(["--nope", "-x", "extra", "--"]))]
        )
    if parts and draw(st.integers(0, 9)) == 0:  # an option given twice: refused if single-valued
        parts.append(draw(st.sampled_from(parts)))
    if draw(st.integers(0, 19)) == 0:
        parts.append([draw(st.sampled_from(["--quiet", "-q", "--verbose", "-v", "-h", "--version"]))])
    argv = [*name.split(), *(word for part in parts for word in part)]
    formats = [part for part in parts if part[0].startswith("--format")]
    helped = any(part[0] in ("-h", "--version") for part in parts)  # help or the version, not JSON
    return Line(
        argv,
        json=not helped
        and (
            ["--json"] in parts
            or (bool(formats) and all(f[-1] in ("json", "--format=json") for f in formats))
        ),
        stdin=draw(stdins),
        columns=draw(st.sampled_from(["100"] * 12 + ["0", "1", "-1", "x", "", "10000"])),
        stdout_closed=draw(st.integers(0, 29)) == 0,
        stdin_errors=draw(st.sampled_from(["strict", "surrogateescape"])),
    )


def argument_values(argument: Argument) -> st.SearchStrategy[str]:
    """A positional argument: a file in the scratch folder, a missing one, `-`, a word."""
    return st.one_of(st.sampled_from(PATHS), st.sampled_from(VOCABULARY), garbage)


# -- running a line and judging what it printed


@dataclass
class Outcome:
    """Exit code and both streams of one in-process `plan` run."""

    exit_code: int
    stdout: str
    stderr: str
    stdout_closed: bool = False


def run_line(folder: Path, line: Line) -> Outcome:
    """Run `plan ARGV` in-process in `folder` with bytes on stdin, as the installed script would.

    stdout is strict UTF-8 and stderr backslash-escapes, as Python sets them up; warnings
    are shown, not raised (pytest's filterwarnings=error would turn a RuntimeWarning into a
    crash the real command never has); stdout_closed runs with sys.stdout None, what Python
    gives a process started with `>&-`.
    """
    out, err = io.BytesIO(), io.BytesIO()
    stdout = None if line.stdout_closed else io.TextIOWrapper(out, encoding="utf-8", errors="strict")
    stderr = io.TextIOWrapper(err, encoding="utf-8", errors="backslashreplace")
    stdin = io.TextIOWrapper(io.BytesIO(line.stdin), encoding="utf-8", errors=line.stdin_errors)
    saved_in, saved_env = sys.stdin, dict(os.environ)
    os.environ.update({"COLUMNS": line.columns, "NO_COLOR": "1", **line.env})
    sys.stdin = stdin
    code = -1
    try:
        with contextlib.chdir(folder), warnings.catch_warnings():
            warnings.simplefilter("default")
            for category in (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning):
                warnings.simplefilter("ignore", category)
            with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):  # type: ignore[type-var]
                try:
                    main(list(line.argv))
                except SystemExit as done:
                    code = done.code if isinstance(done.code, int) else 1
    finally:
        sys.stdin = saved_in
        os.environ.clear()
        os.environ.update(saved_env)
    for stream in (stdout, stderr):
        if stream is not None:
            with contextlib.suppress(ValueError):
                stream.flush()
    return Outcome(
        code,
        out.getvalue().decode("utf-8", "replace"),
        err.getvalue().decode("utf-8", "replace"),
        line.stdout_closed,
    )


NON_FINITE = re.compile(r"(?<![\w.])[-+]?(nan|inf|infinity)(?![\w])", re.IGNORECASE)


def _walk(value: Any, key: str | None = None) -> Iterator[str]:
    """Problems in a JSON value: a non-finite number, a `params` or `tokens` number below 1."""
    if isinstance(value, dict):
        for name, item in value.items():
            yield from _walk(item, name)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item, key)
    elif isinstance(value, float) and not math.isfinite(value):
        yield f"JSON holds {value!r} at {key!r}"
    elif (
        key in ("params", "tokens")
        and isinstance(value, int | float)
        and not isinstance(value, bool)
        and value < 1
    ):
        yield f"JSON {key} below one: {value!r}"


def _document(text: str) -> Any:
    """The text as one JSON document, or None if it is not one."""
    if not text.lstrip().startswith(("{", "[")):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def contract_problems(outcome: Outcome, wants_json: bool, streamed: bool = False) -> list[str]:
    """Every way an outcome breaks the command-line contract (empty: it keeps it).

    A stream (`--from` as JSON Lines or CSV) prints the plans of the lines before a bad
    one: then exit 2 may follow whole lines on stdout, and their notices on stderr.
    """
    problems = []
    code, stdout, stderr = outcome.exit_code, outcome.stdout, outcome.stderr
    if code not in (0, 1, 2):
        problems.append(f"exit {code}")
    if "Traceback" in stdout + stderr:
        problems.append("a traceback")
    if code == 2:
        lines = stderr.rstrip("\n").split("\n") if stderr else []
        if streamed:
            start = next((index for index, line in enumerate(lines) if line.startswith("error: ")), 0)
            if not all(line.startswith(("warning", "note")) for line in lines[:start]):
                problems.append("exit 2 after stderr lines that are neither notices nor the error")
            lines = lines[start:]
            if stdout and not stdout.endswith("\n"):
                problems.append("exit 2 after a cut line on stdout")
            for line in stdout.splitlines() if wants_json else ():
                try:
                    json.loads(line)
                except ValueError:
                    problems.append(f"exit 2 after a stdout line that is not JSON: {line[:60]!r}")
                    break
        elif stdout:
            problems.append("exit 2 with output on stdout")
        if not lines or not lines[0].startswith("error: "):
            problems.append("exit 2 without `error: ...` as the first line of stderr")
        elif not all(line.startswith("  ") for line in lines[1:]):
            problems.append("exit 2 with more than the error line (and indented details) on stderr")
    if code in (0, 1) and not stdout.strip() and not outcome.stdout_closed:
        problems.append(f"exit {code} with nothing on stdout")
    if code in (0, 1):
        document = None if wants_json else _document(stdout)
        if document is not None:  # `plan schema` prints one indented JSON document
            problems += sorted(set(_walk(document)))
        for name, text in (
            ("stdout", "" if wants_json or document is not None else stdout),
            ("stderr", stderr),
        ):
            found = NON_FINITE.search(text)
            if found:
                problems.append(f"{found.group(0)!r} as a number on {name}")
        if wants_json:
            for line in stdout.splitlines():
                try:
                    parsed = json.loads(line)
                except ValueError:
                    problems.append(f"a stdout line that is not JSON: {line[:60]!r}")
                    break
                problems += sorted(set(_walk(parsed)))
    return problems


def streamed(argv: list[str]) -> bool:
    """Whether the line streams `--from` as JSON Lines or CSV (see contract_problems)."""
    table = not ("--json" in argv or (any(a in argv for a in ("json", "csv")) and "--format" in argv))
    return any(arg == "--from" or arg.startswith("--from=") for arg in argv) and not table


def judge(line: Line, outcome: Outcome) -> None:
    """Fail on a broken contract, or with PLANNER_FUZZ_REPORT append it to that file."""
    problems = contract_problems(outcome, line.json, streamed(line.argv))
    if line.refuse and outcome.exit_code in (0, 1):
        problems.append(f"exit {outcome.exit_code} for {line.refuse}")
    if not problems:
        return
    if REPORT:
        record = {
            "argv": line.argv,
            "stdin": line.stdin[:120].decode("latin-1"),
            "columns": line.columns,
            "stdout_closed": line.stdout_closed,
            "stdin_errors": line.stdin_errors,
            "env": line.env,
            "note": line.note,
            "exit": outcome.exit_code,
            "stderr": outcome.stderr[:300],
            "stdout": outcome.stdout[:200],
            "problems": problems,
        }
        with open(REPORT, "a", encoding="utf-8") as file:
            file.write(json.dumps(record) + "\n")
        return
    raise AssertionError(
        f"plan {' '.join(line.argv)!r} (stdin {line.stdin[:60]!r} read {line.stdin_errors}, COLUMNS={line.columns!r}, "
        f"stdout closed: {line.stdout_closed}) {line.note} broke the contract: {problems}; "
        f"exit {outcome.exit_code}; stderr {outcome.stderr[:400]!r}; stdout {outcome.stdout[:200]!r}"
    )


def fill(folder: Path, files: dict[str, bytes]) -> None:
    """Write the scratch folder afresh (an earlier line may have overwritten a file in it)."""
    for name in ("out", "mylab2026.toml"):
        target = folder / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    for name, data in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The scratch folder the lines run in."""
    return tmp_path_factory.mktemp("fuzz-cli")


@FUZZ
@given(line=command_lines())
def test_every_command_line_keeps_the_contract(workspace: Path, line: Line) -> None:
    fill(workspace, WORKSPACE_FILES)
    judge(line, run_line(workspace, line))


def test_the_fuzz_sees_a_broken_contract(workspace: Path) -> None:
    """The judge itself: a clean plan passes, and each kind of breakage is caught."""
    fill(workspace, WORKSPACE_FILES)
    good = Line(["--flops", "1e21", "--json"], json=True)
    assert contract_problems(run_line(workspace, good), wants_json=True) == []
    assert contract_problems(run_line(workspace, Line(["--flops", "lots"])), wants_json=False) == []
    assert contract_problems(Outcome(70, "", "error: internal error: ..."), False) == ["exit 70"]
    assert contract_problems(Outcome(2, "x", "error: a\nnote: b"), False) == [
        "exit 2 with output on stdout",
        "exit 2 with more than the error line (and indented details) on stderr",
    ]
    assert contract_problems(Outcome(0, '{"params": 0.5, "x": NaN}\n', ""), True) == [
        "JSON holds nan at 'x'",
        "JSON params below one: 0.5",
    ]
    assert contract_problems(Outcome(0, "loss  nan\n", ""), False) == ["'nan' as a number on stdout"]
    assert contract_problems(Outcome(0, "inference 1e21\n", ""), False) == []
