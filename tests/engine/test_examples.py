"""Shortened runs of the scripts in examples/: XOR's two settings, the moons tutorial
(its translation into engine units and its result), the optimiser paths (and README's
table of them), and the parity script's CLI call."""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def load_example(name: str):
    """Import examples/<name>.py (the folder is not a package) the way running it does:
    with its folder on the path, so it finds the scripts' shared module beside it."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    sys.path.insert(0, str(EXAMPLES))
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]  # never leave a half-run module for the next import
        raise
    finally:
        sys.path.remove(str(EXAMPLES))
    return module


@pytest.fixture(scope="module")
def xor():
    return load_example("xor_sigmoid")


@pytest.fixture(scope="module")
def moons():
    return load_example("moons_tutorial")


def test_xor_learns_all_four_points_with_a_sensible_learning_rate(xor):
    lr, epochs = xor.SETTINGS["learnable"]
    r = xor.train_xor(lr, epochs, seed=0)
    assert r["learned"]
    np.testing.assert_array_equal(np.round(r["outputs"]), xor.Y)
    assert np.abs(r["outputs"] - xor.Y).max() < 0.1


def test_xor_with_a_too_small_learning_rate_outputs_the_class_ratio(xor):
    lr, epochs = xor.SETTINGS["too small"]
    r = xor.train_xor(lr, epochs, seed=0)
    assert not r["learned"]
    assert r["near_half"]
    np.testing.assert_allclose(r["outputs"], 0.5, atol=0.05)
    assert r["loss"] == pytest.approx(np.log(2), abs=0.01)  # chance-level cross-entropy


def test_moons_tutorial_units_match_the_tutorials_own_code(moons):
    # lr = epsilon * N and l2 = reg_lambda / N make the engine step the tutorial's step:
    # both start from the same weights and stay together to rounding error.
    X, y = moons.tutorial_data()
    assert (moons.LR, moons.L2) == (2.0, 5e-5)
    ref = moons.train_reference(X, y, 3, 200)
    eng = moons.train_engine(X, y, 3, 200)
    assert eng["loss"] == pytest.approx(ref["loss"], rel=1e-9)
    assert moons.train_engine(X, y, 3, 1)["loss"] == pytest.approx(0.432387, abs=1e-6)


def test_moons_tutorial_hidden_3_learns_the_moons_and_beats_a_straight_line(moons):
    X, y = moons.tutorial_data()
    r = moons.train_engine(X, y, 3, 3000)
    baseline = moons.logistic_accuracy(X, y)
    assert r["acc"] > 0.95
    assert r["acc"] > baseline + 0.05
    assert r["loss"] < 0.08


def test_optimizer_paths_all_approach_the_minimum():
    paths = load_example("optimizer_paths").paths(30)
    assert set(paths) == {"sgd", "momentum", "adagrad", "adam"}
    for name, path in paths.items():
        assert path.shape == (31, 2), name
        np.testing.assert_array_equal(path[0], [-7.0, 2.0])
        assert np.hypot(*path[-1]) < 1.0, name


#: final points after 30 steps from (-7, 2), as measured when README's table was written.
BOOK_FINALS = {
    "sgd": (-0.3503929957523197, 0.0847823165504322),
    "momentum": (0.896413858493733, 0.08808560171506971),
    "adagrad": (-0.12016232231416045, 2.486389893984459e-17),
    "adam": (0.13600685239498256, 0.31824537553721943),
}


def test_readme_table_of_the_book_comparison_is_reproduced():
    example = load_example("optimizer_paths")
    found = example.paths(30)
    for name, (x, y) in BOOK_FINALS.items():
        np.testing.assert_allclose(found[name][-1], [x, y], rtol=0, atol=1e-6)
    readme = (EXAMPLES.parent / "README.md").read_text(encoding="utf-8")
    assert example.table(found) in readme


def test_parity_script_drives_the_cli_on_its_csv_split(tmp_path):
    parity = load_example("sklearn_parity")
    Xtr, ytr, Xte, yte = parity.make_split("spiral", samples=120)
    assert len(Xtr) + len(Xte) == 120 and set(np.unique(ytr)) == {0, 1, 2}
    parity.save_csv(tmp_path / "train.csv", Xtr, ytr)
    parity.save_csv(tmp_path / "test.csv", Xte, yte)
    s = parity.run_engine(str(tmp_path / "train.csv"), str(tmp_path / "test.csv"), seed=0,
                          epochs=2)
    assert s["epoch"] == 2
    assert (s["train_samples"], s["test_samples"]) == (len(ytr), len(yte))
    assert 0 <= s["test_acc"] <= 1
