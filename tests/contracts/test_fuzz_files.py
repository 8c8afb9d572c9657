"""A bounded fuzz of the files `plan` reads: shipped inputs mutated one field at a time.

A law file of each form, the check specs of tests/examples, budget files (plain and JSON
Lines) and a small runs file (CSV and JSON Lines) are parsed, changed in one place (a number
made a boolean, a string, huge, 1e-300, 0, negative, an array or a table; a key deleted,
added or duplicated), sometimes also damaged as bytes (truncated, a byte-order mark, bytes
that are not UTF-8, Latin-1, nesting 1000 deep), written back and read by the command that
takes them: `plan --law FILE`, `plan laws show FILE`, `plan transfer --law FILE`,
`plan check FILE`, `plan --from FILE` (or stdin) and `plan fit FILE --bootstrap 0`. Every
run must keep the command-line contract that tests/contracts/test_fuzz_cli.py states and
checks. PLANNER_FUZZ_EXAMPLES and PLANNER_FUZZ_REPORT work as they do there.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import math
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.laws.catalog import available_laws, law_ids
from tests.conftest import ROOT
from tests.contracts.test_fuzz_cli import (
    DEEP,
    FUZZ,
    RUNS_CSV,
    RUNS_JSONL,
    Line,
    Outcome,
    contract_problems,
    judge,
    run_line,
    streamed,
)

Tree = Any
"""Parsed data: dicts, lists, strings, numbers, booleans (None only in JSON)."""

# -- writing a tree back in its format


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key)


def _toml_value(value: Tree) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return (
            "nan"
            if math.isnan(value)
            else ("inf" if value > 0 else "-inf")
            if math.isinf(value)
            else repr(value)
        )
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"
    return '"None"'  # TOML has no null: a string stands in


def _tables(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(item, dict) for item in value)


def to_toml(tree: dict[str, Tree], prefix: str = "") -> str:
    """A table as TOML: plain keys first, then sub-tables and arrays of tables."""
    lines = [
        f"{_toml_key(k)} = {_toml_value(v)}"
        for k, v in tree.items()
        if not isinstance(v, dict) and not _tables(v)
    ]
    for key, value in tree.items():
        name = f"{prefix}{_toml_key(key)}"
        if isinstance(value, dict):
            lines += ["", f"[{name}]", to_toml(value, f"{name}.")]
        elif _tables(value):
            for item in value:
                lines += ["", f"[[{name}]]", to_toml(item, f"{name}.")]
    return "\n".join(lines)


def _cell(value: Tree) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        return repr(value)
    return json.dumps(value)


def to_csv(rows: list[Tree]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in rows:
        writer.writerow([_cell(c) for c in row] if isinstance(row, list) else [_cell(row)])
    return out.getvalue()


WRITERS: dict[str, Callable[[Tree], str]] = {
    "toml": lambda tree: to_toml(tree) + "\n",
    "json": lambda tree: json.dumps(tree, indent=2) + "\n",
    "jsonl": lambda rows: "".join(json.dumps(row) + "\n" for row in rows),
    "csv": to_csv,
    "lines": lambda rows: "".join(_cell(row) + "\n" for row in rows),
}

# -- the inputs and the commands that read them


@dataclass(frozen=True)
class Source:
    """A file `plan` reads: its name, format, parsed content, and the lines that read it."""

    name: str
    format: str
    tree: Tree
    commands: tuple[tuple[str, ...], ...]
    """Command lines with FILE for the file's path (and `-` ones that take it on stdin)."""


def _law_sources() -> list[Source]:
    """One shipped law file of each form, read the three ways a law file is."""
    seen: dict[str, Source] = {}
    paths = {p.stem: p for p in (ROOT / "laws").rglob("*.toml")}
    for law in available_laws():
        form = law.form
        if form in seen or law.id not in law_ids():
            continue
        seen[form] = Source(
            f"{law.id}.toml",
            "toml",
            tomllib.loads(paths[law.id].read_text()),
            (
                ("--law", "FILE", "--flops", "1e21", "--json"),
                ("--law", "FILE", "--flops", "5.76e23", "--gpu", "h100-sxm", "--gpus", "512", "--json"),
                ("--law", "FILE", "--params", "7e9", "--json"),
                ("laws", "show", "FILE", "--json"),
                ("transfer", "--law", "FILE", "--params", "1e9", "--finetune-chars", "1e9", "--json"),
            ),
        )
    return list(seen.values())


