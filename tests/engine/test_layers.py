"""Float64 gradient checks (central differences) and behaviour of the dense-side layers."""

import numpy as np
import pytest

from engine.activations import ACTIVATIONS, Step
from engine.errors import SpecError
from engine.features import FEATURES, Features
from engine.gradcheck import check_layer
from engine.layers import BatchNorm, Dense, Dropout

TOL = 1e-6


def _x(rng: np.random.Generator, *shape):
    # Keep away from 0 so ReLU-like kinks are not straddled by the finite difference.
    x = rng.standard_normal(shape)
    x[np.abs(x) < 1e-3] = 0.5
    return x


def test_dense_gradients_float64():
    rng = np.random.default_rng(0)
    layer = Dense(5, 4, init="xavier", rng=np.random.default_rng(1), dtype=np.float64)
    errors = check_layer(layer, _x(rng, 6, 5))
    assert max(errors.values()) < TOL, errors


@pytest.mark.parametrize("name", [n for n in ACTIVATIONS if n != "step"])
def test_activation_gradients_float64(name):
    rng = np.random.default_rng(0)
    layer = ACTIVATIONS[name](dtype=np.float64)
    errors = check_layer(layer, _x(rng, 4, 7))
    assert errors["x"] < TOL, errors


def test_dropout_gradient_uses_the_forward_mask():
    rng = np.random.default_rng(0)
    layer = Dropout(0.5, rng=np.random.default_rng(3), dtype=np.float64)
    x = _x(rng, 8, 10)
    y = layer.forward(x, train=True)
    dy = rng.standard_normal(y.shape)
    dx = layer.backward(dy)
    mask = y / x
    # Dropped units pass nothing back; kept units pass dy * 1/(1-rate).
    assert np.allclose(dx, dy * mask)
    assert set(np.round(np.unique(mask), 6)) <= {0.0, 2.0}
    assert 0.3 < (mask == 0).mean() < 0.7


def test_dropout_is_identity_at_inference_and_scales_in_training():
    layer = Dropout(0.25, rng=np.random.default_rng(0))
    x = np.ones((2000, 50), np.float32)
    assert layer.forward(x, train=False) is x
    y = layer.forward(x, train=True)
    assert y.dtype == np.float32
    assert abs(y.mean() - 1.0) < 0.02  # inverted dropout keeps the expectation


def test_batchnorm_2d_gradients_float64_train_mode():
    rng = np.random.default_rng(0)
    layer = BatchNorm(5, dtype=np.float64)
    layer.params["gamma"][:] = rng.uniform(0.5, 1.5, 5)
    layer.params["beta"][:] = rng.standard_normal(5)
    errors = check_layer(layer, _x(rng, 8, 5), train=True)
    assert max(errors.values()) < TOL, errors


def test_batchnorm_inference_uses_running_statistics():
    rng = np.random.default_rng(0)
    layer = BatchNorm(3, momentum=0.0)
    x = (rng.standard_normal((500, 3)) * 3 + 7).astype(np.float32)
    y = layer.forward(x, train=True)
    assert np.allclose(y.mean(0), 0, atol=1e-4) and np.allclose(y.std(0), 1, atol=1e-3)
    assert np.allclose(layer.buffers["running_mean"], x.mean(0), rtol=1e-4)
    single = layer.forward(x[:1], train=False)  # one sample: batch stats would be useless
    assert np.allclose(single, (x[:1] - x.mean(0)) / np.sqrt(x.var(0) + 1e-5), atol=1e-3)


def test_features_gradients_float64():
    rng = np.random.default_rng(0)
    layer = Features(tuple(FEATURES), dtype=np.float64)
    errors = check_layer(layer, _x(rng, 6, 2))
    assert errors["x"] < TOL, errors


def test_features_compute_the_named_columns():
    layer = Features(("x1*x2", "x1^2", "sin(x2)"))
    x = np.array([[2.0, 3.0]], np.float32)
    assert np.allclose(layer.forward(x), [[6.0, 4.0, np.sin(3.0)]])
    with pytest.raises(SpecError, match="unknown input feature"):
        Features(("x3",))


def test_step_activation_refuses_backward_with_a_clear_error():
    layer = Step()
    assert np.array_equal(layer.forward(np.array([[-1.0, 0.0, 2.0]])), [[0, 0, 1]])
    with pytest.raises(SpecError, match="cannot be trained"):
        layer.backward(np.ones((1, 3)))


def test_layers_keep_float32_and_do_not_touch_dy():
    rng = np.random.default_rng(0)
    layers = [Dense(3, 4, rng=np.random.default_rng(0))] + [
        cls() for name, cls in ACTIVATIONS.items() if name != "step"] + [BatchNorm(4)]
    x = rng.standard_normal((5, 3)).astype(np.float32)
    for layer in layers:
        xin = x if isinstance(layer, Dense) else rng.standard_normal((5, 4)).astype(np.float32)
        y = layer.forward(xin, train=True)
        assert y.dtype == np.float32, layer
        dy = np.ones_like(y)
        dx = layer.backward(dy)
        assert np.all(dy == 1), f"{layer} wrote into dy"
        assert dx.dtype == np.float32, layer
        for key, g in layer.grads.items():
            assert g.dtype == np.float32 and g.shape == layer.params[key].shape


def test_dense_backward_overwrites_grads_in_place():
    layer = Dense(3, 2, rng=np.random.default_rng(0))
    g = layer.grads["W"]
    x = np.ones((4, 3), np.float32)
    layer.forward(x)
    layer.backward(np.ones((4, 2), np.float32))
    layer.forward(x)
    layer.backward(np.ones((4, 2), np.float32))
    assert layer.grads["W"] is g
    assert np.allclose(g, 4.0)  # not accumulated over the two calls


def test_dense_skips_input_gradient_when_told():
    layer = Dense(3, 2, rng=np.random.default_rng(0))
    layer.skip_input_grad = True
    layer.forward(np.ones((4, 3), np.float32))
    assert layer.backward(np.ones((4, 2), np.float32)) is None
    assert np.allclose(layer.grads["b"], 4.0)


def test_dense_rejects_wrong_input_width():
    with pytest.raises(SpecError, match=r"\(N, 3\)"):
        Dense(3, 2).forward(np.ones((4, 5), np.float32))
