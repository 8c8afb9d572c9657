"""How long work in the fitting says how far it has got: a callback its caller passes in.

The fitting must not print, so `fit`, `bootstrap` and `backtest` take an optional
`progress(stage, done, total)` and call it as they go; `plan fit` and `plan backtest` pass
one that draws a progress display on a terminal (planner.output.progress). Without one
(the default) nothing is counted and nothing is called.

What a call promises: `stage` names a step of the work and its unit ("screening starts",
"bootstrap resamples", "backtests"); `0 <= done <= total`; within a stage `done` never
falls, except that a stage run again (the bootstrap of each backtest, the fit of a
holdout) starts again from 0 after it reached `total`; each round of a stage ends with a
call where `done == total`. `done` counts work that is finished (starts that stopped,
resamples whose every start stopped), so it is honest rather than smooth.
"""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[str, int, int], None]
"""`progress(stage, done, total)`: how far a stage of the work has got."""
