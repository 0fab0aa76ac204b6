"""Weight penalties: L2 (``l2/2 * sum W^2``) and L1 (``l1 * sum |W|``) on weights only.

Weights are the parameters named ``W`` (Dense and Conv2D); biases and BatchNorm's
gamma/beta are not penalised. The penalty is reported apart from the data loss.
"""

from __future__ import annotations

import numpy as np


def is_weight(name: str) -> bool:
    """True for parameter names like ``"3.W"`` that the penalties apply to."""
    return name.rsplit(".", 1)[-1] == "W"


def penalty_value(model, l1: float = 0.0, l2: float = 0.0) -> float:
    """The penalty term added to the data loss for ``model``'s current weights."""
    if not (l1 or l2):
        return 0.0
    total = 0.0
    for name, p, _ in model.parameters():
        if is_weight(name):
            if l2:
                total += 0.5 * l2 * float(np.vdot(p, p))
            if l1:
                total += l1 * float(np.abs(p).sum())
    return total


def add_penalty_gradient(name: str, p: np.ndarray, g: np.ndarray, l1: float, l2: float) -> None:
    """Add the penalty's gradient for parameter ``name`` into ``g`` in place."""
    if not is_weight(name):
        return
    if l2:
        g += p.dtype.type(l2) * p
    if l1:
        g += p.dtype.type(l1) * np.sign(p)
