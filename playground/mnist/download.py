"""``DownloadJob``: fetch MNIST / Fashion-MNIST on whatever thread runs it (the download
dialog gives it one), reporting progress, success, failure or cancellation by signals."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from engine.datasets import mnist
from engine.errors import DataError
from playground.mnist.sources import download_size


class DownloadJob(QObject):
    """Downloads ``name`` ("mnist" or "fashion-mnist") on whatever thread runs ``run``.

    ``cancel()`` (also ``request_stop()``) is thread-safe; the engine polls it between
    chunks and keeps no partial file. Exactly one of ``succeeded``, ``failed`` or
    ``cancelled`` is emitted, then ``closed`` (a ``WorkerHost`` ends its thread on it).
    """

    progressed = Signal(int, int)    # bytes done, bytes expected
    succeeded = Signal(str)          # the folder holding the files
    failed = Signal(str, bool)       # message, whether the network seems unreachable
    cancelled = Signal()
    closed = Signal()

    def __init__(self, name: str = "mnist", mirrors: list[str] | None = None,
                 cache_dir: str | Path | None = None, timeout: float = 30.0) -> None:
        super().__init__()
        if name not in mnist.FILES:
            raise DataError(f"unknown data set {name!r}; choose one of {', '.join(mnist.FILES)}")
        self.name = name
        self.mirrors = mirrors
        self.cache_dir = cache_dir
        self.timeout = timeout
        self._cancel = False
        self._last = 0.0

    @property
    def expected_bytes(self) -> int:
        return download_size(self.name)

    @property
    def title(self) -> str:
        return {"mnist": "MNIST", "fashion-mnist": "Fashion-MNIST"}[self.name]

    def cancel(self) -> None:
        self._cancel = True

    def request_stop(self) -> None:
        self.cancel()

    @Slot()
    def shutdown(self) -> None:
        """Reached only when ``run`` never ran (the host shut down first)."""
        self.closed.emit()

    def _progress(self, done: int, total: int) -> None:
        now = time.perf_counter()
        if done >= total or now - self._last >= 0.05:
            self._last = now
            self.progressed.emit(int(done), int(total))

    @Slot()
    def run(self) -> None:
        try:
            folder = mnist.download(self.name, cache_dir=self.cache_dir,
                                    progress=self._progress, cancel=lambda: self._cancel,
                                    mirrors=self.mirrors, timeout=self.timeout)
        except mnist.DownloadCancelled:
            self.cancelled.emit()
        except DataError as e:
            self.failed.emit(str(e), "cannot connect" in str(e))
        except Exception as e:  # noqa: BLE001 - reported in the dialog, never raised in Qt
            self.failed.emit(f"{type(e).__name__}: {e}", False)
        else:
            self.succeeded.emit(str(folder))
        self.closed.emit()
