"""Bad input wherever it can enter: one clear message where the user is looking, and the
config, points and weights left exactly as they were."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QMessageBox, QPushButton

from playground.two_d import points as page_points
from playground.two_d.session_file import FORMAT
from playground.ui.main_window import MainWindow


def shown_boxes(window) -> list[QMessageBox]:
    return [b for b in window.findChildren(QMessageBox) if b.isVisible()]


@pytest.fixture
def unchanged():
    """``check = unchanged(window)`` records the state; ``check()`` asserts it is the same
    (config, points and split, weights, epoch). The window is not training, and a
    snapshot is answered after every command sent before it, so no waiting is needed."""

    def _record(window: MainWindow):
        assert not window.controller.is_running
        before = window.controller.sessions.snapshot()

        def check() -> None:
            after = window.controller.sessions.snapshot()
            assert after.config == before.config
            assert np.array_equal(after.X, before.X) and np.array_equal(after.y, before.y)
            assert np.array_equal(after.test, before.test)
            assert after.epoch == before.epoch
            assert after.weights.keys() == before.weights.keys()
            for key in before.weights:
                assert np.array_equal(after.weights[key], before.weights[key]), key

        return check

    return _record


def status(window) -> str:
    return window.statusBar().currentMessage()


# ---------------------------------------------------------------------- CSV files

CSV_CASES = {
    "wrong header": ("a,b,c\n1,2,0\n", "lacks the columns x1, x2, label"),
    "no header": ("0.1,0.2,0\n0.3,0.4,1\n", "has no header line"),
    "text value": ("x1,x2,label\n0.1,0.2,0\n0.3,abc,1\n", "non-numeric value 'abc'"),
    "nan": ("x1,x2,label\n0.1,nan,0\n", "non-finite value 'nan'"),
    "inf": ("x1,x2,label\ninf,0.2,0\n", "non-finite value 'inf'"),
    "empty": ("", "is empty"),
    "header only": ("x1,x2,label\n", "has a header but no data rows"),
    "binary": ("\x00\x01\x02", "NUL bytes"),
}


@pytest.mark.parametrize("case", sorted(CSV_CASES))
def test_bad_csv_files(window, tmp_path, qtbot, unchanged, case):
    text, expected = CSV_CASES[case]
    path = tmp_path / "bad.csv"
    path.write_text(text)
    check = unchanged(window)
    assert not window.page.files.open_data(str(path))
    qtbot.waitUntil(lambda: len(shown_boxes(window)) == 1)
    assert expected in shown_boxes(window)[0].text() and expected in status(window)
    check()


def test_a_csv_past_the_row_limit_is_refused_quickly(window, tmp_path, qtbot, unchanged,
                                                     monkeypatch):
    # the real limit is 100,000 rows; a file of 10 million stops being read right there
    monkeypatch.setattr(page_points, "MAX_CSV_ROWS", 50)
    path = tmp_path / "big.csv"
    path.write_text("x1,x2,label\n" + "".join(f"{i},{i},{i % 2}\n" for i in range(60)))
    check = unchanged(window)
    assert not window.page.files.open_data(str(path))
    assert "more than 50 data rows" in status(window)
    check()


def test_a_one_class_csv_loads_as_a_drawing_and_says_what_training_needs(
        window, tmp_path, qtbot):
    path = tmp_path / "one.csv"
    path.write_text("x1,x2,label\n0,0,1\n1,1,1\n2,0,1\n")
    assert window.page.files.open_data(str(path))
    assert "Loaded 3 points" in status(window) and "at least two classes" in status(window)
    qtbot.mouseClick(window.findChild(QPushButton, "playButton"), Qt.MouseButton.LeftButton)
    assert not window.controller.is_running and "two classes" in window.last_problem


# ---------------------------------------------------------------------- session files


def _saved(window, tmp_path):
    path = tmp_path / "s.nnplay"
    assert window.page.files.save_session_as(str(path))
    return path


def _truncate(path):
    path.write_bytes(path.read_bytes()[:-40])


def _newer(path):
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    meta = json.loads(members["session.json"])
    meta["format"] = FORMAT + 5
    members["session.json"] = json.dumps(meta).encode()
    with zipfile.ZipFile(path, "w") as zf:
        for n, d in members.items():
            zf.writestr(n, d)


def _without_points(path):
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist() if n != "points.npz"}
    with zipfile.ZipFile(path, "w") as zf:
        for n, d in members.items():
            zf.writestr(n, d)


def _not_a_zip(path):
    path.write_text("x1,x2,label\n0,0,0\n")


SESSION_CASES = {
    "truncated": (_truncate, "damaged or truncated"),
    "newer format": (_newer, f"newer version (format {FORMAT + 5}); this version reads up "
                             f"to {FORMAT}"),
    "missing part": (_without_points, "lacks its points.npz part"),
    "not a zip": (_not_a_zip, "not a zip archive"),
}


@pytest.mark.parametrize("case", sorted(SESSION_CASES))
def test_bad_session_files(window, tmp_path, qtbot, unchanged, case):
    damage, expected = SESSION_CASES[case]
    path = _saved(window, tmp_path)
    damage(path)
    window.controller.edit({"data": {"name": "circles"}})  # differ from the saved session
    check = unchanged(window)
    assert not window.page.files.open_session(str(path))
    qtbot.waitUntil(lambda: len(shown_boxes(window)) == 1)
    assert expected in shown_boxes(window)[0].text() and expected in status(window)
    check()


# ---------------------------------------------------------------------- configs


def type_into(qtbot, widget, text: str) -> None:
    line = widget if isinstance(widget, QLineEdit) else widget.lineEdit()
    line.selectAll()
    qtbot.keyClicks(line, text)
    qtbot.keyClick(line, Qt.Key.Key_Return)


@pytest.mark.parametrize("text, expected", [
    ("0", "1 to 64 neurons, got 0"),
    ("8, -3", "1 to 64 neurons, got -3"),
    ("10000", "1 to 64 neurons, got 10000"),
    ("8, 8, 8, 8, 8, 8, 8, 8, 8", "at most 8 hidden layers"),
    ("eight", "whole numbers"),
])
def test_bad_hidden_layer_sizes_typed(window, qtbot, unchanged, text, expected):
    check = unchanged(window)
    edit = window.findChild(QLineEdit, "hiddenLayersEdit")
    type_into(qtbot, edit, text)
    assert expected in status(window)
    assert edit.text() == "8, 8"
    check()


@pytest.mark.parametrize("text", ["0", "1e9"])
def test_a_learning_rate_out_of_range_typed(window, qtbot, unchanged, text):
    check = unchanged(window)
    spin = window.page.network_panel.lr_spin
    type_into(qtbot, spin, text)
    assert f"The learning rate must be between 0.00001 and 10; {text} was not applied" \
        in status(window)
    assert spin.value() == pytest.approx(0.03)
    check()


def test_too_few_samples_typed(window, qtbot, unchanged):
    check = unchanged(window)
    type_into(qtbot, window.page.data_panel.samples_spin, "5")
    assert "The number of samples must be between 10 and 5,000; 5 was not applied" \
        in status(window)
    check()


@pytest.mark.parametrize("changes, expected", [
    ({"optim": {"lr": 0.0}}, "learning rate must be in (0, 10], got 0.0"),
    ({"optim": {"lr": 1e9}}, "learning rate must be in (0, 10], got 1000000000.0"),
    ({"data": {"samples": 0}}, "samples must be between 2 and 1,000,000, got 0"),
    ({"data": {"samples": -5}}, "samples must be between 2 and 1,000,000, got -5"),
    ({"batch_size": -1}, "batch size must be >= 1"),
    ({"model": {"hidden": (10_000,)}}, "between 1 and 4096, got 10000"),
    ({"model": {"hidden": (0, 8)}}, "between 1 and 4096, got 0"),
])
def test_invalid_configs_from_any_source(window, unchanged, changes, expected):
    check = unchanged(window)
    assert not window.controller.edit(changes)
    assert expected in window.last_problem and expected in status(window)
    check()


def test_a_network_over_the_memory_budget_is_refused_with_the_numbers(window, unchanged):
    check = unchanged(window)
    assert not window.controller.edit({"model": {"hidden": (4096,) * 8}})
    text = window.last_problem
    assert "117,489,666 parameters" in text and "GB of memory" in text
    assert "allowed" in text and text == status(window)
    check()


def test_a_batch_larger_than_the_data_trains_full_batch_and_says_so(window, qtbot,
                                                                    wait_idle):
    spin = window.page.network_panel.batch_spin
    type_into(qtbot, spin, "4096")
    assert window.controller.config.batch_size == 4096
    assert "more than the 210 training points" in status(window)
    window.controller.step()
    qtbot.waitUntil(lambda: window.controller.epoch == 1, timeout=5000)
    wait_idle(window)
    assert window.controller.sessions.snapshot().history[0, 8] == 1  # one step: the full batch


# ---------------------------------------------------------------------- drawing, Play


def test_one_drawn_point_cannot_train(window, qtbot):
    c = window.controller
    c.clear_points()
    c.add_points([0.1], [0.2], 0)
    qtbot.mouseClick(window.findChild(QPushButton, "playButton"), Qt.MouseButton.LeftButton)
    assert not c.is_running
    assert "1 point of one class" in window.last_problem and "two classes" in status(window)
    c.step()
    qtbot.wait(100)
    assert c.epoch == 0 and len(c.drawn) == 1


def test_only_one_class_drawn_cannot_train(window, qtbot):
    c = window.controller
    c.clear_points()
    c.add_points(np.linspace(-1, 1, 6), np.zeros(6), 2)
    qtbot.mouseClick(window.findChild(QPushButton, "stepButton"), Qt.MouseButton.LeftButton)
    assert "6 points of one class" in status(window)
    qtbot.wait(100)
    assert c.epoch == 0 and len(c.drawn) == 6


def test_play_with_no_data_says_so(window, qtbot):
    c = window.controller
    c.clear_points()
    qtbot.mouseClick(window.findChild(QPushButton, "playButton"), Qt.MouseButton.LeftButton)
    assert not c.is_running and "has no points" in status(window)


def test_divergence_stops_at_the_first_nan_and_names_a_learning_rate(window, qtbot):
    c = window.controller
    assert c.edit({"optim": {"name": "sgd", "lr": 10.0},
                   "model": {"loss": "mse", "activation": "relu", "hidden": (64, 64)}})
    c.play()
    qtbot.waitUntil(lambda: "diverged" in window.last_problem, timeout=10000)
    qtbot.waitUntil(lambda: not c.is_running, timeout=3000)
    assert "try a smaller learning rate (e.g. 1 instead of 10)" in status(window)
    history = c.sessions.snapshot().history
    assert np.isfinite(history[:, 1]).all()  # no epoch with a NaN loss was recorded
