"""The task in the run config: validation, inference from the dataset, JSON round trip."""

import json

import pytest

from engine.errors import SpecError
from engine.spec import RunConfig, defaults_for


def test_a_regression_config_round_trips_through_json():
    cfg = defaults_for("ripple").with_changes(
        model={"loss": "huber", "huber_delta": 0.25, "hidden": (16, 16)},
        data={"samples": 1000, "noise": 0.05}, seed=7).validate()
    text = cfg.to_json()
    assert json.loads(text)["data"]["task"] == "regression"
    assert json.loads(text)["model"]["huber_delta"] == 0.25
    back = RunConfig.from_json(text)
    assert back == cfg and back.data.is_regression and back.model.loss == "huber"


def test_an_old_config_without_a_task_loads_as_classification():
    old = RunConfig().to_dict()
    del old["data"]["task"]
    del old["model"]["huber_delta"]
    cfg = RunConfig.from_dict(old).validate()
    assert cfg.data.task == "classification" and cfg.model.loss == "softmax-ce"
    assert cfg.model.huber_delta == 1.0


def test_naming_a_regression_set_sets_its_task_and_a_regression_loss():
    cfg = defaults_for("gaussians").validate()
    assert cfg.data.task == "regression" and cfg.model.loss == "mse"
    # a config file naming the set without a task is read the same way
    assert RunConfig.from_dict({"data": {"name": "gaussians"}}).validate() == cfg
    # and switching back brings the classification defaults back
    back = cfg.with_changes(data={"name": "moons"}).validate()
    assert back.data.task == "classification" and back.model.loss == "softmax-ce"
    # a loss given with the change is kept
    huber = RunConfig().with_changes(data={"name": "plane"}, model={"loss": "huber"})
    assert huber.validate().model.loss == "huber"


def test_a_csv_run_keeps_the_task_it_is_given():
    cfg = RunConfig().with_changes(data={"name": "csv", "path": "p.csv",
                                         "task": "regression"}).validate()
    assert cfg.data.task == "regression" and cfg.model.loss == "mse"
    cls = RunConfig().with_changes(data={"name": "csv", "path": "p.csv"}).validate()
    assert cls.data.task == "classification"


@pytest.mark.parametrize("changes, match", [
    ({"data": {"name": "ripple", "task": "classification"}},
     "'ripple' has real-valued targets, so its task is regression"),
    ({"data": {"name": "moons", "task": "regression"}},
     "'moons' has class labels.*regression sets are plane, gaussians, sine, ripple"),
    ({"data": {"name": "mnist-sample", "task": "regression"}}, "has class labels"),
    ({"data": {"task": "ranking"}}, "unknown task 'ranking'"),
    ({"model": {"loss": "huber"}}, "loss 'huber' fits real values; classification takes"),
    ({"data": {"name": "plane"}, "model": {"loss": "softmax-ce"}},
     "loss 'softmax-ce' scores class labels; regression takes mse or huber"),
    ({"data": {"name": "plane"}, "model": {"huber_delta": 0.0}}, "huber delta must be"),
    ({"data": {"name": "plane"}, "model": {"huber_delta": -2.0}}, "huber delta must be"),
])
def test_contradictions_are_one_clear_error(changes, match):
    with pytest.raises(SpecError, match=match):
        RunConfig().with_changes(**changes).validate()


@pytest.mark.parametrize("section, key, value", [
    ("data", "task", True), ("data", "task", 1), ("model", "huber_delta", "1"),
    ("model", "huber_delta", False)])
def test_wrong_types_in_a_config_file_are_refused(section, key, value):
    d = RunConfig().to_dict()
    d[section][key] = value
    with pytest.raises(SpecError, match=f"{section}.{key}"):
        RunConfig.from_dict(d).validate()
