"""Loss landscapes: the slice's centre is the current loss, filter-normalised directions
have each unit's norm, a trajectory's plane puts the final weights at the origin, and the
model's weights are back after the generator ends or is closed."""

import numpy as np
import pytest

from engine.errors import DataError
from engine.landscape import (
    filter_normalized_direction,
    landscape_rows,
    loss_landscape,
    parameter_vector,
    pca_directions,
    random_directions,
    set_parameter_vector,
)
from engine.layers import BatchNorm, Conv2D, Dense, Dropout, Flatten, ReLU, Tanh
from engine.losses import make_loss
from engine.network import Sequential
from engine.optimizers import Adam
from engine.trainer import Trainer


def mlp(rng) -> Sequential:
    return Sequential([Dense(2, 8, rng=rng), Tanh(), BatchNorm(8), Dropout(0.2, rng=rng),
                       Dense(8, 2, rng=rng)], make_loss("softmax-ce"))


def points(rng, n=80):
    x = rng.uniform(-1, 1, (n, 2)).astype(np.float32)
    return x, (x[:, 0] * x[:, 1] > 0).astype(np.int64)


def weights(model):
    return [p.copy() for _, p, _ in model.parameters()]


def same(a, model):
    return all(np.array_equal(u, p) for u, (_, p, _) in zip(a, model.parameters()))


def test_the_centre_of_the_slice_is_the_current_loss():
    rng = np.random.default_rng(0)
    model = mlp(rng)
    x, t = points(rng)
    d1, d2 = random_directions(model, rng)
    grid = loss_landscape(model, x, t, d1, d2, np.linspace(-1, 1, 5), np.linspace(-1, 1, 3))
    assert grid.shape == (3, 5)
    assert grid[1, 2] == pytest.approx(model.loss(x, t, train=False), rel=1e-6)
    assert np.ptp(grid) > 0  # the slice is not flat


def test_each_point_is_the_loss_of_those_weights():
    rng = np.random.default_rng(1)
    model = mlp(rng)
    x, t = points(rng)
    theta = parameter_vector(model)
    d1, d2 = random_directions(model, rng)
    row = next(landscape_rows(model, x, t, d1, d2, [0.5], [-0.25]))
    other = mlp(np.random.default_rng(1))
    set_parameter_vector(other, theta + 0.5 * d1 - 0.25 * d2)
    assert row[0] == pytest.approx(other.loss(x, t, train=False), rel=1e-6)


def test_weights_are_back_between_rows_after_the_end_and_after_close():
    rng = np.random.default_rng(2)
    model = mlp(rng)
    x, t = points(rng)
    before = weights(model)
    buffers = [b.copy() for _, b in model.buffers()]
    d1, d2 = random_directions(model, rng)
    rows = landscape_rows(model, x, t, d1, d2, np.linspace(-2, 2, 4), np.linspace(-2, 2, 4))
    next(rows)
    assert same(before, model)       # a worker may read the model between rows
    rows.close()                     # cancelled after one row
    assert same(before, model)
    assert len(list(landscape_rows(model, x, t, d1, d2, [0, 1], [0, 1, 2]))) == 3
    assert same(before, model)
    assert all(np.array_equal(a, b) for a, (_, b) in zip(buffers, model.buffers()))


def test_closing_in_the_middle_of_a_row_puts_the_weights_back():
    rng = np.random.default_rng(3)
    model = mlp(rng)
    x, t = points(rng)
    before = weights(model)
    d1, d2 = random_directions(model, rng)
    rows = landscape_rows(model, x, t, d1, d2, [0.0, 1.0], [0.0, 1.0])
    original = model.loss_fn.forward
    calls = []

    def forward(scores, targets):  # stop at the second point of the first row
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return original(scores, targets)

    model.loss_fn.forward = forward
    with pytest.raises(KeyboardInterrupt):
        next(rows)
    assert same(before, model)


