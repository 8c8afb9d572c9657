"""The command line as a newcomer meets it: help, sizes like 7B, repeated options, --quiet.

Help in panels with examples (each example is run), -h and --version, shell completion
through the typer app, PASS/FAIL in colour on a terminal only; numbers with k/M/B/T and
the ambiguous suffixes refused; a single-valued option given twice refused by both
parsers; --quiet and --verbose; --weeks, size curves on hardware time, plan fit --id; and
law paths in a check spec read from the spec's folder.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.cli.declare import PANELS, Option, count, number, whole
from planner.cli.main import all_commands
from planner.cli.sizes import SUFFIXES
from planner.errors import InputError
from planner.version import __version__
from tests.conftest import ROOT, Run

EXAMPLES = ROOT / "tests" / "examples"
COMMANDS = all_commands()
PARAMS = Option("--params", "PARAMS", "", kind="count", example="7e9")

# -- numbers with a size suffix


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("7B", 7e9),
        ("70M", 7e7),
        ("2T", 2e12),
        ("1.5T", 1.5e12),
        ("2.3B", 2.3e9),
        ("32k", 32e3),
        ("32K", 32e3),
        ("1_000k", 1e6),
        ("1.5e21", 1.5e21),
        ("3e23", 3e23),
        (" 7B", 7e9),
    ],
)
def test_a_count_takes_a_size_suffix(text: str, value: float) -> None:
    assert count(PARAMS, text) == value


@given(
    whole_part=st.integers(min_value=0, max_value=10**6),
    fraction=st.one_of(st.just(""), st.integers(min_value=0, max_value=999).map(lambda f: f".{f}")),
    suffix=st.sampled_from(sorted(SUFFIXES)),
)
def test_a_suffix_is_the_same_number_written_with_its_exponent(
    whole_part: int, fraction: str, suffix: str
) -> None:
    mantissa = f"{whole_part}{fraction}"
    assert number(PARAMS, mantissa + suffix) == float(mantissa + SUFFIXES[suffix])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("7m", "--params '7m': m could mean milli or million; give 7M for million or 7e-3"),
        ("7G", "--params '7G': G could mean 1e9 or 2**30; give 7B for billion (1e9)"),
        ("7b", "--params '7b': write billion as B, e.g. 7B"),
        ("2t", "--params '2t': write trillion as T, e.g. 2T"),
        ("3P", "--params '3P': P (peta) is not taken; give 3e15"),
        ("7e9B", "--params '7e9B' is not a number; give e.g. --params 7e9"),
        ("B", "--params 'B' is not a number; give e.g. --params 7e9"),
        ("7x", "--params '7x' is not a number; give e.g. --params 7e9"),
        ("\u0667B", "--params '\u0667B' is not a number; give e.g. --params 7e9"),
    ],
)
def test_an_ambiguous_or_unknown_suffix_is_refused_in_one_line(run: Run, text: str, message: str) -> None:
    with pytest.raises(InputError) as raised:
        count(PARAMS, text)
    assert str(raised.value) == message
    result = run("--params", text)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"error: {message}\n")


def test_a_whole_number_takes_a_suffix_when_it_stays_whole() -> None:
    seed = Option("--bootstrap", "N", "", kind="whole", example="200")
    assert whole(seed, "2k") == 2000
    with pytest.raises(InputError, match="is not a whole number"):
        whole(seed, "1.0005k")


@pytest.mark.parametrize(
    ("human", "plain"),
    [
        (["--params", "7B", "--tokens", "2T"], ["--params", "7e9", "--tokens", "2e12"]),
        (["--flops", "1.5e21", "--max-params", "1B"], ["--flops", "1.5e21", "--max-params", "1e9"]),
        (["--gpu", "h100", "--gpus", "1k", "--days", "30"], ["--gpu", "h100", "--gpus", "1000", "--days", "30"]),
        (["transfer", "--params", "100M", "1B", "--finetune-chars", "1M"], ["transfer", "--params", "1e8", "1e9", "--finetune-chars", "1e6"]),
    ],
)  # fmt: skip
def test_human_numbers_plan_as_their_plain_spelling(run: Run, human: list[str], plain: list[str]) -> None:
    said, meant = run(*human, "--json"), run(*plain, "--json")
    assert said.exit_code == meant.exit_code == 0, said.stderr
    assert (said.stdout, said.stderr) == (meant.stdout, meant.stderr)


def test_a_budget_file_line_takes_a_size(run: Run) -> None:
    sized = run("--from", "-", "--json", stdin="1e21\n2T\n")
    plain = run("--from", "-", "--json", stdin="1e21\n2e12\n")
    assert sized.exit_code == 0, sized.stderr
    assert (sized.stdout, sized.stderr) == (plain.stdout, plain.stderr)
    refused = run("--from", "-", "--json", stdin="1e21\n7m\n")
    assert refused.exit_code == 2
    assert "line 2: '7m' is neither a number nor a JSON object" in refused.stderr


# -- an option given twice


def _single_valued() -> list[tuple[str, str]]:
    return [
        (name, option.flag)
        for name, command in COMMANDS.items()
        for option in command.options
        if option.kind != "flag" and not option.many
    ]


@pytest.mark.parametrize(("name", "flag"), _single_valued())
def test_a_single_valued_option_given_twice_exits_2_in_one_line(
    run: Run, monkeypatch: pytest.MonkeyPatch, name: str, flag: str
) -> None:
    argv = [*name.split(), flag, "a", f"{flag}=b"]
    fast = run(*argv)
    monkeypatch.setenv("PLANNER_NO_FAST_PATH", "1")
    slow = run(*argv)
    assert (fast.exit_code, fast.stdout, fast.stderr) == (slow.exit_code, slow.stdout, slow.stderr)
    assert fast.exit_code == 2
    assert fast.stdout == ""
    assert fast.stderr.startswith(f"error: {flag} is given twice ('a', then 'b'); give it once")
    assert fast.stderr.count("\n") == 1


def test_a_second_law_points_to_compare(run: Run) -> None:
    result = run("--flops", "1e21", "--law", "besiroglu2024", "--law", "hoffmann2022")
    assert result.stderr == (
        "error: --law is given twice ('besiroglu2024', then 'hoffmann2022'); give it once "
        "(to plan under several laws, use --compare with --domain)\n"
    )


def test_options_that_take_many_values_and_flags_may_repeat(run: Run) -> None:
    assert run("--flops", "1e21", "--flops", "1e22", "--json", "--json").exit_code == 0
    assert (
        run("plot", "frontier", "--law", "besiroglu2024", "--law", "kaplan2020", "--format", "csv").exit_code
        == 0
    )


def test_help_wins_over_a_repeated_option(run: Run) -> None:
    result = run("--law", "a", "--law", "b", "--help")
    assert result.exit_code == 0
    assert "Usage: plan" in result.stdout


# -- --quiet and --verbose


def test_quiet_silences_notices_not_results_or_errors(run: Run) -> None:
    loud = run("--flops", "1e25", "--json")
    quiet = run("--flops", "1e25", "--json", "--quiet")
    assert loud.stderr.startswith("warning: extrapolation")
    assert (quiet.exit_code, quiet.stdout, quiet.stderr) == (0, loud.stdout, "")
    assert json.loads(quiet.stdout)["notices"], "JSON keeps its notices"
    failed = run("--flops", "-1", "--quiet")
    assert (failed.exit_code, failed.stderr) == (
        2,
        "error: --flops must be a finite number above zero (got '-1')\n",
    )


def test_quiet_and_verbose_have_short_spellings(run: Run) -> None:
    assert run("--flops", "1e25", "-q") == run("--flops", "1e25", "--quiet")
    assert run("--flops", "1e25", "-v") == run("--flops", "1e25", "--verbose")


def test_quiet_silences_a_fits_diagnostics(run: Run) -> None:
    result = run("fit", str(EXAMPLES / "runs.csv"), "--bootstrap", "0", "--json", "--quiet")
    assert result.exit_code == 0
    assert result.stderr == ""


def test_verbose_gives_every_notice_with_its_code(run: Run) -> None:
    result = run("--flops", "1e25", "--flops", "1e26", "--verbose")
    lines = result.stderr.splitlines()
    assert len(lines) == 2
    assert all(line.startswith("warning[extrapolation]: ") for line in lines)


def test_quiet_and_verbose_together_are_refused(run: Run) -> None:
    result = run("--flops", "1e21", "--quiet", "--verbose")
    assert (result.exit_code, result.stdout, result.stderr) == (
        2,
        "",
        "error: give --quiet or --verbose, not both\n",
    )


def test_quiet_lasts_one_run(run: Run) -> None:
    run("--flops", "1e25", "--quiet")
    assert run("--flops", "1e25").stderr.startswith("warning: extrapolation")


# -- help, examples, version, completion


def test_minus_h_is_help(run: Run) -> None:
    short, long = run("-h"), run("--help")
    assert short.exit_code == long.exit_code == 0
    assert short.stdout == long.stdout
    assert run("check", "-h").stdout == run("check", "--help").stdout


def test_the_main_help_groups_its_options_in_panels(run: Run) -> None:
    text = run("--help").stdout
    found = [text.index(f"─ {title} ─") for title in PANELS.values()]
    assert found == sorted(found), "panels in the order of PANELS"
    assert text.index("│ --gpus ") > text.index("─ Hardware ─") > text.index("│ --law ")


def test_every_option_of_the_main_command_has_a_panel() -> None:
    assert all(option.panel in PANELS for option in COMMANDS[""].options)
    panels = {option.panel for command in COMMANDS.values() for option in command.options}
    assert panels <= {*PANELS, None}


@pytest.mark.parametrize("name", [name for name in COMMANDS if name])
def test_every_command_ends_its_help_with_examples(run: Run, name: str) -> None:
    command = COMMANDS[name]
    assert 2 <= len(command.examples) <= 3
    text = run(*name.split(), "--help").stdout
    tail = text[text.index("Examples:") :]
    for example in command.examples:
        assert f"$ {example}" in tail
        assert example.startswith(f"plan {name}")


@pytest.mark.parametrize("name", sorted(COMMANDS))
@pytest.mark.parametrize("width", [40, 60, 80, 120])
def test_help_never_cuts_a_word_at_any_width(
    run: Run, monkeypatch: pytest.MonkeyPatch, name: str, width: int
) -> None:
    """Rich's panels where they fit; on a narrower terminal click's plain list, which wraps
    and never cuts: every option, its metavar and every example line appear whole."""
    monkeypatch.setenv("COLUMNS", str(width))
    text = run(*name.split(), "--help").stdout
    assert "\N{HORIZONTAL ELLIPSIS}" not in text
    assert "<bool>" not in text
    words = {word.rstrip(",") for word in text.replace("│", " ").split()}
    flowing = " ".join(text.replace("│", " ").split()).replace("- ", "-")  # wrapped, rejoined
    for sub, command in COMMANDS.items():  # each subcommand's line, whole (click would cut it)
        if sub and " " not in sub and not name:
            assert " ".join(command.help.split()) in flowing
    for option in COMMANDS[name].options:
        assert option.flag in words, f"{option.flag} is cut in `plan {name} --help` at {width}"
        if option.metavar:
            assert option.metavar in flowing
    for example in COMMANDS[name].examples:
        assert f"$ {example}" in flowing


@pytest.mark.parametrize("columns", ["0", "", "abc", "-5"])
def test_help_with_a_columns_that_is_no_width_is_drawn_80_wide(
    run: Run, monkeypatch: pytest.MonkeyPatch, columns: str
) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    text = run("-h").stdout
    assert "Usage: plan" in text
    assert max(len(line) for line in text.splitlines()) == 80


EXAMPLE_LINES = sorted({line for command in COMMANDS.values() for line in command.examples})


@pytest.mark.parametrize("line", EXAMPLE_LINES)
def test_every_example_in_the_help_runs(
    run: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, line: str
) -> None:
    """From a copy of tests/examples; a picture for the terminal is asked for as text (a test
    has no terminal), and a picture saved to a file needs the plot extra."""
    words = shlex.split(line)
    if words[:2] == ["plan", "plot"] and "--out" not in words and "--format" not in words:
        words += ["--format", "text"]
    if "--out" in words and words[words.index("--out") + 1].endswith(".svg"):
        pytest.importorskip("matplotlib")
    shutil.copytree(EXAMPLES, tmp_path, dirs_exist_ok=True)
    monkeypatch.chdir(tmp_path)
    result = run(*words[1:])
    assert result.exit_code == 0, result.stderr
    if "--out" in words:
        assert (tmp_path / words[words.index("--out") + 1]).stat().st_size > 0
    else:
        assert result.stdout


def test_version(run: Run) -> None:
    result = run("--version")
    assert (result.exit_code, result.stdout, result.stderr) == (0, f"plan {__version__}\n", "")


def _complete(words: str, index: int) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "_PLAN_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(index)}
    return subprocess.run(
        [sys.executable, "-m", "planner"], env=env, capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize(
    ("words", "index", "offered"),
    [
        ("plan --fl", 1, ["--flops", "--flop-convention", "--flops-range"]),
        ("plan ch", 1, ["check"]),
        ("plan --flops 1e21 --format ", 4, ["table", "json", "csv", "markdown"]),
    ],
)
def test_shell_completion_is_answered_past_the_fast_path(words: str, index: int, offered: list[str]) -> None:
    done = _complete(words, index)
    assert done.returncode == 0, done.stderr
    assert set(done.stdout.split()) & set(offered)
    assert set(done.stdout.split()) <= {*offered, "--flops"}


def test_the_completion_script_is_shown_for_bash() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "planner", "--show-completion", "bash"],
        env={**os.environ, "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "_PLAN_COMPLETE=complete_bash" in done.stdout


# -- colour


@pytest.mark.parametrize("columns", ["100", "40"])
def test_verdicts_are_coloured_on_a_terminal(run: Run, monkeypatch: pytest.MonkeyPatch, columns: str) -> None:
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("FORCE_COLOR", "1")  # what a terminal gets, as output.grid decides
    monkeypatch.setenv("COLUMNS", columns)
    result = run("check", str(EXAMPLES / "over-budget.toml"))
    assert result.exit_code == 1
    assert result.stdout.count("\x1b[31mFAIL\x1b[0m") == 2
    assert result.stdout.count("\x1b[32mPASS\x1b[0m") == 1


def test_no_colour_under_no_color_or_in_a_pipe(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\x1b" not in run("check", str(EXAMPLES / "over-budget.toml")).stdout  # NO_COLOR beats it
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.delenv("FORCE_COLOR")
    assert "\x1b" not in run("check", str(EXAMPLES / "over-budget.toml")).stdout  # not a terminal


def test_a_spec_named_pass_keeps_its_title_plain(
    run: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    spec = tmp_path / "run.toml"
    spec.write_text(
        (EXAMPLES / "run.toml").read_text().replace('name = "7B on 2T tokens"', 'name = "| PASS |"')
    )
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("FORCE_COLOR", "1")
    first = run("check", str(spec)).stdout.splitlines()[0]
    assert "\x1b[32m" not in first


# -- time: --weeks, and size curves on it


def test_weeks_are_seven_days(run: Run) -> None:
    hardware = ["--gpu", "h100", "--gpus", "512", "--json", "--no-intervals"]
    weeks, days = run(*hardware, "--weeks", "4"), run(*hardware, "--days", "28")
    assert weeks.exit_code == 0, weeks.stderr
    assert (weeks.stdout, weeks.stderr) == (days.stdout, days.stderr)


def test_a_size_curve_takes_its_budget_from_time(run: Run) -> None:
    hardware = ["--gpu", "h100", "--gpus", "512", "--days", "30", "--json", "--no-intervals"]
    timed = run(*hardware)
    curve = run(*hardware, "--size-range", "0.5", "2")
    assert curve.exit_code == 0, curve.stderr
    found = json.loads(curve.stdout)
    assert found["flops"] == json.loads(timed.stdout)["flops"]
    notes = [notice for notice in found["notices"] if notice["code"] == "time_budget"]
    assert notes[0]["message"].startswith("the budget is 512 h100-sxm GPUs for 30 days at MFU 0.462 (assumed")
    both = run(*hardware, "--size-range", "0.5", "2", "--flops", "1e21")
    assert (both.exit_code, both.stdout) == (2, "")
    assert both.stderr.startswith("error: --size-range takes one budget")


# -- plan fit --id


def test_fit_id_names_the_law_file(run: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    runs = str(EXAMPLES / "runs.csv")
    assert run("fit", runs, "--bootstrap", "0", "--id", "mylab2026", "--quiet").exit_code == 0
    assert (tmp_path / "mylab2026.toml").is_file()
    (tmp_path / "laws").mkdir()
    assert run("fit", runs, "--bootstrap", "0", "--id", "mylab2026-small", "--out", "laws").exit_code == 0
    assert (tmp_path / "laws" / "mylab2026-small.toml").is_file()
    planned = run("--flops", "1e21", "--law", "laws/mylab2026-small.toml", "--json", "--quiet")
    assert json.loads(planned.stdout)["law"]["id"] == "mylab2026-small"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--id", "MyLaw"],
            "error: --id 'MyLaw': a law id is lower-case letters and digits with a four-digit year and an "
            "optional -variant, e.g. mylab2026 or mylab2026-small; use e.g. --id mylaw",
        ),
        (
            ["--id", "mylab2026", "--out", "other.toml"],
            "error: --out other.toml and --id mylab2026 name two laws: a law file is named after its id; "
            "give --out mylab2026.toml, or --out a folder, or drop one of them",
        ),
        (["--out", "mylaw.toml"], "error: --out mylaw.toml: a law file is named after its id"),
    ],
)
def test_fit_names_are_checked_before_the_fit(
    run: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, args: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("fit", str(EXAMPLES / "runs.csv"), *args)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith(message)
    assert list(tmp_path.iterdir()) == []


# -- check specs: law paths from the spec's folder


@pytest.fixture
def spec_folder(tmp_path: Path) -> Path:
    """ci/run.toml naming its law as laws/besiroglu2024.toml, beside it."""
    folder = tmp_path / "ci"
    (folder / "laws").mkdir(parents=True)
    shutil.copy(ROOT / "laws" / "language" / "besiroglu2024.toml", folder / "laws")
    text = (
        (EXAMPLES / "run.toml")
        .read_text()
        .replace('law = "besiroglu2024"', 'law = "laws/besiroglu2024.toml"')
    )
    (folder / "run.toml").write_text(text)
    return folder


def test_a_spec_law_path_is_read_from_the_spec_folder(
    run: Run, monkeypatch: pytest.MonkeyPatch, spec_folder: Path
) -> None:
    monkeypatch.chdir(spec_folder.parent)
    by_path = run("check", "ci/run.toml", "--json", "--quiet")
    assert by_path.exit_code == 0, by_path.stderr
    shipped = run("check", str(EXAMPLES / "run.toml"), "--json", "--quiet")
    assert json.loads(by_path.stdout)["checks"] == json.loads(shipped.stdout)["checks"]


def test_a_spec_on_stdin_reads_its_law_path_from_the_working_folder(
    run: Run, monkeypatch: pytest.MonkeyPatch, spec_folder: Path
) -> None:
    text = (spec_folder / "run.toml").read_text()
    monkeypatch.chdir(spec_folder.parent)
    lost = run("check", "-", stdin=text)
    assert (lost.exit_code, lost.stdout) == (2, "")
    assert "law: " in lost.stderr
    monkeypatch.chdir(spec_folder)
    assert run("check", "-", "--quiet", stdin=text).exit_code == 0
