"""``python -m engine`` on regression: rmse/R² instead of accuracy in every output, the
task from the dataset or a CSV header, huber, saved models, and one-line refusals."""

from __future__ import annotations

import json

import numpy as np
import pytest

from engine.cli import main
from engine.datasets.csvio import save_csv, save_values_csv

QUICK = ["--samples", "120", "--hidden", "8", "--epochs", "3", "--seed", "2"]
REGRESSION_KEYS = {"train_loss", "train_rmse", "train_r2", "test_loss", "test_rmse",
                   "test_r2"}


def call(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines()]


def _one_line_error(code, out, err) -> str:
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and err.startswith("error: "), err
    return err


def test_json_lines_carry_rmse_and_r2_and_no_accuracy(capsys):
    code, out, err = call(capsys, "train", "--dataset", "ripple", *QUICK, "--json")
    assert code == 0, err
    lines = _lines(out)
    assert len(lines) == 4 and lines[-1]["summary"] is True
    for line in lines:
        assert REGRESSION_KEYS <= set(line)
        assert not any(k.endswith("_acc") for k in line)
        assert line["train_rmse"] == pytest.approx(np.sqrt(2 * line["train_loss"]), rel=1e-4)
    assert lines[-1]["dataset"] == "ripple" and lines[-1]["test_samples"] == 36


def test_the_summary_r2_is_what_evaluate_finds_on_the_saved_model(capsys, tmp_path):
    model = str(tmp_path / "r.npz")
    code, out, err = call(capsys, "train", "--dataset", "gaussians", *QUICK, "--json",
                          "--save", model)
    assert code == 0, err
    summary = _lines(out)[-1]
    code, out, err = call(capsys, "evaluate", model, "--json")
    assert code == 0, err
    result = json.loads(out)
    assert set(result) == {"loss", "rmse", "r2", "samples", "split", "dataset"}
    assert result["r2"] == pytest.approx(summary["test_r2"], rel=1e-6)
    assert result["rmse"] == pytest.approx(summary["test_rmse"], rel=1e-6)
    assert result["dataset"] == "gaussians" and result["samples"] == 36
    code, out, err = call(capsys, "evaluate", model, "--split", "train")
    assert code == 0 and out.startswith("gaussians train: loss ") and ", r2 " in out


def test_the_table_shows_rmse_and_r2_columns_and_a_regression_summary(capsys):
    code, out, err = call(capsys, "train", "--dataset", "plane", *QUICK)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[1].split() == ["epoch", "train_loss", "train_rmse", "train_r2",
                                "test_loss", "test_rmse", "test_r2", "lr", "seconds"]
    assert len(lines[-2].split()) == 9  # the last epoch's row
    assert lines[-1].startswith("done: 3 epochs in ") and "train rmse " in lines[-1]
    assert "; test rmse " in lines[-1] and "accuracy" not in out


def test_a_csv_with_a_y_column_trains_as_regression_without_task(capsys, tmp_path):
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (60, 2))
    save_values_csv(tmp_path / "v.csv", X, X.sum(axis=1))
    code, out, err = call(capsys, "train", "--data", str(tmp_path / "v.csv"), *QUICK,
                          "--json", "--save-config", str(tmp_path / "run.json"))
    assert code == 0, err
    assert REGRESSION_KEYS <= set(_lines(out)[-1])
    saved = json.loads((tmp_path / "run.json").read_text())
    assert saved["data"]["task"] == "regression" and saved["model"]["loss"] == "mse"


def test_task_regression_reads_a_label_file_of_integers_as_values(capsys, tmp_path):
    X = np.random.default_rng(1).uniform(-1, 1, (50, 2))
    save_csv(tmp_path / "l.csv", X, (X[:, 0] > 0).astype(np.int64) * 3)
    code, out, err = call(capsys, "train", "--data", str(tmp_path / "l.csv"), "--task",
                          "regression", *QUICK, "--json")
    assert code == 0, err
    assert REGRESSION_KEYS <= set(_lines(out)[-1])


def test_task_classification_with_real_valued_labels_is_one_clear_error(capsys, tmp_path):
    path = tmp_path / "real.csv"
    path.write_text("x1,x2,label\n0,0,1\n1,1,0.37\n")
    err = _one_line_error(*call(capsys, "train", "--data", str(path), "--task",
                                "classification", *QUICK))
    assert "label '0.37' on line 3" in err and "real.csv" in err


def test_values_in_a_y_column_are_checked_like_coordinates(capsys, tmp_path):
    path = tmp_path / "nan.csv"
    path.write_text("x1,x2,y\n0,0,1\n1,1,nan\n")
    err = _one_line_error(*call(capsys, "train", "--data", str(path), *QUICK))
    assert "nan.csv" in err and "column y on line 3" in err
    err = _one_line_error(*call(capsys, "train", "--data", str(path), "--task",
                                "classification", *QUICK))
    assert "y column of values" in err


@pytest.mark.parametrize("flags, words", [
    (["--dataset", "ripple", "--task", "classification"], "its task is regression"),
    (["--dataset", "moons", "--task", "regression"], "its task is classification"),
    (["--dataset", "plane", "--loss", "softmax-ce"], "regression takes mse or huber"),
    (["--dataset", "moons", "--loss", "huber"], "huber' fits real values"),
    (["--dataset", "plane", "--loss", "huber", "--huber-delta", "0"], "huber delta"),
    (["--dataset", "plane", "--task", "values"], "invalid choice: 'values'"),
])
def test_contradictory_or_bad_flags_are_one_line_and_exit_2(capsys, flags, words):
    err = _one_line_error(*call(capsys, "train", *flags, *QUICK))
    assert words in err


def test_huber_trains_and_its_delta_is_saved_with_the_model(capsys, tmp_path):
    from engine import load

    model = tmp_path / "h.npz"
    code, out, err = call(capsys, "train", "--dataset", "sine", "--loss", "huber",
                          "--huber-delta", "0.2", *QUICK, "--json", "--save", str(model))
    assert code == 0, err
    back = load(model)
    assert back.loss_fn.kind == "huber" and back.loss_fn.delta == 0.2
    assert back.config.model.huber_delta == 0.2 and back.task == "regression"


def test_a_model_is_refused_on_data_of_the_other_task(capsys, tmp_path):
    model = str(tmp_path / "r.npz")
    assert call(capsys, "train", "--dataset", "plane", *QUICK, "--save", model)[0] == 0
    err = _one_line_error(*call(capsys, "evaluate", model, "--dataset", "moons"))
    assert "is a regression model, but moons holds class labels" in err
    cls = str(tmp_path / "c.npz")
    assert call(capsys, "train", "--dataset", "moons", *QUICK, "--save", cls)[0] == 0
    err = _one_line_error(*call(capsys, "evaluate", cls, "--dataset", "ripple"))
    assert "is a classification model, but ripple holds real values" in err
