"""``python -m engine gradcheck``: a table or JSON lines, exit 0 when every array is
within the tolerance, 1 when a backward is wrong, 2 on bad input (one line, no
traceback)."""

import json
import subprocess
import sys

import pytest

from engine.cli import main
from engine.layers import Dense
from engine.spec import defaults_for


@pytest.fixture
def mlp_config(tmp_path):
    path = tmp_path / "run.json"
    cfg = defaults_for("moons").with_changes(
        data={"samples": 60}, model={"hidden": (6, 5), "activation": "tanh", "dropout": 0.2,
                                     "batchnorm": True})
    path.write_text(cfg.to_json(), encoding="utf-8")
    return str(path)


def json_lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines()]


def test_a_correct_network_exits_0_with_one_json_line_per_array(mlp_config, capsys):
    assert main(["gradcheck", "--config", mlp_config, "--samples", "6", "--json"]) == 0
    lines = json_lines(capsys.readouterr().out)
    rows, summary = lines[:-1], lines[-1]
    assert [r["name"] for r in rows][:3] == ["layer 1 Dense W", "layer 1 Dense b",
                                             "layer 2 BatchNorm gamma"]
    assert rows[0]["shape"] == [2, 6]
    assert all(r["passed"] and r["max_rel_err"] <= 1e-5 for r in rows)
    assert summary["summary"] and summary["passed"] and summary["failed"] == []
    assert summary["arrays"] == len(rows) and summary["samples"] == 6


def test_the_table_names_each_array_and_its_error(mlp_config, capsys):
    assert main(["gradcheck", "--config", mlp_config]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("moons: 8 training samples, 10 parameter arrays")
    assert out[1].split() == ["name", "shape", "max_rel_err", "checked", "at", "kinks"]
    assert out[2].split()[:5] == ["layer", "1", "Dense", "W", "(2,"]
    assert out[-1].startswith("all 10 arrays within 1e-05")


def test_a_broken_backward_exits_1_and_names_the_array(mlp_config, capsys, monkeypatch):
    original = Dense.backward

    def backward(self, dy):
        dx = original(self, dy)
        self.grads["W"] *= 1.01
        return dx

    monkeypatch.setattr(Dense, "backward", backward)
    assert main(["gradcheck", "--config", mlp_config]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == ("3 of 10 arrays exceed 1e-05: layer 1 Dense W, layer 5 Dense W, "
                       "layer 9 Dense W")
    assert all(line.endswith("FAIL") for line in out if " Dense W " in line)


def test_a_convnet_from_the_bundled_sample_passes(capsys):
    code = main(["gradcheck", "--dataset", "mnist-sample", "--samples", "2", "--entries",
                 "4", "--threads", "1", "--json"])
    summary = json_lines(capsys.readouterr().out)[-1]
    assert code == 0 and summary["passed"] and summary["arrays"] == 4


@pytest.mark.parametrize("argv,message", [
    (["--samples", "0"], "--samples must be at least 1, got 0"),
    (["--entries", "-1"], "--entries must be at least 1, got -1"),
    (["--config", "missing.json"], "run config missing.json does not exist"),
    (["--samples", "many"], "invalid int value"),
])
def test_bad_input_exits_2_with_one_line(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["gradcheck", *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_the_step_activation_is_refused_as_bad_input(tmp_path, capsys):
    path = tmp_path / "step.json"
    path.write_text(defaults_for("moons").with_changes(
        model={"hidden": (4,), "activation": "step"}).to_json(), encoding="utf-8")
    code = main(["gradcheck", "--config", str(path)])
    err = capsys.readouterr().err
    assert code == 2 and "step" in err and err.count("\n") == 1


def test_python_m_engine_gradcheck_exits_0(tmp_path):
    run = subprocess.run([sys.executable, "-m", "engine", "gradcheck", "--json"],
                         capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert json_lines(run.stdout)[-1]["passed"] is True
