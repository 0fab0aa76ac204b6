"""Undo/Redo (Ctrl+Z / Ctrl+Shift+Z) of point edits and settings edits."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QAction, QKeySequence


def action(window, name: str) -> QAction:
    return window.findChild(QAction, name)


def test_undo_and_redo_a_drawn_point_clear_and_a_settings_edit(window):
    c = window.controller
    undo, redo = action(window, "undoAction"), action(window, "redoAction")
    assert undo.shortcut() == QKeySequence(QKeySequence.StandardKey.Undo)
    assert QKeySequence("Ctrl+Shift+Z") in redo.shortcuts()
    assert not undo.isEnabled()
    moons = c.config
    c.add_points([0.5], [2.0], 1)                     # the first point: a drawing now
    drawn_X = c.drawn.X.copy()
    assert c.config.data.name == "drawn" and len(drawn_X) == 301
    undo.trigger()
    assert c.config == moons and c.dataset.name != "drawn"
    redo.trigger()
    assert c.config.data.name == "drawn" and np.array_equal(c.drawn.X, drawn_X)
    c.clear_points()
    assert len(c.drawn) == 0 and c.dataset is None
    undo.trigger()
    assert np.array_equal(c.drawn.X, drawn_X) and c.dataset is not None
    assert c.edit({"model": {"hidden": (3,)}})
    undo.trigger()
    assert c.config.model.hidden == moons.model.hidden
    assert "Edit settings" in redo.text()


def test_a_spray_of_points_is_one_step(window):
    c = window.controller
    c.add_points([0.0], [2.0], 0)
    n0 = len(c.drawn)
    for i in range(5):                                 # what dragging sends
        c.add_points([0.1 * i], [2.1], 0)
    assert len(c.drawn) == n0 + 5
    stack = window.page.edits.stack
    assert stack.count() == 2                          # the first point, then the spray
    stack.undo()
    assert len(c.drawn) == n0
    stack.undo()
    assert c.config.data.name == "moons"
