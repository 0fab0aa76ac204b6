"""MNIST sessions and ONNX export through the page's File actions: a saved session
reopens bit for bit (weights, optimiser state, starting filters, history) and trains on
as the run it came from would have; the ONNX file answers as ``predict_proba`` does."""

from __future__ import annotations

import sys
import zipfile

import numpy as np
import pyqtgraph as pg
import pytest
from mnist_pages import find, open_pages
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QFileDialog, QPushButton, QSpinBox

from engine.build import build_from_description
from engine.serialize import copy_state_into
from engine.spec import RunConfig
from playground.mnist.session_file import load_session
from playground.mnist.session_file import save_session as save_mnist
from playground.mnist.sources import DataRequest, load_source
from playground.two_d.run_history import HISTORY_COLUMNS
from playground.two_d.session_file import Session
from playground.two_d.session_file import save_session as save_2d

pg.setConfigOptions(imageAxisOrder="row-major")

FAST = {"model": "simple-cnn", "filters": 4, "filter_size": 5, "hidden": 16,
        "epochs": 2, "train_limit": 300, "batch_size": 100}


@pytest.fixture
def open_page(qtbot, tmp_path):
    yield from open_pages(qtbot, tmp_path, FAST)


def train(qtbot, page, timeout=30000) -> None:
    qtbot.mouseClick(find(page, QPushButton, "mnistTrainButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.is_training, timeout=timeout)
    n_test = page.data_info["n_test"]
    qtbot.waitUntil(lambda: page.views.confusion.counts.sum() == n_test, timeout=10000)


def trigger(page, name: str, monkeypatch, path) -> None:
    """Trigger the File action ``name`` with ``path`` chosen in its file dialog."""
    for dialog in ("getSaveFileName", "getOpenFileName"):
        monkeypatch.setattr(QFileDialog, dialog, lambda *a, **k: (str(path), ""))
    action = page.findChild(QAction, name)
    assert action is not None and action in page.actions()["&File"], name
    action.trigger()


def assert_same_run(a, b, timed: bool = True) -> None:
    """Same run: counts, weights, moments, starting filters, history (with the seconds
    each epoch took unless ``timed`` is False: two runs take their own time)."""
    assert (a.epoch, a.steps, a.source, a.config) == (b.epoch, b.steps, b.source, b.config)
    assert a.weights.keys() == b.weights.keys()
    for key in a.weights:
        np.testing.assert_array_equal(a.weights[key], b.weights[key], err_msg=key)
        assert a.weights[key].dtype == b.weights[key].dtype
    assert (a.optimizer["kind"], a.optimizer["t"]) == (b.optimizer["kind"], b.optimizer["t"])
    assert a.optimizer["arrays"].keys() == b.optimizer["arrays"].keys()
    for key in a.optimizer["arrays"]:
        np.testing.assert_array_equal(a.optimizer["arrays"][key], b.optimizer["arrays"][key])
    assert a.initial.keys() == b.initial.keys()
    for key in a.initial:
        np.testing.assert_array_equal(a.initial[key], b.initial[key])
    columns = [i for i, c in enumerate(HISTORY_COLUMNS) if timed or c != "seconds"]
    np.testing.assert_array_equal(a.history[:, columns], b.history[:, columns])
    assert a.rng == b.rng


def test_a_saved_session_reopens_bit_for_bit_and_trains_on(open_page, qtbot, monkeypatch,
                                                           tmp_path):
    page = open_page()
    train(qtbot, page)
    saved = page.controller.session_snapshot()
    path = tmp_path / "run.nnplay"
    trigger(page, "mnistSaveSessionAction", monkeypatch, path)
    assert path.is_file() and page.file_errors == []
    with zipfile.ZipFile(path) as zf:  # the data by reference: no images in the file
        assert sorted(zf.namelist()) == ["history.npz", "initial.npz", "model.npz",
                                         "optimizer.npz", "session.json"]
    assert path.stat().st_size < 200_000
    assert_same_run(load_session(path), saved)
    train(qtbot, page)  # the run as it goes on without a session in between
    went_on = page.controller.session_snapshot()
    assert went_on.epoch == 4

    other = open_page(model="mlp", hidden=8, epochs=1, lr=0.01)  # another page, network
    trigger(other, "mnistOpenSessionAction", monkeypatch, path)
    qtbot.waitUntil(lambda: other.controller.network == "trained", timeout=10000)
    assert other.file_errors == []
    assert_same_run(other.controller.session_snapshot(), saved)
    # the controls show the session's settings; the curves its epochs
    assert find(other, QComboBox, "mnistModelCombo").currentData() == "simple-cnn"
    assert find(other, QSpinBox, "mnistFiltersSpin").value() == 4
    assert find(other, QSpinBox, "mnistEpochsSpin").value() == 2
    np.testing.assert_array_equal(other.views.curves.column("epochs", "x"), [1, 2])
    np.testing.assert_array_equal(other.views.filter_panel.view["initial"],
                                  page.views.filter_panel.view["initial"])
    assert "epoch 2" in other.controls.run_label.text()
    train(qtbot, other)
    reopened = other.controller.session_snapshot()
    assert_same_run(reopened, went_on, timed=False)  # the numbers of never having saved


def test_a_bad_or_other_session_is_refused_and_the_network_kept(open_page, qtbot,
                                                                 monkeypatch, tmp_path):
    page = open_page()
    train(qtbot, page)
    kept = page.controller.session_snapshot()
    bad = tmp_path / "bad.nnplay"
    bad.write_bytes(b"PK\x03\x04 not a zip at all")
    trigger(page, "mnistOpenSessionAction", monkeypatch, bad)
    assert len(page.file_errors) == 1 and "bad.nnplay" in page.file_errors[0]
    two_d = tmp_path / "two-d.nnplay"
    save_2d(two_d, Session(RunConfig(), np.zeros((4, 2)), np.array([0, 1, 0, 1]),
                                np.zeros(4, bool)))
    trigger(page, "mnistOpenSessionAction", monkeypatch, two_d)
    assert "2-D" in page.file_errors[-1]
    gone = tmp_path / "files.nnplay"  # a session of opened files that are gone now
    session = load_session_from(page, tmp_path)
    session.source, session.path = "files", str(tmp_path / "missing" / "mnist.npz")
    save_mnist(gone, session)
    trigger(page, "mnistOpenSessionAction", monkeypatch, gone)
    assert "no longer exists" in page.file_errors[-1]
    qtbot.wait(200)
    assert_same_run(page.controller.session_snapshot(), kept)
    assert page.controller.network == "trained"


def load_session_from(page, folder):
    path = folder / "good.nnplay"
    page.files.save_session_as(str(path))
    return load_session(path)


def test_export_onnx_matches_predict_proba(open_page, qtbot, monkeypatch, tmp_path):
    ort = pytest.importorskip("onnxruntime")
    page = open_page()
    train(qtbot, page)
    path = tmp_path / "digits.onnx"
    trigger(page, "mnistExportOnnxAction", monkeypatch, path)
    assert path.is_file() and page.file_errors == []
    snap = page.controller.session_snapshot()
    model = build_from_description(snap.model_spec)
    copy_state_into(model, snap.weights, "test")
    x = load_source(DataRequest("sample")).x_test[:64]
    expected = model.predict_proba(x)
    got = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]).run(
        None, {"input": x.astype(np.float32)})[0]
    assert got.shape == (64, 10)
    np.testing.assert_allclose(got, expected, atol=1e-5)
    assert "digits.onnx" in page.status


