"""The robust loss every form's objective is built from: the Huber function and its sum.

Owns the maths only: the Huber function and the (weighted, optionally asymmetric) sum
of Huber terms with its derivative, which each form's module combines with its own
log-loss prediction.  It must not know any form, optimize, chunk, print or do I/O.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


def huber(r: FloatArray, delta: float) -> FloatArray:
    """Huber function, as in ``scipy.special.huber``.

    ``r**2 / 2`` for ``|r| <= delta`` and ``delta * (|r| - delta / 2)`` otherwise
    (Hoffmann et al. 2022, Sec. 3.3 / App. D.2; Besiroglu et al. 2024).
    """
    r = np.asarray(r, dtype=np.float64)
    psi = np.clip(r, -delta, delta)
    out: FloatArray = psi * (r - 0.5 * psi)
    return out


def robust_sum(
    r: FloatArray,
    delta: float,
    asymmetric: float | None,
    weights: FloatArray | None,
) -> tuple[FloatArray, FloatArray]:
    """Sum of (weighted, optionally asymmetric) Huber terms along the last axis.

    Returns ``(f, psi)`` where ``psi = d f / d r`` elementwise.  ``r`` is consumed
    (overwritten) to save memory traffic.
    """
    psi = np.clip(r, -delta, delta)
    if asymmetric is not None:
        # Prediction above the observation (r > 0) is penalized `asymmetric` times more.
        psi *= np.where(r > 0.0, asymmetric, 1.0)
        scale = np.where(r > 0.0, 1.0 / asymmetric, 1.0)
        r -= 0.5 * psi * scale
    else:
        r -= 0.5 * psi
    r *= psi
    if weights is not None:
        r *= weights
        psi *= weights
    f: FloatArray = r.sum(axis=-1)
    return f, psi
