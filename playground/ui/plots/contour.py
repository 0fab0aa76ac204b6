"""Decision boundaries as line segments: a vectorised marching-squares pass.

pyqtgraph's own isocurve walks the grid in Python (~30 ms for 200×200); this finds every
crossing at once with NumPy, fast enough to redraw the boundary on every frame.
"""

from __future__ import annotations

import numpy as np


def zero_crossings(field: np.ndarray, bounds: tuple[float, float, float, float]
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Segments where ``field`` (ny, nx), sampled at cell centres of ``bounds`` (row 0 =
    ymin), crosses zero. Returns ``x, y`` float64 arrays of even length: consecutive pairs
    are the segment ends (draw with ``connect="pairs"``)."""
    f = np.asarray(field)
    ny, nx = f.shape
    if nx < 2 or ny < 2:
        return np.zeros(0), np.zeros(0)
    xmin, xmax, ymin, ymax = bounds
    dx, dy = (xmax - xmin) / nx, (ymax - ymin) / ny
    # Whole-grid passes are kept few (each is a GIL hand-off while training runs):
    # a NaN counts as "not positive" here and as 0 below.
    pos = f > 0
    across = pos[:, 1:] != pos[:, :-1]    # sign change between horizontal neighbours
    down = pos[1:, :] != pos[:-1, :]      # ... and vertical ones
    hits = across[1:] | across[:-1]
    hits |= down[:, 1:]
    hits |= down[:, :-1]
    ii, jj = np.nonzero(hits)
    if len(ii) == 0:
        return np.zeros(0), np.zeros(0)
    # The corners of the squares with a sign change: bottom-left, bottom-right,
    # top-left, top-right.
    a, b = f[ii, jj].astype(np.float64), f[ii, jj + 1].astype(np.float64)
    c, d = f[ii + 1, jj].astype(np.float64), f[ii + 1, jj + 1].astype(np.float64)
    corners = np.stack([a, b, c, d])
    if not np.isfinite(corners).all():
        a, b, c, d = np.nan_to_num(corners, nan=0.0, posinf=0.0, neginf=0.0)
    ii, jj = ii.astype(np.float64), jj.astype(np.float64)
    # Where each edge is cut, as a fraction along it (bottom, right, top, left); only
    # edges with a sign change are used, and those have u != v.
    u, v = np.stack([a, b, c, a]), np.stack([b, d, d, c])
    with np.errstate(divide="ignore", invalid="ignore"):
        t = u / (u - v)
    np.clip(t, 0.0, 1.0, out=t)
    hit = (u > 0) != (v > 0)                                # (4, n)
    ex = np.stack([jj + t[0], jj + 1, jj + t[2], jj])        # (column, row) index units
    ey = np.stack([ii, ii + t[1], ii + 1, ii + t[3]])
    count = hit.sum(axis=0)
    xs, ys = [], []
    two = np.flatnonzero(count == 2)
    if len(two):
        h = hit[:, two]
        first = h.argmax(axis=0)
        second = 3 - h[::-1].argmax(axis=0)
        xs.append(np.stack([ex[first, two], ex[second, two]], axis=1).ravel())
        ys.append(np.stack([ey[first, two], ey[second, two]], axis=1).ravel())
    four = np.flatnonzero(count == 4)
    if len(four):
        # A saddle (a, d of one sign, b, c of the other): the centre value decides which
        # two corners are cut off.
        cut_bc = ((a + b + c + d)[four] > 0) == (a[four] > 0)
        for sel, pairs in ((four[cut_bc], ((0, 1), (2, 3))), (four[~cut_bc], ((0, 3), (1, 2)))):
            for s0, s1 in pairs:
                xs.append(np.stack([ex[s0, sel], ex[s1, sel]], axis=1).ravel())
                ys.append(np.stack([ey[s0, sel], ey[s1, sel]], axis=1).ravel())
    if not xs:
        return np.zeros(0), np.zeros(0)
    x = np.concatenate(xs)
    y = np.concatenate(ys)
    # index units (cell centres at i + 0.5) -> data coordinates
    return xmin + (x + 0.5) * dx, ymin + (y + 0.5) * dy


def class_boundaries(probs: np.ndarray, bounds: tuple[float, float, float, float]
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Segments along the edges of the top-class regions of ``probs`` (ny, nx, K): for two
    classes the 0.5 contour of class 1, for more each class's margin over its rivals."""
    k = probs.shape[-1]
    if k <= 2:
        return zero_crossings(probs[..., -1] - 0.5, bounds)
    xs, ys = [], []
    for c in range(k):
        others = np.delete(probs, c, axis=-1).max(axis=-1)
        x, y = zero_crossings(probs[..., c] - others, bounds)
        xs.append(x)
        ys.append(y)
    return np.concatenate(xs), np.concatenate(ys)
