"""What a loss landscape is computed from and the plane it is computed on (no Qt).

A ``LandscapeSource`` is a detached copy of a model (its description and arrays), the
data to measure the loss on and the weight trajectory so far; ``plan_plane`` turns it and
the user's choices into the two directions, the grid of (a, b) coordinates and, in PCA
mode, the path the training took projected onto the plane.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engine.build import build_from_description
from engine.errors import DataError
from engine.landscape import parameter_vector, pca_directions, random_directions
from engine.serialize import copy_state_into

#: the directions combo's choices: key -> what it shows.
DIRECTIONS = {"random": "Random (filter-normalised)", "pca": "PCA of the trajectory"}
DEFAULT_RESOLUTION = 25
DEFAULT_SPAN = 1.0
MAX_RESOLUTION = 101


@dataclass(frozen=True)
class LandscapeSource:
    """A copy of what to compute on: the model's description and ``param/``/``buffer/``
    arrays (``engine.serialize.model_state``), the data ``x`` (N, ...) and ``targets``
    (N,) to measure the loss on, the weight ``trajectory`` (T, P) recorded so far (oldest
    first; may be empty) and a ``title`` saying what it is."""

    spec: dict
    weights: dict[str, np.ndarray]
    x: np.ndarray
    targets: np.ndarray
    trajectory: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    title: str = ""


@dataclass(frozen=True)
class LandscapeRequest:
    """One computation: ``job_id``, the ``source``, the ``directions`` key, a grid of
    ``resolution`` x ``resolution`` points over ±``span`` and the random ``seed``."""

    job_id: int
    source: LandscapeSource
    directions: str = "random"
    resolution: int = DEFAULT_RESOLUTION
    span: float = DEFAULT_SPAN
    seed: int = 0


@dataclass(frozen=True)
class Plane:
    """The plane a landscape is computed on: directions ``d1``, ``d2`` (P,) through
    ``center`` (P,), the coordinates ``alphas`` (nx,) and ``betas`` (ny,), the path (T, 2)
    in PCA mode (None in random mode), the PCA components' ``explained`` shares and the
    axes' ``labels``."""

    d1: np.ndarray
    d2: np.ndarray
    center: np.ndarray
    alphas: np.ndarray
    betas: np.ndarray
    path: np.ndarray | None
    explained: tuple[float, float] | None
    labels: tuple[str, str]


def build_copy(source: LandscapeSource):
    """A model of its own built from ``source`` (the training's model is never used)."""
    model = build_from_description(source.spec)
    copy_state_into(model, source.weights, "the copied model")
    return model


def plan_plane(model, request: LandscapeRequest) -> Plane:
    """The directions and grid of ``request`` around ``model``'s weights. Random: two
    filter-normalised directions, a and b over ±span (1 = each filter's own norm). PCA:
    the trajectory's two main directions (the current weights appended as its last
    point, so the path ends at the origin), a and b over ±span times the path's farthest
    coordinate. ``DataError`` (one sentence) when the trajectory cannot span a plane."""
    n = max(3, min(int(request.resolution), MAX_RESOLUTION))
    span = float(request.span)
    if not np.isfinite(span) or span <= 0:
        raise DataError(f"the span must be a positive number, got {request.span}")
    center = parameter_vector(model)
    if request.directions == "random":
        d1, d2 = random_directions(model, np.random.default_rng(request.seed))
        grid = np.linspace(-span, span, n)
        return Plane(d1, d2, center, grid, grid.copy(), None, None,
                     ("α along direction 1", "β along direction 2"))
    if request.directions != "pca":
        raise DataError(f"unknown directions {request.directions!r}; "
                        f"{' or '.join(DIRECTIONS)} is accepted")
    trajectory = np.asarray(request.source.trajectory, np.float64)
    if trajectory.ndim != 2 or trajectory.shape[1] != center.size:
        trajectory = np.zeros((0, center.size))
    points = np.vstack([trajectory, center[None]])
    if len(points) < 3:
        raise DataError("the PCA of the trajectory needs at least two epochs of training "
                        "recorded; train a little longer or use random directions")
    try:
        plane = pca_directions(points, center)
    except DataError:
        raise DataError("the trajectory's weights lie on one line, so there is no plane "
                        "of two directions through them; use random directions") from None
    reach = float(np.abs(plane.path).max()) or 1.0
    grid = np.linspace(-span * reach, span * reach, n)
    e1, e2 = (float(v) for v in plane.explained)
    return Plane(plane.d1, plane.d2, center, grid, grid.copy(), plane.path, (e1, e2),
                 (f"PC 1 ({e1:.0%} of the path's variance)",
                  f"PC 2 ({e2:.0%})"))
