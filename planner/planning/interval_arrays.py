"""Intervals for arrays of budgets: planner.planning.intervals over many budgets at once.

Owns `budget_interval_arrays`, the intervals of `plan_array` and of the blocks of a stream
(`plan --from`): every draw planned at every budget in numpy (a form's `draw_plans_array`),
BLOCK budgets at a time so that the draws-by-budgets arrays stay small, and the same central
percentiles (numpy's linear ones) and model error as one plan's. A form without the array
twin is asked one budget at a time. Imports numpy: loaded only for arrays and streams.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np  # noqa: TID253 (loaded only for arrays and streams, never on the start path)

from planner.planning.draws import draws_of
from planner.planning.intervals import (
    BAND_CELLS,
    BAND_GRID,
    BAND_HEADER,
    BOUNDS,
    CELLS,
    GRID,
    HEADER,
    MIN_ANSWERED,
    QUANTITIES,
    bands_apply,
    budget_intervals,
    interval_of,
    method,
    model_error_words,
    scatter_of,
    tails_apply,
)
from planner.planning.model_error import MODEL_ERROR
from planner.planning.results import Intervals
from planner.planning.rounding import outward_arrays
from planner.units import FLOPS_PER_PARAM_TOKEN

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from numpy.typing import NDArray

    from planner.forms.base import Law
    from planner.planning.draws import Draws

    Floats = NDArray[np.float64]

BLOCK = 256
"""Budgets planned together: 4,000 draws by 256 budgets is 8 MB per array."""


def sigmas(law: Law, budgets: Floats) -> Floats:
    """The model error's sigma at each budget (planner.planning.intervals.model_sigma)."""
    scatter = scatter_of(law)
    bounds = law.fitted_range.bounds().get("flops")
    if not bounds:
        return np.full(budgets.shape, MODEL_ERROR.sigma(scatter, 0.0))
    decades = np.maximum(np.log10(budgets / bounds[1]), 0.0)
    return np.hypot(scatter, decades * MODEL_ERROR.per_decade)


def budget_interval_arrays(
    law: Law,
    budgets: Floats,
    low: Floats,
    high: Floats,
    level: float,
    *,
    parameter_loss: bool = False,
    form: Any = None,
) -> tuple[dict[str, Floats], str] | None:
    """(columns, method) of the intervals on the plan of every budget, N kept within
    [low, high] of each: <quantity>_low and _high for each of QUANTITIES (NaN where fewer
    than half the draws plan; parameter_loss only when asked), `model_error` and `failed`
    (draws without a plan); None without a covariance. `form`: what the plans priced with
    when not the law's parameters (a limited supply), planned one budget at a time."""
    draws = draws_of(law)
    if draws is None:
        return None
    order = np.argsort(budgets, kind="stable")
    if not (order[1:] > order[:-1]).all():
        # Blocks of neighbouring budgets partition faster (their draws rank alike): plan them
        # sorted, and give each column back in the order asked.
        found = budget_interval_arrays(
            law, budgets[order], low[order], high[order], level, parameter_loss=parameter_loss, form=form
        )
        if found is None:
            return None
        columns, described = found
        back = np.empty_like(order)
        back[order] = np.arange(order.size)
        return {name: column[back] for name, column in columns.items()}, described
    size = budgets.size
    names = [name for name in QUANTITIES if parameter_loss or name != "parameter_loss"]
    columns = {f"{name}_{end}": np.full(size, np.nan) for name in names for end in ("low", "high")}
    columns["model_error"] = sigmas(law, budgets)
    columns["failed"] = np.zeros(size, dtype=np.int64)
    total = draws.kept + draws.invalid
    least = max(2, MIN_ANSWERED * total)
    fast = getattr(law.params, "draw_plans_array", None) if form is None else None
    if fast is None:
        for i, flops in enumerate(budgets.tolist()):
            one = budget_intervals(law, flops, float(low[i]), float(high[i]), level, form=form)
            if one is not None:
                for name in names:
                    band = getattr(one, name)
                    columns[f"{name}_low"][i], columns[f"{name}_high"][i] = band.low, band.high
                columns["failed"][i] = one.failed
        return columns, method(draws, law, None)
    if not (low > 0).any() and not (high < math.inf).any():
        kept = _kept_bands(draws, budgets, columns["model_error"], level, parameter_loss)
        if kept is None:
            kept = _kept_tails(draws, budgets, columns["model_error"], level, parameter_loss)
        if kept is not None:  # every draw plans in these cells: their tails alone
            columns["failed"][:] = draws.invalid
            _fill(columns, slice(0, size), kept, budgets, low, high, parameter_loss)
            return _usable(columns, names), method(draws, law, None)
    noise = np.asarray(draws.noise)[None, :]
    tails = [(1 - level) / 2, (1 + level) / 2]  # for rows with failed draws
    with np.errstate(all="ignore"):
        for start in range(0, size, BLOCK):
            stop = min(start + BLOCK, size)
            here = slice(start, stop)
            sigma = columns["model_error"][here, None]
            log_sizes, losses = fast(draws, budgets[here], low[here], high[here])
            noisy = np.log(losses)
            noisy += noise * sigma  # log of the loss with the model error
            good = np.isfinite(log_sizes) & np.isfinite(noisy)
            answered = np.count_nonzero(good, axis=1)
            columns["failed"][here] = total - answered
            values = {"params": log_sizes, "loss": noisy}
            if parameter_loss:
                values["parameter_loss"] = losses
            if good.all():
                bands = {name: central(v, level) for name, v in values.items()}
            else:
                bands = {name: np.full((2, stop - start), np.nan) for name in values}
                for j in np.flatnonzero(answered >= least).tolist():
                    keep = good[j]
                    for name, v in values.items():
                        bands[name][:, j] = np.quantile(v[j, keep], tails)
            few = answered < least
            for band in bands.values():
                band[:, few] = np.nan
            _fill(columns, here, bands, budgets[here], low[here], high[here], parameter_loss)
    return _usable(columns, names), method(draws, law, None)


