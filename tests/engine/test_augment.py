"""Augmentation of training images (engine.augment): exact shifts, rotations that keep
the picture, draws from the run's generator, and training batches only."""

from __future__ import annotations

import numpy as np
import pytest

from engine.augment import (
    AUGMENTS,
    MAX_DEGREES,
    MAX_SHIFT,
    augment_batch,
    random_angles,
    random_offsets,
    rotate_shift_images,
    shift_images,
)
from engine.errors import DataError, SpecError
from engine.layers import Dense, Flatten, ReLU
from engine.losses import SoftmaxCrossEntropy
from engine.network import Sequential
from engine.optimizers import Adam
from engine.spec import DataConfig, RunConfig, defaults_for
from engine.trainer import Trainer


def dots(n: int, size: int = 12, at: tuple[int, int] = (5, 6)) -> np.ndarray:
    """n images (n, 1, size, size) float32, each one bright pixel at ``at`` of value i+1."""
    x = np.zeros((n, 1, size, size), np.float32)
    x[:, 0, at[0], at[1]] = np.arange(1, n + 1)
    return x


def blob(size: int = 28) -> np.ndarray:
    """A round Gaussian blob (1, 1, size, size) in the middle, like a centred digit."""
    r = np.arange(size) - (size - 1) / 2
    img = np.exp(-(r[:, None] ** 2 + r[None, :] ** 2) / (2 * 3.0 ** 2))
    return img.astype(np.float32)[None, None]


def test_a_shift_moves_each_image_by_its_drawn_offset_exactly():
    x = dots(200)
    out = augment_batch(x, "shift", np.random.default_rng(7))
    dy, dx = random_offsets(np.random.default_rng(7), len(x))  # the same draws
    expected = np.zeros_like(x)
    expected[np.arange(len(x)), 0, 5 + dy, 6 + dx] = np.arange(1, len(x) + 1)
    np.testing.assert_array_equal(out, expected)
    # every offset of -2..2 is drawn, on both axes, and some images do move
    assert set(dy) == set(dx) == set(range(-MAX_SHIFT, MAX_SHIFT + 1))
    assert not np.array_equal(out, x)


def test_shift_directions_and_zero_fill():
    x = np.arange(1, 1 + 2 * 5 * 6, dtype=np.float32).reshape(2, 1, 5, 6)
    out = shift_images(x, np.array([1, -2]), np.array([-1, 2]))
    np.testing.assert_array_equal(out[0, 0, 1:, :-1], x[0, 0, :-1, 1:])  # down, left
    np.testing.assert_array_equal(out[1, 0, :-2, 2:], x[1, 0, 2:, :-2])  # up, right
    assert (out[0, 0, 0] == 0).all() and (out[0, 0, :, -1] == 0).all()
    assert (out[1, 0, -2:] == 0).all() and (out[1, 0, :, :2] == 0).all()
    ones = shift_images(np.ones((3, 1, 8, 8), np.float32), np.array([2, 0, -1]),
                        np.array([-2, 1, 0]))
    assert ones.sum(axis=(1, 2, 3)).tolist() == [36, 56, 56]


def test_a_quarter_turn_is_numpys_rot90_and_no_turn_is_the_exact_shift():
    rng = np.random.default_rng(0)
    x = rng.random((4, 2, 7, 7)).astype(np.float32)
    zero = np.zeros(4, np.int64)
    turned = rotate_shift_images(x, np.full(4, 90.0), zero, zero)
    np.testing.assert_allclose(turned, np.rot90(x, axes=(2, 3)), atol=1e-5)
    dy, dx = np.array([1, -2, 0, 9]), np.array([0, 2, -1, 0])
    np.testing.assert_allclose(rotate_shift_images(x, np.zeros(4), dy, dx),
                               shift_images(x, dy, dx), atol=1e-6)


def test_small_rotations_keep_the_mass_and_change_the_picture():
    x = np.repeat(blob(), 50, axis=0)
    x[:, 0, 8:20, 13:15] += 1  # a vertical bar, so a turn shows
    out = augment_batch(x, "shift-rotate", np.random.default_rng(3))
    mass = out.sum(axis=(1, 2, 3)) / x.sum(axis=(1, 2, 3))
    np.testing.assert_allclose(mass, 1, atol=0.02)
    assert out.min() >= 0 and out.max() <= x.max() + 1e-5  # interpolation, no overshoot
    shifted = augment_batch(x, "shift", np.random.default_rng(3))  # same shifts, no turn
    assert np.abs(out - shifted).max() > 0.1
    angles = random_angles(np.random.default_rng(3), 10_000)
    assert -MAX_DEGREES <= angles.min() < -0.9 * MAX_DEGREES
    assert 0.9 * MAX_DEGREES < angles.max() <= MAX_DEGREES


