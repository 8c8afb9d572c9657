"""Tables of `plan check` (each limit, PASS/FAIL and margin) and of `plan gpus`.

On a terminal (not under NO_COLOR or TERM=dumb, not in a pipe: output.grid decides) the
verdicts are coloured, PASS green and FAIL red; the words carry the meaning either way.
"""

from __future__ import annotations

from planner.output._base import count, loss_cell, sci
from planner.output.grid import RESET, Screen, Table, wrap

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

    from planner.check import CheckReport
    from planner.hardware import Chip


def check_table(report: CheckReport) -> None:
    """Each check: value, limit, PASS/FAIL and margin, then the verdict."""
    from planner.output.tabular import check_value, hardware_line

    item = report.plan
    table = Table(title=f"Budget checks: {report.name or report.spec} under {item.law.id}")
    for name in ("check", "value", "limit", "result", "margin"):
        table.column(name, right=name not in ("check", "result"), wrap=name == "check")
    for check in report.checks:
        table.row(
            check.quantity,
            check_value(check.name, check.value),
            check_value(check.name, check.limit),
            "PASS" if check.passed else "FAIL",
            f"{check.headroom:+.1%}",
        )
    screen = Screen()
    lines = screen.draw(table)
    if screen.styled:
        lines = _coloured(lines, len(wrap(screen.text(table.title), screen.width)))
    screen.write(lines)
    failed = sum(not check.passed for check in report.checks)
    total = len(report.checks)
    verdict = f"all {total} checks passed" if not failed else f"{failed} of {total} checks failed"
    screen.line(f"{verdict}; margin: headroom left below each limit, negative when over")
    best = item.optimum
    run = f"{count(item.run.params)} params on {count(item.run.tokens)} tokens, " if item.run else ""
    screen.line(
        f"run: {run}{sci(item.flops)} FLOPs; compute-optimal at these FLOPs: {count(best.params)} params "
        f"on {count(best.tokens)} tokens, loss {loss_cell(best.loss)}"
    )
    if item.hardware is not None:
        screen.line(hardware_line(item.hardware))
    screen.line(f"law: {item.law.name}; {item.law.citation}")


GREEN, RED = "\x1b[32m", "\x1b[31m"
VERDICT = r"(?<=[│|] )(PASS|FAIL)(?= *[│|])|(?<=^result:)( +)(PASS|FAIL)$"
"""A verdict as a whole cell of a boxed table, or as the value of a stacked `result:` line."""


def _coloured(lines: list[str], title: int) -> list[str]:
    """The drawn table with each verdict cell coloured (the title lines left as they are)."""
    import re

    verdict = re.compile(VERDICT)

    def paint(found: re.Match[str]) -> str:
        gap, word = found.group(2) or "", found.group(1) or found.group(3)
        return f"{gap}{GREEN if word == 'PASS' else RED}{word}{RESET}"

    return lines[:title] + [verdict.sub(paint, line) for line in lines[title:]]


def gpus_table(chips: Iterable[Chip]) -> None:
    """The chip table: dense peaks, memory, and where each figure comes from."""
    table = Table(title="GPUs and other accelerators (per chip, dense peaks)")
    for name in ("id", "name", "bf16 TFLOP/s", "fp8 TFLOP/s", "memory", "read in"):
        table.column(name, right="TFLOP" in name or name == "memory", wrap=name == "name")
    listed = list(chips)
    for chip in listed:
        table.row(
            chip.id,
            chip.name,
            f"{chip.bf16_tflops:g}",
            f"{chip.fp8_tflops:g}" if chip.fp8_tflops is not None else "-",
            f"{chip.memory:g} {chip.memory_unit}",
            "vendor doc" if chip.source.checked == "vendor" else "copy",
        )
    screen = Screen()
    screen.table(table)
    screen.line(
        "Dense: where a vendor prints 2:4-sparsity figures only, they are halved. 'copy': the vendor "
        "document was read in a copy; plan gpus --json gives where. Aliases: "
        + ", ".join(f"{alias} = {chip.id}" for chip in listed for alias in chip.aliases)
    )
    for chip in listed:
        screen.line(f"{chip.id}: {chip.source.document}, {chip.source.url}")
