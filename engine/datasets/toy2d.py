"""Generated 2-D classification datasets, a stratified split and a plotting box.

Every generator returns ``(X, y)``: ``X`` float64 of shape (N, 2), ``y`` int64 of shape
(N,), rows in random order. All datasets share one scale so they can be compared: the
noise-free shape lies in (roughly, for blobs) the square [-1, 1]², and ``noise`` is always
the standard deviation of isotropic Gaussian jitter added to every point, in those same
units (0.1 is a tenth of the half-width of the box). Labels are never flipped.

``classes`` matters only for ``blobs`` and ``spiral`` (2 to 5 classes, see
``MULTICLASS_DATASETS``); the other generators always make two classes and ignore it, so
one "classes" control can stay set while the user switches datasets.

All randomness comes from one ``np.random.Generator`` seeded with ``seed``: the same
arguments give the same arrays, a different seed gives different ones (for ``moons`` and
``circles`` at ``noise=0`` the points sit on fixed curves and only their order changes).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from numbers import Integral, Real

import numpy as np

from ..errors import DataError, SpecError

MIN_SAMPLES = 2
MAX_SAMPLES = 1_000_000
#: noise is capped at ten times the half-width of the box (beyond that the shape is gone).
MAX_NOISE = 10.0
MIN_CLASSES = 2
MAX_CLASSES = 5
#: datasets whose number of classes follows the ``classes`` argument.
MULTICLASS_DATASETS = ("blobs", "spiral")

Dataset = tuple[np.ndarray, np.ndarray]


# --------------------------------------------------------------------------- validation


def _check_samples(samples: object) -> int:
    if isinstance(samples, bool) or not isinstance(samples, Integral):
        raise SpecError(f"samples must be a whole number, got {samples!r}")
    if not MIN_SAMPLES <= samples <= MAX_SAMPLES:
        raise SpecError(
            f"samples must be between {MIN_SAMPLES} and {MAX_SAMPLES:,}, got {samples}"
        )
    return int(samples)


def _check_noise(noise: object) -> float:
    if isinstance(noise, bool) or not isinstance(noise, Real) or not math.isfinite(noise):
        raise SpecError(f"noise must be a number between 0 and {MAX_NOISE:g}, got {noise!r}")
    if not 0 <= noise <= MAX_NOISE:
        raise SpecError(f"noise must be between 0 and {MAX_NOISE:g}, got {noise}")
    return float(noise)


def _check_classes(classes: object, dataset: str) -> int:
    if isinstance(classes, bool) or not isinstance(classes, Integral):
        raise SpecError(f"classes for {dataset} must be a whole number, got {classes!r}")
    if not MIN_CLASSES <= classes <= MAX_CLASSES:
        raise SpecError(
            f"classes for {dataset} must be between {MIN_CLASSES} and {MAX_CLASSES}, "
            f"got {classes}"
        )
    return int(classes)


def _check_seed(seed: object) -> int:
    if isinstance(seed, bool) or not isinstance(seed, Integral) or seed < 0:
        raise SpecError(f"seed must be a whole number >= 0, got {seed!r}")
    return int(seed)


def _start(samples: object, noise: object, seed: object) -> tuple[int, float, np.random.Generator]:
    n = _check_samples(samples)
    sigma = _check_noise(noise)
    return n, sigma, np.random.default_rng(_check_seed(seed))


def _sklearn_seed(rng: np.random.Generator) -> int:
    # scikit-learn wants an int or a RandomState; derive one from our generator so the
    # whole dataset still follows from the single seed.
    return int(rng.integers(0, 2**31 - 1))


def _finish(X: np.ndarray, y: np.ndarray, sigma: float, rng: np.random.Generator) -> Dataset:
    """Add N(0, sigma²) jitter and shuffle rows; returns float64 (N, 2) and int64 (N,)."""
    X = np.asarray(X, dtype=np.float64)
    if sigma > 0:
        X = X + rng.normal(0.0, sigma, size=X.shape)
    order = rng.permutation(len(y))
    return np.ascontiguousarray(X[order]), np.asarray(y, dtype=np.int64)[order]


def _split_counts(n: int, k: int) -> list[int]:
    """Split ``n`` samples over ``k`` classes as evenly as possible (first ones get extra)."""
    return [n // k + (1 if c < n % k else 0) for c in range(k)]


# --------------------------------------------------------------------------- generators


def make_moons(n_samples: int = 100, *, shuffle: bool = True, noise: float | None = None,
               random_state: int | np.random.RandomState | None = None) -> Dataset:
    """``sklearn.datasets.make_moons`` in NumPy alone, bit-identical for the same arguments,
    so the default dataset does not load scikit-learn and scipy at start-up."""
    if isinstance(random_state, np.random.RandomState):
        generator = random_state
    elif random_state is None:
        generator = np.random.mtrand._rand  # what check_random_state(None) returns
    else:
        generator = np.random.RandomState(random_state)
    n_out = n_samples // 2
    n_in = n_samples - n_out
    outer_x = np.cos(np.linspace(0, np.pi, n_out))
    outer_y = np.sin(np.linspace(0, np.pi, n_out))
    inner_x = 1 - np.cos(np.linspace(0, np.pi, n_in))
    inner_y = 1 - np.sin(np.linspace(0, np.pi, n_in)) - 0.5
    X = np.vstack([np.append(outer_x, inner_x), np.append(outer_y, inner_y)]).T
    y = np.hstack([np.zeros(n_out, dtype=np.intp), np.ones(n_in, dtype=np.intp)])
    if shuffle:  # sklearn.utils.shuffle: one in-place shuffle of the row indices
        order = np.arange(n_samples)
        generator.shuffle(order)
        X, y = X[order], y[order]
    if noise is not None:
        X += generator.normal(scale=noise, size=X.shape)
    return X, y


def make_moons_data(samples: int = 200, noise: float = 0.1, seed: int = 0, classes: int = 2
                    ) -> Dataset:
    """Two interleaving half circles (scikit-learn's ``make_moons``), centred and scaled
    into x in [-1, 1], y in [-0.5, 0.5]. Class 0 is the upper moon. ``classes`` is ignored."""
    n, sigma, rng = _start(samples, noise, seed)
    X, y = make_moons(n_samples=n, noise=None, shuffle=True, random_state=_sklearn_seed(rng))
    # sklearn's moons span x in [-1, 2], y in [-0.5, 1]: centre on 0 and scale by 2/3.
    X = (X - np.array([0.5, 0.25])) / 1.5
    return _finish(X, y, sigma, rng)


def make_circles_data(samples: int = 200, noise: float = 0.1, seed: int = 0, classes: int = 2
                      ) -> Dataset:
    """A ring of radius 1 (class 0) around a ring of radius 0.5 (class 1), from
    scikit-learn's ``make_circles``. ``classes`` is ignored."""
    from sklearn.datasets import make_circles

    n, sigma, rng = _start(samples, noise, seed)
    X, y = make_circles(n_samples=n, noise=None, factor=0.5, shuffle=True,
                        random_state=_sklearn_seed(rng))
    return _finish(X, y, sigma, rng)


def make_xor_data(samples: int = 200, noise: float = 0.1, seed: int = 0, classes: int = 2
                  ) -> Dataset:
    """Points uniform in the four quadrants of [-1, 1]²; label 1 where x1 and x2 have the
    same sign (quadrants I and III), 0 otherwise. A 0.05 gap keeps clean points off the
    axes, as TF Playground does. Classes are balanced. ``classes`` is ignored."""
    n, sigma, rng = _start(samples, noise, seed)
    pad = 0.05
    y = np.repeat(np.arange(2, dtype=np.int64), _split_counts(n, 2))
    # uniform magnitude in [pad, 1] (never on an axis); x2 takes x1's sign for class 1 and
    # the opposite sign for class 0, so the classes stay balanced
    sign1 = rng.choice([-1.0, 1.0], size=n)
    signs = np.column_stack([sign1, np.where(y == 1, sign1, -sign1)])
    X = rng.uniform(pad, 1.0, size=(n, 2)) * signs
    return _finish(X, y, sigma, rng)


def _blob_centres(k: int, radius: float = 0.6) -> np.ndarray:
    """(k, 2) centres evenly spaced on a circle; the pi/4 offset puts 2 blobs on a diagonal."""
    angles = np.pi / 4 + 2 * np.pi * np.arange(k) / k
    return radius * np.column_stack([np.cos(angles), np.sin(angles)])


def make_blobs_data(samples: int = 200, noise: float = 0.1, seed: int = 0, classes: int = 3
                    ) -> Dataset:
    """``classes`` (2-5) Gaussian clusters of std 0.15 (scikit-learn's ``make_blobs``) with
    centres evenly spaced on a circle of radius 0.6; ``noise`` adds to their spread."""
    from sklearn.datasets import make_blobs

    n, sigma, rng = _start(samples, noise, seed)
    k = _check_classes(classes, "blobs")
    X, y = make_blobs(n_samples=_split_counts(n, k), centers=_blob_centres(k),
                      cluster_std=0.15, shuffle=True, random_state=_sklearn_seed(rng))
    return _finish(X, y, sigma, rng)


#: full turns each spiral arm makes from the centre to radius 1.
SPIRAL_TURNS = 0.75


def make_spiral_data(samples: int = 200, noise: float = 0.1, seed: int = 0, classes: int = 2
                     ) -> Dataset:
    """``classes`` (2-5) interleaved spiral arms, one per class. A clean point of class c at
    radius r (uniform in [0.05, 1]) has angle 2*pi*(SPIRAL_TURNS*r + c/classes)."""
    n, sigma, rng = _start(samples, noise, seed)
    k = _check_classes(classes, "spiral")
    y = np.repeat(np.arange(k, dtype=np.int64), _split_counts(n, k))
    r = rng.uniform(0.05, 1.0, size=n)
    theta = 2 * np.pi * (SPIRAL_TURNS * r + y / k)
    X = np.column_stack([r * np.cos(theta), r * np.sin(theta)])
    return _finish(X, y, sigma, rng)


def make_linear_data(samples: int = 200, noise: float = 0.1, seed: int = 0, classes: int = 2
                     ) -> Dataset:
    """Two classes on either side of a random line through the origin, with a clean margin
    of 0.1 on each side, inside a rotated square of half-width 0.7 (so within the unit
    disc). Linearly separable at ``noise=0``. ``classes`` is ignored."""
    n, sigma, rng = _start(samples, noise, seed)
    half, margin = 0.7, 0.1
    angle = rng.uniform(0.0, 2 * np.pi)
    normal = np.array([np.cos(angle), np.sin(angle)])
    along = np.array([-normal[1], normal[0]])
    y = np.repeat(np.arange(2, dtype=np.int64), _split_counts(n, 2))
    # signed distance from the line: class 1 on the normal's side, class 0 opposite
    dist = rng.uniform(margin, half, size=n) * np.where(y == 1, 1.0, -1.0)
    t = rng.uniform(-half, half, size=n)
    X = dist[:, None] * normal + t[:, None] * along
    return _finish(X, y, sigma, rng)


def make_checkerboard_data(samples: int = 200, noise: float = 0.1, seed: int = 0,
                           classes: int = 2, cells: int = 4) -> Dataset:
    """Points uniform in [-1, 1]² cut into a ``cells`` x ``cells`` board (2-12); label is
    (column + row) % 2, so the bottom-left cell is class 0. ``classes`` is ignored."""
    n, sigma, rng = _start(samples, noise, seed)
    if isinstance(cells, bool) or not isinstance(cells, Integral) or not 2 <= cells <= 12:
        raise SpecError(f"checkerboard cells must be a whole number from 2 to 12, got {cells!r}")
    X = rng.uniform(-1.0, 1.0, size=(n, 2))
    # min() keeps a point exactly at +1 in the last cell
    idx = np.minimum(np.floor((X + 1.0) / 2.0 * cells), cells - 1).astype(np.int64)
    y = (idx[:, 0] + idx[:, 1]) % 2
    return _finish(X, y, sigma, rng)


Generator = Callable[..., Dataset]

#: name -> generator ``f(samples, noise, seed, classes) -> (X, y)``.
GENERATORS: dict[str, Generator] = {
    "moons": make_moons_data,
    "circles": make_circles_data,
    "xor": make_xor_data,
    "blobs": make_blobs_data,
    "spiral": make_spiral_data,
    "linear": make_linear_data,
    "checkerboard": make_checkerboard_data,
}
DATASETS: tuple[str, ...] = tuple(GENERATORS)


def class_count(name: str, classes: int = 2) -> int:
    """Number of classes ``generate(name, classes=classes)`` produces."""
    return int(classes) if name in MULTICLASS_DATASETS else 2


def generate(name: str, samples: int = 200, noise: float = 0.1, classes: int = 2,
             seed: int = 0) -> Dataset:
    """Make dataset ``name``: ``X`` float64 (samples, 2), ``y`` int64 (samples,).

    Raises ``SpecError`` for an unknown name, samples outside 2..1,000,000, noise outside
    [0, 10], a negative seed, or classes outside 2..5 for blobs and spiral.
    """
    generator = GENERATORS.get(name) if isinstance(name, str) else None
    if generator is None:
        raise SpecError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}")
    return generator(samples=samples, noise=noise, seed=seed, classes=classes)


