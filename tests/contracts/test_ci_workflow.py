"""The GitHub Actions job on docs/check.md works as written, without a network.

The block is read with a small parser of the YAML it uses (block mappings and sequences,
plain, quoted and flow-sequence scalars, comments): the project has no YAML dependency.
When PyYAML happens to be installed, a second test checks the small parser against it, so
the parser cannot drift from what YAML means; otherwise that test is skipped. The structure
is checked against what GitHub's workflow syntax requires; the install line must be a
direct git reference to this distribution with the placeholder marked; and the check step
is run by bash from tests/examples, as the runner would, into a summary file.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT

PAGE = ROOT / "docs" / "check.md"
SECTION = "## In GitHub Actions"


def workflow_text() -> str:
    """The yaml block of the GitHub Actions section of docs/check.md."""
    text = PAGE.read_text()
    section = text[text.index(SECTION) :]
    found = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert found, "the GitHub Actions section shows no yaml block"
    return found.group(1)


# -- a parser of the YAML subset a workflow file uses


def _uncomment(line: str) -> str:
    """The line without a comment (a # at the start or after a space, outside quotes)."""
    quote = ""
    for at, char in enumerate(line):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (at == 0 or line[at - 1] == " "):
            return line[:at].rstrip()
    return line.rstrip()


def _scalar(text: str) -> Any:
    text = text.strip()
    if text.startswith("[") and text.endswith("]"):
        return [_scalar(item) for item in text[1:-1].split(",") if item.strip()]
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    assert not text.startswith(("{", "&", "*", "!", "|", ">")), f"unsupported YAML: {text!r}"
    return text


def parse_yaml(text: str) -> Any:
    """Block mappings and sequences of scalars, as GitHub workflow files are written."""
    lines = [(len(line) - len(line.lstrip(" ")), line.strip()) for line in map(_uncomment, text.splitlines())]
    lines = [(indent, content) for indent, content in lines if content]
    value, end = _block(lines, 0, lines[0][0])
    assert end == len(lines), f"unparsed YAML from line {lines[end][1]!r}"
    return value


def _block(lines: list[tuple[int, str]], at: int, indent: int) -> tuple[Any, int]:
    if lines[at][1].startswith("- "):
        items: list[Any] = []
        while at < len(lines) and lines[at][0] == indent and lines[at][1].startswith("- "):
            # "- key: value" opens a mapping whose other keys sit two columns further in.
            rest = lines[at][1][2:]
            inner = [(indent + 2, rest), *lines[at + 1 :]]
            item, used = _block(inner, 0, indent + 2) if ":" in rest else (_scalar(rest), 1)
            items.append(item)
            at += used
        return items, at
    mapping: dict[str, Any] = {}
    while at < len(lines) and lines[at][0] == indent:
        key, colon, rest = lines[at][1].partition(":")
        assert colon, f"not a mapping line: {lines[at][1]!r}"
        assert not key.startswith("- "), f"a list item where a key belongs: {lines[at][1]!r}"
        assert key not in mapping, f"key {key!r} given twice"
        at += 1
        if rest.strip():
            mapping[key] = _scalar(rest)
        elif at < len(lines) and lines[at][0] > indent:
            mapping[key], at = _block(lines, at, lines[at][0])
        else:
            mapping[key] = None
    return mapping, at


def test_the_parser_reads_what_it_is_given() -> None:
    parsed = parse_yaml('a: [x, y]\nb:\n  - c: "1 # 2"  # note\n    d: e\n  - f\n')
    assert parsed == {"a": ["x", "y"], "b": [{"c": "1 # 2", "d": "e"}, "f"]}


# -- what GitHub requires of a workflow (docs.github.com, "Workflow syntax for GitHub Actions")

WORKFLOW_KEYS = {"name", "run-name", "on", "permissions", "env", "defaults", "concurrency", "jobs"}
JOB_KEYS = {
    "name", "needs", "permissions", "if", "runs-on", "environment", "concurrency", "outputs", "env",
    "defaults", "steps", "timeout-minutes", "strategy", "continue-on-error", "container", "services",
}  # fmt: skip
STEP_KEYS = {
    "id", "if", "name", "uses", "run", "working-directory", "shell", "with", "env",
    "continue-on-error", "timeout-minutes",
}  # fmt: skip
JOB_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
ACTION = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[A-Za-z0-9_.-]+")


def workflow_problems(flow: Any) -> list[str]:
    """Every way a parsed workflow breaks GitHub's workflow syntax (empty: none)."""
    if not isinstance(flow, dict):
        return ["a workflow is a mapping"]
    found = [f"unknown top-level key {key!r}" for key in flow if key not in WORKFLOW_KEYS]
    if not flow.get("on"):
        found.append("no `on`: a workflow must say which events run it")
    jobs = flow.get("jobs")
    if not isinstance(jobs, dict) or not jobs:
        return [*found, "no `jobs`"]
    for job_id, job in jobs.items():
        if not JOB_ID.fullmatch(job_id):
            found.append(f"job id {job_id!r} must start with a letter or _ and hold only A-Z, 0-9, - and _")
        if not isinstance(job, dict):
            found.append(f"jobs.{job_id} is not a mapping")
            continue
        found += [f"jobs.{job_id}: unknown key {key!r}" for key in job if key not in JOB_KEYS]
        if not job.get("runs-on"):
            found.append(f"jobs.{job_id}.runs-on is required")
        steps = job.get("steps")
        if not isinstance(steps, list) or not steps:
            found.append(f"jobs.{job_id}.steps must be a non-empty list")
            continue
        for number, step in enumerate(steps):
            where = f"jobs.{job_id}.steps[{number}]"
            if not isinstance(step, dict):
                found.append(f"{where} is not a mapping")
                continue
            found += [f"{where}: unknown key {key!r}" for key in step if key not in STEP_KEYS]
            if ("uses" in step) == ("run" in step):
                found.append(f"{where} must have exactly one of `uses` and `run`")
            if "uses" in step and not ACTION.fullmatch(str(step["uses"])):
                found.append(f"{where}.uses must be owner/repo@ref")
            if "with" in step and ("uses" not in step or not isinstance(step["with"], dict)):
                found.append(f"{where}.with is a mapping of inputs to the action it uses")
    return found


@pytest.fixture(scope="module")
def workflow() -> Any:
    return parse_yaml(workflow_text())


def test_the_workflow_keeps_githubs_syntax(workflow: Any) -> None:
    assert workflow_problems(workflow) == []


def test_the_syntax_check_sees_a_broken_workflow() -> None:
    broken = {"jobs": {"1st": {"steps": [{"uses": "x", "run": "y"}, {"with": {}}]}}}
    assert workflow_problems(broken) == [
        "no `on`: a workflow must say which events run it",
        "job id '1st' must start with a letter or _ and hold only A-Z, 0-9, - and _",
        "jobs.1st.runs-on is required",
        "jobs.1st.steps[0] must have exactly one of `uses` and `run`",
        "jobs.1st.steps[0].uses must be owner/repo@ref",
        "jobs.1st.steps[1] must have exactly one of `uses` and `run`",
        "jobs.1st.steps[1].with is a mapping of inputs to the action it uses",
    ]


def test_pyyaml_reads_the_workflow_as_the_small_parser_does(workflow: Any) -> None:
    yaml = pytest.importorskip("yaml")
    loaded = yaml.safe_load(workflow_text())
    # YAML 1.1, which PyYAML reads, takes a bare `on` key for the boolean true.
    loaded["on"] = loaded.pop(True, loaded.get("on"))
    assert loaded == workflow


def _runs(workflow: Any) -> list[str]:
    return [step["run"] for job in workflow["jobs"].values() for step in job["steps"] if "run" in step]


def test_the_install_step_takes_this_distribution_from_git(workflow: Any) -> None:
    from packaging.requirements import Requirement

    installs = [run for run in _runs(workflow) if run.startswith("pip install ")]
    assert len(installs) == 1, "one step installs the planner"
    words = installs[0].split(" ", 2)[2]
    requirement = Requirement(words.strip('"'))
    name = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["name"]
    assert requirement.name == name
    assert requirement.url is not None
    assert requirement.url.startswith("git+https://github.com/OWNER/REPO@TAG")
    text = PAGE.read_text()
    assert "`OWNER/REPO@TAG` is a placeholder" in text
    assert "# Placeholder: replace OWNER/REPO@TAG" in workflow_text()


@pytest.mark.skipif(shutil.which("bash") is None, reason="the runner's shell is bash")
def test_the_check_step_runs_as_the_runner_runs_it(workflow: Any, tmp_path: Path) -> None:
    """bash -e -o pipefail, GitHub's default for `run`, from the folder of the spec."""
    checks = [run for run in _runs(workflow) if run.startswith("plan check ")]
    assert len(checks) == 1, "one step runs plan check"
    summary = tmp_path / "summary.md"
    summary.write_text("")
    bin_folder = str(Path(sys.executable).parent)  # where the installed `plan` script is
    env = {
        **os.environ,
        "GITHUB_STEP_SUMMARY": str(summary),
        "PATH": bin_folder + os.pathsep + os.environ["PATH"],
    }
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", checks[0]],
        cwd=ROOT / "tests" / "examples",
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    written = summary.read_text()
    assert written.startswith("### Budget checks: 7B on 2T tokens: all checks passed\n")
    shown = PAGE.read_text().split("$ plan check run.toml --format markdown\n", 1)[1].split("```", 1)[0]
    assert written == shown, "the summary is what the page shows under 'What lands in the summary'"
