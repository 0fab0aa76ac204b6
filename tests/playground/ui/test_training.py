"""Driving training from the toolbar as a user would: Play, Step, Reset, close."""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton


def click(qtbot, window, name: str) -> None:
    qtbot.mouseClick(window.findChild(QPushButton, name), Qt.MouseButton.LeftButton)


def test_play_grows_and_lowers_the_loss_curve_and_redraws_the_region(
        window, qtbot, image_of, wait_idle):
    before = image_of(window)
    click(qtbot, window, "playButton")
    assert window.controller.is_running
    assert "Pause" in window.findChild(QPushButton, "playButton").text()
    qtbot.waitUntil(lambda: window.page.curves.epochs >= 40, timeout=20000)
    click(qtbot, window, "playButton")
    wait_idle(window)
    window.page.render_frame()
    curves = window.page.curves
    loss = curves.column("train_loss")
    assert len(loss) == window.controller.epoch >= 40
    assert loss[-5:].mean() < 0.6 * loss[:3].mean()
    assert curves.column("train_acc")[-1] > 0.85
    xs, ys = curves.train_loss.getData()
    assert len(xs) == len(loss)
    after = image_of(window)
    assert after.shape == before.shape and np.abs(after.astype(int) - before).mean() > 2
    assert f"Epoch {window.controller.epoch}" == window.findChild(QLabel, "epochLabel").text()
    assert "acc" in window.page.train_label.text()


def test_curves_and_region_keep_moving_while_training(window, qtbot, wait_idle):
    """The region redraws every frame and the curves get frames of their own in between:
    both must advance while the run goes on, without a pause to catch up."""
    frames0 = window.page.frames
    click(qtbot, window, "playButton")

    def drawn_epochs():
        xs, _ = window.page.curves.train_loss.getData()
        return 0 if xs is None else len(xs)

    # both, while the run is still going (a busy machine trains 30 epochs in few frames)
    qtbot.waitUntil(lambda: drawn_epochs() >= 30 and window.page.frames - frames0 >= 5,
                    timeout=20000)
    assert window.controller.is_running
    click(qtbot, window, "playButton")
    wait_idle(window)


def test_region_and_curves_take_turns_instead_of_sharing_a_frame(window, wait_idle):
    wait_idle(window)
    page = window.page
    page._frame.stop()
    grid = {"probs": np.full((20, 20, 2), 0.5, np.float32), "bounds": (-1.0, 1.0, -1.0, 1.0)}
    page.curves.append({"epoch": 1, "train_loss": 0.5, "test_loss": None,
                        "train_acc": 0.5, "test_acc": None})
    page._pending_grid, page._last_curves = grid, 0.0   # curves long overdue
    page._region_went_last = True
    frames = page.frames
    page.render_frame()                  # the curves' turn: the grid waits
    assert not page.curves.dirty and page.frames == frames
    assert page._pending_grid is grid and page._frame.isActive()
    page.curves.append({"epoch": 2, "train_loss": 0.4, "test_loss": None,
                        "train_acc": 0.6, "test_acc": None})
    page.render_frame()                  # the region's turn; the new epoch waits
    assert page.frames == frames + 1 and page._pending_grid is None
    assert page.curves.dirty


def test_step_trains_exactly_one_epoch(window, qtbot, wait_idle):
    label = window.findChild(QLabel, "epochLabel")
    with qtbot.waitSignal(window.controller.epochFinished, timeout=5000):
        click(qtbot, window, "stepButton")
    wait_idle(window)
    assert window.controller.epoch == 1
    click(qtbot, window, "stepButton")
    qtbot.waitUntil(lambda: label.text() == "Epoch 2", timeout=5000)
    wait_idle(window)
    assert window.controller.epoch == 2 and window.page.curves.epochs == 2
    assert not window.controller.is_running


def test_step_while_playing_pauses_then_adds_one_epoch(window, qtbot, wait_idle):
    window.page.set_speed(1)
    window.controller.play()
    qtbot.waitUntil(lambda: window.controller.epoch >= 3, timeout=10000)
    wait_idle(window)
    before = window.controller.epoch
    click(qtbot, window, "stepButton")
    qtbot.waitUntil(lambda: window.controller.epoch == before + 1, timeout=5000)
    wait_idle(window)
    assert window.controller.epoch == before + 1


def test_reset_restarts_from_the_same_initial_weights(window, qtbot, image_of, wait_idle):
    start = image_of(window)
    for _ in range(3):
        window.controller.step()
    qtbot.waitUntil(lambda: window.controller.epoch == 3, timeout=5000)
    wait_idle(window)
    window.page.render_frame()
    assert not np.array_equal(image_of(window), start)
    run = window.controller.run_id
    click(qtbot, window, "resetButton")
    qtbot.waitUntil(lambda: window.page._pending_grid is None and window.page.frames > 0)
    qtbot.waitUntil(lambda: np.array_equal(image_of(window), start), timeout=5000)
    assert window.controller.run_id == run + 1 and window.controller.epoch == 0
    assert window.page.curves.epochs == 0
    assert window.findChild(QLabel, "epochLabel").text() == "Epoch 0"


def test_speed_one_epoch_per_frame_caps_the_rate(window, qtbot, wait_idle):
    window.page.set_speed(1)
    t0 = time.perf_counter()
    window.controller.play()
    qtbot.wait(700)
    wait_idle(window)
    elapsed = time.perf_counter() - t0
    # at most one epoch per ~33 ms frame (plus the one in flight)
    assert 1 <= window.controller.epoch <= elapsed * 30 + 2


def test_divergence_pauses_and_says_why(window, qtbot):
    c = window.controller
    assert c.edit({"optim": {"name": "sgd", "lr": 10.0},
                   "model": {"loss": "mse", "activation": "relu", "hidden": (64, 64)}})
    with qtbot.waitSignal(c.problem, timeout=10000) as blocker:
        c.play()
    assert "diverged" in blocker.args[0] and "learning rate" in blocker.args[0]
    qtbot.waitUntil(lambda: not c.is_running, timeout=3000)
    assert "diverged" in window.statusBar().currentMessage()
    assert "Play" in window.findChild(QPushButton, "playButton").text()


def test_play_without_two_classes_explains_instead_of_training(window, qtbot):
    window.controller.clear_points()
    assert window.controller.config.data.name == "drawn"
    click(qtbot, window, "playButton")
    assert not window.controller.is_running
    assert "two classes" in window.last_problem
    assert "two classes" in window.statusBar().currentMessage()
    click(qtbot, window, "stepButton")
    qtbot.wait(100)
    assert window.controller.epoch == 0


def test_closing_mid_training_stops_the_worker_within_a_second(window, qtbot):
    thread = window.controller.host.thread
    window.controller.play()
    qtbot.waitUntil(lambda: window.controller.epoch >= 3, timeout=10000)
    t0 = time.perf_counter()
    window.close()
    assert time.perf_counter() - t0 < 1.0
    assert thread.isFinished()


def test_stale_results_of_an_earlier_run_are_dropped(window, qtbot):
    c = window.controller
    old = c.run_id
    c.reset()
    seen = []
    c.epochFinished.connect(seen.append)
    c.run._on_epoch({"run_id": old, "epoch": 99, "train_loss": 1.0})  # what the worker sends
    c.run._on_grid({"run_id": old, "probs": None})
    assert seen == [] and c.epoch == 0