def _usable(columns: dict[str, Floats], names: list[str]) -> dict[str, Floats]:
    """`columns` with NaN for every interval of a budget where any bound is not a finite
    number above zero (an interval beyond floating point is no interval)."""
    unusable = np.zeros(columns["failed"].size, dtype=bool)
    for name in names:
        low_end, high_end = columns[f"{name}_low"], columns[f"{name}_high"]
        unusable |= ~(np.isfinite(low_end) & np.isfinite(high_end) & (low_end > 0) & (low_end <= high_end))
    for name in names:
        columns[f"{name}_low"][unusable] = np.nan
        columns[f"{name}_high"][unusable] = np.nan
    return columns


def _fill(
    columns: dict[str, Floats],
    here: slice,
    bands: dict[str, Floats],
    budgets: Floats,
    low: Floats,
    high: Floats,
    parameter_loss: bool,
) -> None:
    """The columns of one block from its bands ((2, budgets) each: ln N, log loss with the
    model error and, when asked, the parameters' loss)."""
    sizes = np.exp(bands["params"])  # the percentiles of log N, as N (exp is monotone)
    np.clip(sizes, low, high, out=sizes)  # a binding cap holds exactly (see clamped)
    for cap in (low, high):
        np.copyto(sizes, cap, where=np.isfinite(cap) & (np.abs(sizes - cap) <= 1e-12 * cap))
    per_token = budgets / 6.0
    few, most_tokens = per_token / sizes[1], per_token / sizes[0]
    with np.errstate(divide="ignore", invalid="ignore"):  # the tokens the caps allow (none: 0, inf)
        fewest, most = per_token / high, per_token / low
        ends = {
            "params": (sizes[0], sizes[1], low, high),
            "tokens": (few, most_tokens, fewest, most),
            "tokens_per_param": (few / sizes[1], most_tokens / sizes[0], fewest / high, most / low),
            "loss": (*np.exp(bands["loss"]), 0.0, math.inf),
        }
    if parameter_loss:
        ends["parameter_loss"] = (bands["parameter_loss"][0], bands["parameter_loss"][1], 0.0, math.inf)
    for name, (low_end, high_end, floor, ceiling) in ends.items():  # reported as rounding says
        reported = outward_arrays(low_end, high_end, floor, ceiling)
        columns[f"{name}_low"][here], columns[f"{name}_high"][here] = reported


