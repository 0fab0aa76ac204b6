"""The Lab's optimiser paths, without Qt: which surface, which optimisers at which
learning rates, from where, and every path so far, stepped by the engine's own optimisers
through ``engine.optimizer_paths.PathStepper`` (no copy of their maths here).

Every path shown is ``steps`` updates long (a path ticked or given a new rate later is
caught up at once: a step costs microseconds), unless it stopped: a path stops when its
stepper reports a non-finite gradient or point, or when the point runs ``FAR`` view
widths away from the plot (a diverging rate, or the saddle's way down), and says why.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engine.optimizer_paths import BOOK_RATES, SURFACES, PathStepper, Surface, surface_grid
from engine.optimizers import OPTIMIZERS, make_optimizer

#: optimiser registry name -> the name shown, for every optimiser the engine has.
_LABELS = {"sgd": "SGD", "momentum": "Momentum", "nesterov": "Nesterov",
           "adagrad": "AdaGrad", "rmsprop": "RMSProp", "adam": "Adam"}
OPTIMIZER_NAMES: dict[str, str] = {k: _LABELS.get(k, k.title()) for k in OPTIMIZERS}
#: ticked on a first start: the four of the book's figure 6-8.
BOOK_OPTIMIZERS = tuple(k for k in OPTIMIZER_NAMES if k in BOOK_RATES)

#: surface key -> the name the surface menu shows.
SURFACE_NAMES: dict[str, str] = {
    "book": "x²/20 + y² (the book's)", "rosenbrock": "Rosenbrock", "beale": "Beale",
    "himmelblau": "Himmelblau", "saddle": "Saddle x² − y²"}
#: surface key -> its formula, where the engine's title is a name.
FORMULAS: dict[str, str] = {
    "beale": "(1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²"}
#: surface key -> what to look for on it (the page shows it under the controls).
LOOK_FOR: dict[str, str] = {
    "book": "20 times steeper in y than in x: SGD zig-zags across the valley, Momentum "
            "overshoots and swings back, AdaGrad flattens y at once and walks along x, "
            "Adam curves in (the book's figure 6-8 after 30 steps).",
    "rosenbrock": "A narrow curved valley with the minimum at (1, 1): every method finds "
                  "the valley in a few steps, then crawls along its floor; Momentum and "
                  "Adam crawl fastest.",
    "beale": "Flat plateaus and steep walls (see the log-spaced contours): plain SGD "
             "needs a small rate for the walls and then stalls on the flats, the "
             "adaptive methods keep going.",
    "himmelblau": "Four minima of equal height: click different starts to see which "
                  "minimum each method falls into, and how Momentum can overshoot into a "
                  "neighbour's basin.",
    "saddle": "No minimum: from just off the ridge SGD and Momentum escape slowly along "
              "y, the adaptive methods (AdaGrad, RMSProp, Adam) rescale the tiny "
              "gradient and escape at once.",
}

#: learning rates that show each surface well (the book's own on its surface); any
#: optimiser missing from a surface's table falls back to ``FALLBACK_RATE``.
DEFAULT_RATES: dict[str, dict[str, float]] = {
    "book": {**BOOK_RATES, "nesterov": 0.1, "rmsprop": 0.1},
    "rosenbrock": {"sgd": 0.001, "momentum": 0.001, "nesterov": 0.0005, "adagrad": 0.2,
                   "rmsprop": 0.01, "adam": 0.1},
    "beale": {"sgd": 0.01, "momentum": 0.001, "nesterov": 0.001, "adagrad": 0.5,
              "rmsprop": 0.05, "adam": 0.1},
    "himmelblau": {"sgd": 0.01, "momentum": 0.002, "nesterov": 0.002, "adagrad": 0.3,
                   "rmsprop": 0.05, "adam": 0.1},
    "saddle": {"sgd": 0.05, "momentum": 0.01, "nesterov": 0.01, "adagrad": 0.1,
               "rmsprop": 0.01, "adam": 0.05},
}
FALLBACK_RATE = 0.01
#: the learning rates a user may set.
MIN_RATE, MAX_RATE = 1e-5, 100.0
#: a path stops once its point is this many view widths from the view's centre.
FAR = 10.0
#: contour lines drawn over a surface.
CONTOUR_LEVELS = 14


def default_rate(surface_key: str, name: str) -> float:
    """The learning rate ``name`` starts with on the surface ``surface_key``."""
    return DEFAULT_RATES.get(surface_key, {}).get(name, FALLBACK_RATE)


def formula(s: Surface) -> str:
    """What the plot's title shows for ``s``: f(x, y) = this."""
    return FORMULAS.get(s.key, s.title)


