"""``FileCommands``: the 2-D page's File menu (data files, sessions, exports, the image)
and its autosave / restore-at-start flow, as an object the page holds.

It reports through signals, so the window (or a test) decides how to show them:
``status(text, timeout_ms)``, ``problem(text)`` and ``error(title, text)``; dialogs are
parented to the page's widget.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QAction, QImage, QKeySequence, QPainter
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QWidget

from playground.two_d.autosave import Autosaver
from playground.two_d.session_file import SUFFIX, SessionError, load_session, save_session
from playground.ui.file_paths import save_path
from playground.ui.page import make_action

SESSION_FILTER = f"Playground sessions (*{SUFFIX})"
#: files kept in File > Open Recent.
MAX_RECENT = 8
#: the strip under an exported image that says what it shows, or the height the block
#: beside it needs under the curves.
CAPTION_HEIGHT = 28
CAPTION_BLOCK = 160


class FileCommands(QObject):
    """Open/save data, sessions, exports and autosave of the 2-D page; ``widget`` parents
    the dialogs, ``plots`` are what an exported image shows, side by side."""

    status = Signal(str, int)    # text, timeout in ms (0 = until replaced)
    problem = Signal(str)        # something the user must read, shown until replaced
    error = Signal(str, str)     # title, one clear sentence (a message box)

    def __init__(self, controller, widget: QWidget, plots: tuple[QWidget, QWidget, QWidget],
                 caption: Callable[[], str]) -> None:
        super().__init__(widget)
        self.controller = controller
        self._widget = widget
        self._plots = plots        # the decision region, the loss and the accuracy plots
        self._caption = caption
        self.autosaver: Autosaver | None = None
        #: sessions and data files opened or saved, newest first (File > Open Recent)
        self.recent: list[str] = []
        self.recent_menu = QMenu("Open Recent")
        self.recent_menu.setObjectName("recentMenu")
        self.recent_menu.menuAction().setObjectName("openRecentAction")
        self._fill_recent()

    def _status(self, text: str, timeout_ms: int = 0) -> None:
        self.status.emit(text, timeout_ms)

    def _error(self, title: str, text: str) -> None:
        self.error.emit(title, text)

    def make_actions(self) -> list[QAction | None]:
        """The File menu's actions of this page (None: a separator)."""
        action = functools.partial(make_action, self._widget)
        return [
            self.recent_menu.menuAction(),
            action("Open session…", "Ctrl+Shift+O", lambda: self.open_session(),
                   "openSessionAction",
                   "Open a saved session: data, network, weights and loss curves"),
            action("Save session as…", "Ctrl+Shift+S", lambda: self.save_session_as(),
                   "saveSessionAction",
                   "Save data, network, weights and loss curves in one file"),
            None,
            action("Open data (CSV)…", QKeySequence.StandardKey.Open,
                   lambda: self.open_data(), "openDataAction",
                   "Load points from a CSV file with columns x1,x2,label"),
            action("Save data as CSV…", QKeySequence.StandardKey.Save,
                   lambda: self.save_data(), "saveDataAction",
                   "Save every point (train and test) as x1,x2,label"),
            None,
            action("Export model (.npz)…", None, lambda: self.export_model(),
                   "exportModelAction",
                   "Save the trained network as .npz (python -m engine evaluate reads it)"),
            action("Export loss history (CSV)…", None, lambda: self.export_history(),
                   "exportHistoryAction", "Save the loss and accuracy of every epoch as CSV"),
            action("Export image (PNG/SVG)…", "Ctrl+E", lambda: self.export_image(),
                   "exportImageAction", "Save the decision plot and curves as a PNG or SVG"),
        ]

    # ------------------------------------------------------------------ recent files

    def set_recent(self, paths: list[str]) -> None:
        self.recent = [p for p in paths if isinstance(p, str) and p][:MAX_RECENT]
        self._fill_recent()

    def remember(self, path: str) -> None:
        """``path`` first in Open Recent (sessions and CSV files alike)."""
        path = os.path.abspath(path)
        self.recent = [path] + [p for p in self.recent if p != path][:MAX_RECENT - 1]
        self._fill_recent()

    def open_recent(self, path: str) -> bool:
        if not os.path.isfile(path):
            self.recent = [p for p in self.recent if p != path]
            self._fill_recent()
            self._error("Cannot open", f"{path} no longer exists; it was taken off the "
                                       f"recent list.")
            return False
        if path.lower().endswith(SUFFIX):
            return self.open_session(path)
        return self.open_data(path)

    def _fill_recent(self) -> None:
        menu = self.recent_menu
        menu.clear()
        for i, path in enumerate(self.recent):
            a = menu.addAction(f"&{i + 1}  {os.path.basename(path)}")
            a.setToolTip(path)
            a.setStatusTip(path)
            a.triggered.connect(lambda _=False, p=path: self.open_recent(p))
        if self.recent:
            menu.addSeparator()
            menu.addAction("Clear the list", lambda: self.set_recent([]))
        menu.menuAction().setEnabled(bool(self.recent))

    # ------------------------------------------------------------------ autosave

    def start_autosave(self, data_dir: str | os.PathLike | None,
                       ask_restore: Callable[[str], bool] | None) -> None:
        """Start autosaving; offer the autosave of a run that did not close cleanly."""
        self.autosaver = Autosaver(self.controller, data_dir, parent=self)
        self.autosaver.failed.connect(lambda text: self._status(text, 10000))
        crashed = self.autosaver.recovery_available()
        note = self.autosaver.start()
        if note:
            self._status(note, 10000)
        if not crashed:
            return
        path = str(self.autosaver.path)
        ask = ask_restore if ask_restore is not None else self._ask_restore
        if ask(path) and self.open_session(path, autosave=True):
            return
        kept = self.autosaver.set_aside()
        if kept is not None:
            self._status(f"The autosaved session was kept as {kept}.", 10000)

    def _ask_restore(self, path: str) -> bool:
        when = datetime.fromtimestamp(os.path.getmtime(path)).strftime("%Y-%m-%d %H:%M")
        answer = QMessageBox.question(
            self._widget, "Restore the last session?",
            f"The playground did not close properly last time. Restore the session "
            f"autosaved at {when} (data, network, weights and curves)?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes)
        return answer == QMessageBox.StandardButton.Yes

    def finish_autosave(self) -> None:
        """Clean close: pause, a last autosave if anything changed, remove the marker."""
        autosaver, self.autosaver = self.autosaver, None
        if autosaver is not None:
            self.controller.pause()
            autosaver.finish()

    # ------------------------------------------------------------------ commands

    def open_session(self, path: str | None = None, autosave: bool = False) -> bool:
        """Replace the playground's state with a saved session; a bad file changes
        nothing and says why."""
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self._widget, "Open session", "",
                                                  f"{SESSION_FILTER};;All files (*)")
            if not path:
                return False
        try:
            session = load_session(path)
            note = self.controller.sessions.restore(session)
        except SessionError as e:
            self._error("Cannot open session", str(e))
            return False
        what = "the autosaved session" if autosave else os.path.basename(path)
        text = f"Restored {what} at epoch {session.epoch}."
        self._status(f"{text} {note}" if note else text, 0 if note else 8000)
        if not autosave:
            self.remember(path)
        return True

    def save_session_as(self, path: str | None = None) -> bool:
        """Write the whole session (data, config, weights, history) to one file."""
        path = save_path(self._widget, path, "Save session", f"session{SUFFIX}",
                         SESSION_FILTER, SUFFIX)
        if path is None:
            return False
        try:
            session = self.controller.sessions.snapshot()
            save_session(path, session)
        except SessionError as e:
            self._error("Cannot save session", str(e))
            return False
        self._status(f"Saved the session (epoch {session.epoch}) to "
                     f"{os.path.basename(path)}.", 8000)
        self.remember(path)
        return True

    def export_model(self, path: str | None = None) -> bool:
        """Write the trained model as ``.npz`` (``python -m engine evaluate`` reads it)."""
        path = save_path(self._widget, path, "Export model", "model.npz", "Models (*.npz)", ".npz")
        if path is None:
            return False
        try:
            self.controller.sessions.export_model(path)
        except SessionError as e:
            self._error("Cannot export model", str(e))
            return False
        self._status(f"Exported the model to {Path(path).name}.", 8000)
        return True

    def export_history(self, path: str | None = None) -> bool:
        """Write the loss history of this run as CSV, one row per epoch."""
        path = save_path(self._widget, path, "Export loss history", "loss-history.csv",
                         "CSV files (*.csv)", ".csv")
        if path is None:
            return False
        try:
            n = self.controller.sessions.export_history(path)
        except SessionError as e:
            self._error("Cannot export loss history", str(e))
            return False
        self._status(f"Exported {n} epochs of loss history to {Path(path).name}.", 8000)
        return True

    # ------------------------------------------------------------------ data and image

    def open_data(self, path: str | None = None) -> bool:
        """Load points from a CSV file into the drawing; a bad file changes nothing."""
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self._widget, "Open data", "",
                                                  "CSV files (*.csv);;All files (*)")
            if not path:
                return False
        try:
            n = self.controller.open_csv(path)
        except ValueError as e:  # DataError: one sentence naming the file and the problem
            self._error("Cannot open data", str(e))
            return False
        text = f"Loaded {n} points from {os.path.basename(path)}."
        if self.controller.dataset is None:  # e.g. one class: say what training needs
            self.problem.emit(f"{text} {self.controller.data_problem}")
        else:
            self._status(text, 5000)
        self.remember(path)
        return True

    def save_data(self, path: str | None = None) -> bool:
        path = save_path(self._widget, path, "Save data as CSV", "points.csv", "CSV files (*.csv)")
        if path is None:
            return False
        try:
            n = self.controller.save_csv(path)
        except ValueError as e:
            self._error("Cannot save data", str(e))
            return False
        self._status(f"Saved {n} points to {os.path.basename(path)}.", 5000)
        self.remember(path)
        return True

    def export_image(self, path: str | None = None) -> bool:
        """The decision region and the loss and accuracy plots side by side with a caption
        (data, network, epoch, accuracies), as PNG or (by extension) SVG."""
        path = save_path(self._widget, path, "Export image", "playground.png",
                         "PNG image (*.png);;SVG image (*.svg)")
        if path is None:
            return False
        region, loss, acc = self._plots
        caption = self._caption()
        right = max(loss.width(), acc.width())
        curves_h = loss.height() + acc.height()
        body = max(region.height(), curves_h)
        # the key and the caption go under the curves when there is room, else in a strip
        beside = body - curves_h >= CAPTION_BLOCK
        w, h = region.width() + right, body + (0 if beside else CAPTION_HEIGHT)
        try:
            if path.lower().endswith(".svg"):
                from PySide6.QtSvg import QSvgGenerator

                target = QSvgGenerator()
                target.setFileName(path)
                target.setSize(QSize(w, h))
                target.setViewBox(QRect(0, 0, w, h))
                target.setTitle("NumPy Neural Playground")
                target.setDescription(caption)
            else:
                target = QImage(w, h, QImage.Format.Format_ARGB32)
            painter = QPainter(target)
            try:
                painter.fillRect(QRect(0, 0, w, h), Qt.GlobalColor.white)
                # the plots alone (no check box, no empty corner), region left, curves right
                for widget, at in ((region, QPoint(0, 0)), (loss, QPoint(region.width(), 0)),
                                   (acc, QPoint(region.width(), loss.height()))):
                    widget.scene().prepareForPaint()
                    # QWidget's render: QGraphicsView overrides it with a scene-only one
                    QWidget.render(widget, painter, at)
                painter.setPen(Qt.GlobalColor.black)
                if beside:
                    key = "━━ train    ╍╍ test\n\n" + caption.replace(" · ", "\n")
                    painter.drawText(QRect(region.width() + 12, curves_h + 8, right - 16,
                                           body - curves_h - 16),
                                     int(Qt.AlignmentFlag.AlignTop), key)
                else:
                    painter.drawText(QRect(8, body, w - 16, CAPTION_HEIGHT),
                                     int(Qt.AlignmentFlag.AlignVCenter),
                                     "━━ train  ╍╍ test   " + caption)
            finally:
                painter.end()
            if isinstance(target, QImage) and not target.save(path):
                raise OSError("the image could not be written")
        except OSError as e:
            self._error("Cannot export image", f"Cannot write {path}: {e}.")
            return False
        if not os.path.exists(path):
            self._error("Cannot export image", f"Cannot write {path}.")
            return False
        self._status(f"Exported {os.path.basename(path)}.", 5000)
        return True