def test_filter_normalised_directions_have_each_units_norm_and_leave_biases():
    rng = np.random.default_rng(4)
    model = Sequential([Conv2D(1, 3, 3, rng=rng), BatchNorm(3), ReLU(), Flatten(),
                        Dense(3 * 4 * 4, 5, rng=rng)], make_loss("softmax-ce"))
    d = filter_normalized_direction(model, np.random.default_rng(0))
    probe = Sequential([Conv2D(1, 3, 3), BatchNorm(3), ReLU(), Flatten(), Dense(48, 5)],
                       make_loss("softmax-ce"))
    set_parameter_vector(probe, d)
    conv, dense = model.layers[0], model.layers[4]
    dc, dbn, dd = probe.layers[0], probe.layers[1], probe.layers[4]
    np.testing.assert_allclose(np.linalg.norm(dc.params["W"].reshape(3, -1), axis=1),
                               np.linalg.norm(conv.params["W"].reshape(3, -1), axis=1),
                               rtol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(dd.params["W"], axis=0),
                               np.linalg.norm(dense.params["W"], axis=0), rtol=1e-5)
    for zero in (dc.params["b"], dbn.params["gamma"], dbn.params["beta"], dd.params["b"]):
        assert not zero.any()
    assert d.shape == (model.num_parameters(),) and d.dtype == np.float64


def trained_trajectory(seed=5, epochs=12):
    rng = np.random.default_rng(seed)
    model = Sequential([Dense(2, 8, rng=rng), Tanh(), Dense(8, 2, rng=rng)],
                       make_loss("softmax-ce"))
    x, t = points(rng, 120)
    trainer = Trainer(model, Adam(0.05), x, t, batch_size=30, rng=rng)
    snapshots = [parameter_vector(model)]
    for _ in range(epochs):
        trainer.run_epoch()
        snapshots.append(parameter_vector(model))
    return model, x, t, snapshots


def test_the_trajectory_plane_ends_at_the_origin_on_the_final_weights():
    model, x, t, snapshots = trained_trajectory()
    plane = pca_directions(snapshots)
    assert plane.path.shape == (len(snapshots), 2)
    np.testing.assert_array_equal(plane.path[-1], [0.0, 0.0])
    assert plane.path[0, 0] > 0 and plane.path[0, 1] >= 0
    assert np.dot(plane.d1, plane.d2) == pytest.approx(0, abs=1e-12)
    assert np.linalg.norm(plane.d1) == pytest.approx(1) == np.linalg.norm(plane.d2)
    assert 0.5 < plane.explained.sum() <= 1 and plane.explained[0] >= plane.explained[1]
    np.testing.assert_array_equal(plane.center, parameter_vector(model))
    grid = loss_landscape(model, x, t, plane.d1, plane.d2, [0.0], [0.0])
    assert grid[0, 0] == pytest.approx(model.loss(x, t, train=False), rel=1e-6)


def test_a_trajectory_in_a_plane_is_projected_exactly():
    rng = np.random.default_rng(6)
    u, v, c = rng.standard_normal((3, 50))
    coords = rng.standard_normal((6, 2))
    plane = pca_directions([c + a * u + b * v for a, b in coords], center=c)
    assert plane.explained.sum() == pytest.approx(1.0)
    rebuilt = plane.center + plane.path @ np.stack([plane.d1, plane.d2])
    np.testing.assert_allclose(rebuilt, [c + a * u + b * v for a, b in coords], atol=1e-10)


def test_bad_trajectories_and_directions_are_refused():
    with pytest.raises(DataError, match="three"):
        pca_directions([np.zeros(4), np.ones(4)])
    with pytest.raises(DataError, match="one line"):
        pca_directions([np.zeros(4), np.ones(4), 2 * np.ones(4)])
    model = mlp(np.random.default_rng(7))
    rows = landscape_rows(model, np.zeros((2, 2)), np.zeros(2, int), np.zeros(3),
                          np.zeros(3), [0], [0])
    with pytest.raises(DataError, match="parameters"):
        next(rows)
    with pytest.raises(DataError, match="does not fit"):
        set_parameter_vector(model, np.zeros(3))