def surface_of(key: str) -> Surface:
    """The engine's surface ``key`` (the book's for a key it does not know)."""
    return SURFACES.get(key, SURFACES["book"])


@dataclass
class OptimizerPath:
    """One optimiser's path: its stepper (with the engine optimiser inside) and, once it
    stopped, the step it stopped at and why (one sentence; "" while it goes on)."""

    name: str
    lr: float
    stepper: PathStepper
    stopped_at: int | None = None
    reason: str = ""

    @property
    def label(self) -> str:
        return OPTIMIZER_NAMES[self.name]

    @property
    def points(self) -> np.ndarray:
        """Every point visited, (k + 1, 2) float64, the start first."""
        return self.stepper.path


@dataclass
class ContourGrid:
    """A surface's value on a grid of cell centres, ``z`` (ny, nx) float64 with row 0
    at ``bounds``' lowest y, and the values of its contour lines, ``levels`` (ascending)."""

    z: np.ndarray
    bounds: tuple[float, float, float, float]
    levels: np.ndarray
    log: bool = field(default=True)


def contour_grid(s: Surface, resolution: int = 160) -> ContourGrid:
    """``s`` over its bounds at cell centres, with levels log-spaced above its minimum
    (so Rosenbrock's and Beale's floors show), or evenly spaced for a surface without a
    minimum (the saddle)."""
    x0, x1, y0, y1 = (float(v) for v in s.bounds)
    dx, dy = (x1 - x0) / resolution, (y1 - y0) / resolution
    _, _, z = surface_grid(s, resolution, (x0 + dx / 2, x1 - dx / 2, y0 + dy / 2, y1 - dy / 2))
    finite = z[np.isfinite(z)]
    if not s.minima:
        lo, hi = np.percentile(finite, [3, 97])
        levels = np.linspace(lo, hi, CONTOUR_LEVELS)
        return ContourGrid(z, (x0, x1, y0, y1), levels, log=False)
    floor = min(float(s.value(np.float64(mx), np.float64(my))) for mx, my in s.minima)
    above = finite - floor
    hi = float(np.percentile(above, 95))
    lo = max(float(np.percentile(above, 0.5)), hi * 1e-5)
    levels = floor + np.geomspace(lo, hi, CONTOUR_LEVELS)
    return ContourGrid(z, (x0, x1, y0, y1), levels, log=True)


