"""Decision grids: layout, probabilities, and the logistic baseline."""

import numpy as np
import pytest
from sklearn.datasets import make_moons

from engine import RunConfig, Trainer, build_model, decision_grid
from engine.baseline import LogisticBaseline
from engine.grid import grid_points
from engine.optimizers import make_optimizer


def test_grid_points_are_row_major_cell_centres():
    pts = grid_points((0, 4, 10, 12), (4, 2)).reshape(2, 4, 2)
    assert np.allclose(pts[0, :, 0], [0.5, 1.5, 2.5, 3.5])
    assert np.allclose(pts[:, 0, 1], [10.5, 11.5])


def test_decision_grid_probabilities_follow_the_model():
    X, y = make_moons(300, noise=0.1, random_state=0)
    model = build_model(RunConfig().with_changes(model={"hidden": (16, 16)}), (2,), 2)
    Trainer(model, make_optimizer("adam", 0.03), X, y, batch_size=32,
            rng=np.random.default_rng(0)).fit(100)
    grid = decision_grid(model, (-1.5, 2.5, -1.0, 1.5), 100)
    assert grid.shape == (100, 100, 2) and grid.dtype == np.float32
    assert np.allclose(grid.sum(-1), 1, atol=1e-5)
    # The grid cell nearest a training point predicts that point's class.
    ix = np.clip(((X[:, 0] + 1.5) / 4.0 * 100).astype(int), 0, 99)
    iy = np.clip(((X[:, 1] + 1.0) / 2.5 * 100).astype(int), 0, 99)
    agree = (grid[iy, ix].argmax(-1) == y).mean()
    assert agree > 0.95


def test_logistic_baseline_cannot_separate_moons():
    X, y = make_moons(400, noise=0.1, random_state=0)
    base = LogisticBaseline(X, y)
    assert 0.8 < base.accuracy(X, y) < 0.92  # a straight line is not enough
    grid = base.decision_grid((-1.5, 2.5, -1, 1.5), 50)
    assert grid.shape == (50, 50, 2) and np.allclose(grid.sum(-1), 1, atol=1e-5)
    # The boundary is a straight line: each row's class changes at most once.
    cls = grid.argmax(-1)
    assert all(np.count_nonzero(np.diff(row)) <= 1 for row in cls)


@pytest.mark.parametrize("loss", ["sigmoid-bce", "mse"])
def test_grid_works_for_every_loss(loss):
    model = build_model(RunConfig().with_changes(model={"loss": loss}), (2,), 2)
    grid = decision_grid(model, (-1, 1, -1, 1), 20)
    assert grid.shape == (20, 20, 2) and np.allclose(grid.sum(-1), 1, atol=1e-4)
