"""Fixtures for the playground window tests: a private settings file and a shown window."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from PySide6.QtCore import QSettings

from playground.ui.main_window import MainWindow


@pytest.fixture(autouse=True)
def private_data_dir(tmp_path, monkeypatch):
    """Autosaves and the running marker go to a folder of the test's own."""
    monkeypatch.setenv("NN_PLAYGROUND_DATA_DIR", str(tmp_path / "appdata"))
    return tmp_path / "appdata"


@pytest.fixture
def settings(tmp_path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def open_window(qtbot) -> Callable[[QSettings], MainWindow]:
    """Opens a window on ``settings``, shown at 1280x800 with its first decision image."""

    def _open(settings: QSettings) -> MainWindow:
        w = MainWindow(settings)
        qtbot.addWidget(w)
        w.resize(1280, 800)
        w.show()
        qtbot.waitExposed(w)
        qtbot.waitUntil(lambda: w.page.frames > 0, timeout=5000)
        plot = w.page.decision_plot
        # the first grid may predate the final layout: wait for the one over the view
        qtbot.waitUntil(lambda: np.allclose(plot._bounds, plot.view_bounds()), timeout=5000)
        return w

    return _open


@pytest.fixture
def window(open_window, settings) -> MainWindow:
    """The default window."""
    return open_window(settings)


@pytest.fixture
def image_of() -> Callable[[MainWindow], np.ndarray]:
    """A copy of the decision image a window shows, (ny, nx, 4) uint8."""

    def _image(window: MainWindow) -> np.ndarray:
        image = window.page.decision_plot.image.image
        assert image is not None
        return np.array(image, copy=True)

    return _image


@pytest.fixture
def wait_idle(qtbot) -> Callable[[MainWindow], None]:
    """Pause a window's training and wait until queued worker replies have drained."""

    def _wait(window: MainWindow, quiet_ms: int = 250) -> None:
        window.controller.pause()
        qtbot.waitUntil(lambda: not window.controller.is_running, timeout=3000)
        last = -1
        while last != window.controller.epoch:
            last = window.controller.epoch
            qtbot.wait(quiet_ms)

    return _wait
