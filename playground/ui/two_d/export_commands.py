"""``ExportCommands``: the 2-D page's File > Export animation… (the training timeline as
an animated GIF, rendered off the GUI thread behind a progress dialog with Cancel) and
File > Export model as ONNX…. Reports through the same signals as ``FileCommands``."""

from __future__ import annotations

import functools
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QProgressDialog, QWidget

from playground.two_d.animation_job import AnimationJob, onnx_export
from playground.two_d.session_file import SessionError
from playground.ui.file_paths import save_path
from playground.ui.page import make_action


class ExportCommands(QObject):
    """Animation and ONNX exports of the 2-D page; ``widget`` parents the dialogs."""

    status = Signal(str, int)    # text, timeout in ms (0 = until replaced)
    error = Signal(str, str)     # title, one clear sentence (a message box)

    def __init__(self, controller, widget: QWidget) -> None:
        super().__init__(widget)
        self.controller = controller
        self._widget = widget
        self.job = AnimationJob(self)
        self.job.progressed.connect(self._progressed)
        self.job.finished.connect(self._finished)
        self.job.cancelled.connect(self._cancelled)
        self.job.failed.connect(self._failed)
        self.progress: QProgressDialog | None = None
        self._path = ""

    def make_actions(self) -> list[QAction]:
        action = functools.partial(make_action, self._widget)
        return [
            action("Export animation (GIF)…", None, lambda: self.export_animation(),
                   "exportAnimationAction",
                   "Save the decision region and loss curves over the training timeline "
                   "as an animated GIF"),
            action("Export model as ONNX…", None, lambda: self.export_onnx(),
                   "exportOnnxAction",
                   "Save the trained network as an ONNX model (probabilities out) for "
                   "onnxruntime and other frameworks"),
        ]

    # ------------------------------------------------------------------ animation

    def export_animation(self, path: str | None = None, frames: int | None = None) -> bool:
        """Start rendering the timeline to ``path`` (asked for when None); the progress
        dialog shows until it is written or cancelled. False when it did not start."""
        if self.job.running:
            self.error.emit("Cannot export animation", "An animation is being exported "
                            "already; wait for it or cancel it.")
            return False
        path = save_path(self._widget, path, "Export animation", "training.gif",
                         "GIF animation (*.gif)", ".gif")
        if path is None:
            return False
        try:
            session = self.controller.sessions.snapshot()
        except SessionError as e:
            self.error.emit("Cannot export animation", str(e))
            return False
        self._path = path
        if not self.job.start(session, path, frames):
            return False
        dialog = self.progress = QProgressDialog("Rendering the animation…", "Cancel", 0, 0,
                                                 self._widget)
        dialog.setObjectName("animationProgress")
        dialog.setWindowTitle("Export animation")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setMinimumWidth(360)
        dialog.canceled.connect(self.cancel_animation)
        dialog.show()
        return True

    def cancel_animation(self) -> None:
        """Stop the export after its current frame; no file is left."""
        if self.job.running:
            self.job.cancel()
            if self.progress is not None:
                self.progress.setLabelText("Cancelling…")

    def _progressed(self, done: int, total: int) -> None:
        dialog = self.progress
        if dialog is None:
            return
        dialog.setMaximum(total + 1)   # the last step writes the file
        dialog.setValue(done)
        text = f"Rendering frame {done} of {total}…" if done < total else \
            f"Writing {Path(self._path).name}…"
        if not dialog.wasCanceled():
            dialog.setLabelText(text)

    def _close_progress(self) -> None:
        dialog, self.progress = self.progress, None
        if dialog is not None:
            dialog.canceled.disconnect(self.cancel_animation)
            dialog.close()
            dialog.deleteLater()

    def _finished(self, result) -> None:
        self._close_progress()
        self.status.emit(f"Exported {result.describe()} to {Path(self._path).name} in "
                         f"{result.seconds:.1f} s.", 8000)

    def _cancelled(self) -> None:
        self._close_progress()
        self.status.emit("The animation export was cancelled; nothing was written.", 5000)

    def _failed(self, text: str) -> None:
        self._close_progress()
        self.error.emit("Cannot export animation", text)

    def shutdown(self) -> None:
        """Cancel a running export and join its thread (the page is closing)."""
        self._close_progress()
        self.job.shutdown()

    # ------------------------------------------------------------------ ONNX

    def export_onnx(self, path: str | None = None) -> bool:
        """Write the current model as ONNX (``python -m engine export`` does the same
        from a saved model)."""
        path = save_path(self._widget, path, "Export model as ONNX", "model.onnx",
                         "ONNX models (*.onnx)", ".onnx")
        if path is None:
            return False
        try:
            onnx_export(self.controller.sessions.snapshot(), path)
        except SessionError as e:
            self.error.emit("Cannot export model as ONNX", str(e))
            return False
        self.status.emit(f"Exported the model to {Path(path).name} (ONNX).", 8000)
        return True
