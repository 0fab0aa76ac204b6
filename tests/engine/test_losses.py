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
