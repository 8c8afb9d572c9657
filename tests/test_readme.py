"""Every `$ plan ...` example in README.md runs, and prints what the README shows.

Regenerate the shown output with UPDATE_README=1 after an intended change. Commands run from
the repository root. A `| jq [-c] .path` suffix is applied in Python, so the test needs no
jq; a `cat FILE |` prefix feeds the file on stdin; a `|| echo "exit $?"` suffix lets the
command fail and shows its exit code, as a shell would.
"""

from __future__ import annotations

import json
import os
import re
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, SHARED_DATA, Run

README = ROOT / "README.md"
BLOCK = re.compile(r"```console\n(.*?)```", re.S)


def examples(text: str) -> list[tuple[str, str]]:
    """(command, shown output) for each `$ plan` line of a console block."""
    found = []
    for block in BLOCK.findall(text):
        parts = re.split(r"^\$ ", block, flags=re.M)[1:]
        for part in parts:
            command, _, shown = part.partition("\n")
            if command.startswith(("plan ", "cat ")):
                found.append((command, shown))
    return found


def _jq(stdout: str, program: list[str]) -> str:
    compact = program[0] == "-c"
    path = program[-1]
    assert re.fullmatch(r"(\.[a-z_]+)+", path), f"README jq programs are plain paths, not {path!r}"
    lines = []
    for line in stdout.splitlines():
        value: Any = json.loads(line)
        for key in path.split(".")[1:]:
            value = value[key]
        lines.append(json.dumps(value, separators=(",", ":")) if compact else json.dumps(value, indent=2))
    return "\n".join(lines) + "\n"


FAILS = '|| echo "exit $?"'


def execute(run: Run, command: str) -> str:
    """What the command prints on stdout; it must succeed unless it ends with FAILS."""
    may_fail = command.endswith(FAILS)
    words = shlex.split(command.removesuffix(FAILS))
    stdin = ""
    if words[0] == "cat":
        assert words[2] == "|", command
        stdin = Path(words[1]).read_text()  # relative to the examples folder, the cwd
        words = words[3:]
    assert words[0] == "plan", command
    pipe = words.index("|") if "|" in words else len(words)
    result = run(*words[1:pipe], stdin=stdin)
    if may_fail:
        assert result.exit_code != 0, f"{command}: expected to fail"
        return result.stdout + f"exit {result.exit_code}\n"
    assert result.exit_code == 0, f"{command}: {result.stderr}"
    if pipe < len(words):
        assert words[pipe + 1] == "jq"
        return _jq(result.stdout, words[pipe + 2 :])
    return result.stdout


def test_readme_examples_print_what_the_readme_shows(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT / "tests" / "examples")  # where the files the README names are
    text = README.read_text()
    found = examples(text)
    assert len(found) >= 8
    if os.environ.get("UPDATE_README"):
        for command, shown in found:
            text = text.replace(f"$ {command}\n{shown}", f"$ {command}\n{execute(run, command)}", 1)
        README.write_text(text)
        found = examples(text)
    for command, shown in found:
        assert execute(run, command) == shown, (
            f"README output of `{command}` is stale; rerun with UPDATE_README=1"
        )


def _collect(printed: list[str]) -> Callable[..., None]:
    return lambda *args: printed.append(" ".join(map(str, args)))


def test_readme_python_examples_print_what_they_say() -> None:
    text = README.read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) >= 2
    for source in blocks:
        expected = [line.removeprefix("# ") for line in source.splitlines() if line.startswith("# ")]
        printed: list[str] = []
        exec(compile(source, "README.md", "exec"), {"print": _collect(printed)})
        assert printed == expected


def test_readme_test_command_is_what_ci_runs() -> None:
    command = "pip install -e '.[test]' && python -m pytest"
    assert command in README.read_text()
    assert command in (ROOT / ".ci" / "run").read_text()


@pytest.mark.parametrize("code", ["0", "1", "2", "70"])
def test_readme_documents_every_exit_code(code: str) -> None:
    assert f"| {code} |" in README.read_text()


def test_readme_shows_the_example_spec_as_it_is() -> None:
    """The spec shown in the README is tests/examples/run.toml, byte for byte."""
    text = README.read_text()
    block = re.search(r"```toml\n(# A training run kept in the repository.*?)```", text, re.S)
    assert block is not None
    assert block.group(1) == (ROOT / "tests" / "examples" / "run.toml").read_text()


def test_readme_lists_every_spec_key() -> None:
    import dataclasses

    from planner.check import HardwareSpec, Limits, RunSpec, Spec

    text = README.read_text()
    for kind in (Spec, RunSpec, HardwareSpec, Limits):
        for field in dataclasses.fields(kind):
            assert f"`{field.name}`" in text or f"`[{field.name}]`" in text, field.name


SHARED_RUNS = SHARED_DATA / "chinchilla-fig4-epoch-extraction.csv"
FIT_BLOCK = re.compile(r"```\n(\$ plan fit \.\./shared/data/.*?)```", re.S)
NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?[KMBT%]?")
SCALE = {"K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12, "%": 1e-2}


def fit_examples(text: str) -> list[tuple[list[str], str]]:
    """(commands, shown stdout of the last) for each plain block running plan fit on the shared data.

    These are plain blocks, not console ones: the data sits beside the project, so a clean
    clone cannot run them and test_readme_examples_print_what_the_readme_shows skips them.
    """
    found = []
    for block in FIT_BLOCK.findall(text):
        lines = block.splitlines(keepends=True)
        commands = [line[2:].strip() for line in lines if line.startswith("$ ")]
        found.append((commands, "".join(line for line in lines if not line.startswith("$ "))))
    return found


def table_numbers(text: str) -> list[float]:
    """Every number in the table rows, with 2.78B read as 2.78e9 and 0.71% as 0.0071."""
    values = []
    for line in text.splitlines():
        if line.startswith("│"):
            for token in NUMBER.findall(line):
                scale = SCALE.get(token[-1], 1.0)
                values.append(float(token.rstrip("KMBT%")) * scale)
    return values


def test_readme_fit_on_the_shared_data_shows_real_numbers(
    run: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    text = README.read_text()
    found = fit_examples(text)
    assert len(found) == 2, "the README shows plan fit on the shared data, and a plan with its law file"
    if not SHARED_RUNS.is_file():
        pytest.skip(f"shared data not found at {SHARED_RUNS}; it sits beside the project, not in it")
    monkeypatch.chdir(ROOT)
    for commands, shown in found:
        for command in commands:
            # Law files go to a temporary folder, not into the checkout.
            words = [
                str(tmp_path / Path(word).name) if word.endswith(".toml") else word
                for word in shlex.split(command)
            ]
            result = run(*words[1:])
            assert result.exit_code == 0, f"{command}: {result.stderr}"
        if os.environ.get("UPDATE_README"):
            text = text.replace(f"{commands[-1]}\n{shown}", f"{commands[-1]}\n{result.stdout}", 1)
            README.write_text(text)
            continue
        numbers = table_numbers(shown)
        assert len(numbers) > 10
        assert table_numbers(result.stdout) == pytest.approx(numbers, rel=5e-3), (
            f"README output of `{command}` is stale"
        )
        for line in result.stderr.splitlines():
            assert line.split(":")[0] in text, f"the README does not show the notice {line}"
