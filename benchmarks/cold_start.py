"""Cold-start time of the `plan` command against a bare interpreter, and against another tree.

Runs each command many times as a new process, interleaved (bare python, this tree, and
with --baseline an earlier checkout, in turn), and prints the median CPU time (user + sys
of the child, which a shared machine's load disturbs less than wall time), the median wall
time, and the ratios to bare `python -c pass` and to the baseline. Alone, this tree runs as
the installed `plan` script; beside a baseline, both trees run as `python -m planner` with
their own directory first on PYTHONPATH. Bytecode is compiled first, as `pip install` does
for a wheel. Usage:

    python benchmarks/cold_start.py [--runs 30] [--baseline ../planner-before]
"""

from __future__ import annotations

import argparse
import compileall
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NEUTRAL = tempfile.mkdtemp(prefix="cold-start-")

CASES = {
    "plan --flops 1e21 --json": ["--flops", "1e21", "--json"],
    "plan --flops 1e21": ["--flops", "1e21"],
    "plan ... --unique-tokens 25e9 --json": [
        *("--flops", "1e20", "--flops", "1e21", "--flops", "1e22", "--flops", "1e23"),
        *("--unique-tokens", "25e9", "--json"),
    ],
    "plan --flops 1e21 --compare": ["--flops", "1e21", "--compare"],
    "plan --flops 1e21 --gpu h100 --json": ["--flops", "1e21", "--gpu", "h100", "--json"],
    "plan --params 7e9 --tokens 2e12 --json": ["--params", "7e9", "--tokens", "2e12", "--json"],
    "plan laws": ["laws"],
    "plan transfer --params 1e9 ... --json": [
        "transfer",
        "--params",
        "1e9",
        "--finetune-chars",
        "1e8",
        "--json",
    ],
}


def run_once(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(CPU ms, wall ms) of one run of the command as a new process.

    It runs in a folder of neither tree: `python -m` puts the working directory first on
    sys.path, which would otherwise pick the tree there whatever PYTHONPATH says.
    """
    start = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, cwd=NEUTRAL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(process.pid, 0)
    wall = (time.perf_counter() - start) * 1000
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(command)} failed")
    return (usage.ru_utime + usage.ru_stime) * 1000, wall


def launcher(paired: bool) -> list[str]:
    """How `plan` is started: the installed script, or `python -m planner` to pair two trees."""
    script = Path(sys.executable).with_name("plan")
    return [str(script)] if script.exists() and not paired else [sys.executable, "-m", "planner"]


def environment(tree: Path | None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env["NO_COLOR"] = "1"
    if tree is not None:
        env["PYTHONPATH"] = str(tree)
    return env


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--baseline", type=Path, help="another checkout of planner to compare with")
    args = parser.parse_args()
    trees = {"this": ROOT}
    if args.baseline is not None:
        trees["baseline"] = args.baseline.resolve()
    for label, tree in trees.items():
        compileall.compile_dir(tree / "planner", quiet=1)
        found = subprocess.run(
            [sys.executable, "-c", "import planner; print(planner.__file__)"],
            env=environment(tree),
            cwd=NEUTRAL,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        if not Path(found).is_relative_to(tree):
            sys.exit(f"{label} tree {tree} imports planner from {found}")
    bare = [sys.executable, "-c", "pass"]
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{args.runs} interleaved runs each; medians"
    )
    header = f"{'command':<40} {'tree':<9} {'CPU ms':>7} {'wall ms':>8} {'x bare CPU':>10}"
    print(header + (f" {'this/base CPU':>13}" if len(trees) > 1 else ""))
    for name, words in CASES.items():
        commands = {label: [*launcher(len(trees) > 1), *words] for label in trees}
        for label, command in commands.items():  # warm the file cache
            run_once(command, environment(trees[label]))
        times: dict[str, list[tuple[float, float]]] = {"bare": [], **{label: [] for label in trees}}
        for _ in range(args.runs):
            times["bare"].append(run_once(bare, environment(None)))
            for label, command in commands.items():
                times[label].append(run_once(command, environment(trees[label])))
        cpu = {label: statistics.median(t[0] for t in runs) for label, runs in times.items()}
        wall = {label: statistics.median(t[1] for t in runs) for label, runs in times.items()}
        for label in trees:
            line = f"{name:<40} {label:<9} {cpu[label]:>7.1f} {wall[label]:>8.1f} {cpu[label] / cpu['bare']:>10.2f}"
            if len(trees) > 1 and label == "this":
                line += f" {cpu['this'] / cpu['baseline']:>13.3f}"
            print(line)
    print(f"{'python -c pass':<40} {'':<9} {cpu['bare']:>7.1f} {wall['bare']:>8.1f} {1.0:>10.2f}")


if __name__ == "__main__":
    main()
