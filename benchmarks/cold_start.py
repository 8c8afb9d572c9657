"""Cold-start time of the `plan` command against a bare interpreter, and against another tree.

Runs each command many times as a new process, interleaved (bare python, this tree, and
with --baseline an earlier checkout, in turn), and prints the median CPU time (user + sys
of the child, which a shared machine's load disturbs less than wall time), the median wall
time, and the ratios to bare `python -c pass` and to the baseline. Alone, this tree runs as
the installed `plan` script; beside a baseline, both trees run as `python -m planner` with
their own directory first on PYTHONPATH. Bytecode is compiled first, as `pip install` does
for a wheel. Usage:

    python benchmarks/cold_start.py [--runs 30] [--baseline ../planner-before] [--imports 5] [--only TEXT]

Each line also gives the target (2.5x bare python for the JSON plan, with or without its
intervals, 4x for the others) and
whether it is met, and the floor: a stdlib-only script that computes a JSON plan. Then the
costliest imports of each command, from one run with -X importtime.
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

EXAMPLE_SPEC = str(ROOT / "tests" / "examples" / "run.toml")

CASES = {
    "plan --flops 1e21 --json --no-intervals": ["--flops", "1e21", "--json", "--no-intervals"],
    "plan --flops 1e21 --json": ["--flops", "1e21", "--json"],
    "plan --flops 1e21": ["--flops", "1e21"],
    "plan ... --unique-tokens 25e9 --json": [
        *("--flops", "1e20", "--flops", "1e21", "--flops", "1e22", "--flops", "1e23"),
        *("--unique-tokens", "25e9", "--json"),
    ],
    "plan --flops 1e21 --compare": ["--flops", "1e21", "--compare"],
    "plan --flops 1e21 --gpu h100 --json": ["--flops", "1e21", "--gpu", "h100", "--json"],
    "plan --params 7e9 --tokens 2e12 --json": ["--params", "7e9", "--tokens", "2e12", "--json"],
    "plan --target-loss 2.2": ["--target-loss", "2.2"],
    "plan --params 7e9": ["--params", "7e9"],
    "plan --flops 1e21 --size-range 0.5 2": ["--flops", "1e21", "--size-range", "0.5", "2"],
    "plan laws": ["laws"],
    "plan gpus": ["gpus"],
    "plan check tests/examples/run.toml": ["check", EXAMPLE_SPEC],
    "plan transfer --params 1e9 ... --json": [
        "transfer",
        "--params",
        "1e9",
        "--finetune-chars",
        "1e8",
        "--json",
    ],
}
TARGETS = {"plan --flops 1e21 --json --no-intervals": 2.5, "plan --flops 1e21 --json": 2.5}
"""The most each command may take, as a multiple of bare python's CPU time; 4x unless named.
The 2.5x of a JSON plan holds with its default intervals too (their tails from the cells
the law index keeps, planner.planning.tails)."""
TARGET = 4.0

FLOOR = """
import json, sys
E, A, B, alpha, beta = 1.81686, 482.00572, 2085.4342, 0.34781, 0.36585
C = float(sys.argv[1]); s = alpha + beta
N = (alpha * A / (beta * B)) ** (1 / s) * (C / 6) ** (beta / s); D = C / (6 * N)
print(json.dumps({"flops": C, "params": N, "tokens": D, "loss": E + A / N**alpha + B / D**beta}))
"""
"""The floor of a JSON plan: a stdlib-only script that computes it and prints it as JSON."""


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
    parser.add_argument("--imports", type=int, default=5, help="top imports to list per command (0: none)")
    parser.add_argument(
        "--only", action="append", default=[], help="run only the commands whose name holds this text"
    )
    args = parser.parse_args()
    cases = {
        name: words for name, words in CASES.items() if not args.only or any(o in name for o in args.only)
    }
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
    floor = [sys.executable, "-c", FLOOR, "1e21"]
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{args.runs} interleaved runs each; medians"
    )
    floors: list[float] = []
    header = (
        f"{'command':<40} {'tree':<9} {'CPU ms':>7} {'wall ms':>8} {'x bare CPU':>10} {'target':>6} {'':>4}"
    )
    print(header + (f" {'this/base CPU':>13}" if len(trees) > 1 else ""))
    for name, words in cases.items():
        commands = {label: [*launcher(len(trees) > 1), *words] for label in trees}
        for label, command in commands.items():  # warm the file cache
            run_once(command, environment(trees[label]))
        times: dict[str, list[tuple[float, float]]] = {
            "bare": [],
            "floor": [],
            **{label: [] for label in trees},
        }
        for _ in range(args.runs):
            times["bare"].append(run_once(bare, environment(None)))
            times["floor"].append(run_once(floor, environment(None)))
            for label, command in commands.items():
                times[label].append(run_once(command, environment(trees[label])))
        cpu = {label: statistics.median(t[0] for t in runs) for label, runs in times.items()}
        wall = {label: statistics.median(t[1] for t in runs) for label, runs in times.items()}
        floors.append(cpu["floor"] / cpu["bare"])
        for label in trees:
            ratio = cpu[label] / cpu["bare"]
            target = TARGETS.get(name, TARGET)
            line = f"{name:<40} {label:<9} {cpu[label]:>7.1f} {wall[label]:>8.1f} {ratio:>10.2f}"
            line += f" {target:>6.1f} {'ok' if ratio <= target else 'OVER':>4}"
            if len(trees) > 1 and label == "this":
                line += f" {cpu['this'] / cpu['baseline']:>13.3f}"
            print(line, flush=True)
    print(f"{'python -c pass':<40} {'':<9} {cpu['bare']:>7.1f} {wall['bare']:>8.1f} {1.0:>10.2f}")
    print(
        f"{'stdlib-only JSON plan (the floor)':<40} {'':<9} {'':>7} {'':>8} {statistics.median(floors):>10.2f}"
    )
    if args.imports:
        print("\ntop imports of each command (-X importtime, cumulative microseconds, one run):")
        for name, words in cases.items():
            print(f"{name}: {top_imports([*launcher(False), *words], environment(ROOT), args.imports)}")


def top_imports(command: list[str], env: dict[str, str], count: int) -> str:
    """The `count` costliest top-level imports of one run of the command."""
    python = [sys.executable, "-X", "importtime", *command[1:]] if command[0] == sys.executable else None
    if python is None:  # the installed script: run its interpreter with -X importtime
        python = [sys.executable, "-X", "importtime", command[0], *command[1:]]
    result = subprocess.run(python, env=env, cwd=NEUTRAL, capture_output=True, text=True, check=False)
    rows = []
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            _, total_us, module = line.split("|")
            depth = len(module) - len(module.lstrip())
            if depth <= 1 and total_us.strip().isdigit():
                rows.append((int(total_us), module.strip()))
    rows.sort(reverse=True)
    return ", ".join(f"{module} {micro:,}" for micro, module in rows[:count])


if __name__ == "__main__":
    main()
