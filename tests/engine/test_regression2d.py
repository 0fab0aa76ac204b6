"""Generated regression sets: shapes, formulas, noise, seeds, and the random split."""

import numpy as np
import pytest

from engine.datasets import regression2d as r2d
from engine.errors import SpecError


@pytest.mark.parametrize("name", r2d.REGRESSION_DATASETS)
def test_each_set_is_float64_points_and_values_deterministic_from_its_seed(name):
    X, y = r2d.generate_values(name, samples=300, noise=0.05, seed=4)
    assert X.shape == (300, 2) and y.shape == (300,)
    assert X.dtype == np.float64 and y.dtype == np.float64
    X2, y2 = r2d.generate_values(name, samples=300, noise=0.05, seed=4)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    X3, _ = r2d.generate_values(name, samples=300, noise=0.05, seed=5)
    assert not np.array_equal(X, X3)
    assert np.abs(X).max() <= 1.0


def test_the_clean_targets_follow_their_formulas():
    X, y = r2d.generate_values("plane", 500, noise=0.0, seed=0)
    np.testing.assert_allclose(y, 0.6 * X[:, 0] - 0.4 * X[:, 1])
    X, y = r2d.generate_values("sine", 500, noise=0.0, seed=0)
    np.testing.assert_allclose(y, np.sin(2 * np.pi * X[:, 0]))
    assert np.abs(X[:, 1]).max() <= r2d.SINE_STRIP
    X, y = r2d.generate_values("ripple", 500, noise=0.0, seed=0)
    s = 3 * np.pi * np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(y, np.sin(s) / s)
    X, y = r2d.generate_values("gaussians", 4000, noise=0.0, seed=0)
    assert -1.05 < y.min() < -0.8 and 0.8 < y.max() < 1.05  # bumps of +-1, both signs


def test_gaussian_bumps_peak_with_their_sign_at_their_centres():
    bumps = np.asarray(r2d.GAUSSIAN_BUMPS)
    d2 = ((bumps[:, None, :2] - bumps[None, :, :2]) ** 2).sum(-1)
    at_centres = (bumps[None, :, 2] * np.exp(-d2 / (2 * r2d.GAUSSIAN_WIDTH**2))).sum(1)
    assert np.all(np.sign(at_centres) == bumps[:, 2])
    assert np.all(np.abs(at_centres) > 0.9)


@pytest.mark.parametrize("name", r2d.REGRESSION_DATASETS)
def test_noise_is_on_the_targets_with_the_given_standard_deviation(name):
    Xc, yc = r2d.generate_values(name, 20_000, noise=0.0, seed=1)
    Xn, yn = r2d.generate_values(name, 20_000, noise=0.2, seed=1)
    assert np.array_equal(Xc[np.lexsort(Xc.T)], Xn[np.lexsort(Xn.T)])  # inputs untouched
    clean = dict(zip(map(tuple, Xc), yc))
    residual = yn - np.array([clean[tuple(p)] for p in Xn])
    assert residual.std() == pytest.approx(0.2, rel=0.03)


@pytest.mark.parametrize("kwargs, match", [
    ({"samples": 1}, "samples"), ({"noise": -0.1}, "noise"), ({"seed": -1}, "seed")])
def test_bad_arguments_are_one_clear_error(kwargs, match):
    with pytest.raises(SpecError, match=match):
        r2d.generate_values("plane", **{"samples": 10, **kwargs})
    with pytest.raises(SpecError, match="unknown regression dataset 'moons'"):
        r2d.generate_values("moons")


def test_random_split_shares_out_every_row_once():
    X, y = r2d.generate_values("ripple", 101, seed=0)
    Xtr, ytr, Xte, yte = r2d.random_split(X, y, 0.3, seed=2)
    assert len(yte) == 30 and len(ytr) == 71
    together = np.sort(np.concatenate([ytr, yte]))
    assert np.array_equal(together, np.sort(y))
    again = r2d.random_split(X, y, 0.3, seed=2)
    assert np.array_equal(again[3], yte)
    _, ytr, _, yte = r2d.random_split(X[:2], y[:2], 0.9, seed=0)
    assert len(ytr) == 1 and len(yte) == 1  # never an empty training set