EXAMPLES_DIR = ROOT / "tests" / "examples"
RUNS_ROWS = [line.split(",") for line in RUNS_CSV.splitlines()]
BUDGET_LINES = [line for line in (EXAMPLES_DIR / "budgets.txt").read_text().splitlines() if line.strip()]
SOURCES = [
    *_law_sources(),
    *(
        Source(
            path.name,
            "toml",
            tomllib.loads(path.read_text()),
            (("check", "FILE", "--json"), ("check", "FILE")),
        )
        for path in sorted(EXAMPLES_DIR.glob("*.toml"))
    ),
    Source(
        "run.json",
        "json",
        json.loads((EXAMPLES_DIR / "run.json").read_text()),
        (("check", "FILE", "--json"),),
    ),
    Source("budgets.txt", "lines", BUDGET_LINES, (("--from", "FILE", "--json"), ("--from", "-", "--json"))),
    Source(
        "budgets.jsonl",
        "jsonl",
        [{"flops": 1e21}, {"flops": 1e22, "law": "hoffmann2022", "max_params": 3e9, "max_tokens": 1e12}],
        (("--from", "FILE", "--json"), ("--from", "-", "--format", "json")),
    ),
    Source(
        "runs.csv",
        "csv",
        RUNS_ROWS,
        (("fit", "FILE", "--bootstrap", "0", "--json"), ("fit", "-", "--bootstrap", "0", "--json")),
    ),
    Source(
        "runs.jsonl",
        "jsonl",
        [json.loads(line) for line in RUNS_JSONL.splitlines()],
        (("fit", "FILE", "--bootstrap", "0", "--json"), ("fit", "-", "--bootstrap", "0", "--json")),
    ),
]

# -- mutations

REPLACEMENTS: tuple[Tree, ...] = (
    True, False, None, "text", "", "1e21", "nan", 10**400, 2**64, 1e308, 1.8e308, float("nan"), float("-inf"),
    1e-300, 5e-324, 0, 0.0, -0.0, -1, -1e21, 1, [], [1.0, 2.0], [1e21], {}, {"a": 1}, {"params": {"x": [1]}},
    "besiroglu2024", "h100-sxm", "caf\u00e9", "\u2028", "x" * 10_000,
)  # fmt: skip
replacements = st.one_of(
    st.sampled_from(REPLACEMENTS),
    st.floats(),
    st.integers(),
    st.text(max_size=8),
)


