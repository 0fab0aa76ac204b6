"""A drawing of valued points (regression) and loss histories saved before regression."""

from __future__ import annotations

import numpy as np
import pytest

from engine.errors import DataError, SpecError
from playground.two_d.points import MIN_VALUE_POINTS, DrawnPoints, PageData
from playground.two_d.run_history import CLASSIFICATION_COLUMNS, HISTORY_COLUMNS, widen_history


def test_a_value_drawing_keeps_real_targets_and_trains_as_regression():
    d = DrawnPoints(test_ratio=0.5, seed=1, values=True)
    d.add([0.1, 0.2, 0.3, 0.4], [0.0, 0.1, 0.2, 0.3], -0.75)
    assert d.y.dtype == np.float64 and np.all(d.y == -0.75)
    # the first MIN_VALUE_POINTS points always train, so the drawing can train at once
    assert (~d.test_mask[:MIN_VALUE_POINTS]).all()
    ds = d.dataset()
    assert ds.task == "regression" and ds.n_classes == 1
    assert len(ds.y_train) + len(ds.y_test) == 4


def test_a_value_drawing_refuses_nan_values_and_needs_two_training_points():
    d = DrawnPoints(values=True)
    with pytest.raises(SpecError):
        d.add([0.0], [0.0], float("nan"))
    d.add([0.0], [0.0], 1.0)
    with pytest.raises(DataError, match="at least 2"):
        d.dataset()
    with pytest.raises(DataError):
        d.replace(np.zeros((2, 2)), np.array([0.5, np.inf]))


def test_a_value_resplit_is_random_and_keeps_two_in_training():
    d = DrawnPoints(values=True)
    d.replace(np.zeros((3, 2)), np.array([0.1, 0.2, 0.3]), test_ratio=0.9, seed=0)
    assert int((~d.test_mask).sum()) == MIN_VALUE_POINTS


def test_each_problem_keeps_its_own_drawing():
    data = PageData()
    data.drawn.add([0.0], [0.0], 1)
    data.task = "regression"
    assert len(data.drawn) == 0 and data.drawn.values
    data.drawn.add([0.5], [0.5], 0.25)
    data.task = "classification"
    assert data.drawn.y.tolist() == [1]


def test_a_history_of_classification_columns_widens_with_nan_r2():
    old = np.arange(2 * len(CLASSIFICATION_COLUMNS), dtype=float).reshape(2, -1)
    wide = widen_history(old, CLASSIFICATION_COLUMNS)
    assert wide.shape == (2, len(HISTORY_COLUMNS))
    assert np.array_equal(wide[:, :len(CLASSIFICATION_COLUMNS)], old)
    assert np.isnan(wide[:, HISTORY_COLUMNS.index("test_r2")]).all()