def _kept_bands(
    draws: Draws, budgets: Floats, sigma: Floats, level: float, parameter_loss: bool
) -> dict[str, Floats] | None:
    """The bands of budgets without caps at the default level, from the band cells the law
    index keeps (planner.planning.tails.kept_bands): each budget evaluates the few draws
    that can hold the two ranks each end reads, and takes them at those ranks less the
    draws counted below: the same order statistics as of every draw. None where the level,
    the draws or the model error are not the cells', or any budget has no cell."""
    table = draws.derived("bands-table", _band_table)
    if table is None:
        return None
    layout, counts, below, kept, lengths = table
    found = _located(layout, bands_apply, draws, budgets, level)
    if found is None:
        return None
    x, index = found
    if not (counts[index] > 0).all():
        return None
    E, g, t, k, r, z = _padded(draws)
    ends = _ends(draws.kept, level)
    names = ["params", "parameter_loss", "loss"]
    bands = {
        name: np.empty((2, budgets.size)) for name in names if parameter_loss or name != "parameter_loss"
    }
    with np.errstate(invalid="ignore"):
        for first in range(0, budgets.size, BAND_ROWS):
            here = slice(first, first + BAND_ROWS)
            at, xs, noise = index[here], x[here, None], sigma[here, None]
            rows = np.arange(at.size)
            for quantity, name in enumerate(names):
                if name not in bands:
                    continue
                for tail, (lower_rank, upper_rank, fraction) in enumerate(ends):
                    column = 2 * quantity + tail
                    # (budgets, the most these budgets' cells keep), padded with draw `total`
                    ids = kept[column][at, : int(lengths[at, column].max())]
                    if name == "params":
                        values = g[ids] + t[ids] * xs
                    else:
                        values = E[ids] + np.exp(k[ids] - r[ids] * xs)
                        if name == "loss":
                            values = np.log1p(values - 1.0) + noise * z[ids]
                    values.sort(axis=1)  # the padding (+inf) last
                    counted = below[at, column]
                    lower = values[rows, lower_rank - counted]
                    upper = values[rows, upper_rank - counted]
                    bands[name][tail, here] = lower + (upper - lower) * fraction
    return bands


def _located(
    layout: Sequence[float],
    applies: Callable[[Sequence[float], Draws, float], bool],
    draws: Draws,
    budgets: Floats,
    level: float,
) -> tuple[Floats, Any] | None:
    """(x = ln(C/6), cell number) of each budget in the cells whose layout starts with
    `layout`, where `applies` (intervals.tails_apply or bands_apply) says they hold this
    level over these draws; None where they do not, or a budget lies beyond them."""
    if not applies(layout, draws, level):
        return None
    _, start, width, cells = layout[:4]
    return _cells_of(budgets, start, width, cells)


def _cells_of(budgets: Floats, start: float, width: float, cells: float) -> tuple[Floats, Any] | None:
    """(x = ln(C/6), the number of its cell) of each budget, for cells of `width` from
    `start`; None where a budget lies beyond the `cells` kept."""
    x = np.log(budgets / FLOPS_PER_PARAM_TOKEN)
    index = np.floor((x - start) / width)
    if not ((index >= 0) & (index < cells)).all():
        return None
    return x, index.astype(np.intp)


def _ends(total: int, level: float) -> list[tuple[int, int, float]]:
    """Of each end of a central interval at `level` over `total` sorted values: the ranks
    either side of its position and the fraction between them (numpy's linear percentile)."""
    positions = [q * (total - 1) for q in ((1 - level) / 2, (1 + level) / 2)]
    return [(math.floor(p), min(math.floor(p) + 1, total - 1), p - math.floor(p)) for p in positions]


def _band_table(draws: Draws) -> tuple[tuple[float, ...], Any, Any, Any, Any] | None:
    """The band cells as arrays: (layout header, draws kept by cell, draws below by cell and
    end, for each end (six) the draws it keeps by cell, padded with draw `kept` (whose
    every value is +inf) to its longest list, and each list's length by cell and end)."""
    found = draws.derived(BAND_GRID, _no_cells)
    if not found or draws.stored is None:
        return None
    layout = found[0]
    cells = int(layout[3])
    places = np.asarray(layout[BAND_HEADER : BAND_HEADER + 2 * cells]).reshape(cells, 2).astype(np.intp)
    size = int((places[:, 0] + places[:, 1]).max())
    raw = draws.stored.view(f"terms/{BAND_CELLS}/0", 0, size)
    flat = np.frombuffer(raw, dtype="<u2").astype(np.intp)  # type: ignore[call-overload]
    used = places[:, 1] > 0
    starts = 4 * places[:, 0]
    below = np.where(used[:, None], flat[np.minimum(starts[:, None] + np.arange(6), flat.size - 1)], 0)
    sizes = np.where(used[:, None], flat[np.minimum(starts[:, None] + 6 + np.arange(6), flat.size - 1)], 0)
    firsts = starts[:, None] + 12 + np.cumsum(sizes, axis=1) - sizes  # where each list starts
    counts = sizes.min(axis=1)
    kept = []
    for column in range(6):
        steps = np.arange(max(1, int(sizes[:, column].max())))
        inside = steps < sizes[:, column, None]
        at = np.minimum(firsts[:, column, None] + steps, flat.size - 1)
        kept.append(np.where(inside, flat[at], draws.kept))
    header = tuple(float(v) for v in layout[:BAND_HEADER])
    return header, counts, below, kept, sizes


