"""notices.extrapolation_column: a block's extrapolation notices, worded as each plan's are."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from planner.laws.catalog import find_law
from planner.planning.notices import extrapolation, extrapolation_column, widened
from planner.planning.results import Interval, Intervals

LAW = find_law("besiroglu2024")

line = st.tuples(
    st.floats(12.0, 28.0),  # log10 FLOPs: below, inside and beyond the fitted range
    st.floats(-2.0, 2.0),  # how far N is from C/6 ** 0.5, in decades
    st.floats(0.0, 0.05),  # the model error's sigma (0: none, no widening)
    st.floats(1.5, 2.5),  # the loss interval's low end
)


@settings(max_examples=50)
@given(st.lists(line, min_size=1, max_size=30), st.sampled_from([0.5, 0.8, 0.95]), st.booleans())
def test_the_column_words_each_line_as_one_plan_does(
    lines: list[tuple[float, float, float, float]], level: float, bounded: bool
) -> None:
    flops = [10.0**c for c, _, _, _ in lines]
    params = [(f / 6) ** 0.5 * 10.0**shift for f, (_, shift, _, _) in zip(flops, lines, strict=True)]
    tokens = [f / (6 * n) for f, n in zip(flops, params, strict=True)]
    sigma = [s for _, _, s, _ in lines]
    ends = [[low + 0.01 for *_, low in lines], [low + 0.02 for *_, low in lines]]
    ends += [[low for *_, low in lines], [low + 0.05 for *_, low in lines]]
    bands = (level, sigma, ends) if bounded else None
    found = extrapolation_column(LAW, flops, params, tokens, bands)
    ranges = LAW.fitted_range.bounds()
    for i, notice in enumerate(found):
        alone = extrapolation(LAW.id, ranges, {"flops": flops[i], "params": params[i], "tokens": tokens[i]})
        if alone is None:
            assert notice is None
            continue
        intervals = None
        if bounded:
            intervals = Intervals(
                level=level,
                loss=Interval(ends[2][i], ends[3][i]),
                parameter_loss=Interval(ends[0][i], ends[1][i]),
                model_error=sigma[i],
                draws=4000,
                method="-",
            )
        assert notice == widened(alone, intervals)
