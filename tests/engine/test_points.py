"""PointSet: the hand-drawn point set."""

import numpy as np
import pytest

from engine.datasets.points import PointSet
from engine.errors import DataError, SpecError


def test_empty_set():
    ps = PointSet()
    assert len(ps) == 0
    assert ps.X.shape == (0, 2) and ps.X.dtype == np.float64
    assert ps.y.shape == (0,) and ps.y.dtype == np.int64
    assert ps.classes() == []


def test_add_and_add_many():
    ps = PointSet()
    ps.add(0.5, -0.25, 1)
    ps.add_many([1.0, 2.0, 3.0], np.array([4.0, 5.0, 6.0]), 3)
    assert len(ps) == 4
    np.testing.assert_array_equal(ps.X, [[0.5, -0.25], [1, 4], [2, 5], [3, 6]])
    np.testing.assert_array_equal(ps.y, [1, 3, 3, 3])
    assert ps.classes() == [1, 3]


def test_many_single_adds_grow_storage():
    ps = PointSet()
    for i in range(1000):
        ps.add(float(i), -float(i), i % 5)
    assert len(ps) == 1000
    np.testing.assert_array_equal(ps.X[:, 0], np.arange(1000))
    np.testing.assert_array_equal(ps.y, np.arange(1000) % 5)


def test_properties_are_copies():
    ps = PointSet()
    ps.add(1.0, 2.0, 0)
    X, y = ps.X, ps.y
    X[0, 0] = 99.0
    y[0] = 4
    assert ps.X[0, 0] == 1.0 and ps.y[0] == 0


def test_erase_removes_exactly_points_within_radius():
    rng = np.random.default_rng(0)
    pts = rng.uniform(-1, 1, size=(10_000, 2))
    labels = rng.integers(0, 5, size=10_000)
    ps = PointSet.from_arrays(pts, labels)
    inside = np.hypot(pts[:, 0] - 0.2, pts[:, 1] + 0.1) <= 0.3
    removed = ps.erase(0.2, -0.1, 0.3)
    assert removed == inside.sum() > 0
    assert len(ps) == 10_000 - removed
    # the survivors are exactly the outside points, in their original order, with labels
    np.testing.assert_array_equal(ps.X, pts[~inside])
    np.testing.assert_array_equal(ps.y, labels[~inside])


def test_erase_boundary_is_inclusive_and_miss_returns_zero():
    ps = PointSet()
    ps.add_many([0.0, 1.0, 2.0], [0.0, 0.0, 0.0], 0)
    assert ps.erase(5.0, 5.0, 0.5) == 0
    assert ps.erase(0.0, 0.0, 1.0) == 2  # the point at distance exactly 1 goes too
    np.testing.assert_array_equal(ps.X, [[2.0, 0.0]])
    ps.add(3.0, 3.0, 2)  # adding after a compaction appends after the survivors
    np.testing.assert_array_equal(ps.y, [0, 2])


def test_clear():
    ps = PointSet()
    ps.add_many(np.zeros(5), np.ones(5), 2)
    ps.clear()
    assert len(ps) == 0 and ps.classes() == []
    ps.add(1.0, 1.0, 0)
    np.testing.assert_array_equal(ps.X, [[1.0, 1.0]])


def test_copy_is_independent():
    ps = PointSet()
    ps.add(0.0, 0.0, 0)
    other = ps.copy()
    other.add(1.0, 1.0, 1)
    ps.erase(0.0, 0.0, 0.1)
    assert len(ps) == 0 and len(other) == 2
    assert other.classes() == [0, 1]


@pytest.mark.parametrize("label", [-1, 5, 1.0, True, "1", None])
def test_bad_labels_raise_and_leave_state(label):
    ps = PointSet()
    ps.add(0.0, 0.0, 0)
    with pytest.raises(SpecError, match="label must be a whole number from 0 to 4"):
        ps.add(1.0, 1.0, label)
    with pytest.raises(SpecError, match="label"):
        ps.add_many([1.0], [1.0], label)
    assert len(ps) == 1


def test_labels_accept_numpy_integers():
    ps = PointSet()
    ps.add(0.0, 0.0, np.int64(4))
    assert ps.classes() == [4]


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda ps: ps.add(float("nan"), 0.0, 0), "finite"),
        (lambda ps: ps.add_many([0.0, np.inf], [0.0, 1.0], 0), "finite"),
        (lambda ps: ps.add_many([0.0, 1.0], [0.0], 0), "same length"),
        (lambda ps: ps.add_many(["a"], [0.0], 0), "numbers"),
        (lambda ps: ps.erase(0.0, 0.0, -1.0), "radius"),
    ],
)
def test_bad_points_raise_and_leave_state(call, fragment):
    ps = PointSet()
    ps.add(0.5, 0.5, 1)
    with pytest.raises(SpecError, match=fragment):
        call(ps)
    np.testing.assert_array_equal(ps.X, [[0.5, 0.5]])


def test_from_arrays_validates():
    with pytest.raises(DataError, match="shape"):
        PointSet.from_arrays(np.zeros((3, 3)), np.zeros(3, dtype=int))
    with pytest.raises(DataError, match="from 0 to 4"):
        PointSet.from_arrays(np.zeros((2, 2)), np.array([0, 7]))
    with pytest.raises(DataError, match="integers"):
        PointSet.from_arrays(np.zeros((2, 2)), np.array([0.0, 1.0]))
    ps = PointSet.from_arrays(np.array([[1, 2]], dtype=np.int32), [3])
    assert ps.X.dtype == np.float64 and ps.y.tolist() == [3]