class LabModel:
    """The paths of the ticked optimisers over one surface from one start, all
    ``steps`` updates long (see the module docstring). ``rates`` holds every optimiser's
    learning rate, ticked or not."""

    def __init__(self, surface_key: str = "book", rates: dict[str, float] | None = None,
                 enabled=BOOK_OPTIMIZERS, start=None) -> None:
        self.surface = surface_of(surface_key)
        self.rates = {n: default_rate(self.surface.key, n) for n in OPTIMIZER_NAMES}
        self.rates.update({n: v for n, v in (rates or {}).items() if n in OPTIMIZER_NAMES})
        self.enabled = [n for n in OPTIMIZER_NAMES if n in set(enabled)]
        self.start = tuple(self.surface.start if start is None else start)
        self.steps = 0
        self.paths: dict[str, OptimizerPath] = {}
        self.reset()

    # ------------------------------------------------------------------ changes

    def reset(self) -> None:
        """Every ticked optimiser back at the start, step 0."""
        self.steps = 0
        self.paths = {n: self._new_path(n) for n in self.enabled}

    def set_surface(self, key: str, rates: dict[str, float] | None = None) -> None:
        """Another surface, from its own start, with ``rates`` (default its defaults)."""
        self.surface = surface_of(key)
        self.rates = {n: default_rate(self.surface.key, n) for n in OPTIMIZER_NAMES}
        self.rates.update({n: v for n, v in (rates or {}).items() if n in OPTIMIZER_NAMES})
        self.start = tuple(self.surface.start)
        self.reset()

    def set_start(self, x: float, y: float) -> None:
        """Start every path at (x, y) (step 0)."""
        if not (np.isfinite(x) and np.isfinite(y)):
            raise ValueError(f"the start point must be finite, got ({x}, {y})")
        self.start = (float(x), float(y))
        self.reset()

    def set_rate(self, name: str, lr: float) -> None:
        """``name``'s learning rate; its path is redone to the current step."""
        if not MIN_RATE <= lr <= MAX_RATE:
            raise ValueError(f"a learning rate must be between {MIN_RATE:g} and "
                             f"{MAX_RATE:g}, got {lr:g}")
        self.rates[name] = float(lr)
        if name in self.paths:
            self.paths[name] = self._caught_up(name)

    def set_enabled(self, name: str, on: bool) -> None:
        """Tick (its path appears, caught up to the current step) or untick ``name``."""
        if on and name not in self.enabled:
            self.enabled = [n for n in OPTIMIZER_NAMES if n in self.enabled or n == name]
            self.paths = {n: self.paths.get(n) or self._caught_up(n) for n in self.enabled}
        elif not on and name in self.enabled:
            self.enabled.remove(name)
            self.paths.pop(name, None)

    def step(self, n: int = 1) -> list[OptimizerPath]:
        """``n`` more updates of every path still going; the paths that stopped now."""
        stopped = []
        for _ in range(n):
            self.steps += 1
            for path in self.paths.values():
                if path.stopped_at is None and self._advance(path, self.steps):
                    stopped.append(path)
        return stopped

    # ------------------------------------------------------------------ reading

    @property
    def going(self) -> list[str]:
        """The ticked optimisers whose paths have not stopped."""
        return [n for n, p in self.paths.items() if p.stopped_at is None]

    def final_points(self) -> dict[str, np.ndarray]:
        """Ticked optimiser -> its current point (2,) float64."""
        return {n: p.stepper.point for n, p in self.paths.items()}

    # ------------------------------------------------------------------ inside

    def _new_path(self, name: str) -> OptimizerPath:
        optimizer = make_optimizer(name, self.rates[name])
        return OptimizerPath(name, self.rates[name],
                             PathStepper(self.surface, optimizer, self.start))

    def _caught_up(self, name: str) -> OptimizerPath:
        path = self._new_path(name)
        for k in range(1, self.steps + 1):
            if self._advance(path, k):
                break
        return path

    def _advance(self, path: OptimizerPath, k: int) -> bool:
        """Step ``path`` once as its ``k``-th update; True if it stopped there."""
        stepper = path.stepper
        stepper.step(1)
        where = f"{path.label} (lr {path.lr:g}) diverged at step {k}"
        if stepper.diverged:
            path.stopped_at = k
            path.reason = f"{where}: its gradient or point overflowed."
            return True
        x0, x1, y0, y1 = self.surface.bounds
        centre = np.array([(x0 + x1) / 2, (y0 + y1) / 2])
        p = stepper.point
        if np.max(np.abs(p - centre)) > FAR * max(x1 - x0, y1 - y0):
            path.stopped_at = k
            path.reason = f"{where}, far off the plot at ({p[0]:.3g}, {p[1]:.3g})."
            return True
        return False
