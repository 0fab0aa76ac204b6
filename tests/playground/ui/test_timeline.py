"""The timeline slider: scrubbing back while training goes on, "Train from here", and
sessions keeping the snapshots."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QSlider

from engine.build import build_from_description
from engine.timeline import load_weights
from engine.unit_grid import network_grid
from playground.two_d.session_file import load_session
from playground.ui.plots.colors import region_rgba
from playground.ui.two_d.page import GRAPH_GRID


def _slider(window) -> QSlider:
    return window.findChild(QSlider, "timelineSlider")


def _network_of(spec: dict, snapshot):
    model = build_from_description(spec, np.random.default_rng(0))
    load_weights(model, snapshot)
    return model


def _play_until(window, qtbot, epochs: int) -> None:
    window.controller.play()
    qtbot.waitUntil(lambda: window.controller.epoch >= epochs, timeout=30000)


def test_scrubbing_shows_the_snapshot_of_that_epoch_while_training_goes_on(
        window, qtbot, wait_idle, image_of):
    grids = []
    window.controller.gridReady.connect(grids.append)
    _play_until(window, qtbot, 30)
    slider = _slider(window)
    assert slider.maximum() >= 30 and slider.value() == slider.maximum()  # follows live
    grids.clear()
    slider.setValue(12)
    qtbot.waitUntil(lambda: any(g.get("snapshot") and g["epoch"] == 12 for g in grids),
                    timeout=5000)
    epoch_then = window.controller.epoch
    qtbot.waitUntil(lambda: window.controller.epoch >= epoch_then + 10, timeout=30000)
    assert window.controller.is_running   # training went on under the shown snapshot
    wait_idle(window)
    window.page.render_frame()
    # every grid since the slider moved is the snapshot's, none the live network's
    after = grids[[i for i, g in enumerate(grids) if g.get("snapshot")][0]:]
    assert all(g.get("snapshot") and g["epoch"] == 12 for g in after)
    state = window.controller.request_state(2.0)
    snapshot = next(s for s in state.snapshots if s.epoch == 12)
    shown = after[-1]
    ny, nx = shown["probs"].shape[:2]
    # the graph is shown, so the worker's grid comes from the graph's pass (the decision
    # grid and the graph's coarse grid in one batch): the same pass here, for the same
    # bits (OpenBLAS on some CPUs rounds a batch of other rows in another order)
    assert window.page._graph_shown
    expected = network_grid(_network_of(state.spec, snapshot), shown["bounds"], (nx, ny),
                            GRAPH_GRID).probs
    np.testing.assert_array_equal(shown["probs"], expected)
    np.testing.assert_array_equal(image_of(window), region_rgba(
        expected, window.page.decision_plot.discretize))
    assert window.page.curves.marker == 12
    # back to live: the live network again, and no mark
    window.findChild(QPushButton, "timelineLiveButton").click()
    qtbot.waitUntil(lambda: not grids[-1].get("snapshot"), timeout=5000)
    assert window.page.curves.marker is None
    assert not np.array_equal(grids[-1]["probs"], expected)


def test_train_from_here_goes_on_exactly_as_the_run_did_from_that_epoch(
        window, qtbot, wait_idle):
    _play_until(window, qtbot, 40)
    wait_idle(window)
    before = window.controller.request_state(2.0)
    at = {s.epoch: s for s in before.snapshots}
    slider = _slider(window)
    slider.setValue(20)
    restored = []
    window.controller.historyRestored.connect(restored.append)
    qtbot.mouseClick(window.findChild(QPushButton, "trainFromHereButton"),
                     Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(restored) == 1, timeout=5000)
    assert window.controller.epoch == 20 and slider.value() == slider.maximum() == 20
    state = window.controller.request_state(2.0)
    assert state.epoch == 20
    for key, value in at[20].weights.items():
        np.testing.assert_array_equal(state.weights[key], value)
    np.testing.assert_array_equal(state.history, before.history[:20])
    assert window.page.curves.epochs == 20
    assert [s.epoch for s in state.snapshots] == list(range(21))
    # ten epochs more give bit for bit the weights the first run had at epoch 30
    for _ in range(10):
        with qtbot.waitSignal(window.controller.epochFinished, timeout=5000):
            window.controller.step()
    wait_idle(window)
    again = window.controller.request_state(2.0)
    assert again.epoch == 30
    for key, value in at[30].weights.items():
        np.testing.assert_array_equal(again.weights[key], value)
    rows = again.history[:, 1:3]   # train and test loss: the same numbers as then
    np.testing.assert_array_equal(rows, before.history[:30, 1:3])


def test_a_saved_session_keeps_the_timeline_and_reopens_with_it(
        window, qtbot, wait_idle, tmp_path, open_window, settings):
    _play_until(window, qtbot, 15)
    wait_idle(window)
    path = tmp_path / "run.nnplay"
    assert window.page.files.save_session_as(str(path))
    session = load_session(path)
    state = window.controller.request_state(2.0)
    assert [s.epoch for s in session.snapshots] == [s.epoch for s in state.snapshots]
    assert session.snapshots[-1].epoch == state.epoch and session.timeline_note == ""
    for saved, live in zip(session.snapshots, state.snapshots):
        for key, value in live.weights.items():
            np.testing.assert_array_equal(saved.weights[key], value)
        assert saved.rng == live.rng and saved.steps == live.steps
    window.controller.reset()
    qtbot.waitUntil(lambda: window.controller.epoch == 0, timeout=5000)
    assert window.page.files.open_session(str(path))
    qtbot.waitUntil(lambda: _slider(window).maximum() == state.epoch, timeout=5000)
    grids = []
    window.controller.gridReady.connect(grids.append)
    _slider(window).setValue(5)
    qtbot.waitUntil(lambda: any(g.get("snapshot") and g["epoch"] == 5 for g in grids),
                    timeout=5000)
