"""Every example in README.md and docs/*.md runs, and prints what the page shows.

Regenerate the shown output with UPDATE_DOCS=1 (or the older UPDATE_README=1) after an
intended change. `$ plan ...` lines of console blocks run from tests/examples, where the
files they name are. A `| jq [-c] .path` suffix is applied in Python, so the test needs no
jq; a `cat FILE |` or `echo 'TEXT' |` prefix feeds stdin; a `pip install ... &&` prefix is
skipped (the suite runs installed); `2>&1` shows stderr after stdout; a `|| echo "exit $?"`
suffix lets the command fail and shows its exit code, as a shell would.

Plain (non-console) blocks that run `plan fit ../shared/data/...` run from the repository
root when the shared data is there, and skip cleanly when it is not.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, SHARED_DATA, Run

README = ROOT / "README.md"
DOCS = ROOT / "docs"
PAGES = [README, *sorted(DOCS.glob("*.md"))]
PAGE_IDS = [page.relative_to(ROOT).as_posix() for page in PAGES]
EXAMPLES = ROOT / "tests" / "examples"

CONSOLE = re.compile(r"(```console\n)(.*?)(```)", re.S)
FENCE = re.compile(r"^```.*?^```", re.S | re.M)
FAILS = '|| echo "exit $?"'
BOTH_STREAMS = "2>&1"
INSTALL = re.compile(r"pip install [^&]+&& ")


def updating() -> bool:
    return bool(os.environ.get("UPDATE_DOCS") or os.environ.get("UPDATE_README"))


def page(name: str) -> Path:
    return ROOT / name


def examples(text: str) -> list[tuple[str, str]]:
    """(command, shown output) for each `$ ` line of a console block."""
    found = []
    for _, block, _ in CONSOLE.findall(text):
        for part in re.split(r"^\$ ", block, flags=re.M)[1:]:
            command, _, shown = part.partition("\n")
            found.append((command, shown))
    return found


JQ = shutil.which("jq")
"""Real jq, where installed (CI installs it): the docs show what it prints."""


def _jq(stdout: str, program: list[str]) -> str:
    """What `jq PROGRAM` prints for stdout: real jq where installed, else the stand-in."""
    if JQ is not None:
        done = subprocess.run([JQ, *program], input=stdout, capture_output=True, text=True, check=False)
        assert done.returncode == 0, f"jq {' '.join(program)}: {done.stderr}"
        return done.stdout
    return _jq_standin(stdout, program)


def _jq_standin(stdout: str, program: list[str]) -> str:
    """jq's plain paths (.a.b, with -c or not) in Python, for machines without jq."""
    compact = program[0] == "-c"
    path = program[-1]
    assert re.fullmatch(r"(\.[a-z][a-z0-9_]*)+", path), (
        f"jq programs in the docs are plain paths, not {path!r}"
    )
    lines = []
    for line in stdout.splitlines():
        value: Any = json.loads(line)
        for key in path.split(".")[1:]:
            value = value[key]
        lines.append(_jq_text(value, compact))
    return "\n".join(lines) + "\n"


