"""Laying images out as tiles: grid shapes, one mosaic image, a zero-centred colour scale.

Pure NumPy view maths of the MNIST page's plots (filters, feature maps, galleries).
"""

from __future__ import annotations

import math

import numpy as np


def grid_shape(n: int) -> tuple[int, int]:
    """(rows, cols) of a near-square grid for ``n`` tiles, at least as wide as tall;
    a column count that divides ``n`` is preferred so the last row is full."""
    if n < 1:
        return 0, 0
    root = math.sqrt(n)
    cols = math.ceil(root)
    for c in range(cols, int(1.5 * root) + 1):
        if n % c == 0:
            cols = c
            break
    return math.ceil(n / cols), cols


def fit_columns(n: int, tile_h: int, tile_w: int, width: float, height: float,
                gap: int = 0) -> int:
    """The column count that shows ``n`` tiles of tile_h×tile_w, ``gap`` pixels apart,
    largest in a width×height area."""
    if n < 1:
        return 1
    best, best_scale = 1, -1.0
    for cols in range(1, n + 1):
        rows = math.ceil(n / cols)
        scale = min(width / (cols * tile_w + (cols - 1) * gap),
                    height / (rows * tile_h + (rows - 1) * gap))
        if scale > best_scale + 1e-9:
            best, best_scale = cols, scale
    return best


def mosaic(tiles: np.ndarray, cols: int | None = None, gap: int = 1,
           fill: float = np.nan) -> np.ndarray:
    """Tile images ``tiles`` (n, h, w) into one (rows·h + gaps, cols·w + gaps) image.

    Tiles run left to right, top to bottom, with ``gap`` pixels of ``fill`` between
    them (NaN by default: shown transparent, so the gaps read as a frame). Returns float32.
    """
    tiles = np.asarray(tiles, dtype=np.float32)
    if tiles.ndim != 3:
        raise ValueError(f"expected tiles of shape (n, h, w), got {tiles.shape}")
    n, h, w = tiles.shape
    if n == 0:
        return np.full((h or 1, w or 1), fill, np.float32)
    if cols is None:
        _, cols = grid_shape(n)
    cols = max(1, min(int(cols), n))
    rows = math.ceil(n / cols)
    out = np.full((rows * h + (rows - 1) * gap, cols * w + (cols - 1) * gap), fill,
                  np.float32)
    for i in range(n):
        r, c = divmod(i, cols)
        out[r * (h + gap):r * (h + gap) + h, c * (w + gap):c * (w + gap) + w] = tiles[i]
    return out


def symmetric_levels(values: np.ndarray) -> tuple[float, float]:
    """(-m, m) with m the largest finite |value| (1 when there is none): a colour scale
    centred on zero, as ``filter_show`` in "Deep Learning from Scratch" intends."""
    v = np.asarray(values, dtype=np.float64)
    finite = v[np.isfinite(v)]
    m = float(np.abs(finite).max()) if finite.size else 0.0
    if not m > 0:
        m = 1.0
    return -m, m
