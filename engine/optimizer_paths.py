"""The optimiser-path lab: 2-D test surfaces (value on whole grids, for contours, and
gradient) and a stepper that moves one point over a surface with the engine's own
optimisers, so a plot can step N times and draw the path.

The point is a two-parameter "model" (``PointModel``: one array of two weights and its
gradient, what ``Optimizer.step`` reads), so every rule, option and state the training
uses (momentum, Adam's moments, clipping, L2) moves it, with no copy of their maths.
"Deep Learning from Scratch" (fig. 6-8) compares SGD, Momentum, AdaGrad and Adam on
f(x, y) = x²/20 + y² from (-7, 2), the ``book`` surface, at ``BOOK_RATES``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .errors import SpecError
from .optimizers import Optimizer, make_optimizer

#: The learning rates "Deep Learning from Scratch" (fig. 6-8) uses for each optimiser.
BOOK_RATES = {"sgd": 0.95, "momentum": 0.1, "adagrad": 1.5, "adam": 0.3}

Field = Callable[[np.ndarray, np.ndarray], np.ndarray]
GradientField = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class Surface:
    """A function of (x, y): ``value(x, y)`` and ``gradient(x, y) -> (dx, dy)`` take
    arrays of any (equal) shape, elementwise; ``start`` is where a path begins,
    ``bounds`` (x0, x1, y0, y1) the view that shows it, ``minima`` the global minima
    (none for the saddle, which has no minimum)."""

    key: str
    title: str
    value: Field
    gradient: GradientField
    start: tuple[float, float]
    bounds: tuple[float, float, float, float]
    minima: tuple[tuple[float, float], ...]


def _book(x, y):
    return x * x / 20 + y * y


def _book_gradient(x, y):
    return x / 10, 2 * y


def _rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def _rosenbrock_gradient(x, y):
    return -2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)


def _beale_terms(x, y):
    return 1.5 - x + x * y, 2.25 - x + x * y * y, 2.625 - x + x * y ** 3


def _beale(x, y):
    t1, t2, t3 = _beale_terms(x, y)
    return t1 * t1 + t2 * t2 + t3 * t3


def _beale_gradient(x, y):
    t1, t2, t3 = _beale_terms(x, y)
    dx = 2 * t1 * (y - 1) + 2 * t2 * (y * y - 1) + 2 * t3 * (y ** 3 - 1)
    dy = 2 * t1 * x + 4 * t2 * x * y + 6 * t3 * x * y * y
    return dx, dy


def _himmelblau(x, y):
    return (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2


def _himmelblau_gradient(x, y):
    a, b = x * x + y - 11, x + y * y - 7
    return 4 * x * a + 2 * b, 2 * a + 4 * y * b


def _saddle(x, y):
    return x * x - y * y


def _saddle_gradient(x, y):
    return 2 * x, -2 * y


SURFACES: dict[str, Surface] = {s.key: s for s in (
    Surface("book", "x²/20 + y²", _book, _book_gradient, (-7.0, 2.0), (-10, 10, -5, 5),
            ((0.0, 0.0),)),
    Surface("rosenbrock", "(1 − x)² + 100 (y − x²)²", _rosenbrock, _rosenbrock_gradient,
            (-1.5, 2.0), (-2, 2, -1, 3), ((1.0, 1.0),)),
    Surface("beale", "Beale's function", _beale, _beale_gradient, (1.0, 1.5),
            (-4.5, 4.5, -4.5, 4.5), ((3.0, 0.5),)),
    Surface("himmelblau", "(x² + y − 11)² + (x + y² − 7)²", _himmelblau,
            _himmelblau_gradient, (0.0, 0.0), (-5, 5, -5, 5),
            ((3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186),
             (3.584428, -1.848126))),
    Surface("saddle", "x² − y²", _saddle, _saddle_gradient, (-1.5, 0.01), (-2, 2, -2, 2),
            ()),
)}


def surface(key: str) -> Surface:
    """The surface registered as ``key``; ``SpecError`` naming the accepted ones."""
    try:
        return SURFACES[key]
    except KeyError:
        raise SpecError(f"unknown surface {key!r}; choose one of "
                        f"{', '.join(SURFACES)}") from None


def surface_grid(s: Surface, resolution: int = 101,
                 bounds: tuple[float, float, float, float] | None = None
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(xs, ys, zs), each (resolution, resolution) float64 with rows along y: the
    surface's value over ``bounds`` (default its own), for a contour or image plot."""
    x0, x1, y0, y1 = bounds if bounds is not None else s.bounds
    xs, ys = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    with np.errstate(over="ignore", invalid="ignore"):
        return xs, ys, s.value(xs, ys)


class PointModel:
    """One point (x, y) as a model an optimiser can step: ``p`` (2,) float64 and its
    gradient ``g`` (2,), yielded by ``parameters()`` as the weight ``"point.W"``."""

    def __init__(self, start=(-7.0, 2.0)):
        self.p = np.array(start, np.float64)
        self.g = np.zeros(2, np.float64)

    def parameters(self):
        yield "point.W", self.p, self.g


class PathStepper:
    """Steps a point over ``surface`` with ``optimizer`` (an engine ``Optimizer``, with
    whatever options and state it has) from ``start`` (default the surface's).

    ``step(n)`` runs up to n updates and returns the new points; once a gradient or a
    point stops being finite the path ends there (``diverged``), at its last finite
    point, and further steps add nothing."""

    def __init__(self, s: Surface, optimizer: Optimizer, start=None):
        self.surface, self.optimizer = s, optimizer
        self.model = PointModel(s.start if start is None else start)
        if not np.all(np.isfinite(self.model.p)):
            raise SpecError(f"the start point must be finite, got {tuple(self.model.p)}")
        self._points = [self.model.p.copy()]
        self.diverged = False

    @property
    def path(self) -> np.ndarray:
        """Every point visited so far, (steps + 1, 2) float64, the start first."""
        return np.array(self._points)

    @property
    def point(self) -> np.ndarray:
        return self._points[-1].copy()

    @property
    def value(self) -> float:
        x, y = self._points[-1]
        return float(self.surface.value(x, y))

    def step(self, n: int = 1) -> np.ndarray:
        """Up to ``n`` optimiser updates; the new points (k, 2), k < n once diverged."""
        p, g = self.model.p, self.model.g
        new = []
        with np.errstate(over="ignore", invalid="ignore"):
            for _ in range(n):
                if self.diverged:
                    break
                g[:] = self.surface.gradient(p[0], p[1])
                if np.all(np.isfinite(g)):
                    self.optimizer.step(self.model)
                if not (np.all(np.isfinite(g)) and np.all(np.isfinite(p))):
                    self.diverged = True
                    p[:] = self._points[-1]
                    break
                self._points.append(p.copy())
                new.append(p.copy())
        return np.array(new).reshape(-1, 2)


def optimizer_path(name: str, lr: float, steps: int = 30, surface_key: str = "book",
                   start=None, **options) -> np.ndarray:
    """Points (steps + 1, 2) visited by optimiser ``name`` (``make_optimizer``'s names
    and options) at ``lr`` on a surface, from its start or ``start``; fewer if it
    diverged."""
    stepper = PathStepper(surface(surface_key), make_optimizer(name, lr, **options), start)
    stepper.step(steps)
    return stepper.path
