"""Losses: float64 gradient checks, stability on huge scores, target forms."""

import numpy as np
import pytest

from engine.gradcheck import numerical_gradient, relative_error
from engine.losses import MeanSquaredError, SigmoidBinaryCrossEntropy, SoftmaxCrossEntropy


@pytest.mark.parametrize("loss_cls,k", [
    (SoftmaxCrossEntropy, 4), (SigmoidBinaryCrossEntropy, 1), (SigmoidBinaryCrossEntropy, 3),
    (MeanSquaredError, 3)])
@pytest.mark.parametrize("target_form", ["labels", "array"])
def test_loss_gradient_float64(loss_cls, k, target_form):
    rng = np.random.default_rng(0)
    loss = loss_cls()
    scores = rng.standard_normal((7, k))
    n_classes = 2 if k == 1 else k
    labels = rng.integers(0, n_classes, 7)
    if target_form == "labels":
        t = labels
    elif k == 1:
        t = labels.reshape(-1, 1).astype(np.float64)
    else:
        t = rng.dirichlet(np.ones(k), 7)
    loss.forward(scores, t)
    analytic = loss.backward()
    numeric = numerical_gradient(lambda: loss.forward(scores, t), scores)
    assert relative_error(analytic, numeric) < 1e-6


def test_softmax_cross_entropy_is_stable_for_huge_scores():
    loss = SoftmaxCrossEntropy()
    scores = np.array([[1000.0, 0.0, -1000.0], [0.0, 1e4, 0.0]], np.float32)
    value = loss.forward(scores, np.array([0, 2]))
    assert np.isfinite(value)
    assert value == pytest.approx(1e4 / 2, rel=1e-4)  # second row: -log softmax = 1e4
    assert np.all(np.isfinite(loss.backward()))


def test_softmax_cross_entropy_value_matches_definition():
    rng = np.random.default_rng(0)
    scores = rng.standard_normal((5, 3))
    t = np.array([0, 1, 2, 1, 0])
    p = np.exp(scores) / np.exp(scores).sum(1, keepdims=True)
    expected = -np.log(p[np.arange(5), t]).mean()
    assert SoftmaxCrossEntropy().forward(scores, t) == pytest.approx(expected)


@pytest.mark.parametrize("k", [2, 3, 10, 40])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_probabilities_match_the_definition_even_for_huge_scores(k, dtype):
    rng = np.random.default_rng(0)
    scores = (rng.standard_normal((200, k)) * 3).astype(dtype)
    scores[0] = 0.0
    scores[1, 0] = 500.0    # exp would overflow without care
    scores[2, -1] = -500.0
    probs = SoftmaxCrossEntropy().probabilities(scores)
    s = scores.astype(np.float64)
    e = np.exp(s - s.max(axis=1, keepdims=True))
    expected = e / e.sum(axis=1, keepdims=True)
    assert probs.dtype == dtype and probs.shape == (200, k)
    np.testing.assert_allclose(probs, expected, rtol=2e-6 if dtype == np.float32 else 1e-12,
                               atol=1e-30)
    assert np.allclose(probs.sum(axis=1), 1.0)


def test_softmax_probabilities_of_integer_scores_are_floats():
    for k in (2, 3, 20):
        probs = SoftmaxCrossEntropy().probabilities(np.zeros((2, k), np.int64))
        assert probs.dtype.kind == "f" and np.allclose(probs, 1 / k)


def test_softmax_probabilities_of_nan_scores_are_nan():
    for k in (2, 3):
        probs = SoftmaxCrossEntropy().probabilities(np.full((1, k), np.nan, np.float32))
        assert np.isnan(probs).all()


def test_sigmoid_bce_is_stable_and_uses_one_output_for_two_classes():
    loss = SigmoidBinaryCrossEntropy()
    assert loss.output_size(2) == 1 and loss.output_size(4) == 4
    value = loss.forward(np.array([[800.0], [-800.0]]), np.array([0, 1]))
    assert value == pytest.approx(800.0)
    probs = loss.probabilities(np.array([[0.0], [100.0]]))
    assert np.allclose(probs, [[0.5, 0.5], [0.0, 1.0]])


def test_mse_is_half_squared_error_averaged_over_samples():
    loss = MeanSquaredError()
    value = loss.forward(np.array([[1.0, 0.0], [0.0, 0.0]]), np.array([0, 1]))
    assert value == pytest.approx(0.5 * 1.0 / 2)


