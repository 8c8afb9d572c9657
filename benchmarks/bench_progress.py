"""What the progress display costs the work it shows: the same commands with it and without.

Run:  python benchmarks/bench_progress.py [--rounds R]
Each command runs with stderr on a pseudo-terminal (80 columns), so that the display draws
as it would for a user, once as it is and once with progress turned off in the child
(planner.output.progress.wanted made to say no), alternately, R rounds (default 3). Prints
the median CPU time (user + system, of the child) of each and their ratio, from that one
interleaved run; and the bytes the display wrote to the terminal. The commands: `plan fit`
with 2,000 bootstrap resamples on tests/examples/runs.csv, `plan backtest` with two cuts,
and `plan --from` a generated file of 20,000 budgets with its JSON Lines sent to /dev/null;
and, when ../shared/data is beside the project, `plan fit` of its 1,745 isoFLOP runs with
2,000 resamples.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import random
import resource
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = ROOT / "tests" / "examples" / "runs.csv"
LARGE = ROOT.parent / "shared" / "data" / "porian2024-isoflop-points.csv"
"""1,745 runs (Porian et al. 2024), for a fit of some ten seconds when the file is there."""

CHILD = """
import sys
if sys.argv[1] == "off":
    import planner.output.progress as progress
    progress.wanted = lambda asked=True: False
from planner.cli.main import main
main(sys.argv[2:])
"""


def on_a_terminal(args: list[str], progress: bool) -> tuple[float, int]:
    """(CPU seconds, bytes written to stderr) of `plan ARGS` with stderr on a pseudo-terminal."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 80, 0, 0))
    seen = [0]

    def drain() -> None:
        while True:
            try:
                data = os.read(leader, 65536)
            except OSError:
                return
            if not data:
                return
            seen[0] += len(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    env = {key: value for key, value in os.environ.items() if key not in ("COLUMNS", "NO_COLOR")}
    env.update(PYTHONPATH=str(ROOT), TERM="xterm-256color")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(
        [sys.executable, "-c", CHILD, "on" if progress else "off", *args],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=follower,
        env=env,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    os.close(follower)
    reader.join(timeout=5)
    os.close(leader)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, seen[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory() as folder:
        budgets = Path(folder) / "budgets.txt"
        draw = random.Random(0)
        budgets.write_text("".join(f"{10 ** draw.uniform(19, 22):.6g}\n" for _ in range(20_000)))
        commands = {
            "plan fit (2,000 resamples)": ["fit", str(RUNS), "--bootstrap", "2000", "--json"],
            "plan backtest (2 cuts)": ["backtest", str(RUNS), "--cut", "1e20", "--cut", "3e20", "--json"],
            "plan --from (20,000 budgets)": ["--from", str(budgets), "--json"],
        }
        if LARGE.exists():
            commands["plan fit (1,745 runs, 2,000)"] = ["fit", str(LARGE), "--bootstrap", "2000", "--json"]
        times: dict[tuple[str, bool], list[float]] = {}
        drawn: dict[str, int] = {}
        for _ in range(rounds):
            for name, args in commands.items():
                for progress in (True, False):
                    cpu, written = on_a_terminal(args, progress)
                    times.setdefault((name, progress), []).append(cpu)
                    if progress:
                        drawn[name] = written
    print(f"CPU seconds, median of {rounds} interleaved rounds, stderr on an 80-column pseudo-terminal")
    print(f"{'command':30} {'progress':>9} {'none':>9} {'ratio':>7} {'stderr bytes':>13}")
    for name in commands:
        shown, off = (statistics.median(times[name, flag]) for flag in (True, False))
        print(f"{name:30} {shown:9.3f} {off:9.3f} {shown / off:7.3f} {drawn[name]:13,}")


if __name__ == "__main__":
    main()
