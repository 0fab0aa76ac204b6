"""Regression end to end in the engine: the network's one output, the trainer's rmse/R²
against hand-computed values, saved models, value grids and loading CSV values."""

import numpy as np
import pytest

from engine import Trainer, build_model, decision_grid, load, value_grid
from engine.datasets.loader import load_dataset
from engine.errors import SpecError
from engine.grid import grid_points
from engine.metrics import r2_from_sums, regression_scores
from engine.optimizers import make_optimizer
from engine.spec import RunConfig, defaults_for


def _config(**model):
    return defaults_for("ripple").with_changes(
        data={"samples": 200, "noise": 0.05}, model={"hidden": (8,), **model}, seed=3)


def _by_hand(model, x, y):
    pred = model.predict(x)[:, 0].astype(np.float64)
    y = np.asarray(y, np.float64)
    rmse = np.sqrt(np.mean((pred - y) ** 2))
    r2 = 1 - np.sum((pred - y) ** 2) / np.sum((y - y.mean()) ** 2)
    return rmse, r2


def _trainer(cfg, **kw):
    data = load_dataset(cfg)
    model = build_model(cfg, data.input_shape, data.n_classes)
    return Trainer(model, make_optimizer("adam", 0.01), data.x_train, data.y_train,
                   data.x_test, data.y_test, batch_size=16,
                   rng=np.random.default_rng(0), **kw), data


def test_a_regression_net_ends_in_one_linear_output():
    cfg = _config()
    data = load_dataset(cfg)
    assert data.task == "regression" and data.n_classes == 1
    assert data.y_train.dtype == np.float64
    model = build_model(cfg, data.input_shape, 7)  # n_classes is ignored for regression
    assert model.layers[-1].kind == "dense" and model.layers[-1].out_features == 1
    assert model.task == "regression" and model.predict(data.x_test).shape == (60, 1)


def test_epoch_metrics_are_the_hand_computed_rmse_and_r2_without_accuracy():
    trainer, data = _trainer(_config())
    m = trainer.fit(3)[-1]
    assert "train_acc" not in m and "test_acc" not in m
    for split, x, y in (("train", data.x_train, data.y_train),
                        ("test", data.x_test, data.y_test)):
        rmse, r2 = _by_hand(trainer.model, x, y)
        assert m[f"{split}_rmse"] == pytest.approx(rmse, rel=1e-5)
        assert m[f"{split}_r2"] == pytest.approx(r2, rel=1e-5, abs=1e-6)
        # the loss is half the mean squared error (mse), as scikit-learn's squared loss
        assert m[f"{split}_loss"] == pytest.approx(0.5 * rmse**2, rel=1e-4)


def test_running_train_metrics_come_from_the_batches_squared_errors():
    steps = []
    trainer, data = _trainer(_config(), train_metrics="running", on_step=steps.append)
    m = trainer.fit(1)[-1]
    assert all("correct" not in s for s in steps)
    sse = sum(s["squared_error"] for s in steps)
    y = data.y_train
    assert m["train_rmse"] == pytest.approx(np.sqrt(sse / len(y)), rel=1e-6)
    assert m["train_r2"] == pytest.approx(1 - sse / np.sum((y - y.mean()) ** 2), rel=1e-6)


def test_training_fits_the_sine():
    cfg = defaults_for("sine").with_changes(data={"samples": 300, "noise": 0.05},
                                           model={"hidden": (16, 16)})
    trainer, _ = _trainer(cfg, task="regression")
    history = trainer.fit(150)
    assert history[0]["test_r2"] < 0.5 and history[-1]["test_r2"] > 0.95


def test_the_task_is_inferred_from_real_targets():
    cfg = _config()
    model = build_model(cfg, (2,), 1)
    x = np.zeros((4, 2))
    assert Trainer(model, make_optimizer("sgd", 0.1), x, np.zeros(4)).task == "regression"
    with pytest.raises(ValueError, match="no accuracy"):
        Trainer(model, make_optimizer("sgd", 0.1), x, np.zeros(4)).evaluate(x, np.zeros(4))


def test_regression_scores_match_scikit_learn():
    from sklearn.metrics import mean_squared_error, r2_score

    rng = np.random.default_rng(0)
    y, pred = rng.standard_normal(50), rng.standard_normal((50, 1))
    rmse, r2 = regression_scores(pred, y)
    assert rmse == pytest.approx(np.sqrt(mean_squared_error(y, pred[:, 0])))
    assert r2 == pytest.approx(r2_score(y, pred[:, 0]))
    # constant targets: 1 if exact, else 0, as r2_score reports
    assert r2_from_sums(0.0, 0.0) == 1.0 and r2_from_sums(0.5, 0.0) == 0.0


def test_a_saved_regression_model_keeps_its_task_and_huber_delta(tmp_path):
    cfg = _config(loss="huber", huber_delta=0.3)
    model = build_model(cfg, (2,), 1)
    model.save(tmp_path / "m.npz")
    back = load(tmp_path / "m.npz")
    assert back.task == "regression" and back.config.data.task == "regression"
    assert back.loss_fn.kind == "huber" and back.loss_fn.delta == 0.3
    x = np.random.default_rng(0).uniform(-1, 1, (5, 2))
    assert np.array_equal(back.predict(x), model.predict(x))


def test_value_grid_is_the_predictions_at_the_grid_points():
    model = build_model(_config(), (2,), 1)
    bounds = (-1.0, 1.0, -0.5, 0.5)
    grid = value_grid(model, bounds, (6, 4))
    assert grid.shape == (4, 6) and grid.dtype == np.float32
    expected = model.predict(grid_points(bounds, (6, 4))).reshape(4, 6)
    assert np.array_equal(grid, expected)


def test_class_probabilities_and_value_grids_are_refused_for_the_other_task():
    reg = build_model(_config(), (2,), 1)
    with pytest.raises(SpecError, match="regression model predicts values"):
        reg.predict_proba(np.zeros((2, 2)))
    with pytest.raises(SpecError, match="regression model predicts values"):
        decision_grid(reg, (-1, 1, -1, 1), 4)
    cls = build_model(RunConfig(), (2,), 2)
    with pytest.raises(SpecError, match="value_grid needs a regression model"):
        value_grid(cls, (-1, 1, -1, 1), 4)
    # mse on classes has an output per class and stays a classifier
    mse_cls = build_model(RunConfig().with_changes(model={"loss": "mse"}), (2,), 2)
    assert mse_cls.task == "classification"


def test_a_csv_of_values_loads_as_a_regression_set(tmp_path):
    from engine.datasets.csvio import save_values_csv

    X = np.random.default_rng(0).uniform(-1, 1, (40, 2))
    y = X[:, 0] * 0.5 + 0.125
    save_values_csv(tmp_path / "v.csv", X, y)
    cfg = RunConfig().with_changes(data={"name": "csv", "path": str(tmp_path / "v.csv"),
                                         "task": "regression", "test_ratio": 0.25})
    data = load_dataset(cfg.validate())
    assert data.task == "regression" and len(data.y_test) == 10
    assert np.array_equal(np.sort(np.concatenate([data.y_train, data.y_test])), np.sort(y))
