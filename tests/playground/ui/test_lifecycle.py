"""Threads and lifecycle: controls hammered in any order, two pages training at once,
closing mid-download. Nothing deadlocks, crashes or leaves a thread running."""

from __future__ import annotations

import http.server
import random
import threading
import time
from functools import partial

import numpy as np
import pytest

from engine.datasets import download as download_module
from engine.datasets import mnist
from playground.mnist.download import DownloadJob

#: a SimpleConvNet small enough to train in a test: 4 filters, 500 images, one epoch.
FAST_MNIST = {"model": "simple-cnn", "filters": 4, "filter_size": 5, "hidden": 32,
              "epochs": 1, "train_limit": 500, "batch_size": 100}


@pytest.fixture
def fast_settings(settings):
    for key, value in FAST_MNIST.items():
        settings.setValue(f"mnist/{key}", value)
    settings.sync()
    return settings


def test_hammering_the_controls_never_hangs_crashes_or_leaks_a_thread(
        open_window, fast_settings, qtbot, wait_idle):
    w = open_window(fast_settings)
    page, c = w.mnist_page, w.controller
    qtbot.waitUntil(lambda: page.data_info is not None, timeout=10000)
    p = w.page
    actions = [p.play_button.click, p.step_button.click, p.reset_button.click,
               p.data_panel.regenerate_button.click, page.controls.train_button.click,
               lambda: p.speed_combo.setCurrentIndex(rng.randrange(p.speed_combo.count())),
               lambda: w.tabs.setCurrentIndex(rng.randrange(2)),
               lambda: c.add_points([rng.uniform(-1, 1)], [rng.uniform(-1, 1)],
                                    rng.randrange(2))]
    rng = random.Random(0)
    threads = [c.host.thread, page.controller.host.thread]
    end = time.perf_counter() + 3.0
    clicks = 0
    while time.perf_counter() < end:
        rng.choice(actions)()
        clicks += 1
        qtbot.wait(rng.randint(0, 30))
    assert clicks >= 30 and all(t.isRunning() for t in threads)
    # still responsive: the 2-D page trains one more epoch, the MNIST page stops
    w.tabs.setCurrentIndex(0)
    wait_idle(w)
    before = c.epoch
    c.step()
    qtbot.waitUntil(lambda: c.epoch == before + 1, timeout=5000)
    page.stop_training()
    qtbot.waitUntil(lambda: not page.is_training, timeout=5000)
    w.close()
    assert all(t.isFinished() for t in threads)


def test_two_pages_training_at_once_do_not_disturb_each_other(
        open_window, fast_settings, qtbot, wait_idle):
    w = open_window(fast_settings)
    page, c = w.mnist_page, w.controller
    qtbot.waitUntil(lambda: page.data_info is not None, timeout=10000)
    # reference: five epochs of the 2-D page alone
    for _ in range(5):
        c.step()
    qtbot.waitUntil(lambda: c.epoch == 5, timeout=10000)
    wait_idle(w)
    alone = c.sessions.snapshot().weights
    c.reset()
    # the same five epochs while the MNIST page trains on its own thread (a run long
    # enough to overlap them)
    page.controls.spins["epochs"].setValue(3)
    page.controls.spins["train_limit"].setValue(2000)
    page.start_training()
    bar = page.controls.progress
    qtbot.waitUntil(lambda: bar.value() > 0, timeout=10000)
    for _ in range(5):
        c.step()
    qtbot.waitUntil(lambda: c.epoch == 5, timeout=10000)
    overlapped = page.is_training
    wait_idle(w)
    together = c.sessions.snapshot().weights
    assert overlapped, "the MNIST run ended before the 2-D steps: no overlap was tested"
    for key in alone:
        assert np.array_equal(alone[key], together[key]), key
    qtbot.waitUntil(lambda: not page.is_training, timeout=30000)
    acc = page.views.curves.column("epochs", "acc")
    assert len(acc) == 3 and 0.5 < acc[-1] <= 1.0  # the MNIST run learned, undisturbed


class _SlowHandler(http.server.BaseHTTPRequestHandler):
    """Serves any path as 20 MB at about 1 MB/s: a download that takes a while."""

    def do_GET(self):  # noqa: N802 (http.server's naming)
        size = 20 * 2**20
        self.send_response(200)
        self.send_header("Content-Length", str(size))
        self.end_headers()
        try:
            for _ in range(size // 16384):
                self.wfile.write(b"\0" * 16384)
                time.sleep(0.015)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


@pytest.fixture
def slow_server(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(_SlowHandler))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


def test_closing_the_window_during_a_download_is_clean(
        open_window, fast_settings, qtbot, slow_server, monkeypatch, tmp_path):
    cache = tmp_path / "cache"
    monkeypatch.setattr(download_module, "default_cache_dir", lambda: cache)
    monkeypatch.setitem(mnist.MIRRORS, "mnist", [slow_server])
    w = open_window(fast_settings)
    page = w.mnist_page
    qtbot.waitUntil(lambda: page.data_info is not None, timeout=10000)
    page.download_job_factory = lambda name: DownloadJob(name, mirrors=[slow_server],
                                                         cache_dir=cache)
    combo = page.controls.source_combo
    combo.setCurrentIndex(combo.findData("mnist"))
    combo.activated.emit(combo.currentIndex())  # as a user's choice does
    qtbot.waitUntil(lambda: page.download_dialog is not None, timeout=10000)
    dialog = page.download_dialog
    qtbot.waitUntil(lambda: dialog.progress_bar.value() > 0, timeout=10000)
    download_thread = dialog.host.thread
    threads = [w.controller.host.thread, page.controller.host.thread, download_thread]
    t0 = time.perf_counter()
    w.close()
    assert time.perf_counter() - t0 < 3.0
    assert all(t.isFinished() for t in threads)
    leftovers = [p for p in cache.rglob("*") if p.is_file()] if cache.exists() else []
    assert leftovers == []  # no partial file is kept