def test_losses_keep_float32():
    rng = np.random.default_rng(0)
    for loss in (SoftmaxCrossEntropy(), SigmoidBinaryCrossEntropy(), MeanSquaredError()):
        s = rng.standard_normal((4, 3)).astype(np.float32)
        loss.forward(s, np.array([0, 1, 2, 0]))
        assert loss.backward().dtype == np.float32


# --------------------------------------------------------------------------- regression


def test_mse_on_one_linear_output_with_real_targets_matches_central_differences():
    rng = np.random.default_rng(1)
    loss = MeanSquaredError()
    scores = rng.standard_normal((9, 1))
    values = rng.standard_normal(9)            # real targets (N,), not labels
    value = loss.forward(scores, values)
    assert value == pytest.approx(0.5 * np.mean((scores[:, 0] - values) ** 2))
    analytic = loss.backward()
    numeric = numerical_gradient(lambda: loss.forward(scores, values), scores)
    assert analytic.shape == (9, 1)
    assert relative_error(analytic, numeric) < 1e-7


def test_mse_network_with_one_linear_output_passes_a_float64_gradient_check():
    from engine.layers import Dense, Tanh
    from engine.network import Sequential

    rng = np.random.default_rng(2)
    model = Sequential([Dense(2, 5, init="xavier", rng=rng, dtype=np.float64),
                        Tanh(dtype=np.float64),
                        Dense(5, 1, init="xavier", rng=rng, dtype=np.float64)],
                       MeanSquaredError())
    x, t = rng.standard_normal((6, 2)), rng.standard_normal(6)
    model.loss(x, t)
    model.backward()
    for name, p, g in model.parameters():
        numeric = numerical_gradient(lambda: model.loss(x, t), p)
        assert relative_error(g, numeric) < 1e-6, name


def _huber_reference(d, delta):
    a = np.abs(d)
    return np.where(a <= delta, 0.5 * d * d, delta * (a - 0.5 * delta)).sum() / d.shape[0]


@pytest.mark.parametrize("region", ["quadratic", "linear", "both"])
@pytest.mark.parametrize("k", [1, 3])
def test_huber_gradient_float64_in_each_region(region, k):
    from engine.losses import Huber

    rng = np.random.default_rng(3)
    delta = 0.7
    # errors kept 0.05 away from the kink at |d| = delta, where the gradient is not smooth
    size = {"quadratic": rng.uniform(0.0, delta - 0.05, (8, k)),
            "linear": rng.uniform(delta + 0.05, 3.0, (8, k)),
            "both": rng.choice([0.3, 2.0], (8, k)) * rng.uniform(0.9, 1.1, (8, k))}[region]
    d = size * rng.choice([-1.0, 1.0], (8, k))
    targets = rng.standard_normal(8) if k == 1 else rng.standard_normal((8, k))
    scores = d + (targets.reshape(-1, 1) if k == 1 else targets)
    loss = Huber(delta)
    assert loss.forward(scores, targets) == pytest.approx(_huber_reference(d, delta))
    analytic = loss.backward()
    numeric = numerical_gradient(lambda: loss.forward(scores, targets), scores)
    assert relative_error(analytic, numeric) < 1e-6
    if region == "linear":  # an outlier pulls with delta / N at most
        assert np.allclose(np.abs(analytic), delta / 8)


def test_huber_is_mse_for_small_errors_and_linear_for_outliers():
    from engine.losses import Huber

    scores = np.array([[0.1], [0.5], [10.0]])
    targets = np.zeros(3)
    assert Huber(100.0).forward(scores, targets) == pytest.approx(
        MeanSquaredError().forward(scores, targets))
    # delta 1: 0.5*0.01 + 0.5*0.25 + (10 - 0.5), over 3 samples
    assert Huber(1.0).forward(scores, targets) == pytest.approx((0.005 + 0.125 + 9.5) / 3)


def test_huber_keeps_float32_and_refuses_a_bad_delta():
    from engine.errors import SpecError
    from engine.losses import Huber, make_loss

    loss = make_loss("huber", delta=0.25)
    assert isinstance(loss, Huber) and loss.delta == 0.25 and loss.options() == {"delta": 0.25}
    s = np.ones((4, 1), np.float32)
    loss.forward(s, np.zeros(4, np.float32))
    assert loss.backward().dtype == np.float32
    for bad in (0, -1.0, float("nan"), float("inf")):
        with pytest.raises(SpecError, match="huber delta"):
            Huber(bad)


def test_real_targets_for_several_outputs_are_refused_not_broadcast():
    with pytest.raises(ValueError, match="one output"):
        MeanSquaredError().forward(np.zeros((3, 2)), np.array([0.5, 1.5, 2.5]))
