"""Edit and File menus: Undo/Redo of point and settings edits, and Open Recent."""

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


def test_open_recent_lists_files_opened_and_saved_and_survives_a_restart(
        open_window, settings, tmp_path):
    w = open_window(settings)
    data = tmp_path / "points.csv"
    assert w.page.files.save_data(str(data))
    session = tmp_path / "run.nnplay"
    assert w.page.files.save_session_as(str(session))
    menu = w.page.files.recent_menu
    names = [a.text() for a in menu.actions() if a.text()]
    assert names[:2] == ["&1  run.nnplay", "&2  points.csv"] and "Clear the list" in names
    w.close()
    again = open_window(settings)
    files = again.page.files
    assert files.recent == [str(session), str(data)]
    assert files.open_recent(str(data)) and again.controller.config.data.name == "drawn"
    data.unlink()
    assert not files.open_recent(str(data))
    assert "no longer exists" in again.last_problem and files.recent == [str(session)]
