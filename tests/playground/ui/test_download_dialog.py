"""The download dialog against a local HTTP server: progress, success, Cancel, offline;
and the MNIST page fetching a data set through it."""

from __future__ import annotations

import gzip
import hashlib
import os
import socket

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import pyqtgraph as pg  # noqa: E402
import pytest  # noqa: E402
from local_files import idx_bytes, serve_routes  # noqa: E402
from PySide6.QtCore import QSettings, Qt  # noqa: E402
from PySide6.QtWidgets import QDialog, QLabel, QProgressBar, QPushButton  # noqa: E402

from engine.datasets import download as download_module  # noqa: E402
from engine.datasets import mnist  # noqa: E402
from playground.mnist.download import DownloadJob  # noqa: E402
from playground.ui.mnist.download_dialog import DownloadDialog  # noqa: E402

pg.setConfigOptions(imageAxisOrder="row-major")

#: the server sends this many bytes, then pauses, so a download takes a while.
SLOW_CHUNK, SLOW_PAUSE = 32 * 1024, 0.01


@pytest.fixture
def server(monkeypatch):
    """A local HTTP server: ``routes[path] = bytes``, served at ~3 MB/s."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    routes: dict[str, bytes] = {}
    with serve_routes(routes, chunk=SLOW_CHUNK, pause=SLOW_PAUSE) as base:
        yield base, routes


def publish(monkeypatch, routes, base, files: dict[str, bytes]) -> list[str]:
    """Serve ``files`` and make them the MNIST file set; returns the mirror list."""
    for name, data in files.items():
        routes[f"/good/{name}"] = data
    monkeypatch.setitem(mnist.FILES, "mnist", {
        name: (hashlib.sha256(data).hexdigest(), len(data)) for name, data in files.items()})
    return [base + "/good/"]


def mnist_files(n_train: int, n_test: int) -> dict[str, bytes]:
    """Valid gzipped IDX files of random digits (noise images do not compress)."""
    rng = np.random.default_rng(0)
    files = {}
    for split, n in (("train", n_train), ("test", n_test)):
        images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        labels = np.arange(n, dtype=np.uint8) % 10
        stems = mnist.idx_names(split)
        files[stems[0] + ".gz"] = gzip.compress(idx_bytes(images))
        files[stems[1] + ".gz"] = gzip.compress(idx_bytes(labels))
    return files


def open_dialog(qtbot, job, factory=None) -> DownloadDialog:
    dialog = DownloadDialog(job, job_factory=factory)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_download_shows_progress_and_size_then_succeeds(qtbot, server, monkeypatch, tmp_path):
    base, routes = server
    files = mnist_files(400, 100)  # ~400 KB: a dozen chunks at the server's pace
    mirrors = publish(monkeypatch, routes, base, files)
    job = DownloadJob("mnist", mirrors=mirrors, cache_dir=tmp_path)
    total = sum(len(b) for b in files.values())
    assert job.expected_bytes == total
    dialog = open_dialog(qtbot, job)
    bar = dialog.findChild(QProgressBar, "downloadProgress")
    values: list[int] = []
    bar.valueChanged.connect(values.append)
    with qtbot.waitSignal(dialog.downloaded, timeout=10000) as blocker:
        pass
    assert blocker.args == [str(tmp_path / "mnist")]
    assert len(values) >= 3 and values == sorted(values) and values[-1] == bar.maximum()
    size = dialog.findChild(QLabel, "downloadSizeLabel").text()
    assert size.startswith(size.split(" of ")[1])  # "N KB of N KB"
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert sorted(p.name for p in (tmp_path / "mnist").iterdir()) == sorted(files)
    assert dialog.state == "done"


def test_cancel_stops_the_download_and_keeps_no_file(qtbot, server, monkeypatch, tmp_path):
    base, routes = server
    big = np.random.default_rng(1).bytes(4 << 20)  # 4 MiB: over a second at this pace
    mirrors = publish(monkeypatch, routes, base, {"t10k-images-idx3-ubyte.gz": big})
    dialog = open_dialog(qtbot, DownloadJob("mnist", mirrors=mirrors, cache_dir=tmp_path))
    bar = dialog.findChild(QProgressBar, "downloadProgress")
    qtbot.waitUntil(lambda: bar.value() > 0, timeout=10000)
    assert bar.value() < bar.maximum()
    button = dialog.findChild(QPushButton, "downloadCancelButton")
    with qtbot.waitSignal(dialog.rejected, timeout=3000):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        assert button.text() == "Cancelling…" and not button.isEnabled()
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert list((tmp_path / "mnist").iterdir()) == []


def test_offline_gives_a_clear_message_and_retry(qtbot, monkeypatch, tmp_path):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    mirrors = [f"http://127.0.0.1:{port}/"]

    def make():
        return DownloadJob("mnist", mirrors=mirrors, cache_dir=tmp_path)

    dialog = open_dialog(qtbot, make(), factory=make)
    message = dialog.findChild(QLabel, "downloadMessage")
    qtbot.waitUntil(lambda: dialog.state == "failed", timeout=10000)
    assert message.isVisible() and "offline" in message.text()
    assert "cannot connect" in message.text()
    # the heading says what happened, and every line of the message is shown
    heading = dialog.findChild(QLabel, "downloadHeading")
    assert "No connection" in heading.text() and "Downloading" not in heading.text()
    qtbot.wait(50)
    for label in (heading, message):
        assert label.height() >= label.heightForWidth(label.width()), label.objectName()
        assert label.geometry().bottom() < dialog.height()
    buttons = dialog.findChild(QPushButton, "downloadCancelButton")
    assert buttons.geometry().top() > message.geometry().bottom()
    retry = dialog.findChild(QPushButton, "downloadRetryButton")
    assert retry.isVisible()
    qtbot.mouseClick(retry, Qt.MouseButton.LeftButton)
    assert dialog.state in ("running", "failed")
    if dialog.state == "running":
        assert "Downloading" in heading.text()
    qtbot.waitUntil(lambda: dialog.state == "failed", timeout=10000)
    close = dialog.findChild(QPushButton, "downloadCancelButton")
    assert close.text() == "Close"
    with qtbot.waitSignal(dialog.rejected, timeout=2000):
        qtbot.mouseClick(close, Qt.MouseButton.LeftButton)


def test_page_downloads_full_mnist_through_the_dialog(qtbot, server, monkeypatch, tmp_path):
    from playground.ui.mnist.page import MnistPage

    base, routes = server
    files = mnist_files(60, 20)
    mirrors = publish(monkeypatch, routes, base, files)
    monkeypatch.setitem(mnist.MIRRORS, "mnist", mirrors)
    monkeypatch.setattr(download_module, "default_cache_dir", lambda: tmp_path / "cache")
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    settings.setValue("mnist/filters", 4)
    page = MnistPage(settings=settings)
    qtbot.addWidget(page)
    errors: list[str] = []
    page.controller.worker.failed.connect(errors.append)
    jobs: list[DownloadJob] = []

    def factory(name: str) -> DownloadJob:
        jobs.append(DownloadJob(name))
        return jobs[-1]

    page.download_job_factory = factory
    page.show()
    qtbot.waitUntil(lambda: page.data_info is not None, timeout=10000)
    combo = page.controls.source_combo
    combo.setCurrentIndex(combo.findData("mnist"))
    combo.activated.emit(combo.currentIndex())  # as a user's choice does
    qtbot.waitUntil(lambda: page.data_info["source"] == "mnist", timeout=10000)
    assert len(jobs) == 1  # one dialog, one download
    assert (page.data_info["n_train"], page.data_info["n_test"]) == (60, 20)
    assert page.download_dialog is None  # closed and released
    assert (tmp_path / "cache" / "mnist").is_dir()
    assert page.shutdown()
    assert not errors, errors
