"""``DownloadDialog``: fetch a data set with a progress bar, its size and Cancel.

The dialog runs a download job on its own ``QThread`` and only listens to its signals, so
the window stays responsive. The job (``playground.mnist.download.DownloadJob``) is any
``QObject`` with a ``run()`` slot, a thread-safe ``cancel()``, ``title`` and
``expected_bytes``, and the signals ``progressed(int, int)``, ``succeeded(str)``,
``failed(str, bool offline)``, ``cancelled()`` and ``closed()``, run on a
``playground.runtime.WorkerHost``.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from playground.formatting import format_bytes
from playground.runtime import WorkerHost

OFFLINE_TEXT = ("<b>No connection to the download servers.</b> This computer seems to be "
                "offline. Connect to the internet and press Retry, or download the four "
                "files elsewhere and load them with <i>Open files…</i>.")


class DownloadDialog(QDialog):
    """Shows a download job's progress; ``downloaded(folder)`` when it succeeds.

    Cancel asks the job to stop (it stops within one chunk and keeps no partial file) and
    closes the dialog once it has. After a failure the dialog stays open with the reason
    and offers Retry. ``result()`` is ``Accepted`` only after a successful download.
    """

    downloaded = Signal(str)

    def __init__(self, job: QObject, parent: QWidget | None = None,
                 job_factory=None) -> None:
        super().__init__(parent)
        self.setObjectName("downloadDialog")
        self.setWindowTitle(f"Download {job.title}")
        self.setModal(True)
        self.setMinimumWidth(460)
        self._job_factory = job_factory
        self._job: QObject | None = None
        self.host: WorkerHost | None = None
        self._state = "idle"   # idle | running | cancelling | failed | done
        self.folder = ""

        self._heading = (f"Downloading <b>{job.title}</b> "
                         f"({format_bytes(job.expected_bytes)}) into the cache; this "
                         "happens once.")
        self._name = job.title
        self.title_label = QLabel(self._heading)
        self.title_label.setObjectName("downloadHeading")
        self.title_label.setWordWrap(True)
        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("downloadProgress")
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setValue(0)
        self.size_label = QLabel(f"0 B of {format_bytes(job.expected_bytes)}")
        self.size_label.setObjectName("downloadSizeLabel")
        self.message_label = QLabel("")
        self.message_label.setObjectName("downloadMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label.hide()
        self.retry_button = QPushButton("Retry")
        self.retry_button.setObjectName("downloadRetryButton")
        self.retry_button.hide()
        self.retry_button.clicked.connect(self._retry)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("downloadCancelButton")
        self.cancel_button.clicked.connect(self.cancel)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.retry_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title_label)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.size_label)
        layout.addWidget(self.message_label)
        layout.addLayout(buttons)
        self._expected = int(job.expected_bytes)
        self._start(job)

    # ------------------------------------------------------------------ state

    @property
    def state(self) -> str:
        return self._state

    @property
    def job(self) -> QObject | None:
        return self._job

    def _start(self, job: QObject) -> None:
        self._job = job
        self.host = WorkerHost(job, "downloadThread", self)
        self.host.listen([
            (job.progressed, self._on_progress), (job.succeeded, self._on_succeeded),
            (job.failed, self._on_failed), (job.cancelled, self._on_cancelled)])
        # started is emitted in the new thread, so run() executes there.
        self.host.thread.started.connect(job.run)
        self._state = "running"
        self.host.start()

    def _release_thread(self) -> None:
        """Join the finished thread (its job has sent its last signal)."""
        if self.host is not None:
            self.host.thread.wait(5000)
            self.host = None
            self._job = None

    # ------------------------------------------------------------------ job replies

    def _on_progress(self, done: int, total: int) -> None:
        total = max(total, 1)
        self._expected = total
        self.progress_bar.setValue(int(1000 * min(done, total) / total))
        self.size_label.setText(f"{format_bytes(done)} of {format_bytes(total)}")

    def _on_succeeded(self, folder: str) -> None:
        self._release_thread()
        self._state = "done"
        self.folder = folder
        self.progress_bar.setValue(1000)
        self.size_label.setText(f"{format_bytes(self._expected)} of "
                                f"{format_bytes(self._expected)}")
        self.downloaded.emit(folder)
        self.accept()

    def _on_failed(self, message: str, offline: bool) -> None:
        self._release_thread()
        self._state = "failed"
        detail = message.replace("&", "&amp;").replace("<", "&lt;")
        heading = "No connection" if offline else "Download failed"
        self.title_label.setText(f"<b>{heading}</b>: {self._name} was not downloaded.")
        self.setWindowTitle(f"{heading} · {self._name}")
        text = OFFLINE_TEXT if offline else "<b>The download failed.</b>"
        self.message_label.setText(f"{text}<br><small>{detail}</small>")
        self.message_label.show()
        self.retry_button.setVisible(self._job_factory is not None)
        self.cancel_button.setText("Close")
        self.cancel_button.setEnabled(True)
        self._fit()

    def _fit(self) -> None:
        """Grow (never shrink) to show every line of the wrapped texts."""
        self.layout().activate()
        width = self.width()
        height = max(self.height(), self.layout().totalHeightForWidth(width))
        self.resize(width, height)

    def _on_cancelled(self) -> None:
        self._release_thread()
        self._state = "idle"
        self.reject()

    # ------------------------------------------------------------------ user

    def cancel(self) -> None:
        """Stop the download (the dialog closes once it has), or close after a failure."""
        if self._state == "running":
            self._state = "cancelling"
            self.cancel_button.setEnabled(False)
            self.cancel_button.setText("Cancelling…")
            self._job.cancel()
        elif self._state in ("failed", "idle"):
            self.reject()

    def abort(self, timeout_ms: int = 5000) -> None:
        """Cancel a running download and join its thread (the owner is going away)."""
        if self.host is None:
            return
        self._state = "cancelling"
        self.host.shutdown(timeout_ms)

    def _retry(self) -> None:
        if self._state != "failed" or self._job_factory is None:
            return
        self.message_label.hide()
        self.retry_button.hide()
        self.title_label.setText(self._heading)
        self.setWindowTitle(f"Download {self._name}")
        self.cancel_button.setText("Cancel")
        self.progress_bar.setValue(0)
        self._start(self._job_factory())

    def reject(self) -> None:
        if self._state in ("running", "cancelling"):
            self.cancel()  # Esc and the close button cancel first; the dialog follows
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt's naming)
        if self._state in ("running", "cancelling"):
            self.cancel()
            event.ignore()
            return
        super().closeEvent(event)
