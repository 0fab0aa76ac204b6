"""The CLI on image data: MNIST-style files in a folder, split-only evaluation, bad files."""

import gzip
import json

import numpy as np
import pytest
from local_files import idx_bytes

from engine.cli import main
from engine.datasets import mnist


def _write_split(folder, split, n, seed):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, n, dtype=np.uint8)
    # Learnable images: a bright square whose position encodes the label.
    images = rng.integers(0, 40, (n, 28, 28), dtype=np.uint8)
    for i, lab in enumerate(labels):
        r, c = divmod(int(lab), 5)
        images[i, 4 + 10 * r:10 + 10 * r, 2 + 5 * c:6 + 5 * c] = 250
    for stem, arr in zip(mnist.idx_names(split), (images, labels)):
        (folder / (stem + ".gz")).write_bytes(gzip.compress(idx_bytes(arr)))


def _json_lines(text):
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_train_on_idx_folder_then_evaluate_test_split_with_only_t10k_files(tmp_path, capsys):
    full, test_only = tmp_path / "full", tmp_path / "t10k"
    full.mkdir()
    test_only.mkdir()
    _write_split(full, "train", 600, 0)
    _write_split(full, "test", 200, 1)
    _write_split(test_only, "test", 200, 1)
    model = tmp_path / "m.npz"
    code = main(["train", "--dataset", "mnist", "--data-dir", str(full), "--epochs", "3",
                 "--hidden", "32", "--lr", "0.01", "--json", "--save", str(model)])
    out = _json_lines(capsys.readouterr().out)
    assert code == 0
    summary = out[-1]
    assert summary["summary"] and summary["train_samples"] == 600
    assert summary["test_samples"] == 200 and summary["test_acc"] > 0.9
    code = main(["evaluate", str(model), "--dataset", "mnist", "--data-dir", str(test_only),
                 "--split", "test", "--json"])
    result = json.loads(capsys.readouterr().out)
    assert code == 0
    assert result["accuracy"] == pytest.approx(summary["test_acc"])
    assert result["loss"] == pytest.approx(summary["test_loss"], rel=1e-5)


def test_evaluate_train_split_needs_the_train_files(tmp_path, capsys):
    folder = tmp_path / "d"
    folder.mkdir()
    _write_split(folder, "test", 50, 1)
    model = tmp_path / "m.npz"
    main(["train", "--dataset", "digits", "--epochs", "1", "--json", "--save", str(model)])
    capsys.readouterr()
    code = main(["evaluate", str(model), "--dataset", "mnist", "--data-dir", str(folder),
                 "--split", "train"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "\n" not in err and "train" in err


def test_bad_idx_file_is_one_line_and_exit_2(tmp_path, capsys):
    folder = tmp_path / "bad"
    folder.mkdir()
    _write_split(folder, "train", 20, 0)
    _write_split(folder, "test", 20, 0)
    images = folder / "t10k-images-idx3-ubyte.gz"
    images.write_bytes(gzip.compress(b"\x00\x00\x08\x07garbage"))
    code = main(["train", "--dataset", "mnist", "--data-dir", str(folder), "--epochs", "1"])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.startswith("error: ") and "\n" not in err
    assert "t10k-images-idx3-ubyte.gz" in err


def test_simple_cnn_flags_reach_the_model(tmp_path, capsys):
    model = tmp_path / "cnn.npz"
    code = main(["train", "--dataset", "digits", "--model", "simple-cnn", "--conv-filters",
                 "6", "--conv-size", "3", "--epochs", "1", "--json", "--save", str(model)])
    assert code == 0
    from engine import load

    conv = load(model).layers[0]
    assert conv.params["W"].shape == (6, 1, 3, 3)
    assert _json_lines(capsys.readouterr().out)[-1]["parameters"] > 0
