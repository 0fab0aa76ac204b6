"""The whole-network gradient check: it passes on every layer type, leaves the checked
model alone, steps around kinks, and names the array whose backward is broken."""

import numpy as np
import pytest

from engine.gradcheck import NETWORK_TOLERANCE, check_network, float64_copy
from engine.layers import (
    ELU,
    AvgPool2D,
    BatchNorm,
    Conv2D,
    Dense,
    Dropout,
    Features,
    Flatten,
    Identity,
    LeakyReLU,
    MaxPool2D,
    ReLU,
    Sigmoid,
    Tanh,
)
from engine.losses import make_loss
from engine.network import Sequential


def image_net(rng) -> Sequential:
    """Every image layer: strided padded conv, both poolings, batch norm on images and on
    vectors, dropout, and the activations between them."""
    return Sequential([
        Conv2D(2, 4, 3, stride=1, pad=1, rng=rng), BatchNorm(4), LeakyReLU(0.1),
        MaxPool2D(2, 2), Conv2D(4, 3, 3, stride=2, pad=1, rng=rng), ELU(),
        AvgPool2D(2, 2), Flatten(), Dropout(0.3, rng=rng), Dense(3, 6, rng=rng),
        BatchNorm(6), Tanh(), Dense(6, 3, rng=rng)], make_loss("softmax-ce"))


def point_net(rng, loss="sigmoid-bce", out=1) -> Sequential:
    return Sequential([Features(("x1", "x2", "x1*x2", "sin(x1)")), Dense(4, 5, rng=rng),
                       Sigmoid(), Dense(5, 5, rng=rng), ReLU(), Identity(),
                       Dense(5, out, rng=rng)], make_loss(loss))


def images(rng, n=6):
    return rng.standard_normal((n, 2, 8, 8)).astype(np.float32), rng.integers(0, 3, n)


def test_every_layer_type_passes():
    rng = np.random.default_rng(0)
    model = image_net(rng)
    x, t = images(rng)
    rows = check_network(model, x, t)
    assert [r.name for r in rows][:4] == ["layer 0 Conv2D W", "layer 0 Conv2D b",
                                         "layer 1 BatchNorm gamma", "layer 1 BatchNorm beta"]
    assert len(rows) == sum(len(layer.params) for layer in model.layers)
    for r in rows:
        assert r.passed and r.max_rel_err < NETWORK_TOLERANCE, r
        assert r.checked > 0, r
    assert rows[0].shape == (4, 2, 3, 3) and rows[0].checked == 30
    assert rows[1].checked + rows[1].at_kinks == 4


@pytest.mark.parametrize("loss,out,targets", [
    ("sigmoid-bce", 1, lambda rng: rng.integers(0, 2, 16)),
    ("softmax-ce", 3, lambda rng: rng.integers(0, 3, 16)),
    ("mse", 1, lambda rng: rng.standard_normal(16).astype(np.float32)),
])
def test_point_networks_pass_with_each_loss(loss, out, targets):
    rng = np.random.default_rng(1)
    model = point_net(rng, loss, out)
    x = rng.uniform(-1, 1, (16, 2)).astype(np.float32)
    rows = check_network(model, x, targets(rng))
    assert all(r.passed for r in rows), rows
    assert rows[0].name == "layer 1 Dense W"


def test_inference_mode_passes_too():
    rng = np.random.default_rng(2)
    model = image_net(rng)
    x, t = images(rng)
    assert all(r.passed for r in check_network(model, x, t, train=False))


def test_the_checked_model_is_left_alone():
    rng = np.random.default_rng(3)
    model = image_net(rng)
    x, t = images(rng)
    model.loss(x, t)
    model.backward()
    state = [(p.copy(), g.copy()) for _, p, g in model.parameters()]
    buffers = [b.copy() for _, b in model.buffers()]
    check_network(model, x, t)
    for (p0, g0), (_, p, g) in zip(state, model.parameters()):
        assert p.dtype == np.float32
        np.testing.assert_array_equal(p0, p)
        np.testing.assert_array_equal(g0, g)
    for b0, (_, b) in zip(buffers, model.buffers()):
        np.testing.assert_array_equal(b0, b)


def test_float64_copy_has_the_same_weights_in_float64():
    rng = np.random.default_rng(4)
    model = image_net(rng)
    copy = float64_copy(model)
    assert copy.dtype == np.float64 and copy is not model
    for (_, a, _), (_, b, _) in zip(model.parameters(), copy.parameters()):
        assert b.dtype == np.float64
        np.testing.assert_array_equal(a, b)


def test_zero_biases_over_blank_images_are_checked_off_the_relu_kink():
    """Blank borders and zero biases put ReLU inputs exactly at 0 (no derivative); the
    check nudges the copy's zeros so the bias gradients can be compared."""
    rng = np.random.default_rng(5)
    model = Sequential([Conv2D(1, 3, 3, rng=rng), ReLU(), MaxPool2D(2, 2), Flatten(),
                        Dense(27, 2, rng=rng)], make_loss("softmax-ce"))
    x = np.zeros((4, 1, 8, 8), np.float32)
    x[:, :, 3:5, 3:5] = rng.standard_normal((4, 1, 2, 2))
    rows = check_network(model, x, rng.integers(0, 2, 4))
    assert rows[1].name == "layer 0 Conv2D b" and rows[1].checked == 3, rows[1]
    assert all(r.passed for r in rows), rows


def _broken(monkeypatch, cls, key, factor=1.05):
    original = cls.backward

    def backward(self, dy):
        dx = original(self, dy)
        self.grads[key] *= factor
        return dx

    monkeypatch.setattr(cls, "backward", backward)


def test_a_broken_dense_bias_gradient_is_named(monkeypatch):
    rng = np.random.default_rng(6)
    model = image_net(rng)
    x, t = images(rng)
    _broken(monkeypatch, Dense, "b")
    failed = [r.name for r in check_network(model, x, t) if not r.passed]
    # layer 9's bias feeds batch norm, which removes it: its gradient is 0, and 5 % of 0
    # is still right
    assert failed == ["layer 12 Dense b"]


def test_a_broken_conv_weight_gradient_is_named(monkeypatch):
    rng = np.random.default_rng(7)
    model = image_net(rng)
    x, t = images(rng)
    _broken(monkeypatch, Conv2D, "W", 0.9)
    rows = {r.name: r for r in check_network(model, x, t)}
    assert not rows["layer 0 Conv2D W"].passed and not rows["layer 4 Conv2D W"].passed
    assert rows["layer 0 Conv2D W"].max_rel_err > 0.01
    assert all(r.passed for name, r in rows.items() if not name.endswith("Conv2D W"))


def test_a_wrong_input_gradient_shows_in_the_layers_before_it(monkeypatch):
    rng = np.random.default_rng(8)
    model = point_net(rng, "softmax-ce", 3)
    original = Sigmoid.backward
    monkeypatch.setattr(Sigmoid, "backward", lambda self, dy: 1.1 * original(self, dy))
    x = rng.uniform(-1, 1, (16, 2)).astype(np.float32)
    rows = {r.name: r for r in check_network(model, x, rng.integers(0, 3, 16))}
    assert not rows["layer 1 Dense W"].passed and not rows["layer 1 Dense b"].passed
    assert rows["layer 3 Dense W"].passed and rows["layer 6 Dense b"].passed
