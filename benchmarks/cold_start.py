"""Cold-start time of the `plan` command against a bare interpreter.

Runs each command many times as a new process and prints the median and spread in
milliseconds. The package's bytecode is compiled first, as `pip install` does for a wheel
(an editable install under PYTHONDONTWRITEBYTECODE=1 would otherwise recompile every
module on every start). Usage: python benchmarks/cold_start.py [--runs 30]
"""

from __future__ import annotations

import argparse
import compileall
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def plan_command() -> list[str]:
    script = Path(sys.executable).with_name("plan")
    if script.exists():
        return [str(script)]
    found = shutil.which("plan")
    return [found] if found else [sys.executable, "-m", "planner"]


def measure(command: list[str], runs: int) -> list[float]:
    env = {**os.environ, "NO_COLOR": "1"}
    subprocess.run(command, capture_output=True, env=env, check=True)  # warm the file cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, env=env, check=True)
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    runs = parser.parse_args().runs
    import planner

    compileall.compile_dir(Path(planner.__file__).parent, quiet=1)
    plan = plan_command()
    cases = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "plan --flops 1e21 --json": [*plan, "--flops", "1e21", "--json"],
        "plan ... --unique-tokens 25e9 --json": [
            *plan,
            *("--flops", "1e20", "--flops", "1e21", "--flops", "1e22", "--flops", "1e23"),
            *("--unique-tokens", "25e9", "--json"),
        ],
        "plan --flops 1e21": [*plan, "--flops", "1e21"],
        "plan --flops 1e21 --compare": [*plan, "--flops", "1e21", "--compare"],
        "plan --flops 1e21 --gpu h100 --json": [*plan, "--flops", "1e21", "--gpu", "h100", "--json"],
        "plan --params 7e9 --tokens 2e12 --json": [*plan, "--params", "7e9", "--tokens", "2e12", "--json"],
        "plan laws": [*plan, "laws"],
        "plan transfer --params 1e9 ... --json": [
            *plan,
            "transfer",
            "--params",
            "1e9",
            "--finetune-chars",
            "1e8",
            "--json",
        ],
    }
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {runs} runs each"
    )
    print(f"{'command':<40} {'median ms':>10} {'min ms':>8} {'max ms':>8}")
    for name, command in cases.items():
        times = measure(command, runs)
        print(f"{name:<40} {statistics.median(times):>10.1f} {min(times):>8.1f} {max(times):>8.1f}")


if __name__ == "__main__":
    main()
