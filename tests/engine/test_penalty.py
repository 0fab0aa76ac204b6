"""L1/L2 penalties: gradient check, weights only, reported apart from the data loss."""

import numpy as np
import pytest

from engine.gradcheck import numerical_gradient, relative_error
from engine.layers import Dense, Tanh
from engine.losses import SoftmaxCrossEntropy
from engine.network import Sequential
from engine.optimizers import SGD
from engine.penalty import add_penalty_gradient, penalty_value


def _model():
    r = np.random.default_rng(0)
    return Sequential([Dense(3, 4, rng=r, dtype=np.float64), Tanh(dtype=np.float64),
                       Dense(4, 2, rng=r, dtype=np.float64)], SoftmaxCrossEntropy())


@pytest.mark.parametrize("l1,l2", [(0.0, 0.1), (0.05, 0.0), (0.03, 0.2)])
def test_penalty_gradient_float64(l1, l2):
    model = _model()
    for name, p, g in model.parameters():
        g[...] = 0
        add_penalty_gradient(name, p, g, l1, l2)
        numeric = numerical_gradient(lambda: penalty_value(model, l1, l2), p)
        assert relative_error(g, numeric) < 1e-6, name


def test_penalty_applies_to_weights_not_biases():
    model = _model()
    for _, p, _ in model.parameters():
        p[...] = 1.0
    # 2 weight matrices: 12 + 8 weights; biases (4 + 2) are excluded.
    assert penalty_value(model, l1=0.0, l2=1.0) == pytest.approx(0.5 * 20)
    assert penalty_value(model, l1=1.0, l2=0.0) == pytest.approx(20)


def test_weight_decay_shrinks_weights_with_zero_data_gradient():
    model = _model()
    before = {n: p.copy() for n, p, _ in model.parameters()}
    for _, _, g in model.parameters():
        g[...] = 0
    SGD(lr=0.1, l2=0.5).step(model)
    for name, p, _ in model.parameters():
        if name.endswith(".W"):
            assert np.allclose(p, before[name] * (1 - 0.05))
        else:
            assert np.array_equal(p, before[name])
