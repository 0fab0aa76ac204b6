"""The ``Page`` protocol: what a tab gives the main window, so the window stays a shell.

A page is a ``QWidget`` that owns its controller and views. The window shows it in a
tab, puts its actions in the menus (``actions()``: menu title -> actions, None for a
separator), its ``toolbar_widgets()`` in the toolbar while the page is current, relays
its ``statusMessage`` signal to the status bar while it is current, and calls the
settings and shutdown hooks. The window never reaches into a page's widgets.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

from PySide6.QtCore import QObject, QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

#: the menus pages contribute to, in the order the menu bar shows them.
MENU_ORDER = ("&File", "&Edit", "&Run", "&View", "&Help")


@runtime_checkable
class Page(Protocol):
    """A tab of the main window (see the module docstring)."""

    #: the tab's text
    title: str

    def actions(self) -> dict[str, list[QAction | None]]:
        """Menu title -> this page's actions (None: a separator), enabled while shown."""

    def toolbar_widgets(self) -> list[QWidget]:
        """Widgets for the window's toolbar, shown while this page is current."""

    def activated(self, current: bool) -> None:
        """The page became the current tab (True) or stopped being it (False)."""

    def save_settings(self, settings: QSettings) -> None:
        """Write what the page remembers between sessions."""

    def restore_settings(self, settings: QSettings) -> None:
        """Read what ``save_settings`` wrote (missing keys: the defaults)."""

    def shutdown(self) -> None:
        """End the page's threads (the window is closing); safe to call twice."""


def make_action(parent: QObject, text: str, key, slot: Callable, name: str,
                tip: str) -> QAction:
    """A menu action named ``name`` with ``tip`` as tooltip and status tip, and ``key``
    (None for none) as a shortcut of the whole window."""
    a = QAction(text, parent)
    a.setObjectName(name)
    if key is not None:
        a.setShortcut(QKeySequence(key))
        a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    a.setToolTip(tip)
    a.setStatusTip(tip)
    a.triggered.connect(slot)
    return a
