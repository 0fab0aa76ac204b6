"""The 2-D page's undo stack: every edit of the points or the settings can be undone
(Ctrl+Z) and redone (Ctrl+Shift+Z). The controller reports each edit with the state
before and after it; undoing puts the state back through the controller's own paths."""

from __future__ import annotations

import time

from PySide6.QtGui import QAction, QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import QWidget

from playground.two_d.undo import PageState, restore

#: edits of one kind that follow each other this closely (a spray of points while
#: dragging) are one step, unless one of them changed the settings (the first point)
_MERGING = {"Draw points": 1, "Erase points": 2}
MERGE_SECONDS = 0.3


class _Edit(QUndoCommand):
    def __init__(self, controller, before: PageState, after: PageState, text: str) -> None:
        super().__init__(text)
        self._c, self.before, self.after = controller, before, after
        self._done = True  # pushed after the edit happened: the first redo does nothing
        self.at = time.monotonic()

    def id(self) -> int:  # noqa: A003 (Qt's naming)
        return _MERGING.get(self.text(), -1)

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802
        points_only = (self.before.config == self.after.config
                       and other.before.config == other.after.config)
        if other.id() != self.id() or not points_only or not other.before.same(self.after) \
                or other.at - self.at > MERGE_SECONDS:
            return False
        self.after, self.at = other.after, other.at
        return True

    def redo(self) -> None:
        if self._done:
            self._done = False
            return
        restore(self._c, self.after)

    def undo(self) -> None:
        restore(self._c, self.before)


class EditHistory:
    """A ``QUndoStack`` fed by the controller's ``undoableEdit``, with its actions."""

    def __init__(self, controller, parent: QWidget) -> None:
        self.controller = controller
        self.stack = QUndoStack(parent)
        self.stack.setUndoLimit(200)
        controller.undoableEdit.connect(self._push)
        self.undo_action = self.stack.createUndoAction(parent, "Undo")
        self.undo_action.setObjectName("undoAction")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = self.stack.createRedoAction(parent, "Redo")
        self.redo_action.setObjectName("redoAction")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"),
                                       QKeySequence.StandardKey.Redo])
        for a in (self.undo_action, self.redo_action):
            a.setStatusTip(f"{a.text()} the last edit of the points or the settings")

    def actions(self) -> list[QAction]:
        return [self.undo_action, self.redo_action]

    def _push(self, before: PageState, after: PageState, text: str) -> None:
        self.stack.push(_Edit(self.controller, before, after, text))
