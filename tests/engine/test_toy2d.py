"""Generated 2-D datasets, the stratified split and the plotting box."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from engine.datasets import toy2d
from engine.datasets.toy2d import (
    DATASETS,
    GENERATORS,
    data_bounds,
    generate,
    train_test_split,
)
from engine.errors import DataError, SpecError


@pytest.mark.parametrize("name", DATASETS)
def test_shapes_dtypes_and_scale(name):
    X, y = generate(name, samples=301, noise=0.0, classes=3, seed=4)
    assert X.shape == (301, 2) and X.dtype == np.float64
    assert y.shape == (301,) and y.dtype == np.int64
    assert np.isfinite(X).all()
    # one shared scale: noise-free data sits in about [-1, 1]^2 (blobs are Gaussian)
    limit = 1.3 if name == "blobs" else 1.0 + 1e-9
    assert np.abs(X).max() <= limit
    assert np.abs(X).max() > 0.5  # and fills a good part of it


@pytest.mark.parametrize("name", DATASETS)
def test_deterministic_per_seed_and_different_across_seeds(name):
    X1, y1 = generate(name, samples=200, noise=0.1, classes=3, seed=7)
    X2, y2 = generate(name, samples=200, noise=0.1, classes=3, seed=7)
    X3, _ = generate(name, samples=200, noise=0.1, classes=3, seed=8)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.allclose(X1, X3)


@pytest.mark.parametrize("name", DATASETS)
@pytest.mark.parametrize("classes", [2, 3, 5])
def test_class_counts(name, classes):
    _, y = generate(name, samples=500, noise=0.1, classes=classes, seed=0)
    expected = classes if name in toy2d.MULTICLASS_DATASETS else 2
    assert expected == toy2d.class_count(name, classes)
    assert sorted(np.unique(y).tolist()) == list(range(expected))
    counts = np.bincount(y)
    if name != "checkerboard":  # checkerboard labels follow uniform area, not quotas
        assert counts.max() - counts.min() <= 1


def test_rows_are_shuffled():
    _, y = generate("spiral", samples=300, noise=0.0, classes=3, seed=0)
    assert (np.diff(y) != 0).sum() > 50  # not sorted by class


def test_noise_is_std_of_gaussian_jitter():
    clean, y0 = generate("circles", samples=4000, noise=0.0, seed=3)
    noisy, y1 = generate("circles", samples=4000, noise=0.2, seed=3)
    radii = np.hypot(noisy[:, 0], noisy[:, 1])
    target = np.where(y1 == 0, 1.0, 0.5)
    # radial error of 2-D N(0, s^2) jitter has std close to s
    assert 0.17 < np.std(radii - target) < 0.23
    assert np.allclose(np.hypot(clean[:, 0], clean[:, 1]), np.where(y0 == 0, 1.0, 0.5))


def test_moons_are_centred_and_separable_without_noise():
    X, y = generate("moons", samples=400, noise=0.0, seed=1)
    assert np.allclose(X.mean(axis=0), 0.0, atol=0.1)
    # no point of one moon lies closer than 0.1 to the other moon
    d = np.linalg.norm(X[y == 0][:, None, :] - X[y == 1][None, :, :], axis=-1)
    assert d.min() > 0.1
    # class 0 is the upper moon
    assert X[y == 0, 1].mean() > X[y == 1, 1].mean()


def test_xor_labels_match_quadrant_signs():
    X, y = generate("xor", samples=500, noise=0.0, seed=2)
    np.testing.assert_array_equal(y, (np.sign(X[:, 0]) == np.sign(X[:, 1])).astype(np.int64))
    assert np.abs(X).min() >= 0.05  # the gap keeps clean points off the axes


@pytest.mark.parametrize("classes", [2, 3, 4, 5])
def test_spiral_has_one_arm_per_class(classes):
    X, y = generate("spiral", samples=600, noise=0.0, classes=classes, seed=5)
    r = np.hypot(X[:, 0], X[:, 1])
    # undo the winding: what is left is the arm's offset c/classes of a full turn
    phase = (np.arctan2(X[:, 1], X[:, 0]) / (2 * np.pi) - toy2d.SPIRAL_TURNS * r) % 1.0
    arm = np.round(phase * classes).astype(np.int64) % classes
    np.testing.assert_array_equal(arm, y)
    assert len(np.unique(y)) == classes


def test_checkerboard_pattern():
    X, y = toy2d.make_checkerboard_data(samples=2000, noise=0.0, seed=0, cells=4)
    col = np.floor((X[:, 0] + 1) * 2).astype(int)
    row = np.floor((X[:, 1] + 1) * 2).astype(int)
    np.testing.assert_array_equal(y, (col + row) % 2)
    # neighbouring cells differ: a point just right of x=0 and one just left disagree
    assert y[(col == 0) & (row == 0)].max() == 0
    assert y[(col == 1) & (row == 0)].min() == 1
    X2, y2 = toy2d.make_checkerboard_data(samples=2000, noise=0.0, seed=0, cells=2)
    assert (y2 == ((X2[:, 0] > 0) ^ (X2[:, 1] > 0)).astype(int)).all()


def test_linear_is_separable_without_noise():
    X, y = generate("linear", samples=500, noise=0.0, seed=9)
    # fit the separating direction from class means; a margin should remain
    w = X[y == 1].mean(axis=0) - X[y == 0].mean(axis=0)
    s = X @ w
    assert s[y == 1].min() > s[y == 0].max()


def test_blobs_centres_differ_per_class():
    X, y = generate("blobs", samples=1000, noise=0.0, classes=4, seed=0)
    means = np.array([X[y == c].mean(axis=0) for c in range(4)])
    np.testing.assert_allclose(means, toy2d._blob_centres(4), atol=0.05)


def test_generators_accept_positional_contract():
    for name, gen in GENERATORS.items():
        X, y = gen(50, 0.1, 0, 2)
        assert X.shape == (50, 2), name


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"name": "foo"}, "unknown dataset 'foo'; choose one of moons, circles"),
        ({"samples": 1}, "samples must be between 2 and 1,000,000"),
        ({"samples": 1_000_001}, "samples"),
        ({"samples": 10.5}, "samples must be a whole number"),
        ({"noise": -0.1}, "noise must be between 0 and 10"),
        ({"noise": float("nan")}, "noise"),
        ({"name": "blobs", "classes": 6}, "classes for blobs must be between 2 and 5"),
        ({"name": "spiral", "classes": 1}, "classes for spiral must be between 2 and 5"),
        ({"seed": -1}, "seed"),
    ],
)
def test_bad_arguments_raise_spec_error(kwargs, fragment):
    args = {"name": "moons", **kwargs}
    with pytest.raises(SpecError, match=fragment.replace("(", r"\(")):
        generate(**args)


def test_fixed_class_sets_ignore_classes():
    a = generate("moons", samples=80, classes=5, seed=1)
    b = generate("moons", samples=80, classes=2, seed=1)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


def test_checkerboard_rejects_bad_cells():
    with pytest.raises(SpecError, match="cells"):
        toy2d.make_checkerboard_data(cells=1)


# --------------------------------------------------------------------------- split


def test_split_is_stratified_and_partitions_rows():
    X, y = generate("blobs", samples=503, noise=0.1, classes=5, seed=0)
    Xtr, ytr, Xte, yte = train_test_split(X, y, test_ratio=0.2, seed=1)
    assert len(yte) == round(503 * 0.2) and len(ytr) + len(yte) == 503
    for c in range(5):
        share = (yte == c).sum() / (y == c).sum()
        assert abs(share - 0.2) < 0.02
    # every row appears exactly once across the two parts
    both = np.concatenate([Xtr, Xte])
    assert np.array_equal(np.unique(both, axis=0), np.unique(X, axis=0))
    # labels travel with their points
    lookup = {tuple(p): l for p, l in zip(X.tolist(), y.tolist(), strict=True)}
    assert all(lookup[tuple(p)] == l for p, l in zip(Xte.tolist(), yte.tolist(), strict=True))


def test_split_deterministic_per_seed():
    X, y = generate("moons", samples=100, seed=0)
    a = train_test_split(X, y, 0.3, seed=5)
    b = train_test_split(X, y, 0.3, seed=5)
    c = train_test_split(X, y, 0.3, seed=6)
    for u, v in zip(a, b, strict=True):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[2], c[2])


def test_split_keeps_every_class_in_training():
    X = np.arange(12, dtype=float).reshape(6, 2)
    y = np.array([0, 0, 0, 0, 1, 2])  # classes 1 and 2 have a single point
    _, ytr, _, yte = train_test_split(X, y, 0.9, seed=0)
    assert set(ytr.tolist()) == {0, 1, 2}
    assert set(yte.tolist()) <= {0}


def test_split_zero_ratio_gives_empty_test_set():
    X, y = generate("xor", samples=40, seed=0)
    Xtr, ytr, Xte, yte = train_test_split(X, y, 0.0, seed=0)
    assert Xte.shape == (0, 2) and yte.shape == (0,) and yte.dtype == np.int64
    assert len(ytr) == 40


@pytest.mark.parametrize("ratio", [-0.1, 0.95, float("nan")])
def test_split_rejects_bad_ratio(ratio):
    X, y = generate("xor", samples=40, seed=0)
    with pytest.raises(SpecError, match="test_ratio"):
        train_test_split(X, y, ratio, seed=0)


def test_split_rejects_mismatched_arrays():
    with pytest.raises(DataError, match="y must have shape"):
        train_test_split(np.zeros((4, 2)), np.zeros(3, dtype=int), 0.2, 0)


# --------------------------------------------------------------------------- bounds


def test_bounds_are_square_and_padded():
    X = np.array([[0.0, 0.0], [2.0, 1.0]])
    xmin, xmax, ymin, ymax = data_bounds(X, margin=0.1)
    assert xmax - xmin == pytest.approx(ymax - ymin)
    assert xmax - xmin == pytest.approx(2.4)
    assert (xmin, xmax) == pytest.approx((-0.2, 2.2))
    assert (ymin + ymax) / 2 == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("X", "expected"),
    [
        (np.empty((0, 2)), (-1.0, 1.0, -1.0, 1.0)),
        (np.array([[3.0, -2.0]]), (2.0, 4.0, -3.0, -1.0)),
        (np.array([[np.nan, 1.0]]), (-1.0, 1.0, -1.0, 1.0)),
    ],
)
def test_bounds_degenerate_inputs(X, expected):
    assert data_bounds(X) == pytest.approx(expected)


def test_bounds_ignore_non_finite_rows():
    X = np.array([[0.0, 0.0], [1.0, 1.0], [np.inf, 0.0]])
    assert data_bounds(X, margin=0.0) == pytest.approx((0.0, 1.0, 0.0, 1.0))


@pytest.mark.parametrize("n_samples", [2, 3, 100, 301])
@pytest.mark.parametrize("noise", [None, 0.0, 0.05, 0.3])
@pytest.mark.parametrize("seed", [0, 1, 12345])
@pytest.mark.parametrize("shuffle", [True, False])
def test_numpy_make_moons_matches_scikit_learn_bit_for_bit(n_samples, noise, seed, shuffle):
    from sklearn.datasets import make_moons as sk_make_moons

    from engine.datasets.toy2d import make_moons

    X, y = make_moons(n_samples, shuffle=shuffle, noise=noise, random_state=seed)
    X_sk, y_sk = sk_make_moons(n_samples, shuffle=shuffle, noise=noise, random_state=seed)
    assert X.dtype == X_sk.dtype and y.dtype == y_sk.dtype
    np.testing.assert_array_equal(X, X_sk)
    np.testing.assert_array_equal(y, y_sk)


def test_numpy_make_moons_accepts_a_random_state_like_scikit_learn():
    from sklearn.datasets import make_moons as sk_make_moons

    from engine.datasets.toy2d import make_moons

    X, y = make_moons(50, noise=0.1, random_state=np.random.RandomState(7))
    X_sk, y_sk = sk_make_moons(50, noise=0.1, random_state=np.random.RandomState(7))
    np.testing.assert_array_equal(X, X_sk)
    np.testing.assert_array_equal(y, y_sk)


def test_default_moons_do_not_import_scikit_learn():
    code = ("import sys; from engine.datasets import toy2d; toy2d.generate('moons'); "
            "import engine.baseline; "
            "print(sorted(m for m in ('sklearn', 'scipy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parents[2], timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