def _padded(draws: Draws) -> tuple[Floats, ...]:
    """E, g, t, k, r and the noise of the draws as arrays, each with one more entry, for the
    padding of the band cells, whose every value is +inf."""

    def make(draws: Draws) -> tuple[Floats, ...]:
        E, g, t, k, r = (np.asarray(v) for v in draws.views("chinchilla-optimum", _frontier))
        z = np.asarray(draws.noise_view())
        pad = [np.inf, np.inf, 0.0, 0.0, 0.0, 0.0]
        return tuple(
            np.append(np.asarray(v, dtype=np.float64), end)
            for v, end in zip((E, g, t, k, r, z), pad, strict=True)
        )

    found: tuple[Floats, ...] = draws.derived("bands-padded", make)
    return found


def _kept_tails(
    draws: Draws, budgets: Floats, sigma: Floats, level: float, parameter_loss: bool
) -> dict[str, Floats] | None:
    """The bands of budgets without caps from the cells of candidates the law index keeps
    (planner.planning.tails; the one-plan reader is intervals.frontier_tails): each budget
    evaluates only the draws that can reach a tail of its cell, the same order statistics
    as of every draw (to the rounding of numpy's exp and log). None where any budget of
    the block has no cell (then every draw is planned)."""
    found = draws.derived(GRID, _no_cells)
    if not found or draws.stored is None:
        return None
    layout = found[0]
    _, start, width, cells = layout[:4]
    count = int(cells)
    cells_found = _located(layout, tails_apply, draws, budgets, level)
    if cells_found is None:
        return None
    x, index = cells_found
    grid = np.asarray(layout)
    parts = grid[HEADER + index].astype(np.intp)
    part = np.clip(np.floor((x - start - index * width) / (width / parts)), 0, parts - 1).astype(np.intp)
    sub = grid[HEADER + count + index].astype(np.intp) + part
    at = HEADER + 2 * count + 2 * sub
    if not (grid[at + 1] > 0).all():
        return None
    ends = _ends(draws.kept, level)
    names = ["params", "loss", *(["parameter_loss"] if parameter_loss else [])]
    bands = {name: np.empty((2, budgets.size)) for name in names}
    order = np.argsort(sub, kind="stable")
    cuts = np.flatnonzero(np.diff(sub[order])) + 1
    for group in np.split(order, cuts):
        cell = int(sub[group[0]])
        place = HEADER + 2 * count + 2 * cell
        for first in range(0, group.size, ROWS):
            rows = group[first : first + ROWS]
            _cell_bands(draws, bands, x, sigma, rows, grid, place, ends, parameter_loss)
    return bands


BAND_ROWS = 512
"""Budgets whose band cells are evaluated together: their arrays (512 by at most a few
dozen draws) stay small enough for the allocator to reuse; larger ones are new memory each
time, and the kernel's time to map it was a third of the evaluation's. Measured on 5,000
sorted budgets, 128, 256, 512, 1,024, 2,048 and 5,000 at a time: 1.8, 1.3, 1.1, 1.2, 1.2
and 1.7 us a budget."""
ROWS = 2048
"""Budgets of one cell evaluated together (2048 by a few hundred candidates: a few MB)."""


def _cell_bands(
    draws: Draws,
    bands: dict[str, Floats],
    x: Floats,
    sigma: Floats,
    rows: Any,
    grid: Floats,
    at: int,
    ends: list[tuple[int, int, float]],
    parameter_loss: bool,
) -> None:
    """The bands of budgets `rows`, all in the cell whose place is at `at` of the layout."""
    E, g, t, k, r = (np.asarray(v) for v in draws.views("chinchilla-optimum", _frontier))
    z = np.asarray(draws.noise_view())
    total = draws.kept
    xs = x[rows, None]
    lists = _cell(draws, int(grid[at]), int(grid[at + 1]))
    for tail, (below, above, fraction) in enumerate(ends):
        n_idx, loss_idx, band_idx = lists[tail], lists[2 + tail], lists[4 + tail]
        values = {"params": g[n_idx] + t[n_idx] * xs}
        noisy = E[band_idx] + np.exp(k[band_idx] - r[band_idx] * xs)
        values["loss"] = np.log1p(noisy - 1.0) + sigma[rows, None] * z[band_idx]
        if parameter_loss:
            values["parameter_loss"] = E[loss_idx] + np.exp(k[loss_idx] - r[loss_idx] * xs)
        for name, v in values.items():
            skipped = 0 if tail == 0 else total - v.shape[1]  # the draws below the high tail
            v.partition(sorted({below - skipped, above - skipped}), axis=1)
            lower, upper = v[:, below - skipped], v[:, above - skipped]
            bands[name][tail, rows] = lower + (upper - lower) * fraction


