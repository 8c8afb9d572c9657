"""Intervals on every question, from the draws of the law's parameters (planner.planning.draws).

Owns turning draws into `Intervals`: each question's point calculation repeated on every
draw (through the form's methods, or the form's column twin of them where it has one:
`draw_plans`, `draw_losses`), the model-error term added to the loss (normal in log loss,
planner.planning.model_error, scaled by the decades beyond the fitted runs), and central
percentiles at the asked level (numpy's default, linear between order statistics).
Standard library only: the intervals of one plan cost a few milliseconds and no numpy.
"""

from __future__ import annotations

import math

from planner.planning.draws import SAMPLES, SEED, Draws, covariance_of, draws_of
from planner.planning.model_error import MODEL_ERROR
from planner.planning.results import Interval, Intervals
from planner.planning.rounding import outward, outward_all
from planner.units import FLOPS_PER_PARAM_TOKEN

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Any

    from planner.forms.base import Law
    from planner.hardware import Hardware

MIN_ANSWERED = 0.5
"""A question answered by fewer than this share of the draws gets no interval (a notice says so)."""


def log_quantiles(values: Sequence[float], level: float) -> Interval:
    """`quantiles` of the logs of `values` (all above zero), as values: the percentiles of a
    size or a loss, interpolated in log space as the arrays of budgets interpolate them."""
    log1p = math.log1p  # log1p(x - 1) is log x, at about half the cost of math.log
    band = quantiles([log1p(v - 1.0) for v in values], level)
    return Interval(math.exp(band.low), math.exp(band.high))


def clamped(band: Interval, low: float, high: float) -> Interval:
    """`band` within [low, high]: the caps of a plan bind its interval exactly, not to the
    rounding of a percentile taken in logs."""

    def snap(value: float) -> float:
        value = min(max(value, low), high)
        for cap in (low, high):
            if 0 < cap < math.inf and abs(value - cap) <= 1e-12 * cap:
                return cap
        return value

    return Interval(snap(band.low), snap(band.high))


def quantiles(values: Sequence[float], level: float) -> Interval:
    """The central `level` interval of `values`: numpy's default percentiles, linear
    interpolation between the order statistics."""
    positions, ranks = _ranks(len(values), level)
    return _interpolated(_order_statistics(values, ranks), positions, len(values) - 1)


