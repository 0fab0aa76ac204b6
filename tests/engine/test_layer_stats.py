"""Per-layer statistics on hand-made networks whose answer is known, the book's pictures
of activations under different initialisations ("Deep Learning from Scratch", figs.
6-10 to 6-14), and that measuring leaves the model as it was."""

import numpy as np
import pytest

from engine.errors import DataError
from engine.layer_stats import (
    dead_share,
    fixed_edges,
    histogram,
    inspect_layers,
    nice_ceiling,
    saturated_share,
)
from engine.layers import (
    BatchNorm,
    Conv2D,
    Dense,
    Dropout,
    Flatten,
    ReLU,
    Sigmoid,
    Step,
    Tanh,
)
from engine.losses import make_loss
from engine.network import Sequential


def book_net(activation, init: str, std: float = 0.01, seed: int = 0) -> Sequential:
    """Five layers of 100 units, as in the book's activation-distribution experiment."""
    rng = np.random.default_rng(seed)
    layers = []
    for _ in range(5):
        layers += [Dense(100, 100, init=init, std=std, rng=rng, dtype=np.float64),
                   activation(dtype=np.float64)]
    return Sequential(layers, make_loss("softmax-ce"))


@pytest.fixture(scope="module")
def probe():
    rng = np.random.default_rng(1)
    return rng.standard_normal((1000, 100)), rng.integers(0, 100, 1000)


def activations(model, probe):
    return [s for s in inspect_layers(model, *probe) if s.kind != "dense"]


def shares(s):
    return s.activation.counts / s.activation.total


def test_sigmoid_with_std_1_piles_up_at_0_and_1(probe):
    for s in activations(book_net(Sigmoid, "std", 1.0), probe):
        c = shares(s)
        assert c[0] + c[-1] > 0.5, s.name        # the two end bins of 30 hold most values
        assert s.saturated_share > 0.4, s.name
        assert c[10:20].sum() < 0.15, s.name     # the middle third is nearly empty


def test_sigmoid_with_std_0_01_sits_at_one_half(probe):
    for s in activations(book_net(Sigmoid, "std", 0.01), probe):
        assert abs(s.mean - 0.5) < 0.01 and s.std < 0.03, s.name
        c, edges = shares(s), s.activation.edges
        middle = (edges[:-1] >= 0.4 - 1e-12) & (edges[1:] <= 0.6 + 1e-12)
        assert c[middle].sum() > 0.999, s.name
        assert s.saturated_share == 0.0


def test_sigmoid_with_xavier_spreads_out(probe):
    for s in activations(book_net(Sigmoid, "xavier"), probe):
        assert 0.1 < s.std < 0.25, s.name
        assert np.count_nonzero(s.activation.counts) >= 15, s.name  # at least half the bins
        assert s.saturated_share < 0.001, s.name


def test_relu_with_std_0_01_shrinks_towards_zero_layer_by_layer(probe):
    means = [s.mean for s in activations(book_net(ReLU, "std", 0.01), probe)]
    assert all(b < a / 10 for a, b in zip(means, means[1:])), means
    assert means[-1] < 1e-5


def test_relu_with_xavier_shrinks_and_with_he_keeps_its_scale(probe):
    xavier = [s.std for s in activations(book_net(ReLU, "xavier"), probe)]
    he = [s.std for s in activations(book_net(ReLU, "he"), probe)]
    assert xavier[-1] < 0.4 * xavier[0], xavier
    assert 0.7 < he[-1] / he[0] < 1.5, he
    assert all(0.6 < v < 1.2 for v in he), he


def test_all_negative_biases_after_relu_kill_every_unit():
    rng = np.random.default_rng(0)
    dense = Dense(4, 50, init="std", std=0.01, rng=rng, dtype=np.float64)
    model = Sequential([dense, ReLU(np.float64), Dense(50, 3, rng=rng, dtype=np.float64)],
                       make_loss("softmax-ce"))
    dense.params["b"][...] = -10.0
    x, t = rng.uniform(-1, 1, (64, 4)), rng.integers(0, 3, 64)
    relu = inspect_layers(model, x, t)[1]
    assert relu.dead_share == 1.0
    assert relu.activation.counts[0] == relu.activation.total  # every value in the 0 bin
    dense.params["b"][...] = 10.0
    assert inspect_layers(model, x, t)[1].dead_share == 0.0


def test_huge_weights_into_tanh_saturate_it():
    rng = np.random.default_rng(0)
    model = Sequential([Dense(10, 40, init="std", std=100.0, rng=rng, dtype=np.float64),
                        Tanh(np.float64), Dense(40, 2, rng=rng, dtype=np.float64)],
                       make_loss("softmax-ce"))
    x, t = rng.standard_normal((200, 10)), rng.integers(0, 2, 200)
    tanh = inspect_layers(model, x, t)[1]
    assert tanh.saturated_share > 0.99
    assert tanh.dead_share is None
    c = shares(tanh)
    assert c[0] + c[-1] > 0.99


