"""``AnimationJob``: File > Export animation… of the 2-D page, rendered on a thread of its
own (``playground.runtime.start_job``) from a copy of the session, with progress and a
Cancel that leaves no file. ``onnx_export`` writes the page's model as ONNX."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Signal

from engine.errors import EngineError
from playground.runtime import WorkerHost, start_job
from playground.two_d.animation import (
    DEFAULT_FPS,
    DEFAULT_SIZE,
    AnimationCancelled,
    save_animation,
)
from playground.two_d.session_file import Session, SessionError, check_weights


class AnimationJob(QObject):
    """One animation export at a time. ``progressed(done, total)`` after each frame (from
    the rendering thread, delivered queued), then ``finished(RenderResult)``,
    ``cancelled()`` (nothing written) or ``failed(sentence)``."""

    progressed = Signal(int, int)
    finished = Signal(object)
    cancelled = Signal()
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._host: WorkerHost | None = None
        self._cancel = threading.Event()
        self._busy = False   # started and not yet answered (the thread may still be ending)

    @property
    def running(self) -> bool:
        """An export is under way (its answer has not come back yet)."""
        return self._busy

    def start(self, session: Session, path: str, frames: int | None = None,
              fps: float = DEFAULT_FPS, size: tuple[int, int] = DEFAULT_SIZE) -> bool:
        """Render ``session``'s timeline to ``path``; False (with ``failed``) when there is
        no timeline or an export is already running."""
        if self.running:
            self.failed.emit("An animation is being exported already; wait for it or "
                             "cancel it.")
            return False
        if not session.snapshots:
            self.failed.emit("There is no training timeline to animate yet: train the "
                             "network for a few epochs first.")
            return False
        cancel = self._cancel = threading.Event()
        report = self.progressed.emit   # thread-safe: the signal is queued to this object

        def progress(done: int, total: int) -> bool:
            report(done, total)
            return not cancel.is_set()

        def work():
            try:
                return save_animation(session, path, frames, fps, size, progress)
            except AnimationCancelled:
                return None

        if self._host is not None:
            self._host.shutdown(0)
        self._busy = True
        self._host = start_job(work, "animationThread", self, self._done, self._failed)
        return True

    def cancel(self) -> None:
        """Stop the running export after its current frame (nothing is written)."""
        self._cancel.set()

    def _done(self, result) -> None:
        self._busy = False
        if result is None:
            self.cancelled.emit()
        else:
            self.finished.emit(result)

    def _failed(self, text: str) -> None:
        self._busy = False
        self.failed.emit(text)

    def shutdown(self, timeout_ms: int = 2000) -> bool:
        """Cancel a running export, cut off its replies and join its thread."""
        self._cancel.set()
        self._busy = False
        return self._host.shutdown(timeout_ms) if self._host is not None else True


def onnx_export(session: Session, path: str) -> None:
    """Write ``session``'s model to ``path`` as ONNX (``engine.export.save_onnx``, written
    atomically); ``SessionError`` with one sentence when there is no model, onnx is not
    installed or a layer has no ONNX form."""
    if session.weights is None:
        raise SessionError("There is no model to export yet: the data needs points of two "
                           "classes first.")
    from engine.export import save_onnx

    try:
        save_onnx(check_weights(session), path)
    except EngineError as e:
        text = str(e)
        raise SessionError(text[:1].upper() + text[1:]) from None
    except OSError as e:
        raise SessionError(f"Cannot write the model to {path!r}: {e.strerror or e}.") \
            from None
