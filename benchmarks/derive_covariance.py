"""Derive the covariance a shipped law stores, from the public data behind it.

Run from the project's root (the data sits beside the project, in ../shared/data):
    python benchmarks/derive_covariance.py [LAW] [--write] [--gaussian]
LAW defaults to besiroglu2024 (the laws that can be derived: planner.fitting.derived.RECIPES).
Prints the bootstrap standard errors beside the published ones in the law's [stderr], then
whether the law file's [uncertainty] table holds exactly what the bootstrap gives (exit 1
if not); --write puts it there. --gaussian prints how well normal draws of the stored
covariance give the bootstrap's own percentile intervals on plans, against normal draws
of the raw parameters.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from planner.cli.fit import one_blas_thread  # noqa: E402

one_blas_thread()  # as plan fit does

from planner.fitting.derived import DATA_FROM_ROOT, RECIPES, Derivation, derive, gaussian_check  # noqa: E402
from planner.laws.catalog import find_law, laws_dir  # noqa: E402
from planner.laws.format import Uncertainty  # noqa: E402
from planner.laws.write import render_table  # noqa: E402

MARK = "# [uncertainty] is written by `python benchmarks/derive_covariance.py"
NOTE = (
    "Bootstrap covariance derived here from the Epoch extraction of Chinchilla's runs: "
    "the project's fitter refitted to 4000 resamples of the 240 runs left after the 5 of "
    "highest loss, seed 42, as Besiroglu et al. did. In log E, log A, log B, alpha and beta, "
    "where normal draws give the bootstrap's own intervals on plans; see docs/laws.md."
)


def block(law_id: str, derivation: Derivation) -> str:
    """The [uncertainty] table the law file should hold, with its comment lines."""
    table = render_table("uncertainty", Uncertainty(note=NOTE, covariance=derivation.covariance))
    head = [
        f"{MARK} {law_id} --write`;",
        "# its command repeats the bootstrap (plan fit writes the same matrix). Do not edit by hand.",
    ]
    return "\n".join([*head, *table]) + "\n\n"


def law_path(law_id: str) -> Path:
    return next(laws_dir().glob(f"*/{law_id}.toml"))


def replaced(text: str, new: str) -> str:
    """The law file's text with its generated [uncertainty] block (or none) replaced by `new`."""
    start = text.find(MARK)
    if start < 0:
        start = end = text.index("\n[fitted_range]") + 1
    else:
        following = re.compile(r"^(#.*\n)*\[(?!uncertainty[.\]])", re.M).search(text, start + len(MARK))
        end = following.start() if following else len(text)
    return text[:start] + new + text[end:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("law", nargs="?", default="besiroglu2024", choices=sorted(RECIPES))
    parser.add_argument("--write", action="store_true", help="put the derived table into the law file")
    parser.add_argument("--gaussian", action="store_true", help="compare Gaussian and bootstrap intervals")
    args = parser.parse_args()
    recipe = RECIPES[args.law]
    data = ROOT / DATA_FROM_ROOT / recipe.data
    if not data.is_file():
        sys.exit(f"data not found: {data} (the shared data sits beside the project)")
    derivation = derive(recipe, str(data))
    published = find_law(args.law).stderr or {}
    print(
        f"{args.law}: {recipe.resamples} resamples, seed {recipe.seed}, {recipe.drop_highest} highest dropped"
    )
    print(f"{'param':6} {'derived SE':>12} {'published SE':>13} {'ratio':>6}")
    for name, value in derivation.stderr.items():
        shown = published.get(name)
        ratio = f"{value / shown:6.3f}" if shown else "     -"
        print(f"{name:6} {value:12.6g} {shown if shown is not None else '-':>13} {ratio}")
    path = law_path(args.law)
    text = path.read_text(encoding="utf-8")
    wanted = replaced(text, block(args.law, derivation))
    if args.write:
        path.write_text(wanted, encoding="utf-8")
        print(f"wrote the [uncertainty] table of {path.relative_to(ROOT)}; now run python -m planner.laws")
    elif wanted != text:
        print(f"{path.relative_to(ROOT)} does not hold the derived [uncertainty] table; rerun with --write")
        stored = find_law(args.law).uncertainty
        if stored is not None and stored.covariance is not None:
            new = derivation.covariance.matrix
            worst = max(
                abs(a - b) / math.sqrt(new[i][i] * new[j][j])
                for i, row in enumerate(stored.covariance.matrix)
                for j, a in enumerate(row)
                for b in [new[i][j]]
            )
            print(f"largest difference of the stored matrix, relative to the variances: {worst:.3g}")
        raise SystemExit(1)
    else:
        print(f"{path.relative_to(ROOT)} holds exactly the derived [uncertainty] table")
    if args.gaussian:
        for log_scales in (True, False):
            check = gaussian_check(derivation, log_scales=log_scales)
            print(
                f"\nnormal in {', '.join(check.names)}: {check.samples} draws, {check.failed} without an optimum;"
                f" worst coverage gap {check.worst_coverage_gap:.3f}, worst endpoint shift"
                f" {check.worst_shift:.3f} of the interval's width ({check.worst_relative:.2%})"
            )
            print(
                f"{'quantity':8} {'FLOPs':>8} {'level':>5} {'bootstrap':>21} {'gaussian':>21} {'cover':>6} {'shift':>6}"
            )
            for row in check.rows:
                boot = f"{row.bootstrap[0]:.4g} to {row.bootstrap[1]:.4g}"
                gauss = f"{row.gaussian[0]:.4g} to {row.gaussian[1]:.4g}"
                print(
                    f"{row.quantity:8} {row.flops:8.3g} {row.level:5.2f} {boot:>21} {gauss:>21}"
                    f" {row.coverage:6.3f} {row.shift:6.3f}"
                )


if __name__ == "__main__":
    main()
