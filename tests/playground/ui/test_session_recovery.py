"""Sessions in the window: save and open, exports, autosave, and recovery after a crash."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QMessageBox

from engine import load as load_model
from playground.two_d.run_history import HISTORY_COLUMNS
from playground.two_d.session_file import Session, load_session
from playground.ui.main_window import MainWindow


def assert_same_session(a: Session, b: Session) -> None:
    """Config, points and split, weights, epoch and history equal bit for bit."""
    assert a.config == b.config and a.epoch == b.epoch and a.n_classes == b.n_classes
    for name in ("X", "y", "test"):
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype and np.array_equal(x, y), name
    assert a.weights is not None and a.weights.keys() == b.weights.keys()
    for key in a.weights:
        assert a.weights[key].dtype == b.weights[key].dtype
        assert np.array_equal(a.weights[key], b.weights[key]), key
    assert np.array_equal(a.history, b.history, equal_nan=True)
    # and the optimiser's state, so training goes on where it was
    assert a.optimizer is not None and b.optimizer is not None
    assert (a.optimizer["kind"], a.optimizer["t"]) == (b.optimizer["kind"], b.optimizer["t"])
    assert a.optimizer["arrays"].keys() == b.optimizer["arrays"].keys()
    for key, value in a.optimizer["arrays"].items():
        assert np.array_equal(value, b.optimizer["arrays"][key]), key


def draw_and_train(qtbot, window: MainWindow, wait_idle, epochs: int = 3) -> None:
    c = window.controller
    c.clear_points()
    rng = np.random.default_rng(5)
    for label, centre in ((0, (-0.6, 0.2)), (1, (0.6, -0.2)), (2, (0.0, 0.8))):
        pts = rng.normal(centre, 0.15, (12, 2))
        c.add_points(pts[:, 0], pts[:, 1], label)
    assert c.dataset is not None and c.dataset.n_classes == 3
    for _ in range(epochs):
        c.step()
    qtbot.waitUntil(lambda: c.epoch == epochs, timeout=10000)
    wait_idle(window)


def test_crash_then_restore_gives_back_data_and_weights_bit_for_bit(
        qtbot, settings, tmp_path, wait_idle):
    data_dir = tmp_path / "data"
    a = MainWindow(settings, data_dir=data_dir, ask_restore=lambda _p: pytest.fail("asked"))
    a.show()
    qtbot.waitExposed(a)
    draw_and_train(qtbot, a, wait_idle)
    assert a.page.files.autosaver.save_now()
    before = a.controller.sessions.snapshot()
    assert before.epoch == 3 and len(before.history) == 3
    # The "crash": end both worker threads (a test must not leak them) but skip every
    # part of the clean close, so the running marker stays behind.
    threads = [a.controller.host.thread, a.mnist_page.controller.host.thread]
    assert a.mnist_page.shutdown() and a.controller.shutdown()
    assert all(t.isFinished() for t in threads)
    assert (data_dir / "running.lock").exists() and (data_dir / "autosave.nnplay").exists()
    a.hide()
    a.deleteLater()
    del a
    qtbot.wait(10)

    asked: list[str] = []
    b = MainWindow(settings, data_dir=data_dir,
                   ask_restore=lambda path: asked.append(path) or True)
    qtbot.addWidget(b)
    b.show()
    qtbot.waitExposed(b)
    assert asked == [str(data_dir / "autosave.nnplay")]
    after = b.controller.sessions.snapshot()
    assert_same_session(before, after)
    assert "Restored the autosaved session at epoch 3" in b.statusBar().currentMessage()
    # the window shows the restored run: its curves and epoch, and training continues
    qtbot.waitUntil(lambda: b.page.curves.epochs == 3, timeout=3000)
    assert np.array_equal(b.page.curves.column("train_loss"),
                          before.history[:, HISTORY_COLUMNS.index("train_loss")])
    qtbot.waitUntil(lambda: b.page.epoch_label.text() == "Epoch 3", timeout=3000)
    b.controller.step()
    qtbot.waitUntil(lambda: b.controller.epoch == 4, timeout=5000)
    b.close()
    assert not (data_dir / "running.lock").exists()


def test_declining_the_restore_keeps_the_autosave_aside(qtbot, settings, tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "running.lock").write_text("999999999\n")
    (data_dir / "autosave.nnplay").write_bytes(b"old session")
    w = MainWindow(settings, data_dir=data_dir, ask_restore=lambda _p: False)
    qtbot.addWidget(w)
    assert (data_dir / "autosave-previous.nnplay").read_bytes() == b"old session"
    assert "autosave-previous.nnplay" in w.statusBar().currentMessage()
    assert w.controller.config.data.name == "moons"


def test_a_damaged_autosave_is_reported_and_kept(qtbot, settings, tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "running.lock").write_text("999999999\n")
    (data_dir / "autosave.nnplay").write_bytes(b"PK\x03\x04 truncated")
    w = MainWindow(settings, data_dir=data_dir, ask_restore=lambda _p: True)
    qtbot.addWidget(w)
    assert "damaged or truncated" in w.last_problem
    assert (data_dir / "autosave-previous.nnplay").exists()
    assert w.controller.config.data.name == "moons"


def test_clean_close_autosaves_and_removes_the_marker(open_window, settings, qtbot,
                                                     private_data_dir):
    w = open_window(settings)
    assert (private_data_dir / "running.lock").exists()
    w.controller.edit({"optim": {"lr": 0.1}})
    w.close()
    assert not (private_data_dir / "running.lock").exists()
    assert load_session(private_data_dir / "autosave.nnplay").config.optim.lr == 0.1
    # the next start finds no crash: nothing is offered
    w2 = MainWindow(settings, ask_restore=lambda _p: pytest.fail("asked"))
    qtbot.addWidget(w2)


def test_autosave_timer_saves_only_when_something_changed(window, qtbot, private_data_dir):
    saver = window.page.files.autosaver
    path = private_data_dir / "autosave.nnplay"
    saver.save_now()
    stamp = path.stat().st_mtime_ns
    assert not saver.save_if_changed()
    window.controller.edit({"optim": {"lr": 0.3}})
    saver._timer.setInterval(50)
    qtbot.waitUntil(lambda: path.stat().st_mtime_ns != stamp, timeout=3000)
    assert load_session(path).config.optim.lr == 0.3


def test_save_and_open_a_session_through_the_window(window, qtbot, tmp_path, wait_idle):
    draw_and_train(qtbot, window, wait_idle, epochs=2)
    saved = window.controller.sessions.snapshot()
    assert window.page.files.save_session_as(str(tmp_path / "mine"))  # the suffix is added
    assert (tmp_path / "mine.nnplay").exists()
    window.controller.regenerate()
    window.controller.edit({"data": {"name": "circles"}, "model": {"hidden": (4,)}})
    assert window.page.files.open_session(str(tmp_path / "mine.nnplay"))
    assert_same_session(saved, window.controller.sessions.snapshot())
    assert "mine.nnplay" in window.statusBar().currentMessage()


def test_a_session_whose_optimizer_state_is_damaged_opens_and_says_so(
        window, qtbot, tmp_path, wait_idle):
    import zipfile

    draw_and_train(qtbot, window, wait_idle, epochs=2)
    saved = window.controller.sessions.snapshot()
    path = tmp_path / "mine.nnplay"
    assert window.page.files.save_session_as(str(path))
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    members["optimizer.npz"] = b"damaged"
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    window.controller.regenerate()
    assert window.page.files.open_session(str(path))
    restored = window.controller.sessions.snapshot()
    assert np.array_equal(saved.X, restored.X) and restored.epoch == 2
    assert restored.optimizer["t"] == 0  # a fresh optimiser, nothing carried over
    assert "fresh optimiser moments" in window.statusBar().currentMessage()


def test_a_generated_data_set_is_restored_as_itself(window, qtbot, tmp_path, wait_idle):
    c = window.controller
    c.edit({"data": {"name": "spiral", "classes": 3}, "seed": 4})
    c.step()
    qtbot.waitUntil(lambda: c.epoch == 1, timeout=5000)
    wait_idle(window)
    saved = c.sessions.snapshot()
    assert window.page.files.save_session_as(str(tmp_path / "s.nnplay"))
    c.edit({"data": {"name": "moons"}})
    assert window.page.files.open_session(str(tmp_path / "s.nnplay"))
    assert c.config.data.name == "spiral"
    assert_same_session(saved, c.sessions.snapshot())


def test_export_model_and_history(window, qtbot, tmp_path, wait_idle):
    c = window.controller
    for _ in range(2):
        c.step()
    qtbot.waitUntil(lambda: c.epoch == 2, timeout=5000)
    wait_idle(window)
    assert window.page.files.export_model(str(tmp_path / "net"))
    model = load_model(tmp_path / "net.npz")
    weights = c.sessions.snapshot().weights
    for name, p, _ in model.parameters():
        assert np.array_equal(p, weights[f"param/{name}"])
    assert window.page.files.export_history(str(tmp_path / "loss.csv"))
    lines = (tmp_path / "loss.csv").read_text().splitlines()
    assert lines[0].startswith("epoch,train_loss") and len(lines) == 3
    assert lines[2].startswith("2,")
    assert "2 epochs" in window.statusBar().currentMessage()
    assert not window.page.files.export_model(str(tmp_path / "missing" / "net.npz"))
    assert "Cannot write the model" in window.last_problem


def test_export_without_a_model_says_why(window, qtbot):
    window.controller.clear_points()
    assert not window.page.files.export_model("/nonexistent/never-written.npz")
    assert "no model to export" in window.last_problem
    qtbot.waitUntil(lambda: any(b.isVisible() for b in window.findChildren(QMessageBox)))


def test_session_menu_actions_exist_with_their_shortcuts(window):
    from PySide6.QtGui import QAction

    found = {a.objectName(): a for a in window.findChildren(QAction)}
    assert found["openSessionAction"].shortcut().toString() == "Ctrl+Shift+O"
    assert found["saveSessionAction"].shortcut().toString() == "Ctrl+Shift+S"
    assert "exportModelAction" in found and "exportHistoryAction" in found
    file_menu = window.menuBar().actions()[0].menu()
    assert found["openSessionAction"] in file_menu.actions()
    assert found["exportHistoryAction"] in file_menu.actions()