def _paths(tree: Tree, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a tree (not the root), containers and leaves alike."""
    found = [at] if at else []
    if isinstance(tree, dict):
        for key, value in tree.items():
            found += _paths(value, (*at, key))
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            found += _paths(value, (*at, index))
    return found


def _parent(tree: Tree, path: tuple[Any, ...]) -> Tree:
    for step in path[:-1]:
        tree = tree[step]
    return tree


NESTED = "__deep_{}__"
"""A placeholder the writer's text has replaced by arrays nested that deep (see `deepen`)."""


def deepen(text: str) -> str:
    """The text with each placeholder replaced by `[[[...1.0...]]]`, as deep as it says."""
    return re.sub(
        r'"?__deep_(\d+)__"?', lambda m: "[" * int(m.group(1)) + "1.0" + "]" * int(m.group(1)), text
    )


@st.composite
def mutated(draw: st.DrawFn, source: Source, done: list[str]) -> Tree:
    """The source's tree, changed in one place (once in a while, two); `done` says how."""
    tree = json.loads(json.dumps(source.tree))  # a deep copy; NaN round-trips through json
    for _ in range(draw(st.sampled_from([1, 1, 1, 2]))):
        paths = _paths(tree)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = _parent(tree, path)
        action = draw(st.sampled_from(["replace"] * 5 + ["delete", "add", "duplicate", "nest"]))
        where = ".".join(map(str, path))
        done[:] = [step for step in done if step != f"REFUSE {where}"]  # this value is replaced now
        done.append(f"{action} {where}")
        if action == "replace":
            old = parent[path[-1]]
            parent[path[-1]] = copy.deepcopy(draw(replacements))  # never a shared object
            done[-1] += f" by {parent[path[-1]]!r:.60}"
            if (
                isinstance(parent[path[-1]], bool)
                and isinstance(old, int | float)
                and not isinstance(old, bool)
            ):
                done.append(f"REFUSE {where}")  # a boolean is not a number, whatever Python's bool says
        elif action == "delete":
            del parent[path[-1]]
        elif action == "add":
            value = copy.deepcopy(draw(replacements))
            if isinstance(parent, dict):
                parent[draw(st.sampled_from(["unknown", "E", "flops", "params", "law", "x y"]))] = value
            else:
                parent.append(value)
            done[-1] += f" {value!r:.60}"
        elif action == "duplicate":
            if isinstance(parent, list):
                parent.insert(path[-1], json.loads(json.dumps(parent[path[-1]])))
            else:
                parent[f"{path[-1]}_copy"] = copy.deepcopy(parent[path[-1]])
        else:
            parent[path[-1]] = NESTED.format(draw(st.sampled_from([65, 1000])))
            done[-1] += f" {parent[path[-1]]}"
            break
    return tree


DAMAGE = ("none",) * 6 + (
    "truncate",
    "bom",
    "bad-utf8",
    "latin1",
    "nul",
    "crlf",
    "twice",
    "empty",
    "deep-text",
)


def damaged(text: str, how: str, cut: int, format: str) -> bytes:
    """The file's bytes, damaged as files and pipes in the wild are."""
    data = text.encode("utf-8", "surrogatepass")
    if how == "truncate":
        return data[: cut % max(len(data), 1)]
    if how == "bom":
        return b"\xef\xbb\xbf" + data
    if how == "bad-utf8":
        at = cut % max(len(data), 1)
        return data[:at] + b"\xff\xc3(\xed\xa0\x80" + data[at:]
    if how == "latin1":
        return (
            "caf\u00e9 " + text if format in ("csv", "lines") else text.replace('"', '"\u00e9', 1)
        ).encode("latin-1", "replace")
    if how == "nul":
        return data[: cut % max(len(data), 1)] + b"\x00" + data[cut % max(len(data), 1) :]
    if how == "crlf":
        return data.replace(b"\n", b"\r\n")
    if how == "twice":
        return data + data
    if how == "empty":
        return b""
    if how == "deep-text":
        opener = b"[" * 1000 if format != "toml" else b"x = " + b"[" * 1000
        return data + opener + b"]" * 1000 + b"\n"
    return data


@dataclass
class Case:
    """A mutated file, how it was mutated, and the command line that reads it."""

    source: Source
    data: bytes
    argv: list[str]
    note: str
    stdin_errors: str
    refuse: str


@st.composite
def cases(draw: st.DrawFn) -> Case:
    source = draw(st.sampled_from(SOURCES))
    done: list[str] = []
    tree = draw(mutated(source, done)) if draw(st.integers(0, 9)) else json.loads(json.dumps(source.tree))
    text = deepen(WRITERS[source.format](tree))
    how, cut = draw(st.sampled_from(DAMAGE)), draw(st.integers(0, 10**6))
    if how != "none":
        done.append(
            f"damage {how}"
            + (f" at {cut % max(len(text), 1)}" if how in ("truncate", "bad-utf8", "nul") else "")
        )
    data = damaged(text, how, cut, source.format)
    refuse = "a boolean where a number was" if any(step.startswith("REFUSE ") for step in done) else ""
    done = [step for step in done if not step.startswith("REFUSE ")]
    if refuse and how not in ("none", "crlf", "bom"):
        refuse = ""  # the damage may have cut the boolean off
    note = f"{source.name}: {'; '.join(done) or 'unchanged'}"
    errors = draw(st.sampled_from(["strict", "surrogateescape"]))
    return Case(source, data, list(draw(st.sampled_from(source.commands))), note, errors, refuse)


FILE_FUZZ = settings(FUZZ, max_examples=DEEP or 400)
"""A fit reads its file in a few tenths of a second: fewer cases than the command lines."""


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz-files")


@FILE_FUZZ
@given(case=cases())
def test_every_mutated_input_file_keeps_the_contract(folder: Path, case: Case) -> None:
    path = folder / case.source.name
    path.write_bytes(case.data)
    argv = [str(path) if word == "FILE" else word for word in case.argv]
    stdin = case.data if "-" in argv else b""
    wants_json = "--json" in argv or "json" in argv
    line = Line(
        argv, stdin=stdin, json=wants_json, note=case.note, stdin_errors=case.stdin_errors, refuse=case.refuse
    )
    judge(line, run_line(folder, line))


def test_the_writers_give_back_what_they_were_given(folder: Path) -> None:
    """Unmutated, every source reads back as itself and runs cleanly."""
    for source in SOURCES:
        text = WRITERS[source.format](source.tree)
        if source.format == "toml":
            assert tomllib.loads(text) == source.tree
        path = folder / source.name
        path.write_text(text)
        for command in source.commands:
            argv = [str(path) if word == "FILE" else word for word in command]
            line = Line(argv, stdin=text.encode() if "-" in argv else b"", json="--json" in argv)
            outcome = run_line(folder, line)
            assert contract_problems(outcome, line.json, streamed(argv)) == [], (argv, outcome)
    assert isinstance(Outcome(0, "", ""), Outcome)
