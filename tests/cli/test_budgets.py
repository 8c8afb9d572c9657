"""Budget files for `plan --from`: numbers, comments, JSON Lines, and every bad line at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.cli.budgets import Budget, BudgetFileError, parse_budgets
from planner.errors import InputError


def test_numbers_comments_blank_lines_and_json_lines() -> None:
    text = """
# budgets for the next quarter
1e21
5.76e23   # the Gopher budget
1_000e18

{"flops": 1e22, "law": "hoffmann2022", "max_params": 3e9}
  {"flops": 2e22, "max_tokens": 1e11}
"""
    assert parse_budgets(text, "budgets.txt") == [
        Budget(1e21),
        Budget(5.76e23),
        Budget(1e21),
        Budget(1e22, law="hoffmann2022", max_params=3e9),
        Budget(2e22, max_tokens=1e11),
    ]


def test_a_hash_inside_a_json_string_is_not_a_comment() -> None:
    (budget,) = parse_budgets('{"flops": 1e21, "law": "laws/my#2024.toml"}', "x")
    assert budget.law == "laws/my#2024.toml"


def test_every_bad_line_is_reported_with_its_number() -> None:
    text = '1e21\nlots\n-5\nnan\n{"flops": "1e21"}\n{"law": 3}\n[1e21]\n{"flops": true, "max_params": 0}\n{"flops": 1e21,}\n'
    with pytest.raises(BudgetFileError) as caught:
        parse_budgets(text, "budgets.txt")
    assert str(caught.value).splitlines() == [
        "budgets.txt holds lines that are not budgets; fix these and retry:",
        "  line 2: 'lots' is neither a number nor a JSON object with a flops key",
        "  line 3: flops must be a finite number above zero (got '-5')",
        "  line 4: flops must be a finite number above zero (got 'nan')",
        '  line 5: flops must be a number, e.g. 1e21 (got "1e21")',
        "  line 6: flops is missing; every line needs a budget",
        "  line 6: law must be a law id or path (got 3)",
        "  line 7: '[1e21]' is neither a number nor a JSON object with a flops key",
        "  line 8: flops must be a number, e.g. 1e21 (got true)",
        "  line 8: max_params must be a finite number above zero (got 0)",
        "  line 9: not valid JSON: Expecting property name enclosed in double quotes (column 16)",
    ]
    assert isinstance(caught.value, InputError)


def test_a_file_without_budgets_is_an_error() -> None:
    with pytest.raises(InputError, match=r"budgets\.txt holds no budgets; give one FLOP budget per line"):
        parse_budgets("# only a comment\n\n", "budgets.txt")


def test_a_stream_prints_each_line_before_the_next_arrives() -> None:
    """`plan --from -` in a pipe: line 1's plan is out while the writer still holds line 2."""
    import json
    import subprocess
    import sys

    with subprocess.Popen(
        [sys.executable, "-m", "planner", "--from", "-", "--json"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    ) as process:
        assert process.stdin is not None
        assert process.stdout is not None
        process.stdin.write("1e21\n")
        process.stdin.flush()
        first = process.stdout.readline()  # blocks until planned: the input is still open
        assert json.loads(first)["flops"] == 1e21
        process.stdin.write("1e22\n")
        process.stdin.close()
        assert json.loads(process.stdout.readline())["flops"] == 1e22
        assert process.wait(timeout=60) == 0


def test_blocks_split_anywhere_give_the_same_budgets(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Lines cut across reads (and a UTF-8 character cut in two) are read whole."""
    import planner.cli.budgets
    from planner.cli.budgets import read_budgets

    text = '# budgets \u2014 one a line\n1e21\n{"flops": 2e21, "law": "hoffmann2022"}\n3e21\n4e21'
    path = tmp_path / "budgets.txt"
    path.write_text(text, encoding="utf-8")
    expected = parse_budgets(text, "x")
    for block in (1, 2, 3, 7, 64):
        monkeypatch.setattr(planner.cli.budgets, "BLOCK", block)
        assert read_budgets(str(path)) == expected


def test_a_bad_byte_is_named_with_its_line_across_blocks(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import planner.cli.budgets
    from planner.cli.budgets import read_budgets
    from planner.inputs import ReadError

    path = tmp_path / "budgets.txt"
    path.write_bytes(b"1e21\n2e21\n3e21\xff\n")
    monkeypatch.setattr(planner.cli.budgets, "BLOCK", 4)
    with pytest.raises(ReadError, match=r"byte 0xff on line 3"):
        read_budgets(str(path))