# --------------------------------------------------------------------------- helpers


def _check_xy(X: object, y: object) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2:
        raise DataError(f"X must have shape (N, 2), got {X.shape}")
    if y.shape != (X.shape[0],):
        raise DataError(f"y must have shape ({X.shape[0]},) to match X, got {y.shape}")
    if not np.issubdtype(y.dtype, np.integer):
        raise DataError(f"y must hold integer labels, got dtype {y.dtype}")
    return X.astype(np.float64), y.astype(np.int64)


def train_test_split(X: np.ndarray, y: np.ndarray, test_ratio: float = 0.2, seed: int = 0
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split rows into ``(X_train, y_train, X_test, y_test)`` (float64 (n, 2), int64 (n,)).

    Stratified: each class gives about ``test_ratio`` of its points to the test set (the
    total is ``round(N * test_ratio)`` shared out by largest remainder) but always keeps at
    least one in training. ``test_ratio`` is in [0, 0.9]; 0 gives an empty (0, 2) test set.
    Deterministic for a seed; both parts come out shuffled.
    """
    X, y = _check_xy(X, y)
    if (isinstance(test_ratio, bool) or not isinstance(test_ratio, Real)
            or not 0.0 <= test_ratio <= 0.9):
        raise SpecError(f"test_ratio must be between 0 and 0.9, got {test_ratio!r}")
    rng = np.random.default_rng(_check_seed(seed))
    labels, counts = np.unique(y, return_counts=True)
    quotas = counts * float(test_ratio)
    n_test = np.floor(quotas).astype(np.int64)
    spare = int(round(len(y) * float(test_ratio))) - int(n_test.sum())
    if spare > 0:
        # largest remainder: the classes whose quota was cut most get the spare places
        n_test[np.argsort(-(quotas - n_test), kind="stable")[:spare]] += 1
    n_test = np.minimum(n_test, counts - 1)
    train_parts, test_parts = [], []
    for label, k in zip(labels, n_test, strict=True):
        idx = rng.permutation(np.flatnonzero(y == label))
        test_parts.append(idx[:k])
        train_parts.append(idx[k:])
    empty = np.empty(0, dtype=np.int64)
    train = rng.permutation(np.concatenate(train_parts or [empty]))
    test = rng.permutation(np.concatenate(test_parts or [empty]))
    return X[train], y[train], X[test], y[test]


def data_bounds(X: np.ndarray, margin: float = 0.1) -> tuple[float, float, float, float]:
    """Square padded box ``(xmin, xmax, ymin, ymax)`` around the finite rows of ``X`` (N, 2).

    The larger side is padded by ``margin`` times its span on each end and the shorter
    side widened to match, so a decision grid over the box has square cells. With no
    finite points the box is (-1, 1, -1, 1); a single point (zero span) gets a box of
    side 2 around it.
    """
    if isinstance(margin, bool) or not isinstance(margin, Real) or not 0 <= margin <= 10:
        raise SpecError(f"margin must be a number between 0 and 10, got {margin!r}")
    pts = np.asarray(X, dtype=np.float64).reshape(-1, 2)
    pts = pts[np.isfinite(pts).all(axis=1)]
    if len(pts) == 0:
        return (-1.0, 1.0, -1.0, 1.0)
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    with np.errstate(over="ignore"):  # absurd coordinates (~1e308) overflow the span
        centre = lo / 2 + hi / 2
        span = float((hi - lo).max())
        half = span * (0.5 + margin) if span > 0 else 1.0
    if not (math.isfinite(half) and np.isfinite(centre).all()):
        return (-1.0, 1.0, -1.0, 1.0)
    return (float(centre[0] - half), float(centre[0] + half),
            float(centre[1] - half), float(centre[1] + half))
