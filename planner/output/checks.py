"""Tables of `plan check` (each limit, PASS/FAIL and margin) and of `plan gpus`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from planner.output._base import count, new_console, sci

if TYPE_CHECKING:
    from planner.check import CheckReport
    from planner.hardware import Chip


def check_table(report: CheckReport) -> None:
    """Each check: value, limit, PASS/FAIL and margin, then the verdict."""
    from rich.table import Table

    from planner.output.tabular import check_value, hardware_line

    item = report.plan
    table = Table(
        title=f"Budget checks: {report.name or report.spec} under {item.law.id}", title_justify="left"
    )
    for name in ("check", "value", "limit", "result", "margin"):
        table.add_column(name, justify="left" if name in ("check", "result") else "right")
    for check in report.checks:
        table.add_row(
            check.quantity,
            check_value(check.name, check.value),
            check_value(check.name, check.limit),
            "PASS" if check.passed else "FAIL",
            f"{check.headroom:+.1%}",
        )
    console = new_console()
    console.print(table)
    failed = sum(not check.passed for check in report.checks)
    total = len(report.checks)
    verdict = f"all {total} checks passed" if not failed else f"{failed} of {total} checks failed"
    console.print(f"{verdict}; margin: headroom left below each limit, negative when over", soft_wrap=True)
    best = item.optimum
    run = f"{count(item.run.params)} params on {count(item.run.tokens)} tokens, " if item.run else ""
    console.print(
        f"run: {run}{sci(item.flops)} FLOPs; compute-optimal at these FLOPs: {count(best.params)} params "
        f"on {count(best.tokens)} tokens, loss {best.loss:.4f}",
        soft_wrap=True,
    )
    if item.hardware is not None:
        console.print(hardware_line(item.hardware), soft_wrap=True)
    console.print(f"law: {item.law.name}; {item.law.citation}", soft_wrap=True)


def gpus_table(chips: Iterable[Chip]) -> None:
    """The chip table: dense peaks, memory, and where each figure comes from."""
    from rich.table import Table

    table = Table(title="GPUs and other accelerators (per chip, dense peaks)", title_justify="left")
    for name in ("id", "name", "bf16 TFLOP/s", "fp8 TFLOP/s", "memory", "read in"):
        table.add_column(
            name, justify="right" if "TFLOP" in name or name == "memory" else "left", no_wrap=True
        )
    listed = list(chips)
    for chip in listed:
        table.add_row(
            chip.id,
            chip.name,
            f"{chip.bf16_tflops:g}",
            f"{chip.fp8_tflops:g}" if chip.fp8_tflops is not None else "-",
            f"{chip.memory:g} {chip.memory_unit}",
            "vendor doc" if chip.source.checked == "vendor" else "copy",
        )
    console = new_console()
    console.print(table)
    console.print(
        "Dense: where a vendor prints 2:4-sparsity figures only, they are halved. 'copy': the vendor "
        "document was read in a copy; plan gpus --json gives where. Aliases: "
        + ", ".join(f"{alias} = {chip.id}" for chip in listed for alias in chip.aliases),
        soft_wrap=True,
    )
    for chip in listed:
        console.print(f"{chip.id}: {chip.source.document}, {chip.source.url}", soft_wrap=True)
