"""Space, S and R work wherever the focus is, except while typing hidden-layer sizes."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QLineEdit


def focus(qtbot, window, widget) -> None:
    window.activateWindow()
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus, timeout=2000)


def test_space_toggles_play_even_from_a_spin_box(window, qtbot):
    spin = window.findChild(QDoubleSpinBox, "learningRateSpin")
    focus(qtbot, window, spin)
    before = spin.value()
    qtbot.keyClick(spin, Qt.Key.Key_Space)
    assert window.controller.is_running
    assert spin.value() == before
    qtbot.keyClick(spin, Qt.Key.Key_Space)
    assert not window.controller.is_running


def test_s_steps_and_r_resets_from_a_combo_box(window, qtbot):
    combo = window.findChild(QComboBox, "activationCombo")
    focus(qtbot, window, combo)
    qtbot.keyClick(combo, Qt.Key.Key_S)
    qtbot.waitUntil(lambda: window.controller.epoch == 1, timeout=5000)
    assert combo.currentText() == "tanh"
    run = window.controller.run_id
    qtbot.keyClick(combo, Qt.Key.Key_R)
    assert window.controller.run_id == run + 1


def test_typing_in_the_hidden_layers_field_is_not_a_shortcut(window, qtbot):
    edit = window.findChild(QLineEdit, "hiddenLayersEdit")
    focus(qtbot, window, edit)
    edit.end(False)
    qtbot.keyClicks(edit, ", 4")
    assert edit.text() == "8, 8, 4"
    assert not window.controller.is_running