def test_gradients_match_backprop_and_stop_before_the_first_weights():
    rng = np.random.default_rng(3)
    model = Sequential([Dense(3, 8, rng=rng, dtype=np.float64), Tanh(np.float64),
                        Dense(8, 2, rng=rng, dtype=np.float64)], make_loss("softmax-ce"))
    x, t = rng.standard_normal((20, 3)), rng.integers(0, 2, 20)
    stats = inspect_layers(model, x, t)
    model.loss(x, t, train=False)
    model.backward()
    for s, layer in zip(stats, model.layers):
        for key, g in layer.grads.items():
            assert s.parameter_grad_norms[key] == pytest.approx(np.linalg.norm(g))
    dscores = model.loss_fn.backward()
    assert stats[2].gradient_norm == pytest.approx(np.linalg.norm(dscores))
    assert stats[2].gradient.total == dscores.size
    assert stats[0].gradient is not None  # the first Dense's output is reached
    assert stats[2].layer_grad_norm == pytest.approx(np.hypot(
        np.linalg.norm(model.layers[2].grads["W"]), np.linalg.norm(model.layers[2].grads["b"])))
    assert stats[1].layer_grad_norm is None and stats[1].name == "layer 1 Tanh"


def test_measuring_changes_nothing_the_model_keeps():
    rng = np.random.default_rng(5)
    dropout = Dropout(0.5, rng=np.random.default_rng(9))
    model = Sequential([Conv2D(1, 3, 3, rng=rng), BatchNorm(3), ReLU(), Flatten(), dropout,
                        Dense(3 * 4 * 4, 2, rng=rng)], make_loss("softmax-ce"))
    x, t = rng.standard_normal((6, 1, 6, 6)), rng.integers(0, 2, 6)
    model.loss(x.astype(np.float32), t, train=True)  # grads and running stats not trivial
    model.backward()
    params = [p.copy() for _, p, _ in model.parameters()]
    grads = [g.copy() for _, _, g in model.parameters()]
    buffers = [b.copy() for _, b in model.buffers()]
    rng_state = dropout.rng.bit_generator.state
    stats = inspect_layers(model, x, t, bins=12)
    assert len(stats) == 6 and stats[2].output_shape == (3, 4, 4)
    assert all(len(s.activation.counts) == 12 for s in stats)
    for a, (_, p, g), b in zip(params, model.parameters(), grads):
        np.testing.assert_array_equal(a, p)
        np.testing.assert_array_equal(b, g)
    for a, (_, b) in zip(buffers, model.buffers()):
        np.testing.assert_array_equal(a, b)
    assert dropout.rng.bit_generator.state == rng_state


def test_a_step_network_gets_activations_without_gradients():
    rng = np.random.default_rng(6)
    model = Sequential([Dense(2, 4, rng=rng), Step(), Dense(4, 2, rng=rng)],
                       make_loss("softmax-ce"))
    stats = inspect_layers(model, rng.standard_normal((10, 2)), rng.integers(0, 2, 10))
    assert [s.gradient for s in stats] == [None, None, None]
    assert stats[1].activation.total == 40 and stats[0].parameter_grad_norms == {}


def test_the_probe_batch_must_have_a_target_per_sample():
    model = Sequential([Dense(2, 2)], make_loss("softmax-ce"))
    with pytest.raises(DataError, match="as many targets"):
        inspect_layers(model, np.zeros((3, 2)), np.zeros(2, int))


def test_pure_helpers():
    assert [nice_ceiling(v) for v in (0.0, 0.3, 1.0, 1.5, 3.0, 7.0, 0.012)] == \
        [1.0, 0.5, 1.0, 2.0, 5.0, 10.0, 0.02]
    np.testing.assert_allclose(fixed_edges(np.array([0.0, 3.0]), 5), np.linspace(0, 5, 6))
    np.testing.assert_allclose(fixed_edges(np.array([-0.3, 0.1]), 2), [-0.5, 0, 0.5])
    h = histogram(np.array([0.0, 0.2, 0.9, np.nan, 5.0]), np.linspace(0, 1, 3))
    assert h.counts.tolist() == [2, 2] and h.non_finite == 1 and h.total == 5
    assert dead_share(np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 2.0]])) == pytest.approx(1 / 3)
    assert saturated_share(np.array([0.995, 0.5, 0.005, 0.2]), "sigmoid") == 0.5
    assert saturated_share(np.array([-0.995, 0.98]), "tanh") == 0.5
    with pytest.raises(DataError):
        saturated_share(np.zeros(2), "relu")
