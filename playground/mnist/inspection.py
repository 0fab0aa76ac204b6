"""Looking at an MNIST network and its data (pure functions, no Qt): which test images the
strip shows and a one-line model summary (``layer_views`` draws the layers themselves).
"""

from __future__ import annotations

import numpy as np

from playground.mnist.sources import MODELS


def strip_indices(labels: np.ndarray, n: int) -> np.ndarray:
    """Indices of ``n`` test images cycling through the classes 0, 1, 2, ... (the first
    of each), so the strip shows every class the data has."""
    labels = np.asarray(labels)
    picked: list[int] = []
    used = np.zeros(len(labels), bool)
    classes = np.unique(labels)
    while len(picked) < min(n, len(labels)):
        for c in classes:
            hits = np.flatnonzero((labels == c) & ~used)
            if len(hits):
                picked.append(int(hits[0]))
                used[hits[0]] = True
            if len(picked) >= n:
                break
    return np.array(picked, dtype=np.int64)


def model_summary(model, preset: str) -> str:
    """"SimpleConvNet · 12,345 parameters": the preset's name and the parameter count."""
    name = MODELS.get(preset, "model")
    return f"{name} · {model.num_parameters():,} parameters"
