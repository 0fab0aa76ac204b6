"""The MNIST page's autosave: its trained network is written to the user data folder
once a minute when it changed and when the page closes, and put back when the page
opens again, so nothing is lost on close (or in a crash, beyond the last minute).

Only a network that learned is kept: with none, or after New network, the autosave is
removed at close so an old network does not come back. A file that cannot be read at
the start is set aside (``mnist-autosave-previous.nnplay``) and the page starts afresh.

While another playground window holds the data folder (the 2-D page's marker,
``running.lock``, names a live process), this page neither restores, writes nor removes
the autosave there: that window's network is not this one's to overwrite or delete.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from playground.mnist.session_file import MnistSession, load_session, save_session
from playground.session_archive import SessionError
from playground.two_d.autosave import other_instance

AUTOSAVE_NAME = "mnist-autosave.nnplay"
PREVIOUS_NAME = "mnist-autosave-previous.nnplay"
INTERVAL_MS = 60_000
#: how long an autosave waits for the training thread before skipping this round.
SNAPSHOT_TIMEOUT = 0.5


class MnistAutosaver(QObject):
    """Autosaves ``controller`` (an ``MnistController``) to ``data_dir``; see the module
    docstring. ``failed`` carries one sentence when a save could not be written."""

    saved = Signal(str)
    failed = Signal(str)

    def __init__(self, controller, data_dir: str | os.PathLike,
                 interval_ms: int = INTERVAL_MS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.data_dir = Path(data_dir)
        self.path = self.data_dir / AUTOSAVE_NAME
        self.previous_path = self.data_dir / PREVIOUS_NAME
        self._saved_revision = controller.revision
        self._timer = QTimer(self)
        self._timer.setInterval(int(interval_ms))
        self._timer.timeout.connect(self.save_if_changed)
        self._timer.start()

    @property
    def shared(self) -> bool:
        """Whether another running playground owns the data folder (see the module)."""
        return other_instance(self.data_dir)

    def take(self) -> tuple[MnistSession | None, str]:
        """The session autosaved last time (None if none) and a note: why a file there
        could not be used, or why none was looked at ("" if it could, or there was none)."""
        if self.shared:
            return None, ("Another playground window is running; this MNIST page does not "
                          "autosave (use File > Save session as…).")
        if not self.path.is_file():
            return None, ""
        try:
            return load_session(self.path), ""
        except SessionError as e:
            try:
                os.replace(self.path, self.previous_path)
            except OSError:
                pass
            return None, f"The autosaved MNIST network could not be restored: {e}"

    def save_if_changed(self) -> bool:
        """Write the autosave if the network learned something since the last one."""
        c = self.controller
        if c.revision == self._saved_revision or not c.has_trained_network or self.shared:
            return False
        revision = c.revision
        try:
            session = c.session_snapshot(timeout=SNAPSHOT_TIMEOUT)
            if session.weights is None:
                return False
            self.path.parent.mkdir(parents=True, exist_ok=True)
            save_session(self.path, session)
        except (SessionError, OSError) as e:
            self.failed.emit(f"Autosave failed: {e}")
            return False
        self._saved_revision = revision
        self.saved.emit(str(self.path))
        return True

    def finish(self) -> None:
        """The page closes: a last autosave of a trained network, or no autosave at all
        when the page holds none (New network was the last word)."""
        self._timer.stop()
        if self.controller.closed or self.shared:
            return
        if self.controller.has_trained_network:
            self.save_if_changed()
        else:
            self.path.unlink(missing_ok=True)