@pytest.mark.parametrize("name", ["shift", "shift-rotate"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_shapes_dtypes_and_channels_are_kept(name, dtype):
    rng = np.random.default_rng(1)
    base = rng.random((6, 1, 9, 11)).astype(dtype)
    x = np.concatenate([base, 2 * base, 3 * base], axis=1)  # three channels, one picture
    out = augment_batch(x, name, np.random.default_rng(4))
    assert out.shape == x.shape and out.dtype == x.dtype
    assert out is not x and not np.shares_memory(out, x)
    np.testing.assert_allclose(out[:, 1], 2 * out[:, 0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out[:, 2], 3 * out[:, 0], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["shift", "shift-rotate"])
def test_the_same_seed_gives_the_same_batch(name):
    x = np.repeat(blob(16), 20, axis=0)
    a = augment_batch(x, name, np.random.default_rng(11))
    b = augment_batch(x, name, np.random.default_rng(11))
    c = augment_batch(x, name, np.random.default_rng(12))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_none_is_the_batch_itself_and_unknown_names_are_refused():
    x = dots(3)
    assert augment_batch(x, "none", np.random.default_rng(0)) is x
    assert AUGMENTS == ("none", "shift", "shift-rotate")
    with pytest.raises(SpecError, match="unknown augmentation 'flip'; choose one of none, "
                                        "shift, shift-rotate"):
        augment_batch(x, "flip", np.random.default_rng(0))


def test_the_config_carries_augment_and_checks_it():
    config = defaults_for("digits").with_changes(data={"augment": "shift-rotate"})
    assert RunConfig.from_json(config.to_json()).data.augment == "shift-rotate"
    assert DataConfig().augment == "none"
    with pytest.raises(SpecError, match="unknown augmentation 'twist'"):
        RunConfig.from_dict({"data": {"name": "digits", "augment": "twist"}}).validate()
    with pytest.raises(SpecError, match="'data.augment' must be a string"):
        RunConfig.from_dict({"data": {"name": "digits", "augment": 2}})
    with pytest.raises(SpecError, match="dataset 'moons' is not an image set"):
        defaults_for("moons").with_changes(data={"augment": "shift"}).validate()


def small_run(x, y, x_test, y_test, augment, seed=5):
    init = np.random.default_rng(0)  # the same start for every run
    model = Sequential([Flatten(), Dense(x[0].size, 16, rng=init), ReLU(),
                        Dense(16, 3, rng=init)], SoftmaxCrossEntropy())
    return Trainer(model, Adam(lr=1e-2), x, y, x_test, y_test, batch_size=8,
                   rng=np.random.default_rng(seed), augment=augment)


def images(n, seed):
    rng = np.random.default_rng(seed)
    return rng.random((n, 1, 10, 10)).astype(np.float32), rng.integers(0, 3, n)


@pytest.mark.parametrize("name", ["none", "shift", "shift-rotate"])
def test_training_batches_are_augmented_and_test_images_never(name):
    x, y = images(40, 0)
    x_test, y_test = images(12, 1)
    originals = x.copy(), x_test.copy()
    trainer = small_run(x, y, x_test, y_test, name)
    batches, scored = [], []
    model = trainer.model
    loss, predict = model.loss, model.predict
    model.loss = lambda xb, *a, **k: (batches.append(xb.copy()), loss(xb, *a, **k))[1]
    model.predict = lambda xs, *a, **k: (scored.append(xs.copy()), predict(xs, *a, **k))[1]
    trainer.fit(2)
    # the first batch, rebuilt from the same generator: the epoch's order, then the draws
    rng = np.random.default_rng(5)
    first = x[rng.permutation(len(x))[:8]]
    if name == "none":
        expected = first
    else:
        dy, dx = random_offsets(rng, 8)
        expected = (shift_images(first, dy, dx) if name == "shift" else
                    rotate_shift_images(first, random_angles(rng, 8), dy, dx))
    np.testing.assert_array_equal(batches[0], expected)
    assert (name == "none") == np.array_equal(batches[0], first)
    # what is scored (train and test sets after each epoch) is never augmented
    assert any(np.array_equal(s, x_test) for s in scored)
    assert all(np.array_equal(s, x_test) or np.array_equal(s, x) for s in scored)
    np.testing.assert_array_equal(trainer.x_train, originals[0])
    np.testing.assert_array_equal(trainer.x_test, originals[1])


def test_augmented_training_is_deterministic_per_seed():
    x, y = images(40, 0)
    runs = [small_run(x, y, None, None, augment, seed) for augment, seed in
            [("shift-rotate", 5), ("shift-rotate", 5), ("shift-rotate", 6), ("none", 5)]]
    for run in runs:
        run.fit(2)
    weights = [run.model.layers[1].params["W"] for run in runs]
    np.testing.assert_array_equal(weights[0], weights[1])
    assert not np.array_equal(weights[0], weights[2])
    assert not np.array_equal(weights[0], weights[3])


def test_a_full_batch_is_augmented_without_touching_the_training_set():
    x, y = images(10, 2)
    keep = x.copy()
    model = Sequential([Flatten(), Dense(100, 3)], SoftmaxCrossEntropy())
    trainer = Trainer(model, Adam(), x, y, batch_size=0, rng=np.random.default_rng(0),
                      augment="shift")
    trainer.fit(3)
    np.testing.assert_array_equal(trainer.x_train, keep)


def test_augmenting_points_is_refused():
    model = Sequential([Dense(2, 2)], SoftmaxCrossEntropy())
    with pytest.raises(DataError, match=r"augmentation 'shift' needs images \(N, C, H, W\)"):
        Trainer(model, Adam(), np.zeros((4, 2)), np.zeros(4, np.int64), augment="shift")
