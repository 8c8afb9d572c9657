"""Units and conventions shared by every law form.

Owns the few physical constants the planner converts with. Pure: no I/O.
"""

from __future__ import annotations

FLOPS_PER_PARAM_TOKEN = 6.0
"""C = 6 N D: about 2 FLOPs per parameter per token forward and 4 backward
(Kaplan et al. 2020, arXiv 2001.08361, Sec. 2.1)."""

PF_DAY = 8.64e19
"""One petaflop/s-day in FLOPs: 1e15 * 24 * 3600 (Kaplan et al. 2020, Sec. 1.3)."""

COMPUTE_UNITS = {"flop": 1.0, "pf-day": PF_DAY}
"""FLOPs per unit of compute, for laws written in PF-days."""
