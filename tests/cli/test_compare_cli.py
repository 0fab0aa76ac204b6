"""``python -m engine compare``: each run equals the same config trained alone, the
book's comparisons come out as the book says, and bad --vary input is one sentence."""

from __future__ import annotations

import json
import math

import pytest

from engine.cli import main
from engine.compare import MAX_RUNS, nested, parse_vary


def call(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines()]


def _save_config(capsys, path, *flags: str) -> str:
    code, _, err = call(capsys, "train", *flags, "--epochs", "1", "--save-config", str(path))
    assert code == 0, err
    return str(path)


def _finals(lines: list[dict]) -> list[dict]:
    return [line for line in lines if line.get("summary")]


def test_each_compared_run_equals_the_same_config_trained_alone(capsys, tmp_path):
    base = _save_config(capsys, tmp_path / "base.json", "--dataset", "moons",
                        "--samples", "200", "--seed", "4")
    code, out, err = call(capsys, "compare", "--config", base, "--vary",
                          "optim.name=sgd,adam", "--vary", "optim.lr=0.1,0.01",
                          "--epochs", "4", "--json")
    assert code == 0, err
    lines = _lines(out)
    finals = _finals(lines)
    assert [f["run"] for f in finals] == [0, 1, 2, 3]
    assert finals[3]["changes"] == {"optim.name": "adam", "optim.lr": 0.01}
    code, out, err = call(capsys, "train", "--config", base, "--optimizer", "adam",
                          "--lr", "0.01", "--epochs", "4", "--json")
    assert code == 0, err
    alone = _lines(out)
    compared = [line for line in lines if line["run"] == 3]
    assert len(compared) == len(alone) == 5
    for a, b in zip(alone, compared):
        for key in ("epoch", "train_loss", "test_loss", "train_acc", "test_acc",
                    "grad_norm", "steps"):
            assert a[key] == b[key], key  # bit for bit, not approximately
    # the settings really differ between runs
    assert len({f["train_loss"] for f in finals}) == 4


@pytest.fixture
def deep_relu(capsys, tmp_path) -> str:
    """The book's 5-layer ReLU net (4 hidden layers of 100) on the bundled MNIST sample."""
    return _save_config(capsys, tmp_path / "deep.json", "--dataset", "mnist-sample",
                        "--hidden", "100,100,100,100", "--activation", "relu",
                        "--optimizer", "sgd", "--lr", "0.01", "--batch-size", "128")


def test_std_001_init_stays_at_ln10_while_he_learns(capsys, deep_relu):
    code, out, err = call(capsys, "compare", "--config", deep_relu, "--vary",
                          "model.init=std,he", "--epochs", "3", "--json")
    assert code == 0, err
    std, he = _finals(_lines(out))
    assert abs(std["train_loss"] - math.log(10)) < 0.02  # fig. 6-15: std 0.01 learns nothing
    assert he["train_loss"] < 0.75 * math.log(10)


def test_adam_and_adagrad_end_below_plain_sgd(capsys, deep_relu):
    code, out, err = call(capsys, "compare", "--config", deep_relu, "--vary",
                          "optim.name=sgd,adagrad,adam", "--epochs", "3", "--json")
    assert code == 0, err
    sgd, adagrad, adam = _finals(_lines(out))
    assert adagrad["train_loss"] < sgd["train_loss"] and adam["train_loss"] < sgd["train_loss"]


def test_the_table_without_json_has_a_row_per_run(capsys, tmp_path):
    base = _save_config(capsys, tmp_path / "base.json", "--dataset", "ripple",
                        "--samples", "120", "--hidden", "8")
    code, out, err = call(capsys, "compare", "--config", base, "--vary",
                          "model.activation=tanh,relu", "--epochs", "2")
    assert code == 0, err
    rows = out.strip().splitlines()
    assert "train r2" in rows[0] and len(rows) == 3
    assert "model.activation=relu" in rows[2]


@pytest.mark.parametrize("vary, words", [
    ("optim.lr", "KEY=V1,V2"),
    ("optim.lr=0.1", "nothing to compare"),
    ("optim.bogus=1,2", "run 0"),
    ("optim.lr=fast,slow", "run 0"),
])
def test_bad_vary_is_one_sentence(capsys, vary, words):
    code, out, err = call(capsys, "compare", "--dataset", "moons", "--vary", vary)
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and words in err, err


def test_too_many_runs_and_values_parse_as_json():
    assert parse_vary("optim.lr=0.1,1e-3") == ("optim.lr", [0.1, 0.001])
    assert parse_vary("model.batchnorm=true,false")[1] == [True, False]
    assert parse_vary("optim.name=sgd,adam")[1] == ["sgd", "adam"]
    assert nested({"optim.lr": 1, "optim.name": "sgd", "seed": 3}) == {
        "optim": {"lr": 1, "name": "sgd"}, "seed": 3}
    values = ",".join(str(i / 100) for i in range(1, MAX_RUNS + 2))
    code = main(["compare", "--dataset", "moons", "--vary", f"optim.lr={values}"])
    assert code == 2


def test_weight_decay_shrinks_the_gap_of_an_overfitting_net(capsys, tmp_path):
    """Figs. 6-21 and 6-22: a 7-layer net on 300 images fits them perfectly and tests far
    lower; weight decay narrows the gap."""
    base = _save_config(capsys, tmp_path / "over.json", "--dataset", "mnist-sample",
                        "--hidden", "100,100,100,100,100,100", "--activation", "relu",
                        "--optimizer", "sgd", "--lr", "0.01", "--batch-size", "100",
                        "--train-limit", "300")
    code, out, err = call(capsys, "compare", "--config", base, "--vary", "optim.l2=0,0.1",
                          "--epochs", "150", "--json")
    assert code == 0, err
    plain, decayed = _finals(_lines(out))
    assert plain["train_acc"] > 0.98  # it memorised the 300 images
    gap = plain["train_acc"] - plain["test_acc"]
    assert gap > 0.1
    assert decayed["train_acc"] - decayed["test_acc"] < 0.8 * gap


def test_the_batchnorm_preset_learns_where_plain_sgd_stalls(capsys):
    """Fig. 6-19 (shortened): from std 0.01 the 6-layer net without batch norm stays at
    ln 10, with it the loss falls; the runs carry the experiment's labels."""
    code, out, err = call(capsys, "compare", "--preset", "batchnorm", "--epochs", "7",
                          "--json")
    assert code == 0, err
    finals = _finals(_lines(out))
    assert [f["label"] for f in finals] == ["std 0.1, no BN", "std 0.1, BN",
                                            "std 0.01, no BN", "std 0.01, BN"]
    assert finals[3]["changes"] == {"model.init_std": 0.01, "model.batchnorm": True}
    no_bn, bn = finals[2]["train_loss"], finals[3]["train_loss"]
    assert abs(no_bn - math.log(10)) < 0.02 and bn < no_bn - 0.3
    assert all(f["epoch"] == 7 for f in finals)


@pytest.mark.parametrize("args, words", [
    (("--preset", "bogus"), "choose one of optimizers, init, batchnorm, overfitting"),
    (("--preset", "init", "--vary", "optim.lr=0.1,0.2"), "not both"),
    ((), "say what to compare"),
])
def test_a_bad_preset_is_one_sentence(capsys, args, words):
    code, out, err = call(capsys, "compare", *args)
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and words in err, err
