"""Turning a hand-drawn digit into a network input (pure NumPy, no Qt, no engine).

MNIST's preprocessing (LeCun, Cortes and Burges): each digit was size-normalised to fit a
20×20 box preserving its aspect ratio (anti-aliased, hence grey levels), then placed in a
28×28 image so that its centre of mass sits at the centre. ``mnist_style`` does the same
to a drawing, so the network sees a drawn digit as it saw its training digits.
"""

from __future__ import annotations

import numpy as np

#: pixels brighter than this count as ink when finding a drawing's bounding box.
INK_THRESHOLD = 0.05


def area_resize(image: np.ndarray, out_h: int, out_w: int) -> np.ndarray:
    """Resize a float image (H, W) to (out_h, out_w) by exact area averaging.

    Every output pixel is the mean of the input area it covers (fractional overlaps
    weighted), which is the anti-aliased down-scaling MNIST used. Returns float32.
    """
    img = np.asarray(image, dtype=np.float64)
    if img.ndim != 2 or img.size == 0:
        raise ValueError(f"expected a non-empty 2-D image, got shape {img.shape}")
    if out_h < 1 or out_w < 1:
        raise ValueError(f"output size must be at least 1×1, got {out_h}×{out_w}")
    rows = _area_weights(img.shape[0], out_h)
    cols = _area_weights(img.shape[1], out_w)
    return (rows @ img @ cols.T).astype(np.float32)


def _area_weights(n_in: int, n_out: int) -> np.ndarray:
    """(n_out, n_in) matrix: row i averages the input cells output cell i covers."""
    edges = np.linspace(0.0, n_in, n_out + 1)
    lo, hi = edges[:-1, None], edges[1:, None]
    cells = np.arange(n_in)[None, :]
    overlap = np.clip(np.minimum(hi, cells + 1) - np.maximum(lo, cells), 0.0, None)
    return overlap / overlap.sum(axis=1, keepdims=True)


def bounding_box(image: np.ndarray, threshold: float = INK_THRESHOLD
                 ) -> tuple[int, int, int, int] | None:
    """(top, bottom, left, right) of the pixels above ``threshold`` (bottom/right
    exclusive), or None for a blank image."""
    ink = np.asarray(image) > threshold
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if len(rows) == 0:
        return None
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1


def center_of_mass(image: np.ndarray) -> tuple[float, float]:
    """(row, col) of the intensity-weighted centre of ``image`` (H, W); the geometric
    centre for a blank image."""
    img = np.asarray(image, dtype=np.float64)
    total = img.sum()
    if not total > 0:
        return (img.shape[0] - 1) / 2, (img.shape[1] - 1) / 2
    r = float(img.sum(axis=1) @ np.arange(img.shape[0])) / total
    c = float(img.sum(axis=0) @ np.arange(img.shape[1])) / total
    return r, c


def mnist_style(image: np.ndarray, size: int = 28, box: int = 20,
                center: str = "mass") -> np.ndarray:
    """A drawing (H, W), ink bright on black in [0, 1], as an MNIST digit (size, size).

    Crops to the ink's bounding box, scales its longer side to ``box`` pixels keeping the
    aspect ratio (area averaging), and pastes it into a ``size``×``size`` black image
    centred by centre of mass (``center="mass"``, as MNIST) or by its box (``"box"``).
    A blank drawing gives a black image. Returns float32 in [0, 1].
    """
    if center not in ("mass", "box"):
        raise ValueError(f"center must be 'mass' or 'box', got {center!r}")
    if not 1 <= box <= size:
        raise ValueError(f"box must be between 1 and size ({size}), got {box}")
    img = np.clip(np.asarray(image, dtype=np.float32), 0.0, 1.0)
    out = np.zeros((size, size), np.float32)
    bbox = bounding_box(img)
    if bbox is None:
        return out
    top, bottom, left, right = bbox
    crop = img[top:bottom, left:right]
    h, w = crop.shape
    scale = box / max(h, w)
    new_h, new_w = max(1, round(h * scale)), max(1, round(w * scale))
    digit = area_resize(crop, new_h, new_w)
    peak = float(digit.max())
    if peak > 0:
        # Thin strokes lose contrast when scaled down; MNIST strokes reach full ink.
        digit = np.clip(digit / min(1.0, max(peak, 0.5)), 0.0, 1.0)
    if center == "mass":
        cr, cc = center_of_mass(digit)
        off_r = int(round((size - 1) / 2 - cr))
        off_c = int(round((size - 1) / 2 - cc))
    else:
        off_r, off_c = (size - new_h) // 2, (size - new_w) // 2
    _paste(out, digit, off_r, off_c)
    return out


def _paste(dst: np.ndarray, src: np.ndarray, top: int, left: int) -> None:
    """Copy ``src`` into ``dst`` at (top, left), clipping what falls outside."""
    h, w = src.shape
    r0, c0 = max(top, 0), max(left, 0)
    r1, c1 = min(top + h, dst.shape[0]), min(left + w, dst.shape[1])
    if r1 > r0 and c1 > c0:
        dst[r0:r1, c0:c1] = src[r0 - top:r1 - top, c0 - left:c1 - left]


def drawing_to_input(image: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """A drawing prepared for a network whose inputs are ``shape`` (H, W) images.

    28×28 (MNIST, Fashion-MNIST): ``mnist_style``. Other sizes, e.g. scikit-learn's 8×8
    digits, whose digits fill their box: scaled to fill a 4× larger square centred on its
    bounding box, then averaged down 4×4 (how those digits were made from 32×32 bitmaps).
    Returns float32 (H, W) in [0, 1].
    """
    h, w = int(shape[0]), int(shape[1])
    if (h, w) == (28, 28):
        return mnist_style(image)
    big = mnist_style(image, size=4 * max(h, w), box=4 * max(h, w), center="box")
    return area_resize(big, h, w)
