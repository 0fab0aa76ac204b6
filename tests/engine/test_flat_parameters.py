"""Sequential keeps all parameters in one buffer; optimisers update it in whole-array passes.

The flat path must give the same numbers as updating parameter by parameter, and must
notice when a layer's arrays are replaced (then it falls back to the per-parameter path).
"""

import numpy as np
import pytest

from engine.layers import Dense, ReLU
from engine.losses import SoftmaxCrossEntropy
from engine.network import Sequential
from engine.optimizers import OPTIMIZERS, make_optimizer


def _model(seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return Sequential([Dense(3, 5, rng=rng, dtype=dtype), ReLU(dtype=dtype),
                       Dense(5, 4, rng=rng, dtype=dtype)], SoftmaxCrossEntropy())


class PerParameter:
    """The same model seen only through ``parameters()``: no flat buffer."""

    def __init__(self, model):
        self.model = model

    def parameters(self):
        return self.model.parameters()


def _batch(seed=1, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((16, 3)).astype(dtype), rng.integers(0, 4, 16)


def test_parameters_are_views_of_the_flat_buffers():
    model = _model()
    flat_p, flat_g = model.flat_parameters()
    assert flat_p.size == model.num_parameters() == 3 * 5 + 5 + 5 * 4 + 4
    for _, p, g in model.parameters():
        assert np.shares_memory(p, flat_p) and np.shares_memory(g, flat_g)
    x, y = _batch()
    model.loss(x, y)
    model.backward()
    assert np.array_equal(flat_g[:15], model.layers[0].grads["W"].ravel())
    assert np.any(flat_g != 0)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_flat_update_equals_per_parameter_update(name):
    flat_model, ref_model = _model(), _model()
    kw = {"l1": 1e-3, "l2": 1e-2, "clip_norm": 0.5}
    opt_flat, opt_ref = make_optimizer(name, 0.05, **kw), make_optimizer(name, 0.05, **kw)
    for step in range(60):  # past the subnormal flush at step 50
        x, y = _batch(step)
        for model, opt, target in ((flat_model, opt_flat, flat_model),
                                   (ref_model, opt_ref, PerParameter(ref_model))):
            model.loss(x, y)
            model.backward()
            opt.step(target)
        assert opt_flat.last_grad_norm == pytest.approx(opt_ref.last_grad_norm, rel=1e-12)
    for (n, p, _), (_, q, _) in zip(flat_model.parameters(), ref_model.parameters()):
        np.testing.assert_allclose(p, q, rtol=1e-12, atol=1e-15, err_msg=n)
    assert opt_flat.state.keys() == opt_ref.state.keys()
    for n in opt_ref.state:
        for k in opt_ref.state[n]:
            if k != "tmp":
                np.testing.assert_allclose(opt_flat.state[n][k], opt_ref.state[n][k],
                                           rtol=1e-12, atol=1e-15, err_msg=f"{n} {k}")


def _follow_textbook_adam(model, opt, target, steps, betas, rtol, atol):
    """Step ``opt`` on ``target`` beside the book's Adam (betas(t) -> (b1, b2), eps 1e-7,
    lr 0.01), checking the weights after every step and then setting them to the book's,
    so each step is compared from the same point."""
    ref = {n: p.copy() for n, p, _ in model.parameters()}
    m = {n: np.zeros_like(p) for n, p in ref.items()}
    v = {n: np.zeros_like(p) for n, p in ref.items()}
    for t in range(1, steps + 1):
        b1, b2 = betas(t)
        opt.beta1, opt.beta2 = b1, b2
        x, y = _batch(t)
        model.loss(x, y)
        model.backward()
        for n, _, g in model.parameters():
            m[n] = b1 * m[n] + (1 - b1) * g
            v[n] = b2 * v[n] + (1 - b2) * g * g
            # The book folds the bias corrections into the step size, so eps acts on sqrt(v).
            lr_t = 0.01 * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
            ref[n] -= lr_t * m[n] / (np.sqrt(v[n]) + 1e-7)
        opt.step(target)
        for n, p, _ in model.parameters():
            np.testing.assert_allclose(p, ref[n], rtol=rtol, atol=atol, err_msg=f"{t} {n}")
            p[...] = ref[n]


def test_adam_matches_the_textbook_rule():
    model = _model()
    _follow_textbook_adam(model, make_optimizer("adam", 0.01), model, 20,
                          lambda t: (0.9, 0.999), rtol=1e-10, atol=1e-13)


def test_replacing_a_parameter_array_falls_back_and_keeps_the_moments():
    model = _model()
    opt = make_optimizer("adam", 0.01)
    x, y = _batch()
    model.loss(x, y)
    model.backward()
    opt.step(model)
    m_before = opt.state["0.W"]["m"].copy()
    layer = model.layers[0]
    layer.params["W"] = layer.params["W"].copy()  # no longer a view of the flat buffer
    assert model.flat_parameters() is None
    model.loss(x, y)
    model.backward()
    w_before = layer.params["W"].copy()
    opt.step(model)
    assert not np.array_equal(layer.params["W"], w_before)   # the new array is updated
    assert not np.array_equal(opt.state["0.W"]["m"], m_before)  # with the same moments
    np.testing.assert_allclose(opt.state["0.W"]["m"],
                               0.9 * m_before + layer.grads["W"], rtol=1e-12)


def test_float32_models_stay_float32():
    model = _model(dtype=np.float32)
    flat_p, flat_g = model.flat_parameters()
    assert flat_p.dtype == flat_g.dtype == np.float32


@pytest.mark.parametrize("flat", [True, False])
def test_changing_adams_betas_mid_run_follows_the_textbook_rule(flat):
    """The moments are stored unnormalised; a new beta must not make them jump."""
    model = _model()
    target = model if flat else PerParameter(model)
    _follow_textbook_adam(model, make_optimizer("adam", 0.01), target, 30,
                          lambda t: (0.9, 0.9) if t <= 10 else (0.5, 0.999),
                          rtol=1e-9, atol=1e-12)


def test_a_deep_copied_model_still_trains():
    import copy

    model = copy.deepcopy(_model())
    opt = make_optimizer("adam", 0.01)
    x, y = _batch()
    before = model.layers[0].params["W"].copy()
    model.loss(x, y)
    model.backward()
    opt.step(model)
    assert not np.array_equal(model.layers[0].params["W"], before)


def test_gradients_of_a_packed_cnn_match_central_differences():
    """Through ``Sequential`` every layer writes its gradients into views of the flat
    buffer; the whole model's gradient must still be right (float64)."""
    from engine.gradcheck import numerical_gradient, relative_error
    from engine.layers import BatchNorm, Conv2D, Flatten, MaxPool2D, Tanh

    rng = np.random.default_rng(3)
    f64 = np.float64
    model = Sequential([Conv2D(2, 3, 3, pad=1, rng=rng, dtype=f64), BatchNorm(3, dtype=f64),
                        Tanh(dtype=f64), MaxPool2D(2, 2, dtype=f64), Flatten(dtype=f64),
                        Dense(3 * 3 * 3, 4, rng=rng, dtype=f64)], SoftmaxCrossEntropy())
    x = rng.standard_normal((5, 2, 6, 6))
    y = rng.integers(0, 4, 5)
    model.loss(x, y)
    model.backward()
    flat_p, flat_g = model.flat_parameters()
    analytic = flat_g.copy()
    numeric = numerical_gradient(lambda: model.loss(x, y), flat_p)
    assert relative_error(analytic, numeric) < 1e-6


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_an_imported_optimiser_state_continues_the_run_exactly(name):
    from engine.serialize import copy_state_into, model_state

    a, opt_a = _model(), make_optimizer(name, 0.05)
    for step in range(3):
        x, y = _batch(step)
        a.loss(x, y)
        a.backward()
        opt_a.step(a)
    saved = opt_a.export_state()
    _, weights = model_state(a)
    b, opt_b = _model(seed=9), make_optimizer(name, 0.05)
    copy_state_into(b, weights, "the test")
    opt_b.import_state(saved, b)
    for step in range(3, 8):
        x, y = _batch(step)
        for model, opt in ((a, opt_a), (b, opt_b)):
            model.loss(x, y)
            model.backward()
            opt.step(model)
    for (n, p, _), (_, q, _) in zip(a.parameters(), b.parameters()):
        assert np.array_equal(p, q), n


def test_a_state_that_does_not_fit_is_refused_and_changes_nothing():
    from engine.errors import SpecError

    model, opt = _model(), make_optimizer("adam", 0.01)
    x, y = _batch()
    model.loss(x, y)
    model.backward()
    opt.step(model)
    saved = opt.export_state()
    before = {k: v.copy() for k, v in opt.export_state()["arrays"].items()}
    with pytest.raises(SpecError, match="'momentum'"):
        make_optimizer("momentum", 0.1).import_state(saved, model)
    # the last parameter's moment is wrong: the ones before it must not be taken either
    wrong = dict(saved, arrays=dict(saved["arrays"], **{"2.b/v": np.zeros((2, 2))}))
    with pytest.raises(SpecError, match=r"2\.b \(v\) is float64 of shape \(2, 2\)"):
        opt.import_state(wrong, model)
    after = opt.export_state()
    assert after["t"] == 1 and all(np.array_equal(before[k], after["arrays"][k]) for k in before)