def tail_quantiles(low: list[float], high: list[float], count: int, level: float) -> Interval:
    """`quantiles` of `count` values of which `low` holds every one that can be among the
    smallest the interval reads and `high` every one among the largest (planner.planning.tails):
    the same order statistics, from sorting the two tails alone."""
    positions, ranks = _ranks(count, level)
    low, high = sorted(low), sorted(high)
    skipped = count - len(high)  # the values below the high tail
    ordered = {r: low[r] if r < count // 2 else high[r - skipped] for r in ranks}
    return _interpolated(ordered, positions, count - 1)


def _ranks(count: int, level: float) -> tuple[list[float], list[int]]:
    last = count - 1
    positions = [q * last for q in ((1 - level) / 2, (1 + level) / 2)]
    ranks = sorted({min(r, last) for p in positions for r in (math.floor(p), math.floor(p) + 1)})
    return positions, ranks


def _interpolated(ordered: dict[int, float], positions: list[float], last: int) -> Interval:
    ends = []
    for position in positions:
        below = math.floor(position)
        above = min(below + 1, last)
        ends.append(ordered[below] + (ordered[above] - ordered[below]) * (position - below))
    return Interval(ends[0], ends[1])


SUBSAMPLE = 16
"""`_order_statistics` guesses each tail's edge from every SUBSAMPLE-th value."""


def _order_statistics(values: Sequence[float], ranks: list[int]) -> dict[int, float]:
    """The values at `ranks` of `values` in ascending order, as a full sort gives them.

    A central interval needs only each tail's few ranks: each tail is cut at a guess (from
    a sorted subsample, with twice the values needed in expectation) and only the values
    beyond it are sorted, about a fifth of the work of sorting all. A cut that leaves too
    few values beyond it is not used: then everything is sorted."""
    n = len(values)
    low = [r for r in ranks if r < n // 2]
    high = [r for r in ranks if r >= n // 2]
    need_low = max(low, default=-1) + 1  # the values up to the highest low rank
    need_high = n - min(high, default=n)
    found: dict[int, float] = {}
    if n >= 32 * SUBSAMPLE and max(need_low, need_high) * 8 <= n:
        sample = sorted(values[::SUBSAMPLE])
        if need_low:
            cut = sample[min(len(sample) - 1, 2 * need_low // SUBSAMPLE + 2)]
            tail = sorted([v for v in values if v <= cut])
            if len(tail) >= need_low:
                found.update((r, tail[r]) for r in low)
        if need_high:
            cut = sample[max(0, len(sample) - 1 - (2 * need_high // SUBSAMPLE + 2))]
            tail = sorted([v for v in values if v >= cut])
            if len(tail) >= need_high:
                found.update((r, tail[r - (n - len(tail))]) for r in high)
    if len(found) < len(ranks):
        ordered = sorted(values)
        found = {r: ordered[r] for r in ranks}
    return found


QUANTITIES = ("params", "tokens", "tokens_per_param", "loss", "parameter_loss")
"""The quantities with intervals, each as columns <name>_low and <name>_high."""
BOUNDS = tuple(f"{name}_{end}" for name in QUANTITIES for end in ("low", "high"))
"""Their columns, in the order `interval_of` takes them."""


def interval_of(
    level: float, bounds: list[float], sigma: float, draws: int, failed: int, text: str
) -> Intervals:
    """A budget's `Intervals` from its `bounds` (<quantity>_low and _high of QUANTITIES)."""
    return Intervals(
        level=level,
        params=Interval(bounds[0], bounds[1]),
        tokens=Interval(bounds[2], bounds[3]),
        tokens_per_param=Interval(bounds[4], bounds[5]),
        loss=Interval(bounds[6], bounds[7]),
        parameter_loss=Interval(bounds[8], bounds[9]),
        model_error=sigma,
        draws=draws,
        failed=failed,
        method=text,
    )


TAILS_VERSION = 1
"""Of the kept cells' layout (planner.planning.tails); cells of another version are not used."""
GRID = "tails-grid"
"""The key (planner.planning.draws.Draws.derived) of the cells' layout."""
CELLS = "tails-cells"
"""The key of the cells' candidates: one array of raw uint16 (the index keeps it as is)."""
HEADER = 8
"""Values before the cells' places in the layout (see `kept_tails`)."""
BANDS_VERSION = 1
"""Of the kept band cells' layout (planner.planning.tails.kept_bands)."""
BAND_GRID = "bands-grid"
"""The key of the band cells' layout: the cells of the default level's two ranks at each end."""
BAND_CELLS = "bands-cells"
"""The key of the band cells' counts and draws: one array of raw uint16."""
BAND_HEADER = 9
"""Values before the band cells' places in their layout."""


def needed(samples: int, level: float) -> int:
    """How many of the smallest (and of the largest) of `samples` values a central interval
    at `level` reads: its order statistics either side of each end, as `quantiles` takes them."""
    position = (1 - level) / 2 * (samples - 1)
    return math.floor(position) + 2


def sigma_terms(law: Law) -> tuple[float, float]:
    """(scatter, the largest fitted run's FLOPs or 0): what the model error's sigma depends on."""
    bounds = law.fitted_range.bounds().get("flops")
    return scatter_of(law), (bounds[1] if bounds else 0.0)


def tails_apply(header: Sequence[float], draws: Draws, level: float) -> bool:
    """Whether the tail cells whose layout starts with `header` (see tails.kept_tails) hold
    the ends of an interval at `level` over `draws`: cells of this version, holding enough
    draws at each tail, made with this model error."""
    version, _, _, _, most, per_decade, scatter, top = header[:HEADER]
    return (
        version == TAILS_VERSION
        and needed(draws.kept, level) <= most
        and per_decade == MODEL_ERROR.per_decade
        and (scatter, top) == sigma_terms(draws.law)
    )


def bands_apply(header: Sequence[float], draws: Draws, level: float) -> bool:
    """Whether the band cells whose layout starts with `header` (see tails.kept_bands) hold
    the ends of an interval at `level` over `draws`: cells of this version, made for this
    level and this number of draws, with this model error."""
    version, _, _, _, stored_level, samples, per_decade, scatter, top = header[:BAND_HEADER]
    return (
        version == BANDS_VERSION
        and level == stored_level
        and samples == draws.kept
        and per_decade == MODEL_ERROR.per_decade
        and (scatter, top) == sigma_terms(draws.law)
    )


def frontier_tails(draws: Draws, x: float, level: float, sigma: float) -> tuple[list[float], ...] | None:
    """At x = ln(C/6): (ln N, loss, log loss + sigma z) of the draws that can reach the low
    tail, then of those that can reach the high tail, six lists, each value computed as
    the full path (`_planned`) computes it, from the cells the law index keeps
    (planner.planning.tails says why no other draw can be in a tail); None where none applies
    (a budget outside the cells, a level narrower than theirs, a law the index keeps
    none for, or a model error other than theirs)."""
    stored = draws.stored
    if stored is None:
        return None
    grid = draws.derived(GRID, _none)
    if not grid:
        return None
    layout = grid[0]
    _, start, width, cells = layout[:4]
    index = math.floor((x - start) / width)
    if not 0 <= index < cells or not tails_apply(layout, draws, level):
        return None
    count = int(cells)
    parts = int(layout[HEADER + index])
    part = min(max(math.floor((x - start - index * width) / (width / parts)), 0), parts - 1)
    at = HEADER + 2 * count + 2 * (int(layout[HEADER + count + index]) + part)
    offset, length = int(layout[at]), int(layout[at + 1])
    if not length:  # some draw is not planned in this cell
        return None
    flat = _cell_numbers(draws, CELLS, offset, length)
    if flat is None:
        return None
    lists, at = [], 6
    for size in flat[:6]:
        lists.append(flat[at : at + size])
        at += size
    # stored by quantity, each low tail then high; returned low tails first
    return tuple(
        _frontier_values(draws, quantity, lists[2 * quantity + end], x, sigma)
        for end in range(2)
        for quantity in range(3)
    )


def frontier_bands(draws: Draws, x: float, level: float, sigma: float) -> tuple[Interval, ...] | None:
    """At x = ln(C/6), the default level's intervals on ln N, on the loss and on log loss +
    sigma z from the band cells the law index keeps (planner.planning.tails.kept_bands):
    the few draws that can hold each end's two ranks, each value computed as
    `frontier_tails` computes it, taken at those ranks less the draws counted below, so the
    same intervals. None where the cells do not apply (another level, a budget beyond them,
    another model error, a law the index keeps none for)."""
    stored = draws.stored
    if stored is None:
        return None
    header = draws.cache.get("bands-header")
    if header is None:  # the layout's head alone: a plan reads its own cell's place, not all
        try:
            header = draws.cache["bands-header"] = list(stored.view(f"terms/{BAND_GRID}/0", 0, BAND_HEADER))
        except KeyError:
            header = draws.cache["bands-header"] = []
    if not header:
        return None
    _, start, width, cells = header[:4]
    index = math.floor((x - start) / width)
    if not 0 <= index < cells or not bands_apply(header, draws, level):
        return None
    offset, length = (int(v) for v in stored.view(f"terms/{BAND_GRID}/0", BAND_HEADER + 2 * index, 2))
    if not length:  # some draw is not planned in this cell
        return None
    flat = _cell_numbers(draws, BAND_CELLS, offset, length)
    if flat is None:
        return None
    below, sizes, at = flat[:6], flat[6:12], 12
    count = draws.kept
    positions, ranks = _ranks(count, level)
    out = []
    for quantity in range(3):
        ordered: dict[int, float] = {}
        for end in range(2):
            column = 2 * quantity + end
            held = flat[at : at + sizes[column]]
            at += sizes[column]
            values = sorted(_frontier_values(draws, quantity, held, x, sigma))
            for rank in ranks:
                if (rank < count // 2) == (end == 0):  # the ranks of this end
                    ordered[rank] = values[rank - below[column]]
        out.append(_interpolated(ordered, positions, count - 1))
    return tuple(out)


def _cell_numbers(draws: Draws, key: str, offset: int, length: int) -> list[int] | None:
    """The uint16 numbers of one cell the index keeps under `key`, read alone; None on a
    big-endian machine, where the index's raw bytes are not read (the full path plans)."""
    assert draws.stored is not None
    raw = draws.stored.view(f"terms/{key}/0", offset, length)
    if not isinstance(raw, memoryview):
        return None
    numbers: list[int] = raw.cast("B").cast("H").tolist()
    return numbers


def _frontier_values(draws: Draws, quantity: int, held: Sequence[int], x: float, sigma: float) -> list[float]:
    """At x = ln(C/6), of the draws numbered in `held`: ln N (quantity 0), the loss (1) or
    log loss + sigma z (2), each computed as the full path (`_planned`) computes it; the
    one place the cells' readers work out a draw's value."""
    E, g, t, k, r = draws.views("chinchilla-optimum", _optimum)
    if quantity == 0:
        return [g[i] + t[i] * x for i in held]
    exp = math.exp
    if quantity == 1:
        return [E[i] + exp(k[i] - r[i] * x) for i in held]
    z, log1p = draws.noise_view(), math.log1p
    return [log1p(E[i] + exp(k[i] - r[i] * x) - 1.0) + sigma * z[i] for i in held]


def _optimum(draws: Draws) -> Any:
    return draws.law.params.draw_frontier(draws)  # the index keeps cells only for such a form


def _none(draws: Draws) -> tuple[list[float], ...]:
    return ()


def decades_beyond(law: Law, flops: float) -> float:
    """log10 of `flops` over the largest fitted run's, 0 inside the fitted runs (or without a range)."""
    bounds = law.fitted_range.bounds().get("flops")
    return max(0.0, math.log10(flops / bounds[1])) if bounds else 0.0


def scatter_of(law: Law) -> float:
    """The s of the model error: the RMS log residual the law's covariance records, else 0."""
    covariance = covariance_of(law)
    return covariance.scatter if covariance is not None and covariance.scatter is not None else 0.0


def model_sigma(law: Law, flops: float) -> float:
    """The model error's sigma in log loss at `flops` under `law` (scatter 0 where it records none)."""
    return MODEL_ERROR.sigma(scatter_of(law), decades_beyond(law, flops))


def method(draws: Draws, law: Law, sigma: float | None) -> str:
    """How the intervals were made, in one sentence for the table's footer and the JSON."""
    source = {
        "bootstrap": "bootstrap covariance",
        "stderr": "published standard errors (correlations unknown, taken as zero)",
    }[draws.covariance.method]
    return (
        f"{SAMPLES} draws from the {source} of {law.id} (seed {SEED}), each planned like the "
        f"point estimate; {model_error_words(sigma)} (docs/uncertainty.md)"
    )


def model_error_words(sigma: float | None) -> str:
    """How `method` states the model error: sigmas that read the same give the same text."""
    if sigma is None:
        return "loss with model error (sigma per budget: model_error)"
    if sigma > 0:
        return f"loss with model error sigma {sigma:.3g}"
    return "no model error inside the fitted runs"


def loss_band(losses: list[float], noise: list[float], sigma: float, level: float) -> Interval:
    """The loss interval with the model error: percentiles of log loss + sigma z over the
    draws (each draw's own standard normal z), as losses."""
    log1p = math.log1p  # log1p(x - 1) is log x, at about half the cost of math.log
    band = quantiles([log1p(loss - 1.0) + sigma * z for loss, z in zip(losses, noise, strict=True)], level)
    return Interval(math.exp(band.low), math.exp(band.high))


def _answered(
    rows: list[tuple[float, ...] | None], noise: list[float]
) -> tuple[list[tuple[float, ...]], list[float]]:
    """The rows with an answer (every value finite and above zero), and their draws' noise."""
    kept, kept_noise = [], []
    for row, z in zip(rows, noise, strict=True):
        if row is not None and all(math.isfinite(v) and v > 0 for v in row):
            kept.append(row)
            kept_noise.append(z)
    return kept, kept_noise


def _per_draw(
    draws: Draws, evaluate: Callable[[Any], tuple[float, ...] | None]
) -> list[tuple[float, ...] | None]:
    rows: list[tuple[float, ...] | None] = []
    for params in draws.records():
        try:
            rows.append(evaluate(params))
        except (ArithmeticError, ValueError):
            rows.append(None)
    return rows


def finite(found: Intervals | None) -> Intervals | None:
    """`found` if every bound in it is a finite number above zero, else None: an interval
    beyond floating point is no interval, and must not make its plan fail."""
    if found is None:
        return None
    for name in found.__fields__:
        value = getattr(found, name)
        if isinstance(value, Interval) and not (
            math.isfinite(value.low) and math.isfinite(value.high) and 0 < value.low <= value.high
        ):
            return None
    return found


def _enough(draws: Draws, answered: int) -> bool:
    return answered >= MIN_ANSWERED * (draws.kept + draws.invalid) and answered >= 2


def budget_intervals(
    law: Law, flops: float, low: float, high: float, level: float, form: Any = None
) -> Intervals | None:
    """Intervals on the plan at `flops` (params kept within [low, high], as the plan keeps
    them): params, tokens, tokens per parameter and loss. `form` is what the plan priced
    with when not the law's parameters (a limited supply of data, rebuilt on each draw).
    None without a covariance, or when fewer than half the draws give a plan (a
    `no_intervals` notice says so)."""
    draws = draws_of(law)
    if draws is None:
        return None
    sigma = model_sigma(law, flops)
    tails = bands = None
    if form is None and low <= 0 and high == math.inf:  # the plain frontier: its tails may be kept
        x = math.log(flops / FLOPS_PER_PARAM_TOKEN)
        bands = frontier_bands(draws, x, level, sigma)
        if bands is None:
            tails = frontier_tails(draws, x, level, sigma)
    if bands is not None:
        answered = draws.kept  # the cells hold only where every draw is planned
        if not _enough(draws, answered):
            return None
        band, parameter_loss, logs = bands
        loss = Interval(math.exp(logs.low), math.exp(logs.high))
    elif tails is not None:
        low_n, low_loss, low_band, high_n, high_loss, high_band = tails
        answered = draws.kept  # the cells hold only where every draw is planned
        if not _enough(draws, answered):
            return None
        band = tail_quantiles(low_n, high_n, answered, level)
        logs = tail_quantiles(low_band, high_band, answered, level)
        loss = Interval(math.exp(logs.low), math.exp(logs.high))
        parameter_loss = tail_quantiles(low_loss, high_loss, answered, level)
    else:
        planned = _planned(law, draws, flops, low, high, level, form, sigma)
        if planned is None:
            return None
        answered, band, loss, parameter_loss = planned
    priced = law.params if form is None else form
    params = clamped(Interval(math.exp(band.low), math.exp(band.high)), low, high)
    at = getattr(priced, "tokens_at", None)  # C / 6N unless the form counts more per token
    per_token = flops / FLOPS_PER_PARAM_TOKEN

    def tokens_of(n: float) -> float:  # D = C / 6N (or C / cost(N)) falls as N grows
        d = at(flops, n) if at is not None else None
        return per_token / n if d is None else d

    few, most = tokens_of(params.high), tokens_of(params.low)
    try:
        # the tokens the caps allow, which the rounded bounds must not cross
        fewest = tokens_of(high) if high < math.inf else 0.0
        most_allowed = tokens_of(low) if low > 0 else math.inf
        found = Intervals(
            level=level,
            params=outward(params, low, high),
            tokens=outward(Interval(few, most), fewest, most_allowed),
            tokens_per_param=outward(
                Interval(few / params.high, most / params.low),
                fewest / high if high < math.inf else 0.0,
                most_allowed / low if low > 0 else math.inf,
            ),
            loss=outward(loss),
            parameter_loss=outward(parameter_loss),
            model_error=sigma,
            draws=answered,
            failed=draws.kept + draws.invalid - answered,
            method=method(draws, law, sigma),
        )
    except (ArithmeticError, ValueError):  # a bound beyond floating point
        return None
    return finite(found)


def _planned(
    law: Law, draws: Draws, flops: float, low: float, high: float, level: float, form: Any, sigma: float
) -> tuple[int, Interval, Interval, Interval] | None:
    """(draws answered, the ln N interval, the loss interval with the model error, the
    parameters' loss interval) from planning every draw at `flops`; None with too few answers."""
    priced = law.params if form is None else form
    fast = getattr(priced, "draw_plans", None)
    if fast is not None:
        log_sizes, losses = fast(draws, flops, low, high)
    else:
        again = getattr(priced, "with_params", None)  # a form built on the law's parameters

        def evaluate(params: Any) -> tuple[float, float]:
            planned = again(params) if again is not None else params
            n = min(max(planned.optimal_params(flops), low), high)
            return math.log(n), planned.plan_loss(flops, n)

        rows = _per_draw(draws, evaluate)
        log_sizes = [row[0] if row is not None else math.nan for row in rows]
        losses = [row[1] if row is not None else math.nan for row in rows]
    noise = draws.noise
    isfinite = math.isfinite
    if isfinite(sum(log_sizes)) and isfinite(sum(losses)) and min(losses, default=0.0) > 0:
        answered = len(losses)  # every draw planned (the sums are NaN or inf otherwise)
    else:
        kept = [
            i
            for i, (n, loss) in enumerate(zip(log_sizes, losses, strict=True))
            if isfinite(n) and 0 < loss < math.inf
        ]
        log_sizes = [log_sizes[i] for i in kept]
        losses = [losses[i] for i in kept]
        noise = [noise[i] for i in kept]
        answered = len(kept)
    if not _enough(draws, answered):
        return None
    return (
        answered,
        quantiles(log_sizes, level),
        loss_band(losses, noise, sigma, level),
        quantiles(losses, level),
    )


def run_intervals(
    law: Law, base: Intervals | None, params: float, tokens: float, level: float, form: Any = None
) -> Intervals | None:
    """`base` (the optimum's intervals at the run's FLOPs) with the run's own loss interval;
    `form`: what prices the run where not the law's parameters (a limited supply of data,
    rebuilt on each draw)."""
    draws = draws_of(law)
    if draws is None or base is None:
        return base
    fast = getattr(law.params, "draw_losses", None) if form is None else None
    if form is not None:
        again = form.with_params
        rows: list[tuple[float, ...] | None] = _per_draw(
            draws, lambda drawn: (again(drawn).loss(params, tokens),)
        )
    elif fast is not None:
        rows = [(v,) for v in fast(draws, params, tokens)]
    else:
        rows = _per_draw(draws, _loss_at(params, tokens))
    kept, noise = _answered(rows, draws.noise)
    if not _enough(draws, len(kept)):
        return base
    sigma = model_sigma(law, FLOPS_PER_PARAM_TOKEN * params * tokens)
    run_loss = outward(loss_band([row[0] for row in kept], noise, sigma, level))
    return finite(base.replace(run_loss=run_loss)) or base


def solved_intervals(
    law: Law,
    given: str,
    value: float,
    level: float,
    hardware: Hardware | None,
    sigma: float,
) -> Intervals | None:
    """Intervals on an inverse question's answer under each draw: the least compute whose
    loss is `value` (given "loss"), or the budget at which `value` params or tokens are
    optimal, with its split, and (for a size) its loss with the model error.

    For a target loss, each draw solves its own frontier for the loss its mean must reach
    for the run to come out at the target under the model error (target / exp(sigma z));
    a draw whose irreducible loss is at or above that cannot reach it at any compute, and
    counts as failed.
    """
    draws = draws_of(law)
    if draws is None:
        return None
    noise = draws.noise
    aims = [value * math.exp(-sigma * z) for z in noise] if given == "loss" else None
    fast = getattr(law.params, "draw_inverse", None)
    log, nan = math.log, math.nan
    if fast is not None:
        log_c6, log_sizes = fast(draws, given, value, aims)
        losses = law.params.draw_plan_losses(draws, log_c6, log_sizes) if given != "loss" else None
    else:
        log_c6, log_sizes, means = [], [], []
        for i, params in enumerate(draws.records()):
            try:
                if given == "loss":
                    aim = aims[i]  # type: ignore[index]
                    if aim <= params.irreducible_loss:
                        raise ValueError("below the irreducible loss")
                    c = params.frontier_budget(aim)
                    n = params.optimal_params(c)
                elif given == "params":
                    c, n = params.budget_for_params(value), value
                else:
                    c = params.budget_for_tokens(value)
                    n = c / (FLOPS_PER_PARAM_TOKEN * value)
                mean = params.plan_loss(c, n) if given != "loss" else 1.0
                x, m = log(c / FLOPS_PER_PARAM_TOKEN), log(n)
            except (ArithmeticError, ValueError):
                x = m = mean = nan
            log_c6.append(x)
            log_sizes.append(m)
            means.append(mean)
        losses = means if given != "loss" else None
    isfinite, inf = math.isfinite, math.inf
    answered = [
        i
        for i in range(len(log_c6))
        if isfinite(log_c6[i]) and isfinite(log_sizes[i]) and (losses is None or 0 < losses[i] < inf)
    ]
    if not _enough(draws, len(answered)):
        return None
    if len(answered) < len(log_c6):
        log_c6 = [log_c6[i] for i in answered]
        log_sizes = [log_sizes[i] for i in answered]
    log_6 = log(FLOPS_PER_PARAM_TOKEN)

    def band(logs: list[float]) -> Interval:
        found = quantiles(logs, level)
        return Interval(math.exp(found.low), math.exp(found.high))

    try:
        found = Intervals(
            level=level,
            params=band(log_sizes) if given != "params" else None,
            tokens=band([x - n for x, n in zip(log_c6, log_sizes, strict=True)])
            if given != "tokens"
            else None,
            tokens_per_param=band([x - 2 * n for x, n in zip(log_c6, log_sizes, strict=True)]),
            loss=loss_band([losses[i] for i in answered], [noise[i] for i in answered], sigma, level)
            if losses is not None
            else None,
            parameter_loss=quantiles([losses[i] for i in answered], level) if losses is not None else None,
            flops=band([x + log_6 for x in log_c6]),
            model_error=sigma,
            draws=len(answered),
            failed=draws.kept + draws.invalid - len(answered),
            method=method(draws, law, sigma).replace("each planned like", "each solved like"),
        )
    except (ArithmeticError, ValueError):
        return None
    return finite(outward_all(with_hardware(found, hardware)))


def target_intervals(law: Law, target: float, level: float, hardware: Hardware | None) -> Intervals | None:
    """Intervals on the least compute whose loss is `target`, and its params, tokens and
    hardware (see solved_intervals); the model error's sigma is the point estimate's there."""
    try:
        centre = law.params.frontier_budget(target)
    except (ArithmeticError, ValueError):
        return None
    return solved_intervals(law, "loss", target, level, hardware, model_sigma(law, centre))


def size_given_intervals(
    law: Law, given: str, value: float, flops: float, level: float, hardware: Hardware | None
) -> Intervals | None:
    """Intervals on the budget at which `value` params (given "params") or tokens ("tokens")
    are compute-optimal, and on that plan's other quantities and loss."""
    return solved_intervals(law, given, value, level, hardware, model_sigma(law, flops))


def with_hardware(found: Intervals, hardware: Hardware | None) -> Intervals:
    """`found` with GPU-hours, days and cost from its FLOPs interval (each grows with FLOPs)."""
    if hardware is None or found.flops is None:
        return found
    from planner.hardware import use

    low, high = use(found.flops.low, hardware), use(found.flops.high, hardware)
    return found.replace(
        gpu_hours=Interval(low.gpu_hours, high.gpu_hours),
        days=Interval(low.days, high.days) if low.days is not None and high.days is not None else None,
        cost=Interval(low.cost, high.cost) if low.cost is not None and high.cost is not None else None,
    )


def size_intervals(law: Law, flops: float, sizes: Sequence[float], level: float) -> list[Interval] | None:
    """The loss interval of each size trained on what `flops` leaves (C / 6N), or None."""
    draws = draws_of(law)
    if draws is None:
        return None
    sigma = model_sigma(law, flops)
    fast = getattr(law.params, "draw_losses", None)
    out = []
    for n in sizes:
        d = flops / (FLOPS_PER_PARAM_TOKEN * n)
        if fast is not None:
            losses: list[float] = fast(draws, n, d)
            noise = draws.noise
            if not (math.isfinite(sum(losses)) and min(losses, default=0.0) > 0):
                kept = [i for i, loss in enumerate(losses) if 0 < loss < math.inf]
                losses, noise = [losses[i] for i in kept], [noise[i] for i in kept]
        else:
            rows, noise = _answered(_per_draw(draws, _loss_at(n, d)), draws.noise)
            losses = [row[0] for row in rows]
        if not _enough(draws, len(losses)):
            return None
        band = loss_band(losses, noise, sigma, level)
        if not (math.isfinite(band.low) and math.isfinite(band.high)):
            return None
        out.append(outward(band))
    return out


def _loss_at(n: float, d: float) -> Callable[[Any], tuple[float]]:
    return lambda params: (params.loss(n, d),)
