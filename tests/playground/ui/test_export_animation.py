"""File > Export animation… (a GIF of the timeline, off the GUI thread, with a progress
dialog whose Cancel leaves no file) and File > Export model as ONNX…."""

from __future__ import annotations

import os
import sys
import threading

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog, QPushButton

from engine.build import build_from_description
from engine.serialize import copy_state_into
from playground.two_d import animation


def _action(window, name: str) -> QAction:
    action = window.findChild(QAction, name)
    assert action is not None and action in window.menuBar().actions()[0].menu().actions()
    return action


def _save_to(monkeypatch, path) -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(path), "")))


def _trained(window, qtbot, wait_idle, epochs: int = 12) -> None:
    window.controller.play()
    qtbot.waitUntil(lambda: window.controller.epoch >= epochs, timeout=30000)
    wait_idle(window)


def _folder(tmp_path):
    """An empty folder of its own (tmp_path also holds the window's settings)."""
    out = tmp_path / "out"
    out.mkdir()
    return out


def _dialog(window) -> QProgressDialog | None:
    return window.findChild(QProgressDialog, "animationProgress")


def test_export_animation_writes_every_snapshot_with_a_progress_dialog(
        window, qtbot, wait_idle, monkeypatch, tmp_path):
    tmp_path = _folder(tmp_path)
    _trained(window, qtbot, wait_idle)
    epochs = [s.epoch for s in window.controller.request_state(2.0).snapshots]
    path = tmp_path / "run.gif"
    _save_to(monkeypatch, path)
    seen = []
    exports = window.page.exports
    exports.job.progressed.connect(lambda done, total: seen.append(
        (done, total, _dialog(window) is not None and _dialog(window).isVisible())))
    _action(window, "exportAnimationAction").trigger()
    assert _dialog(window).isVisible() and _dialog(window).windowTitle() == "Export animation"
    qtbot.waitUntil(lambda: "Exported" in window.statusBar().currentMessage(), timeout=60000)
    assert not exports.job.running and exports.progress is None
    with Image.open(path) as im:
        assert im.n_frames == len(epochs) == seen[-1][1]
    assert seen[-1][0] == len(epochs) and all(shown for *_, shown in seen)
    assert f"{len(epochs)} frames" in window.statusBar().currentMessage()
    # straight away a second one, of fewer frames
    assert exports.export_animation(str(tmp_path / "short"), frames=3)
    qtbot.waitUntil(lambda: "Exported 3 frames" in window.statusBar().currentMessage(),
                    timeout=60000)
    with Image.open(tmp_path / "short.gif") as im:
        assert im.n_frames == 3
    assert sorted(os.listdir(tmp_path)) == ["run.gif", "short.gif"]


def test_cancel_stops_the_export_and_leaves_no_file(
        window, qtbot, wait_idle, monkeypatch, tmp_path):
    tmp_path = _folder(tmp_path)
    _trained(window, qtbot, wait_idle)
    release, rendered = threading.Event(), []
    frame = animation.FrameRenderer.frame

    def slow_frame(self, snapshot):   # the second frame waits until Cancel was pressed
        if rendered:
            release.wait(10)
        rendered.append(snapshot.epoch)
        return frame(self, snapshot)

    monkeypatch.setattr(animation.FrameRenderer, "frame", slow_frame)
    path = tmp_path / "run.gif"
    assert window.page.exports.export_animation(str(path), frames=10)
    qtbot.waitUntil(lambda: len(rendered) == 1, timeout=10000)
    qtbot.mouseClick(_dialog(window).findChild(QPushButton), Qt.MouseButton.LeftButton)
    release.set()
    qtbot.waitUntil(lambda: "cancelled" in window.statusBar().currentMessage(), timeout=10000)
    assert len(rendered) <= 2 and not window.page.exports.job.running  # of 10
    assert window.page.exports.progress is None
    assert os.listdir(tmp_path) == []  # neither the GIF nor a temporary file


def test_without_a_timeline_the_export_says_so(window, qtbot, monkeypatch, tmp_path):
    tmp_path = _folder(tmp_path)
    window.controller.clear_points()  # no data: no run, no snapshots
    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()) or 0)
    window.page.exports.error.connect(lambda title, text: shown.append(text))
    assert not window.page.exports.export_animation(str(tmp_path / "run.gif"))
    assert any("timeline" in t or "no model" in t.lower() for t in shown)
    assert _dialog(window) is None and os.listdir(tmp_path) == []


def test_export_onnx_gives_the_page_models_probabilities(
        window, qtbot, wait_idle, monkeypatch, tmp_path):
    ort = pytest.importorskip("onnxruntime")
    _trained(window, qtbot, wait_idle, epochs=3)
    path = tmp_path / "model.onnx"
    _save_to(monkeypatch, path)
    _action(window, "exportOnnxAction").trigger()
    assert path.is_file() and "ONNX" in window.statusBar().currentMessage()
    state = window.controller.request_state(2.0)
    model = build_from_description(state.spec, np.random.default_rng(0))
    copy_state_into(model, state.weights, "the page")
    x = np.random.default_rng(4).uniform(-2, 2, size=(257, 2)).astype(np.float32)
    run = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    got = run.run(None, {run.get_inputs()[0].name: x})[0]
    np.testing.assert_allclose(got, model.predict_proba(x), atol=1e-5)


def test_export_onnx_without_the_onnx_package_says_how_to_install_it(
        window, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "onnx", None)   # import onnx raises ImportError
    said = []
    window.page.exports.error.connect(lambda title, text: said.append(text))
    assert not window.page.exports.export_onnx(str(tmp_path / "model.onnx"))
    assert said and "pip install" in said[0] and "onnx" in said[0]
    assert not (tmp_path / "model.onnx").exists()
