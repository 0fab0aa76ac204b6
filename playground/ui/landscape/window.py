"""``LandscapeLauncher``: a page's "Loss landscape…" action and the non-modal window it
opens, holding a ``LandscapePanel`` over the page's source."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QVBoxLayout, QWidget

from playground.ui.landscape.panel import LandscapePanel
from playground.ui.page import make_action


class LandscapeLauncher(QObject):
    """Owns ``action`` (named ``action_name``) and, once it is first triggered, the window
    (a ``QDialog`` named ``window_name``, parented to ``page``'s window, not modal) with
    its ``panel``. Closing the window cancels a landscape in progress."""

    def __init__(self, page: QWidget, source: Callable[[], object], *,
                 action_name: str = "landscapeAction",
                 window_name: str = "landscapeWindow",
                 title: str = "Loss landscape") -> None:
        super().__init__(page)
        self._page = page
        self._source = source
        self._window_name = window_name
        self._title = title
        self.window: QDialog | None = None
        self.panel: LandscapePanel | None = None
        self.action: QAction = make_action(
            page, "Loss &landscape…", None, self.open, action_name,
            "The loss around the network's current weights on a plane of two directions, "
            "with the training's path")

    def open(self) -> QDialog:
        """Show the window (made on first use) and bring it to the front."""
        if self.window is None:
            self.window = QDialog(self._page.window())
            self.window.setObjectName(self._window_name)
            self.window.setWindowTitle(self._title)
            self.window.setModal(False)
            self.panel = LandscapePanel(self._source, self.window)
            layout = QVBoxLayout(self.window)
            layout.setContentsMargins(0, 0, 0, 0)
            layout.addWidget(self.panel)
            self.window.finished.connect(lambda _result: self.panel.cancel())
            self.window.resize(760, 640)
        if self.window.isVisible():  # already open: to the front
            self.window.raise_()
            self.window.activateWindow()
        else:
            self.window.show()
        return self.window

    def shutdown(self) -> None:
        """End the panel's worker thread (the page is closing); safe to call twice."""
        if self.panel is not None:
            self.panel.shutdown()
