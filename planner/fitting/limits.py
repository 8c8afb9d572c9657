"""How much a fit takes: the bounds on its options and size, and how long it will run.

Owns the limits `plan fit` keeps to so that it answers or refuses, never runs out of memory
or overflows numpy: at most MAX_RUNS runs, MAX_RESAMPLES bootstrap resamples, MAX_RESAMPLED
runs held by a bootstrap at once, and a seed numpy takes; and a rough estimate of a fit's
time, for a note before a long one. Standard library only, so the CLI refuses a bad size
before numpy and scipy load; raises InputError and never prints.
"""

from __future__ import annotations

from planner.errors import InputError
from planner.units import FLOPS_PER_PARAM_TOKEN

RESAMPLES = 200
"""The bootstrap's resamples unless asked otherwise, by `plan fit` and `planner.fit` alike
(0 asks for none)."""

MAX_RUNS = 100_000
"""The most runs fitted. Published fits use tens to a few thousand (Hoffmann et al. 2022:
about 400; Porian et al. 2024: 1,745); a fit of 100,000 takes a few seconds here, but a
bootstrap of that many takes minutes (seconds() below), and a larger set is better
sampled than fitted whole."""

MAX_RESAMPLES = 100_000
"""The most bootstrap resamples. Percentile intervals at 95% settle within a few thousand;
beyond 100,000 a bootstrap only costs time and memory."""

MAX_RESAMPLED = 20_000_000
"""The most resampled runs (resamples x runs) a bootstrap holds at once. Every resample's
refits start from 9 points, each with its own weight per run: about 100 bytes per resampled
run in all, so 20 million take about 2 GB (the default 200 resamples of MAX_RUNS runs)."""

MAX_SEED = 2**64 - 1
"""The largest seed: a 64-bit word, the width of numpy's generator state words. numpy
takes larger integers, but no fit needs them, and the seed is written into the law file."""

SECONDS_PER_RUN = 3e-5
SECONDS_PER_RESAMPLED_RUN = 4e-6
"""Rough cost of a chinchilla fit, per run and per run and resample, on the 2-core machine
it was measured on (the other core partly busy), a middle value. The point fit screens its
start grid on a sample of at most 128 runs (planner.fitting.common.SCREEN_RUNS), so it costs
about 0.2 s whatever the size, plus refining on all runs: CPU time by
`python benchmarks/bench_fit_scaling.py`, 0.16 s at 50 runs, 0.19 s at 240, 0.20 s at
1,000, 0.21 s at 5,000 and about 0.5 s at 20,000 synthetic runs, so under 30 microseconds a
run above a fixed 0.2 s. The bootstrap refits every resample on all runs, from the best 3 of
9 local starts after 4 iterations: 1.2 s for 1,000 resamples of 240 runs (the Epoch
extraction), 12.5 s for 200 resamples of 20,000 synthetic runs (`plan fit` of those with the
default --bootstrap 200: 13.8 s in all), so 3 to 5 microseconds a run and resample.
kaplan-nd runs all 9 starts, about twice that."""

SLOW_SECONDS = 10.0
"""A fit expected to take longer than this gets a note before it starts."""


def check_size(
    runs: int, *, bootstrap: int, seed: int, drop_highest: int, holdout_largest: int, source: str
) -> None:
    """InputError for a fit too large to run, or options beyond what the fit can take."""
    for name, value in (("--drop-highest", drop_highest), ("--holdout-largest", holdout_largest)):
        if value > runs:
            raise InputError(f"{_named(name, value)} is more than the {runs:,} runs in {source}; give fewer")
    if seed > MAX_SEED:
        raise InputError(f"--seed must be at most 2^64 - 1 ({MAX_SEED}), a 64-bit seed; give a smaller one")
    if bootstrap > MAX_RESAMPLES:
        raise InputError(
            f"{_named('--bootstrap', bootstrap)} is more than {MAX_RESAMPLES:,} resamples, past which the "
            "intervals no longer change; give e.g. --bootstrap 1000"
        )
    if runs > MAX_RUNS:
        raise InputError(
            f"{source} has {runs:,} runs; at most {MAX_RUNS:,} are fitted (a fit of that many takes "
            f"about {_duration(seconds(MAX_RUNS, 0))}); fit a sample of the runs"
        )
    kept = runs - drop_highest
    if bootstrap * kept > MAX_RESAMPLED:
        most = max(MAX_RESAMPLED // max(kept, 1), 2)
        raise InputError(
            f"--bootstrap {bootstrap:,} of {kept:,} runs would hold {bootstrap * kept:,} resampled runs "
            f"in memory, more than {MAX_RESAMPLED:,} (about 2 GB); give --bootstrap {most:,} or fewer"
        )


def check_budget(budget: float | None) -> None:
    """InputError for a --budget too small for any model: one parameter on one token is 6 FLOPs."""
    if budget is not None and budget < FLOPS_PER_PARAM_TOKEN:
        raise InputError(
            f"--budget {budget:g} is below {FLOPS_PER_PARAM_TOKEN:g} FLOPs, the cost of one parameter "
            "trained on one token (C = 6ND); give a larger budget, e.g. --budget 1e21"
        )


def seconds(runs: int, bootstrap: int) -> float:
    """Rough time of a fit of `runs` runs with `bootstrap` resamples, in seconds."""
    return runs * (SECONDS_PER_RUN + bootstrap * SECONDS_PER_RESAMPLED_RUN)


def slow_note(runs: int, bootstrap: int) -> str | None:
    """A note for a fit expected to take long (how many runs, roughly how long), else None."""
    expected = seconds(runs, bootstrap)
    if expected < SLOW_SECONDS:
        return None
    resampled = f" and {bootstrap:,} bootstrap resamples" if bootstrap else ""
    return f"fitting {runs:,} runs{resampled} takes roughly {_duration(expected)}"


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} seconds"
    if seconds < 5400:
        return f"{seconds / 60:.0f} minutes"
    return f"{seconds / 3600:.1f} hours"


def _named(flag: str, value: int) -> str:
    """The option as given, unless its value is too long to repeat."""
    return f"{flag} {value}" if value < 10**24 else flag