def test_export_onnx_without_onnx_says_how_to_install_it(open_page, qtbot, monkeypatch,
                                                         tmp_path):
    page = open_page()
    monkeypatch.setitem(sys.modules, "onnx", None)  # import onnx fails
    path = tmp_path / "digits.onnx"
    trigger(page, "mnistExportOnnxAction", monkeypatch, path)
    assert not path.exists()
    assert len(page.file_errors) == 1 and "pip install" in page.file_errors[0]
    assert "onnx" in page.controls.run_label.text()


def test_the_trained_network_comes_back_after_close(open_page, qtbot, private_data_dir):
    page = open_page()
    train(qtbot, page)
    before = page.controller.session_snapshot()
    assert page.shutdown()
    autosave = private_data_dir / "mnist-autosave.nnplay"
    assert autosave.is_file()
    again = open_page(model="mlp", hidden=8)  # the autosave wins over the settings
    qtbot.waitUntil(lambda: again.controller.network == "trained", timeout=10000)
    assert_same_run(again.controller.session_snapshot(), before)
    assert find(again, QComboBox, "mnistModelCombo").currentData() == "simple-cnn"
    # New network, then close: the old network does not come back next time
    qtbot.mouseClick(find(again, QPushButton, "mnistNewButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: again.controller.network == "fresh", timeout=5000)
    assert again.shutdown()
    assert not autosave.exists()


def test_a_damaged_autosave_is_set_aside(open_page, qtbot, private_data_dir):
    private_data_dir.mkdir(parents=True, exist_ok=True)
    (private_data_dir / "mnist-autosave.nnplay").write_bytes(b"PK\x03\x04 damaged")
    page = open_page()
    assert page.controller.network == "fresh"
    assert "could not be restored" in page.status and "mnist-autosave" in page.status
    assert (private_data_dir / "mnist-autosave-previous.nnplay").is_file()


def test_a_second_window_leaves_the_first_ones_autosave_alone(open_page, qtbot,
                                                              private_data_dir):
    import os

    first = open_page()
    train(qtbot, first)
    assert first.shutdown()
    autosave = private_data_dir / "mnist-autosave.nnplay"
    original = autosave.read_bytes()
    # the first window is still running: its marker names a live process, not this one
    (private_data_dir / "running.lock").write_text(f"{os.getppid()}\n")
    second = open_page()
    assert second.controller.network == "fresh"  # not the other window's network
    assert "Another playground window" in second.status
    train(qtbot, second)
    assert second.autosaver.save_if_changed() is False
    assert second.shutdown()  # a trained network: not written over the first's
    third = open_page()
    assert third.shutdown()   # no trained network: the first's autosave is not removed
    assert autosave.read_bytes() == original
    # the first window has gone: the next one restores its network again
    (private_data_dir / "running.lock").unlink()
    fourth = open_page()
    qtbot.waitUntil(lambda: fourth.controller.network == "trained", timeout=10000)
