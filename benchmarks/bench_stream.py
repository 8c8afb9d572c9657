"""Budget streams: `plan --from FILE|-` as JSON Lines and CSV, in CPU time, memory and latency.

Prints, from one run on this machine:

- the CPU time (user + sys of the child) of `plan --from FILE --json --no-intervals` and
  `--format csv --no-intervals` on 1e5 budget lines, the median of interleaved runs beside
  bare `python -c pass`, and the time per line; then the same with intervals (the default:
  the central 95% of 4,000 draws of the law at every budget) on --interval-lines lines;
  and the floor: a stdlib-only script that computes each plan in closed form and writes
  its 5 numbers (and the level and ten interval ends to six digits) as CSV, and each case's ratio to its floor;
- the peak memory (max RSS) at 1e4, 1e5 and 1e6 lines, which stays flat when the plans of
  each block are printed before the next block is read;
- the latency of line 1: a writer sends one line and holds the pipe open; the time until
  its plan is read back (the input has not ended).

Three sets of budgets under the default law: log-uniform over 1e19 to 1e22 FLOPs, inside
its fitted range (1.4e18 to 1.3e22), a wide sweep over 1e18 to 1e24, of which about a
third lie beyond it and each carries an extrapolation notice (in JSON, and on stderr), and
(with intervals) 1e23 to 1e25, today's large runs, every one beyond it.
Usage:

    python benchmarks/bench_stream.py [--runs 5] [--lines 100000] [--interval-lines 100000]
        [--baseline ../planner-before] [--no-memory]

With --baseline, every case also runs under the other checkout (as `python -m planner`, in
the same interleaved rounds), each line beside its own.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NEUTRAL = tempfile.mkdtemp(prefix="bench-stream-")
TARGET_SECONDS = 1.5
"""The most 1e5 lines may take in all, JSON or CSV."""

FLOOR = """
import sys
E, A, B, alpha, beta = 1.81686, 482.00572, 2085.4342, 0.34781, 0.36585
s = alpha + beta
G = (alpha * A / (beta * B)) ** (1 / s)
bounded = sys.argv[2] == "intervals"
out = sys.stdout
for line in open(sys.argv[1]):
    C = float(line)
    N = G * (C / 6) ** (beta / s); D = C / (6 * N); L = E + A / N**alpha + B / D**beta
    text = ",".join(map(repr, [C, N, D, D / N, L]))
    if bounded:
        ends = [N * 0.8, N * 1.2, D * 0.8, D * 1.2, D / N * 0.6, D / N * 1.4, L * 0.98, L * 1.02, L * 0.99, L * 1.01]
        text += ",0.95," + ",".join([format(v, ".6g") for v in ends])
    out.write("besiroglu2024," + text + "\\n")
"""
"""The floor of a CSV stream: a stdlib-only script that reads each budget, computes its
plan in closed form and writes its five numbers in full precision (what Python's shortest
float text costs, the bulk of a line) and, with intervals, the level and ten interval ends
to six significant digits, as the planner reports them (planner.planning.rounding), in
the standard library's own way (format .6g). Its constants are besiroglu2024's point
estimates (laws/language/besiroglu2024.toml: Besiroglu et al. 2024, Sec. 3), the default
law the streams plan under; its ends are stand-ins, numbers of the same length as the
intervals' ends."""


FLOOR_PLAIN = "floor: stdlib script, 5 numbers a line"
FLOOR_BOUNDED = "floor: the same, + level, 10 ends (.6g)"

BASELINE: Path | None = None
"""Another checkout of planner to run beside this one (--baseline), as `python -m planner`."""


def plan_command(tree: Path | None = None) -> list[str]:
    if tree is not None:
        return ["env", f"PYTHONPATH={tree}", sys.executable, "-m", "planner"]
    script = Path(sys.executable).with_name("plan")
    return [str(script)] if script.exists() else [sys.executable, "-m", "planner"]


def budgets(path: Path, lines: int, seed: int = 0, decades: tuple[float, float] = (18, 24)) -> Path:
    rng = random.Random(seed)
    with path.open("w") as file:
        file.writelines(f"{10 ** rng.uniform(*decades):.6g}\n" for _ in range(lines))
    return path