def _cell(draws: Draws, offset: int, length: int) -> list[Any]:
    """The six lists of candidates (draw numbers) of the cell at `offset`, read once."""
    kept: dict[int, list[Any]] = draws.cache.setdefault("tails-cells-read", {})
    found = kept.get(offset)
    if found is None:
        assert draws.stored is not None
        raw = draws.stored.view(f"terms/{CELLS}/0", offset, length)
        flat = np.frombuffer(raw, dtype="<u2").astype(np.intp)  # type: ignore[call-overload]
        found, at = [], 6
        for size in flat[:6].tolist():
            found.append(flat[at : at + size])
            at += size
        kept[offset] = found
    return found


def _no_cells(draws: Draws) -> tuple[list[float], ...]:
    return ()


def _frontier(draws: Draws) -> Any:
    return draws.law.params.draw_frontier(draws)


def central(values: Floats, level: float) -> Floats:
    """The central `level` interval of each row, (2, rows): numpy's linear percentiles (as
    planner.planning.intervals.quantiles), the rows partitioned in place (they are spent)."""
    ends = _ends(values.shape[1], level)
    values.partition(sorted({k for below, above, _ in ends for k in (below, above)}), axis=1)
    return np.array([values[:, b] + (values[:, a] - values[:, b]) * f for b, a, f in ends])


def interval_records(
    law: Law, budgets: Floats, low: Floats, high: Floats, level: float, *, form: Any = None
) -> IntervalRows | list[None]:
    """The `Intervals` of each budget's plan, as planner.planning.intervals.budget_intervals
    gives them one at a time (the same numbers), for the blocks of a stream: made on demand
    from their columns (`IntervalRows`), which a block's printer reads as they are."""
    found = budget_interval_arrays(law, budgets, low, high, level, parameter_loss=True, form=form)
    if found is None:
        return [None] * budgets.size
    columns, _ = found
    draws = draws_of(law)
    assert draws is not None
    return IntervalRows(law, draws, level, columns)


class IntervalRows(Sequence["Intervals | None"]):
    """The intervals of a block's budgets as columns, each budget's `Intervals` made when
    asked (`rows[i]`, None where it has none): `bounds` holds the lists <quantity>_low and
    _high of QUANTITIES in that order, `sigma` the model error, `failed` the draws without a
    plan, `draws` the draws with one; `method(i)` says how budget i's were found."""

    def __init__(self, law: Law, draws: Draws, level: float, columns: dict[str, Floats]) -> None:
        self.law, self.source, self.level = law, draws, level
        self.bounds = [columns[name].tolist() for name in BOUNDS]
        self.sigma: list[float] = columns["model_error"].tolist()
        self.failed: list[int] = columns["failed"].tolist()
        total = draws.kept + draws.invalid
        self.draws = [total - failed for failed in self.failed]
        self._described: dict[float, str] = {}  # sigma is the same for every budget inside the fitted range
        self._worded: dict[str, str] = {}  # beyond it, by how the text says each budget's own sigma

    def __len__(self) -> int:
        return len(self.sigma)

    def method(self, index: int) -> str:
        sigma = self.sigma[index]
        text = self._described.get(sigma)
        if text is None:
            # one text, one string object, for every sigma that reads the same, which the
            # printers write once each
            said = model_error_words(sigma)
            text = self._worded.get(said)
            if text is None:
                text = self._worded[said] = method(self.source, self.law, sigma)
            self._described[sigma] = text
        return text

    def methods(self) -> list[str]:
        """`method(i)` of every budget, in order."""
        described = self._described
        return [
            described[sigma] if sigma in described else self.method(i) for i, sigma in enumerate(self.sigma)
        ]

    def has(self, index: int) -> bool:
        low: float = self.bounds[0][index]
        return low == low  # NaN: no interval at this budget

    def __getitem__(self, index: int) -> Intervals | None:  # type: ignore[override]
        if not self.has(index):
            return None
        return interval_of(
            self.level,
            [column[index] for column in self.bounds],
            self.sigma[index],
            self.draws[index],
            self.failed[index],
            self.method(index),
        )