def _jq_text(value: Any, compact: bool, level: int = 0) -> str:
    """A value as jq prints it: compact (-c) or indented by two, numbers by `_jq_number`."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _jq_number(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    items = (
        [_jq_text(item, compact, level + 1) for item in value]
        if isinstance(value, list)
        else [
            json.dumps(key, ensure_ascii=False)
            + (":" if compact else ": ")
            + _jq_text(item, compact, level + 1)
            for key, item in value.items()
        ]
    )
    left, right = ("[", "]") if isinstance(value, list) else ("{", "}")
    if not items:
        return left + right
    if compact:
        return left + ",".join(items) + right
    inner, outer = "  " * (level + 1), "  " * level
    return left + "\n" + ",\n".join(inner + item for item in items) + "\n" + outer + right


def _jq_number(number: float) -> str:
    """A double as jq 1.6 prints it: the shortest digits, in fixed notation unless the
    decimal exponent is below -4 or more than 15 past the digits (then as 5e+20)."""
    if number == 0:
        return "0"
    _, shortest, exponent = Decimal(repr(abs(number))).normalize().as_tuple()
    digits = "".join(map(str, shortest))
    point = len(digits) + int(exponent)  # the decimal point's place, counted from the first digit
    digits = digits.rstrip("0") or "0"
    sign = "-" if number < 0 else ""
    if point <= -4 or point > len(digits) + 15:
        rest = f".{digits[1:]}" if len(digits) > 1 else ""
        power = point - 1
        return f"{sign}{digits[0]}{rest}e{'+' if power >= 0 else '-'}{abs(power):02d}"
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return f"{sign}{digits}{'0' * (point - len(digits))}"
    return f"{sign}{digits[:point]}.{digits[point:]}"


def execute(run: Run, command: str) -> str:
    """What the command prints on stdout; it must succeed unless it ends with FAILS."""
    may_fail = command.endswith(FAILS)
    command = INSTALL.sub("", command.removesuffix(FAILS), count=1)
    words = shlex.split(command)
    both = BOTH_STREAMS in words
    if both:
        words.remove(BOTH_STREAMS)
    stdin = ""
    if words[0] in ("cat", "echo"):
        assert words[2] == "|", command
        # cat reads relative to the examples folder, the cwd; echo adds its newline.
        stdin = Path(words[1]).read_text() if words[0] == "cat" else words[1] + "\n"
        words = words[3:]
    assert words[0] == "plan", f"the docs run only `plan`, not {command!r}"
    fresh = _picture(words)
    pipe = words.index("|") if "|" in words else len(words)
    result = run(*words[1:pipe], stdin=stdin)
    if fresh is not None and result.exit_code == 0:
        _check_picture(*fresh)
    shown = result.stdout
    if both:
        # In a shell the two streams interleave; with one of them empty, the order is certain.
        assert not (result.stdout and result.stderr), f"{command}: 2>&1 needs one stream empty"
        shown = result.stdout + result.stderr
    if may_fail:
        assert result.exit_code != 0, f"{command}: expected to fail"
        return shown + f"exit {result.exit_code}\n"
    assert result.exit_code == 0, f"{command}: {result.stderr}"
    if pipe < len(words):
        assert words[pipe + 1] == "jq", command
        return _jq(shown, words[pipe + 2 :])
    return shown


PICTURES = DOCS / "images"


def _picture(words: list[str]) -> tuple[Path, Path] | None:
    """A `plan plot ... --out NAME` line writes docs/images/NAME under UPDATE_DOCS=1, else a
    file in a temporary folder, which must match it: (that file, the page's picture)."""
    if words[:2] != ["plan", "plot"] or "--out" not in words:
        return None
    pytest.importorskip("matplotlib")
    index = words.index("--out") + 1
    name = words[index]
    assert "/" not in name, f"pictures on the pages are named without a folder, not {name!r}"
    shown = PICTURES / name
    if updating():
        PICTURES.mkdir(exist_ok=True)
        words[index] = str(shown)
        return None
    fresh = Path(tempfile.mkdtemp()) / name
    words[index] = str(fresh)
    return fresh, shown


MATPLOTLIB = re.compile(rb"Matplotlib v([0-9][^,<\s\"]*)")


def _check_picture(fresh: Path, shown: Path) -> None:
    """The page's picture is what the command draws now: byte for byte for an SVG made by
    the same matplotlib (another version draws the same picture in other bytes)."""
    assert shown.exists(), f"{shown.name} is missing from docs/images; rerun with UPDATE_DOCS=1"
    made, kept = fresh.read_bytes(), shown.read_bytes()
    fresh.unlink()
    fresh.parent.rmdir()
    ours, theirs = MATPLOTLIB.search(made), MATPLOTLIB.search(kept)
    if ours is not None and theirs is not None and ours.group(1) == theirs.group(1):
        assert _same_drawing(made, kept), f"docs/images/{shown.name} is stale; rerun with UPDATE_DOCS=1"


SVG_NUMBER = re.compile(rb"-?[0-9]+\.[0-9]+")


def _same_drawing(made: bytes, kept: bytes) -> bool:
    """The same SVG but for coordinates that differ by under a hundredth of a pixel: a
    simulated series computed on another machine's libm moves in its last digits."""
    if made == kept:
        return True
    if SVG_NUMBER.sub(b"#", made) != SVG_NUMBER.sub(b"#", kept):
        return False
    pairs = zip(SVG_NUMBER.findall(made), SVG_NUMBER.findall(kept), strict=True)
    return all(abs(float(a) - float(b)) < 0.01 for a, b in pairs)


def regenerate(run: Run, text: str) -> str:
    """The page with every console example's output replaced by what it prints now."""

    def block(match: re.Match[str]) -> str:
        opening, body, closing = match.groups()
        parts = re.split(r"^\$ ", body, flags=re.M)
        rebuilt = parts[0]
        for part in parts[1:]:
            command = part.partition("\n")[0]
            rebuilt += f"$ {command}\n{execute(run, command)}"
        return opening + rebuilt + closing

    return CONSOLE.sub(block, text)


@pytest.mark.parametrize("name", PAGE_IDS)
def test_examples_print_what_the_page_shows(run: Run, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.chdir(EXAMPLES)  # where the files the pages name are
    path = page(name)
    text = path.read_text()
    if updating():
        text = regenerate(run, text)
        path.write_text(text)
    for command, shown in examples(text):
        assert execute(run, command) == shown, (
            f"{name}: output of `{command}` is stale; rerun with UPDATE_DOCS=1"
        )


def test_the_readme_and_the_manual_run_many_examples() -> None:
    assert len(examples(README.read_text())) >= 7
    assert sum(len(examples(path.read_text())) for path in PAGES) >= 45


def _shell_lines(text: str) -> list[str]:
    """Every `$ ` line inside a fenced block of any kind."""
    return [line for block in FENCE.findall(text) for line in block.splitlines() if line.startswith("$ ")]


@pytest.mark.parametrize("name", PAGE_IDS)
def test_every_command_shown_is_executed(name: str) -> None:
    """A `$ ` line is either in a console block or in a plain plan-fit block on the shared data."""
    text = page(name).read_text()
    executed = {f"$ {command}" for command, _ in examples(text)}
    executed |= {f"$ {command}" for commands, _ in fit_examples(text) for command in commands}
    shown = _shell_lines(text)
    assert set(shown) <= executed, f"{name} shows commands no test runs"
    if shown:
        assert executed, f"{name} shows commands but has no executed example"


def test_the_manual_is_in_docs_and_the_index_links_every_page() -> None:
    pages = {path.name for path in DOCS.glob("*.md")}
    assert {"index.md", "json.md", "check.md", "laws.md", "fit.md", "python.md", "architecture.md"} <= pages
    index = (DOCS / "index.md").read_text()
    for name in pages - {"index.md"}:
        assert f"]({name})" in index, f"docs/index.md does not link to {name}"
    assert (
        "[architecture.md](architecture.md): how the code is laid out and where a new form, option or"
        " output column goes" in index
    )


def test_readme_is_short() -> None:
    assert len(README.read_text().splitlines()) <= 250


def _collect(printed: list[str]) -> Callable[..., None]:
    return lambda *args: printed.append(" ".join(map(str, args)))


def python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, re.S)


@pytest.mark.parametrize("name", PAGE_IDS)
def test_python_examples_print_what_they_say(name: str) -> None:
    for source in python_blocks(page(name).read_text()):
        expected = [line.removeprefix("# ") for line in source.splitlines() if line.startswith("# ")]
        printed: list[str] = []
        exec(compile(source, name, "exec"), {"print": _collect(printed)})
        assert printed == expected


def test_readme_and_python_page_show_python() -> None:
    assert len(python_blocks(README.read_text())) >= 1
    assert len(python_blocks((DOCS / "python.md").read_text())) >= 2


def test_readme_test_command_is_what_ci_runs() -> None:
    command = "pip install -e '.[test]' && python -m pytest"
    assert command in README.read_text()
    assert command in (ROOT / ".ci" / "run").read_text()


def test_readme_first_run_installs_and_plans() -> None:
    assert "$ pip install . && plan --flops 1e21\n" in README.read_text()


@pytest.mark.parametrize("code", ["0", "1", "2", "70"])
def test_readme_documents_every_exit_code(code: str) -> None:
    assert f"| {code} |" in README.read_text()
    assert f"| {code} |" in (DOCS / "errors.md").read_text()


def test_check_page_shows_the_example_spec_as_it_is() -> None:
    """The spec shown on the check page is tests/examples/run.toml, byte for byte."""
    text = (DOCS / "check.md").read_text()
    block = re.search(r"```toml\n(# A training run kept in the repository.*?)```", text, re.S)
    assert block is not None
    assert block.group(1) == (EXAMPLES / "run.toml").read_text()


def test_check_page_lists_every_spec_key() -> None:
    from planner.check import HardwareSpec, Limits, RunSpec, Spec
    from planner.records import fields

    text = (DOCS / "check.md").read_text()
    for kind in (Spec, RunSpec, HardwareSpec, Limits):
        for name in fields(kind):
            assert f"`{name}`" in text or f"`[{name}]`" in text, name


# Links: every relative link resolves, to a file and, with #anchor, to one of its headings.

LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")


def anchors(path: Path) -> set[str]:
    """GitHub's anchors for the headings of a Markdown file, fenced blocks left out."""
    seen: dict[str, int] = {}
    found = set()
    for line in FENCE.sub("", path.read_text()).splitlines():
        heading = re.match(r"#{1,6} (.*)", line)
        if heading:
            slug = re.sub(r"[^\w\- ]", "", heading.group(1).strip().lower()).replace(" ", "-")
            count = seen.get(slug, 0)
            seen[slug] = count + 1
            found.add(slug if count == 0 else f"{slug}-{count}")
    return found


@pytest.mark.parametrize("name", PAGE_IDS)
def test_relative_links_resolve(name: str) -> None:
    path = page(name)
    for link in LINK.findall(FENCE.sub("", path.read_text())):
        if re.match(r"[a-z]+:", link):
            continue  # https:, mailto:
        target, _, anchor = link.partition("#")
        resolved = (path.parent / target).resolve() if target else path
        assert resolved.exists(), f"{name}: link {link} points to a missing file"
        if anchor:
            assert resolved.suffix == ".md", f"{name}: link {link} has an anchor into a non-Markdown file"
            assert anchor in anchors(resolved), f"{name}: link {link} names no heading of {target or name}"


def test_anchors_are_made_as_github_makes_them(tmp_path: Path) -> None:
    sample = tmp_path / "a.md"
    sample.write_text(
        "# Budget checks in CI\n## `plan fit`\n## Caps: size, data\n```\n# not a heading\n```\n"
    )
    assert anchors(sample) == {"budget-checks-in-ci", "plan-fit", "caps-size-data"}


# plan fit on the shared data: plain blocks, run from the repository root when the data is there.

SHARED_RUNS = SHARED_DATA / "chinchilla-fig4-epoch-extraction.csv"
FIT_BLOCK = re.compile(r"(```\n)(\$ plan (?:fit|backtest) \.\./shared/data/.*?)(```)", re.S)
NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?[KMBT%]?")
SCALE = {"K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12, "%": 1e-2}


def fit_examples(text: str) -> list[tuple[list[str], str]]:
    """(commands, shown stdout of the last) for each plain block running plan fit on the shared data.

    These are plain blocks, not console ones: the data sits beside the project, so a clean
    clone cannot run them and test_examples_print_what_the_page_shows does not see them.
    """
    found = []
    for _, block, _ in FIT_BLOCK.findall(text):
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


def test_fit_page_shows_a_fit_and_a_plan_under_its_law_file() -> None:
    found = fit_examples((DOCS / "fit.md").read_text())
    assert len(found) == 2, "the fit page shows plan fit on the shared data, and a plan with its law file"


def _run_fit_block(run: Run, commands: list[str], tmp_path: Path) -> Any:
    # Law files go to a fresh temporary folder, not into the checkout (--out never overwrites).
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    for command in commands:
        words = [
            str(folder / Path(word).name) if word.endswith(".toml") else word for word in shlex.split(command)
        ]
        result = run(*words[1:])
        assert result.exit_code == 0, f"{command}: {result.stderr}"
    return result


@pytest.mark.parametrize("name", [name for name in PAGE_IDS if fit_examples(page(name).read_text())])
def test_fit_on_the_shared_data_shows_real_numbers(
    run: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str
) -> None:
    path = page(name)
    text = path.read_text()
    if not SHARED_RUNS.is_file():
        pytest.skip(f"shared data not found at {SHARED_RUNS}; it sits beside the project, not in it")
    monkeypatch.chdir(ROOT)
    if updating():

        def block(match: re.Match[str]) -> str:
            opening, body, closing = match.groups()
            commands = [line[2:].strip() for line in body.splitlines() if line.startswith("$ ")]
            shown = "".join(f"$ {command}\n" for command in commands)
            return opening + shown + _run_fit_block(run, commands, tmp_path).stdout + closing

        text = FIT_BLOCK.sub(block, text)
        path.write_text(text)
    for commands, shown in fit_examples(text):
        result = _run_fit_block(run, commands, tmp_path)
        numbers = table_numbers(shown)
        assert len(numbers) > 10
        assert table_numbers(result.stdout) == pytest.approx(numbers, rel=5e-3), (
            f"{name}: output of `{commands[-1]}` is stale; rerun with UPDATE_DOCS=1"
        )
        for line in result.stderr.splitlines():
            assert line.split(":")[0] in text, f"{name} does not show the notice {line}"


@pytest.mark.skipif(JQ is None, reason="jq is not installed")
@pytest.mark.parametrize("name", PAGE_IDS)
def test_the_jq_stand_in_reads_what_real_jq_reads(
    run: Run, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """Where jq is missing the stand-in answers; it must print what jq 1.6 prints, to the byte."""
    monkeypatch.chdir(EXAMPLES)
    for command, _ in examples(page(name).read_text()):
        words = shlex.split(command)
        if "jq" not in words or words[0] != "plan":
            continue
        pipe = words.index("|")
        result = run(*words[1:pipe])
        program = words[pipe + 2 :]
        assert _jq_standin(result.stdout, program) == _jq(result.stdout, program), command
