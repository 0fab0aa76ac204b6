"""Generated 2-D regression datasets and a plain random train/test split.

Every generator returns ``(X, y)``: ``X`` float64 of shape (N, 2), ``y`` float64 of shape
(N,), rows in random order. Inputs share the classification sets' box: they are drawn
uniformly from [-1, 1]² (``sine`` from a thin strip of it), so the same plots and grids
serve both. The clean targets lie in [-1, 1]; ``noise`` is the standard deviation of
Gaussian noise added to the *targets* (not to the inputs: a regression set's noise is in
what is measured, and R² then says how much of the variance the network explains).

All randomness comes from one ``np.random.Generator`` seeded with ``seed``, as in
``toy2d``; ``classes`` is accepted and ignored so every generator has one signature.
"""

from __future__ import annotations

from collections.abc import Callable
from numbers import Real

import numpy as np

from ..errors import DataError, SpecError
from .toy2d import _check_seed, _start

Dataset = tuple[np.ndarray, np.ndarray]

#: the plane's slopes: y = a*x1 + b*x2 (both inside the box, so |y| <= 1).
PLANE_SLOPES = (0.6, -0.4)
#: (centre x1, centre x2, sign) of the six bumps, TF Playground's "multi Gaussian" layout
#: (centres at (+-4, +-2.5) and (0, +-2.5) in its [-6, 6] box) scaled into [-1, 1]².
GAUSSIAN_BUMPS = ((-2 / 3, 5 / 12, 1.0), (0.0, 5 / 12, -1.0), (2 / 3, 5 / 12, 1.0),
                  (-2 / 3, -5 / 12, -1.0), (0.0, -5 / 12, 1.0), (2 / 3, -5 / 12, -1.0))
#: standard deviation of each bump, small enough that neighbours barely overlap.
GAUSSIAN_WIDTH = 0.18
#: sine: y = sin(SINE_FREQUENCY * x1), two full periods across x1 in [-1, 1].
SINE_FREQUENCY = 2 * np.pi
#: half-height of the sine's strip: x2 is uniform in [-SINE_STRIP, SINE_STRIP].
SINE_STRIP = 0.1
#: ripple: y = sin(s)/s with s = RIPPLE_SCALE * |x|, one and a half waves out to |x| = 1.
RIPPLE_SCALE = 3 * np.pi


def _finish(X: np.ndarray, clean: np.ndarray, sigma: float, rng: np.random.Generator
            ) -> Dataset:
    """Add N(0, sigma²) noise to the targets and shuffle rows (float64 (N, 2), (N,))."""
    y = clean + rng.normal(0.0, sigma, size=clean.shape) if sigma > 0 else clean
    order = rng.permutation(len(y))
    return np.ascontiguousarray(X[order]), np.ascontiguousarray(y[order], dtype=np.float64)


def make_plane_data(samples: int = 200, noise: float = 0.05, seed: int = 0, classes: int = 2
                    ) -> Dataset:
    """A tilted plane, y = 0.6*x1 - 0.4*x2 (``PLANE_SLOPES``), over [-1, 1]²."""
    n, sigma, rng = _start(samples, noise, seed)
    X = rng.uniform(-1.0, 1.0, size=(n, 2))
    a, b = PLANE_SLOPES
    return _finish(X, a * X[:, 0] + b * X[:, 1], sigma, rng)


def make_gaussians_data(samples: int = 200, noise: float = 0.05, seed: int = 0,
                        classes: int = 2) -> Dataset:
    """Six Gaussian bumps of alternating sign (``GAUSSIAN_BUMPS``), summed: y is +1 on a
    positive bump's centre, -1 on a negative one's, near 0 between them."""
    n, sigma, rng = _start(samples, noise, seed)
    X = rng.uniform(-1.0, 1.0, size=(n, 2))
    bumps = np.asarray(GAUSSIAN_BUMPS)                       # (6, 3)
    d2 = ((X[:, None, :] - bumps[None, :, :2]) ** 2).sum(-1)  # (N, 6) squared distances
    y = (bumps[:, 2] * np.exp(-d2 / (2 * GAUSSIAN_WIDTH**2))).sum(axis=1)
    return _finish(X, y, sigma, rng)


def make_sine_data(samples: int = 200, noise: float = 0.05, seed: int = 0, classes: int = 2
                   ) -> Dataset:
    """y = sin(2*pi*x1) on a thin strip: x1 uniform in [-1, 1], x2 uniform in [-0.1, 0.1]
    (a 1-D curve fit shown in the 2-D plane; x2 carries no signal)."""
    n, sigma, rng = _start(samples, noise, seed)
    X = np.column_stack([rng.uniform(-1.0, 1.0, n), rng.uniform(-SINE_STRIP, SINE_STRIP, n)])
    return _finish(X, np.sin(SINE_FREQUENCY * X[:, 0]), sigma, rng)


def make_ripple_data(samples: int = 200, noise: float = 0.05, seed: int = 0, classes: int = 2
                     ) -> Dataset:
    """A ripple, y = sin(s)/s with s = 3*pi*|x| (1 at the centre), over [-1, 1]²."""
    n, sigma, rng = _start(samples, noise, seed)
    X = rng.uniform(-1.0, 1.0, size=(n, 2))
    s = RIPPLE_SCALE * np.hypot(X[:, 0], X[:, 1])
    # np.sinc(t) = sin(pi t)/(pi t), defined as 1 at t = 0
    return _finish(X, np.sinc(s / np.pi), sigma, rng)


Generator = Callable[..., Dataset]

#: name -> generator ``f(samples, noise, seed, classes) -> (X, y)`` with real-valued y.
REGRESSION_GENERATORS: dict[str, Generator] = {
    "plane": make_plane_data,
    "gaussians": make_gaussians_data,
    "sine": make_sine_data,
    "ripple": make_ripple_data,
}
REGRESSION_DATASETS: tuple[str, ...] = tuple(REGRESSION_GENERATORS)


def generate_values(name: str, samples: int = 200, noise: float = 0.05, seed: int = 0
                    ) -> Dataset:
    """Make regression dataset ``name``: ``X`` float64 (samples, 2), ``y`` float64
    (samples,). ``SpecError`` for an unknown name or a bad size, noise or seed."""
    generator = REGRESSION_GENERATORS.get(name) if isinstance(name, str) else None
    if generator is None:
        raise SpecError(f"unknown regression dataset {name!r}; choose one of "
                        f"{', '.join(REGRESSION_DATASETS)}")
    return generator(samples=samples, noise=noise, seed=seed)


def random_split(X: np.ndarray, y: np.ndarray, test_ratio: float = 0.2, seed: int = 0
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split rows into ``(X_train, y_train, X_test, y_test)`` at random (float64 (n, 2)
    and (n,)): ``round(N * test_ratio)`` test rows, but always at least one in training.
    Real-valued targets have no classes to stratify by. Deterministic for a seed."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2 or y.shape != (X.shape[0],):
        raise DataError(f"points must have shape (N, 2) and values (N,), got {X.shape} "
                        f"and {y.shape}")
    if (isinstance(test_ratio, bool) or not isinstance(test_ratio, Real)
            or not 0.0 <= test_ratio <= 0.9):
        raise SpecError(f"test_ratio must be between 0 and 0.9, got {test_ratio!r}")
    n = len(y)
    n_test = min(int(round(n * float(test_ratio))), max(n - 1, 0))
    order = np.random.default_rng(_check_seed(seed)).permutation(n)
    test, train = order[:n_test], order[n_test:]
    return X[train], y[train], X[test], y[test]