def run(command: list[str]) -> tuple[float, float]:
    """(CPU seconds, peak RSS in MB) of one run, output thrown away."""
    process = subprocess.Popen(command, cwd=NEUTRAL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(command)} failed")
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def first_line_latency() -> float:
    """Seconds from writing line 1 (the pipe kept open) to reading its plan."""
    with subprocess.Popen(
        [*plan_command(), "--from", "-", "--json"],
        cwd=NEUTRAL,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    ) as process:
        assert process.stdin is not None
        assert process.stdout is not None
        time.sleep(0.5)  # let it start: this measures the stream, not the start-up
        start = time.perf_counter()
        process.stdin.write("1e21\n")
        process.stdin.flush()
        process.stdout.readline()
        latency = time.perf_counter() - start
        process.stdin.close()
        process.wait()
    return latency


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--interval-lines", type=int, default=100_000)
    parser.add_argument("--baseline", type=Path, help="another checkout to run each case beside, interleaved")
    parser.add_argument("--no-memory", action="store_true", help="skip the memory and latency measures")
    args = parser.parse_args()
    folder = Path(NEUTRAL)
    inside = budgets(folder / "inside.txt", args.lines, decades=(19, 22))
    wide = budgets(folder / "wide.txt", args.lines)
    few = args.interval_lines
    inside_few = budgets(folder / "inside-few.txt", few, decades=(19, 22))
    wide_few = budgets(folder / "wide-few.txt", few)
    beyond_few = budgets(folder / "beyond-few.txt", few, decades=(23, 25))
    plain = "--no-intervals"
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"{args.lines:,} lines, {args.runs} interleaved runs; medians of CPU time"
    )
    cases = {
        "bare python -c pass": ([sys.executable, "-c", "pass"], 1),
        "--json, inside the fitted range": (
            [*plan_command(), "--from", str(inside), "--json", plain],
            args.lines,
        ),
        "--format csv, inside": (
            [*plan_command(), "--from", str(inside), "--format", "csv", plain],
            args.lines,
        ),
        "--json, wide sweep (notices)": ([*plan_command(), "--from", str(wide), "--json", plain], args.lines),
        "--format csv, wide sweep": (
            [*plan_command(), "--from", str(wide), "--format", "csv", plain],
            args.lines,
        ),
        "intervals: --json, inside": ([*plan_command(), "--from", str(inside_few), "--json"], few),
        "intervals: --format csv, inside": (
            [*plan_command(), "--from", str(inside_few), "--format", "csv"],
            few,
        ),
        "intervals: --json, wide sweep": ([*plan_command(), "--from", str(wide_few), "--json"], few),
        "intervals: --json, all beyond (1e23-1e25)": (
            [*plan_command(), "--from", str(beyond_few), "--json"],
            few,
        ),
        "intervals: --format csv, wide sweep": (
            [*plan_command(), "--from", str(wide_few), "--format", "csv"],
            few,
        ),
        FLOOR_PLAIN: (
            [sys.executable, "-c", FLOOR, str(inside), "plain"],
            args.lines,
        ),
        FLOOR_BOUNDED: (
            [sys.executable, "-c", FLOOR, str(inside_few), "intervals"],
            few,
        ),
    }
    if args.baseline is not None:
        tree = args.baseline.resolve()
        for name, (command, lines) in list(cases.items()):
            if not name.startswith("bare"):
                plan = plan_command()
                cases[f"  baseline {name}"] = ([*plan_command(tree), *command[len(plan) :]], lines)
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(args.runs):
        for name, (command, _) in cases.items():
            times[name].append(run(command)[0])
    for name, values in sorted(times.items(), key=lambda item: item[0].removeprefix("  baseline ")):
        cpu = statistics.median(values)
        lines = cases[name][1]
        per_line = "" if name.startswith("bare") else f"  {cpu / lines * 1e6:6.1f} us a line, {lines:,} lines"
        verdict = ""
        if not name.startswith(("bare", "floor")):
            floor = FLOOR_BOUNDED if "intervals" in name else FLOOR_PLAIN
            verdict = f"  {cpu / statistics.median(times[floor]):4.2f}x floor"
            if lines == 100_000 and not name.startswith("  baseline"):
                verdict += f", target {TARGET_SECONDS} s: {'ok' if cpu <= TARGET_SECONDS else 'OVER'}"
        print(f"{name:<42} {cpu:7.3f} s{per_line}{verdict}")
    if args.no_memory:
        return
    print("peak memory (max RSS) by lines, JSON:")
    for lines, options in (
        (10_000, [plain]),
        (100_000, [plain]),
        (1_000_000, [plain]),
        (10_000, []),
        (100_000, []),
    ):
        sized = budgets(folder / f"budgets-{lines}.txt", lines, seed=1)
        cpu, rss = run([*plan_command(), "--from", str(sized), "--json", *options])
        shown = "without intervals" if options else "with intervals"
        print(f"  {lines:>9,} lines {shown}: {rss:6.1f} MB, {cpu:6.2f} s CPU")
    latencies = [first_line_latency() for _ in range(3)]
    print(f"line 1 of an open pipe is planned and read back in {statistics.median(latencies) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
