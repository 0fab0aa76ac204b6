"""Random augmentation of training images: small shifts and rotations, drawn per image
from the run's generator and applied to a whole batch at once (no loop over images or
pixels). Only training batches are augmented; test and evaluation images never are.

Images are (N, C, H, W); pixels that come from outside the image are 0 (the background
of MNIST-style digits).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .errors import SpecError

#: the augmentations a run can ask for (``DataConfig.augment``, ``--augment``).
AUGMENTS = ("none", "shift", "shift-rotate")
#: largest shift, in pixels, along each axis (drawn uniformly from -2..2).
MAX_SHIFT = 2
#: largest rotation, in degrees either way (drawn uniformly from -10..10).
MAX_DEGREES = 10.0

Augmenter = Callable[[np.ndarray, np.random.Generator], np.ndarray]


def check_augment(name: str) -> None:
    """Raise ``SpecError`` unless ``name`` is one of ``AUGMENTS``."""
    if name not in AUGMENTS:
        raise SpecError(f"unknown augmentation {name!r}; choose one of {', '.join(AUGMENTS)}")


def random_offsets(rng: np.random.Generator, n: int,
                   max_shift: int = MAX_SHIFT) -> tuple[np.ndarray, np.ndarray]:
    """(dy, dx): whole-pixel shifts (n,) int64 each, uniform in -max_shift..max_shift
    (rows first, then columns, from ``rng``)."""
    dy, dx = rng.integers(-max_shift, max_shift + 1, size=(2, n))
    return dy, dx


def random_angles(rng: np.random.Generator, n: int,
                  max_degrees: float = MAX_DEGREES) -> np.ndarray:
    """Rotation angles (n,) float64 in degrees, uniform in [-max_degrees, max_degrees]."""
    return rng.uniform(-max_degrees, max_degrees, size=n)


def shift_images(x: np.ndarray, dy: np.ndarray, dx: np.ndarray) -> np.ndarray:
    """``x`` (N, C, H, W) with image i moved down by dy[i] and right by dx[i] whole pixels
    (negative: up / left), zero where the shift uncovers the border; a new array of
    x's dtype, values copied exactly."""
    n, c, h, w = x.shape
    rows = np.arange(h) - np.asarray(dy)[:, None]          # (N, H): source row of each row
    cols = np.arange(w) - np.asarray(dx)[:, None]          # (N, W)
    inside = (((rows >= 0) & (rows < h))[:, :, None]
              & ((cols >= 0) & (cols < w))[:, None, :])    # (N, H, W)
    r = np.clip(rows, 0, h - 1)[:, None, :, None]
    q = np.clip(cols, 0, w - 1)[:, None, None, :]
    out = x[np.arange(n)[:, None, None, None], np.arange(c)[None, :, None, None], r, q]
    out *= inside[:, None].astype(x.dtype)
    return out


def rotate_shift_images(x: np.ndarray, degrees: np.ndarray, dy: np.ndarray,
                        dx: np.ndarray) -> np.ndarray:
    """``x`` (N, C, H, W) with image i turned counter-clockwise (as shown, rows going
    down) by degrees[i] about its centre and then moved by (dy[i], dx[i]) pixels;
    bilinear interpolation, zero outside the image; a new array of x's dtype."""
    n, c, h, w = x.shape
    theta = np.deg2rad(np.asarray(degrees, dtype=np.float64)).astype(np.float32)
    cos, sin = np.cos(theta)[:, None, None], np.sin(theta)[:, None, None]
    cy, cx = (h - 1) / 2, (w - 1) / 2
    # Each output pixel reads the source point it came from: undo the shift, then turn
    # back by -theta about the centre (u right, v down; see the docstring's sense).
    v = (np.arange(h)[None, :, None] - np.asarray(dy)[:, None, None] - cy  # (N, H, 1)
         ).astype(np.float32)
    u = (np.arange(w)[None, None, :] - np.asarray(dx)[:, None, None] - cx  # (N, 1, W)
         ).astype(np.float32)
    src_x = u * cos - v * sin + cx                                          # (N, H, W)
    src_y = u * sin + v * cos + cy
    return bilinear_sample(x, src_y, src_x)


def bilinear_sample(x: np.ndarray, src_y: np.ndarray, src_x: np.ndarray) -> np.ndarray:
    """Image i of ``x`` (N, C, H, W) read at the points (src_y[i], src_x[i]) (N, H', W')
    in pixel units, bilinearly, 0 beyond the border: (N, C, H', W') of x's dtype."""
    n, c, h, w = x.shape
    # A zero frame (one row/column before, two after) and points clamped to [-1, h] x
    # [-1, w]: a point outside the image then reads only frame zeros, and all four
    # neighbours of every point are inside the framed image, with no masks.
    fw = w + 3
    framed = np.pad(x, ((0, 0), (0, 0), (1, 2), (1, 2))).ravel()
    sy = np.clip(src_y, -1, h, dtype=np.float32)
    sx = np.clip(src_x, -1, w, dtype=np.float32)
    y0, x0 = np.floor(sy), np.floor(sx)
    fy, fx = (sy - y0).astype(x.dtype)[:, None], (sx - x0).astype(x.dtype)[:, None]
    top_left = (y0.astype(np.intp) + 1) * fw + x0.astype(np.intp) + 1     # (N, H', W')
    image_start = (np.arange(n * c, dtype=np.intp) * ((h + 3) * fw)).reshape(n, c, 1, 1)
    index = top_left[:, None] + image_start                                # (N, C, H', W')
    top = framed[index] * (1 - fx) + framed[index + 1] * fx
    bottom = framed[index + fw] * (1 - fx) + framed[index + fw + 1] * fx
    return top * (1 - fy) + bottom * fy


def augment_shift(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A random whole-pixel shift of up to ``MAX_SHIFT`` per image and axis."""
    dy, dx = random_offsets(rng, len(x))
    return shift_images(x, dy, dx)


def augment_shift_rotate(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A random shift (as ``augment_shift``) and a rotation of up to ``MAX_DEGREES``."""
    dy, dx = random_offsets(rng, len(x))
    return rotate_shift_images(x, random_angles(rng, len(x)), dy, dx)


_AUGMENTERS: dict[str, Augmenter | None] = {
    "none": None, "shift": augment_shift, "shift-rotate": augment_shift_rotate}


def augmenter(name: str) -> Augmenter | None:
    """The function ``(batch, rng) -> augmented batch`` of ``name``; None for "none"."""
    check_augment(name)
    return _AUGMENTERS[name]


def augment_batch(x: np.ndarray, name: str, rng: np.random.Generator) -> np.ndarray:
    """``x`` (N, C, H, W) augmented as ``name`` says, with draws from ``rng`` (``x``
    itself for "none"; otherwise a new array of the same shape and dtype)."""
    fn = augmenter(name)
    return x if fn is None else fn(x, rng)
