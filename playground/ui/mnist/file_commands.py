"""``MnistFileCommands``: the MNIST page's File menu (sessions, ONNX export), as an object
the page holds. It reports through signals, so the window (or a test) decides how to
show them: ``status(text)`` and ``error(title, text)``; dialogs are parented to the page.
"""

from __future__ import annotations

import functools
import os

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QWidget

from playground.mnist.session_file import load_session, save_session
from playground.session_archive import SUFFIX, SessionError
from playground.ui.file_paths import save_path
from playground.ui.page import make_action

SESSION_FILTER = f"Playground sessions (*{SUFFIX})"


class MnistFileCommands(QObject):
    """Save/Open session and Export ONNX of the MNIST page's ``controller``."""

    status = Signal(str)
    error = Signal(str, str)     # title, one clear sentence (a message box)

    def __init__(self, controller, widget: QWidget) -> None:
        super().__init__(widget)
        self.controller = controller
        self._widget = widget

    def make_actions(self) -> list[QAction | None]:
        """The File menu's actions of the MNIST page (None: a separator)."""
        action = functools.partial(make_action, self._widget)
        return [
            action("Open session…", "Ctrl+Shift+O", lambda: self.open_session(),
                   "mnistOpenSessionAction",
                   "Open a saved MNIST session: its data, network, optimiser state and "
                   "curves; Train goes on from there"),
            action("Save session as…", "Ctrl+Shift+S", lambda: self.save_session_as(),
                   "mnistSaveSessionAction",
                   "Save the data source (a reference, not the images), the network, its "
                   "optimiser state, starting filters and curves in one file"),
            None,
            action("Export model as ONNX…", None, lambda: self.export_onnx(),
                   "mnistExportOnnxAction",
                   "Write the network as an ONNX file (input: images N×1×H×W; output: "
                   "class probabilities) for onnxruntime and other frameworks"),
        ]

    def save_session_as(self, path: str | None = None) -> bool:
        """Write the page's run to one ``.nnplay`` file; False (and ``error``) if not."""
        path = save_path(self._widget, path, "Save session", f"mnist-session{SUFFIX}",
                         SESSION_FILTER, SUFFIX)
        if path is None:
            return False
        try:
            session = self.controller.session_snapshot()
            save_session(path, session)
        except SessionError as e:
            self.error.emit("Cannot save session", str(e))
            return False
        self.status.emit(f"Saved the session (epoch {session.epoch}) to "
                         f"{os.path.basename(path)}.")
        return True

    def open_session(self, path: str | None = None) -> bool:
        """Read a saved MNIST session and hand it to the controller (which loads its data
        and then its network); a bad file changes nothing and says why."""
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self._widget, "Open session", "",
                                                  f"{SESSION_FILTER};;All files (*)")
            if not path:
                return False
        try:
            session = load_session(path)
            self.controller.restore_session(session)
        except SessionError as e:
            self.error.emit("Cannot open session", str(e))
            return False
        return True

    def export_onnx(self, path: str | None = None) -> bool:
        """Write the network as ONNX; False (and ``error``) when it cannot be."""
        path = save_path(self._widget, path, "Export model as ONNX", "mnist-model.onnx",
                         "ONNX models (*.onnx)", ".onnx")
        if path is None:
            return False
        try:
            self.controller.export_onnx(path)
        except (ValueError, OSError) as e:  # EngineError/SessionError are ValueErrors
            text = getattr(e, "strerror", None) or str(e)
            self.error.emit("Cannot export the model", text)
            return False
        self.status.emit(f"Exported the model to {os.path.basename(path)}.")
        return True
