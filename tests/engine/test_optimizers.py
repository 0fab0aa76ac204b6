"""Optimisers: the book's comparison on x²/20 + y², update rules, state, clipping."""

import numpy as np
import pytest

from engine.errors import SpecError
from engine.optimizer_paths import BOOK_RATES, SURFACES, PointModel, optimizer_path
from engine.optimizers import OPTIMIZERS, Adam, Momentum, make_optimizer

START = np.hypot(-7.0, 2.0)


@pytest.mark.parametrize("name,lr", list(BOOK_RATES.items()))
def test_book_comparison_each_optimizer_approaches_the_minimum(name, lr):
    path = optimizer_path(name, lr, steps=30)
    final = np.hypot(*path[-1])
    assert final < 0.6 * START, (name, final)
    assert np.all(np.isfinite(path))


def test_book_comparison_sgd_zigzags_in_y_and_crawls_in_x():
    path = optimizer_path("sgd", 0.95)
    y_signs = np.sign(path[1:, 1])
    assert np.all(y_signs[1:] != y_signs[:-1])  # flips side of the valley every step
    assert np.all(path[:, 0] < 0)               # x approaches 0 from one side, slowly
    assert abs(path[-1, 0]) > 0.3


def test_book_comparison_adagrad_gets_closest():
    finals = {n: np.hypot(*optimizer_path(n, lr)[-1]) for n, lr in BOOK_RATES.items()}
    assert min(finals, key=finals.get) == "adagrad", finals


def test_sgd_step_is_minus_lr_times_gradient():
    f = PointModel((-7.0, 2.0))
    f.g[:] = SURFACES["book"].gradient(*f.p)
    make_optimizer("sgd", 0.5).step(f)
    assert np.allclose(f.p, [-7 + 0.5 * 0.7, 2 - 0.5 * 4])


def test_momentum_accumulates_velocity():
    f = PointModel((1.0, 0.0))
    opt = Momentum(lr=0.1, momentum=0.9)
    f.g[:] = [1.0, 0.0]
    opt.step(f)
    f.g[:] = [1.0, 0.0]
    opt.step(f)
    # v1 = -0.1, v2 = 0.9 * -0.1 - 0.1 = -0.19 -> p = 1 - 0.1 - 0.19
    assert f.p[0] == pytest.approx(0.71)


def test_adam_first_step_moves_each_coordinate_by_about_lr():
    f = PointModel((3.0, -5.0))
    f.g[:] = SURFACES["book"].gradient(*f.p)
    Adam(lr=0.01).step(f)
    assert np.allclose(np.abs(f.p - [3.0, -5.0]), 0.01, rtol=1e-3)


def test_optimizers_update_in_place_and_keep_float32():
    for name in OPTIMIZERS:
        p = np.ones(4, np.float32)
        g = np.full(4, 0.5, np.float32)

        class M:
            def parameters(self, p=p, g=g):
                yield "0.W", p, g

        make_optimizer(name, 0.1).step(M())
        assert p.dtype == np.float32 and np.all(p < 1), name


def test_gradient_clipping_limits_the_norm_and_reports_the_raw_norm():
    f = PointModel((0.0, 0.0))
    f.g[:] = [30.0, 40.0]
    opt = make_optimizer("sgd", 1.0, clip_norm=5.0)
    opt.step(f)
    assert opt.last_grad_norm == pytest.approx(50.0)
    assert np.allclose(f.p, [-3.0, -4.0])


def test_subnormal_moments_are_flushed():
    f = PointModel((1.0, 1.0))
    opt = Adam(lr=1e-3)
    f.g[:] = 1e-160  # squares underflow below float64's normal range
    for _ in range(50):
        opt.step(f)
    v = opt.state["point.W"]["v"]
    assert np.all((v == 0) | (np.abs(v) >= np.finfo(v.dtype).tiny))


@pytest.mark.parametrize("kwargs,match", [
    ({"name": "sgd", "lr": 0.0}, "learning rate"),
    ({"name": "sgd", "lr": float("nan")}, "learning rate"),
    ({"name": "lbfgs", "lr": 0.1}, "unknown optimizer 'lbfgs'"),
    ({"name": "momentum", "lr": 0.1, "momentum": 1.5}, "momentum"),
    ({"name": "sgd", "lr": 0.1, "l2": -1.0}, "L1/L2"),
])
def test_bad_optimizer_settings_raise_spec_error(kwargs, match):
    with pytest.raises(SpecError, match=match):
        make_optimizer(**kwargs)
