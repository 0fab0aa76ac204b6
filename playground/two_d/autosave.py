"""Autosave: the session written to the user data folder on a timer and at a clean close,
and a marker file that tells the next start whether this one ended cleanly.

At start the window asks ``recovery_available()`` (the marker of a run that never
closed, plus its autosave) before ``start()`` writes this run's own marker. A clean close
calls ``finish()``: a last save if anything changed, then the marker goes. A crash
leaves the marker behind, so the next start offers the autosave back.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from engine.errors import read_regular
from playground.two_d.session_file import SessionError, save_session

AUTOSAVE_NAME = "autosave.nnplay"
PREVIOUS_NAME = "autosave-previous.nnplay"
LOCK_NAME = "running.lock"
INTERVAL_MS = 60_000
#: how long an autosave waits for the training thread before skipping this round.
SNAPSHOT_TIMEOUT = 0.5
#: overrides the data folder (e.g. for a portable install or a test run).
DATA_DIR_ENV = "NN_PLAYGROUND_DATA_DIR"


def default_data_dir() -> Path:
    """``$NN_PLAYGROUND_DATA_DIR`` if set, else the user data folder of the app."""
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env)
    from platformdirs import user_data_dir

    return Path(user_data_dir("nn-playground", appauthor=False))


def _alive(pid: int) -> bool:
    """Whether process ``pid`` exists (POSIX; elsewhere assumed gone)."""
    if os.name != "posix" or pid <= 0:
        return False
    try:
        os.kill(pid, 0)  # signal 0: existence check only, nothing is sent
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def lock_pid(lock_path: Path) -> int:
    """The process id in the marker ``lock_path`` (0: none, or not a marker)."""
    try:
        # a marker is a few bytes; a pipe or a device there must not hang start-up
        return int(read_regular(lock_path, 4096).decode("ascii").split()[0])
    except (OSError, ValueError, IndexError):
        return 0


def other_instance(data_dir: str | os.PathLike) -> bool:
    """Whether another running playground holds ``data_dir`` (its marker names a live
    process that is not this one): then only that one autosaves there."""
    pid = lock_pid(Path(data_dir) / LOCK_NAME)
    return pid != os.getpid() and _alive(pid)


class Autosaver(QObject):
    """Saves ``controller.sessions.snapshot()`` to ``data_dir/autosave.nnplay`` every
    ``interval_ms`` when ``controller.revision`` moved; see the module docstring."""

    saved = Signal(str)    # the file written
    failed = Signal(str)   # one sentence: why the autosave could not be written

    def __init__(self, controller, data_dir: str | os.PathLike | None = None,
                 interval_ms: int = INTERVAL_MS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
        self.path = self.data_dir / AUTOSAVE_NAME
        self.previous_path = self.data_dir / PREVIOUS_NAME
        self.lock_path = self.data_dir / LOCK_NAME
        self.enabled = False
        self._saved_revision = -1
        self._timer = QTimer(self)
        self._timer.setInterval(int(interval_ms))
        self._timer.timeout.connect(self.save_if_changed)

    def _lock_pid(self) -> int:
        return lock_pid(self.lock_path)

    def _other_instance(self) -> bool:
        return other_instance(self.data_dir)

    def recovery_available(self) -> bool:
        """True when an earlier run did not close cleanly and left an autosave (ask
        before ``start``, which writes this run's marker)."""
        return self.lock_path.exists() and self.path.is_file() and not self._other_instance()

    def start(self) -> str:
        """Write this run's marker and start the timer; a note for the user when
        autosave stays off ("" when it runs)."""
        if self.lock_path.exists() and self._other_instance():
            return ("Another playground window is running; this one does not autosave "
                    "(use File > Save session as…).")
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            self.lock_path.write_text(f"{os.getpid()}\n")
        except OSError as e:
            return f"Autosave is off: cannot write to {self.data_dir} ({e.strerror or e})."
        self.enabled = True
        self._saved_revision = self.controller.revision
        self._timer.start()
        return ""

    def save_now(self) -> bool:
        """Write the autosave now; False (with ``failed`` when it was a real failure)
        if it could not be written."""
        if not self.enabled:
            return False
        revision = self.controller.revision
        try:
            session = self.controller.sessions.snapshot(timeout=SNAPSHOT_TIMEOUT)
        except SessionError:
            return False  # the worker is busy or gone: the next round tries again
        try:
            save_session(self.path, session)
        except SessionError as e:
            self.failed.emit(f"Autosave failed: {e}")
            return False
        self._saved_revision = revision
        self.saved.emit(str(self.path))
        return True

    def save_if_changed(self) -> bool:
        """``save_now`` if anything changed since the last autosave."""
        if not self.enabled or self.controller.revision == self._saved_revision:
            return False
        return self.save_now()

    def finish(self) -> None:
        """Clean close: a last autosave if anything changed, then remove the marker."""
        self._timer.stop()
        if not self.enabled:
            return
        self.save_if_changed()
        self.enabled = False
        if self._lock_pid() in (os.getpid(), 0):
            self.lock_path.unlink(missing_ok=True)

    def set_aside(self) -> Path | None:
        """Keep the current autosave as ``autosave-previous.nnplay`` (the user chose not
        to restore it, so the next autosave does not overwrite it); its new path."""
        try:
            os.replace(self.path, self.previous_path)
        except OSError:
            return None
        return self.previous_path
