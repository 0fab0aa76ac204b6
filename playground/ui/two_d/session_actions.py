"""File-menu commands for sessions and exports, and the autosave / restore-at-start
flow of ``MainWindow`` (a mixin, so the window file keeps to its layout and menus)."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox

from playground.two_d.autosave import Autosaver
from playground.two_d.session_file import SUFFIX, SessionError, load_session, save_session

SESSION_FILTER = f"Playground sessions (*{SUFFIX})"


def _with_suffix(path: str, suffix: str) -> str:
    return path if path.lower().endswith(suffix) else path + suffix


class SessionActions:
    """Open/Save session, export model and history, autosave. The window provides
    ``controller``, ``_status``, ``_error`` and ``addAction``-style menus."""

    # ------------------------------------------------------------------ autosave

    def _start_autosave(self, data_dir: str | os.PathLike | None,
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
            self, "Restore the last session?",
            f"The playground did not close properly last time. Restore the session "
            f"autosaved at {when} (data, network, weights and curves)?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes)
        return answer == QMessageBox.StandardButton.Yes

    def _finish_autosave(self) -> None:
        """Clean close: pause, a last autosave if anything changed, remove the marker."""
        autosaver = getattr(self, "autosaver", None)
        if autosaver is not None:
            self.controller.pause()
            autosaver.finish()

    # ------------------------------------------------------------------ commands

    def open_session(self, path: str | None = None, autosave: bool = False) -> bool:
        """Replace the playground's state with a saved session; a bad file changes
        nothing and says why."""
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, "Open session", "",
                                                  f"{SESSION_FILTER};;All files (*)")
            if not path:
                return False
        try:
            session = load_session(path)
            note = self.controller.restore(session)
        except SessionError as e:
            self._error("Cannot open session", str(e))
            return False
        what = "the autosaved session" if autosave else os.path.basename(path)
        text = f"Restored {what} at epoch {session.epoch}."
        self._status(f"{text} {note}" if note else text, 0 if note else 8000)
        return True

    def save_session_as(self, path: str | None = None) -> bool:
        """Write the whole session (data, config, weights, history) to one file."""
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "Save session", f"session{SUFFIX}",
                                                  SESSION_FILTER)
            if not path:
                return False
        path = _with_suffix(path, SUFFIX)
        try:
            session = self.controller.snapshot()
            save_session(path, session)
        except SessionError as e:
            self._error("Cannot save session", str(e))
            return False
        self._status(f"Saved the session (epoch {session.epoch}) to "
                     f"{os.path.basename(path)}.", 8000)
        return True

    def export_model(self, path: str | None = None) -> bool:
        """Write the trained model as ``.npz`` (``python -m engine evaluate`` reads it)."""
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "Export model", "model.npz",
                                                  "Models (*.npz)")
            if not path:
                return False
        path = _with_suffix(path, ".npz")
        try:
            self.controller.export_model(path)
        except SessionError as e:
            self._error("Cannot export model", str(e))
            return False
        self._status(f"Exported the model to {Path(path).name}.", 8000)
        return True

    def export_history(self, path: str | None = None) -> bool:
        """Write the loss history of this run as CSV, one row per epoch."""
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "Export loss history",
                                                  "loss-history.csv", "CSV files (*.csv)")
            if not path:
                return False
        path = _with_suffix(path, ".csv")
        try:
            n = self.controller.export_history(path)
        except SessionError as e:
            self._error("Cannot export loss history", str(e))
            return False
        self._status(f"Exported {n} epochs of loss history to {Path(path).name}.", 8000)
        return True
