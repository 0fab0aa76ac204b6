"""The optimiser-path lab: surfaces' gradients against central differences, grids for
contours, the stepper driving the engine's own optimisers (README's table of the book's
comparison is reproduced in test_examples.py, beside the example that prints it)."""

import numpy as np
import pytest

from engine.errors import SpecError
from engine.optimizer_paths import (
    BOOK_RATES,
    SURFACES,
    PathStepper,
    optimizer_path,
    surface,
    surface_grid,
)
from engine.optimizers import SGD, Adam, make_optimizer


@pytest.mark.parametrize("key", list(SURFACES))
def test_each_gradient_matches_central_differences(key):
    s = SURFACES[key]
    rng = np.random.default_rng(0)
    x0, x1, y0, y1 = s.bounds
    x, y = rng.uniform(x0, x1, 50), rng.uniform(y0, y1, 50)
    gx, gy = s.gradient(x, y)
    h = 1e-6
    nx = (s.value(x + h, y) - s.value(x - h, y)) / (2 * h)
    ny = (s.value(x, y + h) - s.value(x, y - h)) / (2 * h)
    scale = 1 + np.abs(gx) + np.abs(gy)
    assert np.max(np.abs(gx - nx) / scale) < 1e-5
    assert np.max(np.abs(gy - ny) / scale) < 1e-5


@pytest.mark.parametrize("key", [k for k in SURFACES if SURFACES[k].minima])
def test_the_minima_are_minima(key):
    s = SURFACES[key]
    for mx, my in s.minima:
        assert s.value(mx, my) == pytest.approx(0.0, abs=1e-9)
        gx, gy = s.gradient(np.float64(mx), np.float64(my))
        assert abs(gx) < 1e-4 and abs(gy) < 1e-4


def test_the_grid_is_the_value_everywhere_in_one_call():
    s = SURFACES["rosenbrock"]
    xs, ys, zs = surface_grid(s, 25)
    assert xs.shape == ys.shape == zs.shape == (25, 25)
    assert xs[0, 0] == s.bounds[0] and xs[0, -1] == s.bounds[1]
    assert ys[0, 0] == s.bounds[2] and ys[-1, 0] == s.bounds[3]
    assert zs[7, 11] == s.value(xs[7, 11], ys[7, 11])


def test_the_stepper_runs_the_engines_optimiser_itself():
    calls = []

    class CountingSGD(SGD):
        def step(self, model):
            calls.append([p.copy() for _, p, _ in model.parameters()])
            super().step(model)

    stepper = PathStepper(SURFACES["book"], CountingSGD(lr=0.5))
    new = stepper.step(3)
    assert len(calls) == 3 and new.shape == (3, 2)
    np.testing.assert_allclose(new[0], [-7 + 0.5 * 0.7, 2 - 0.5 * 4])
    assert stepper.path.shape == (4, 2)
    np.testing.assert_array_equal(stepper.point, new[-1])
    assert stepper.value == pytest.approx(SURFACES["book"].value(*new[-1]))


def test_stepping_in_pieces_is_stepping_at_once():
    one = PathStepper(SURFACES["beale"], Adam(lr=0.05))
    one.step(40)
    pieces = PathStepper(SURFACES["beale"], Adam(lr=0.05))
    for _ in range(8):
        pieces.step(5)
    np.testing.assert_array_equal(one.path, pieces.path)


def test_optimiser_options_reach_the_point():
    clipped = optimizer_path("sgd", 1e-3, 1, "rosenbrock", clip_norm=1.0)
    step = np.hypot(*(clipped[1] - clipped[0]))
    assert step == pytest.approx(1e-3)  # the gradient is clipped to norm 1


def test_adam_finds_the_rosenbrock_valley_floor():
    path = optimizer_path("adam", 0.02, 2000, "rosenbrock")
    s = SURFACES["rosenbrock"]
    assert s.value(*path[-1]) < 1e-3 < s.value(*path[0])


def test_the_saddle_is_escaped_along_y():
    path = optimizer_path("sgd", 0.1, 50, "saddle")
    assert abs(path[-1, 0]) < 1e-3 and abs(path[-1, 1]) > 1.0


def test_a_diverging_path_ends_at_its_last_finite_point():
    stepper = PathStepper(SURFACES["rosenbrock"], make_optimizer("sgd", 0.1))
    new = stepper.step(100)
    assert stepper.diverged and len(new) < 100
    assert np.all(np.isfinite(stepper.path)) and len(stepper.path) == len(new) + 1
    assert len(stepper.step(5)) == 0


def test_unknown_surface_names_the_known_ones():
    with pytest.raises(SpecError, match="rosenbrock"):
        surface("banana")
    assert set(BOOK_RATES) == {"sgd", "momentum", "adagrad", "adam"}
