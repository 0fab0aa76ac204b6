"""The trajectory recorder (thinned evenly, bounded, one model's) and the plane a
landscape is computed on (random around the weights, PCA ending at the origin)."""

from __future__ import annotations

import numpy as np
import pytest

from engine.errors import DataError
from engine.landscape import parameter_vector, set_parameter_vector
from engine.layers import Dense, Tanh
from engine.losses import make_loss
from engine.network import Sequential
from engine.serialize import model_state
from playground.landscape.plane import LandscapeRequest, LandscapeSource, plan_plane
from playground.landscape.trajectory import TrajectoryRecorder


def mlp(seed: int = 0) -> Sequential:
    rng = np.random.default_rng(seed)
    return Sequential([Dense(2, 6, rng=rng), Tanh(), Dense(6, 2, rng=rng)],
                      make_loss("softmax-ce"))


def walk(model, recorder, epochs: int, rng) -> list[np.ndarray]:
    """``epochs`` random steps of the weights, each recorded; every weight vector."""
    seen = [parameter_vector(model)]
    for e in range(1, epochs + 1):
        set_parameter_vector(model, seen[-1] + rng.normal(0, 0.1, seen[-1].shape))
        seen.append(parameter_vector(model))
        recorder.record(model, e)
    return seen


def test_the_recorder_keeps_at_most_its_limit_evenly_spread_from_the_start():
    rng = np.random.default_rng(0)
    model = mlp()
    rec = TrajectoryRecorder(max_snapshots=10)
    rec.start(model)
    seen = walk(model, rec, 45, rng)
    snaps, epochs = rec.snapshots(model), rec.epochs(model)
    assert 3 <= len(snaps) <= 10
    assert epochs[0] == 0 and len(set(np.diff(epochs))) == 1   # even spacing
    assert rec.stride == epochs[1] - epochs[0] > 1
    for snap, e in zip(snaps, epochs):
        np.testing.assert_allclose(snap, seen[e], rtol=1e-6)
    assert snaps.dtype == np.float32


def test_the_recorder_starts_afresh_for_another_model_and_gives_nothing_of_the_old():
    rec = TrajectoryRecorder()
    a, b = mlp(0), mlp(1)
    rec.start(a)
    walk(a, rec, 4, np.random.default_rng(1))
    assert rec.snapshots(a).shape == (5, parameter_vector(a).size)
    assert rec.snapshots(b).shape == (0, 0)
    rec.record(b, 7)
    assert rec.epochs(b) == [7] and rec.snapshots(a).shape == (0, 0)


def test_the_recorder_keeps_a_bounded_number_of_bytes():
    model = mlp()
    size = parameter_vector(model).size * 4
    rec = TrajectoryRecorder(max_snapshots=200, max_bytes=5 * size)
    rec.start(model)
    walk(model, rec, 30, np.random.default_rng(2))
    assert len(rec.snapshots(model)) <= 5


def source_of(model, trajectory=None) -> LandscapeSource:
    spec, weights = model_state(model)
    x = np.zeros((4, 2), np.float32)
    return LandscapeSource(spec, weights, x, np.zeros(4, np.int64),
                           np.zeros((0, 0)) if trajectory is None else trajectory)


def test_random_plane_is_centred_on_the_weights_over_plus_minus_span():
    model = mlp()
    plane = plan_plane(model, LandscapeRequest(1, source_of(model), "random", 5, 0.5, 3))
    np.testing.assert_allclose(plane.alphas, [-0.5, -0.25, 0, 0.25, 0.5])
    np.testing.assert_array_equal(plane.center, parameter_vector(model))
    assert plane.path is None
    again = plan_plane(model, LandscapeRequest(2, source_of(model), "random", 5, 0.5, 3))
    np.testing.assert_array_equal(plane.d1, again.d1)   # same seed, same directions


def test_the_pca_path_ends_at_the_origin_and_fits_the_span():
    rng = np.random.default_rng(3)
    model = mlp()
    rec = TrajectoryRecorder()
    rec.start(model)
    walk(model, rec, 12, rng)
    set_parameter_vector(model, parameter_vector(model) + 0.05)  # mid-epoch weights
    plane = plan_plane(model, LandscapeRequest(1, source_of(model, rec.snapshots(model)),
                                               "pca", 7, 1.0))
    assert plane.path.shape == (14, 2)
    np.testing.assert_allclose(plane.path[-1], [0.0, 0.0], atol=1e-12)
    assert np.abs(plane.path).max() == pytest.approx(plane.alphas[-1])
    assert plane.explained[0] >= plane.explained[1] > 0


def test_pca_without_enough_epochs_says_so():
    model = mlp()
    with pytest.raises(DataError, match="at least two epochs"):
        plan_plane(model, LandscapeRequest(1, source_of(model), "pca"))
