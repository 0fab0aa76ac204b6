"""Render the loss-landscape window of the moons network to a PNG (offscreen).

    python scripts/screenshot_landscape.py [--out docs/landscape.png] [--epochs 300]
        [--size 640x600]

Opens the main window with private settings (the default moons data and 2-8-8-2 tanh
network, Adam at 0.03), trains ``--epochs`` epochs, pauses, opens View > Loss landscape…
and computes it twice at 25x25, in random filter-normalised directions (span ±1) and in
the trajectory's PCA plane (span ±1.2); the two windows are put side by side in one
image. Prints each window's status line.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from screenshot import wait  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "landscape.png"))
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--size", default="640x600", help="each window, WIDTHxHEIGHT")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, str(ROOT))
    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtWidgets import QApplication

    from playground.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    width, height = (int(v) for v in args.size.lower().split("x"))
    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(os.path.join(tmp, "s.ini"), QSettings.Format.IniFormat)
        window = MainWindow(settings, data_dir=tmp, ask_restore=lambda _path: False)
        window.resize(1280, 800)
        window.show()
        wait(500)
        window.controller.play()
        while window.controller.epoch < args.epochs:
            wait(50)
        window.controller.pause()
        wait(300)
        shots = []
        for index, span in ((0, 1.0), (1, 1.2)):
            dialog = window.page.landscape.open()
            dialog.resize(width, height)
            panel = window.page.landscape.panel
            panel.directions_combo.setCurrentIndex(index)
            panel.span_spin.setValue(span)
            panel.compute()
            while panel.state == "computing":
                wait(50)
            wait(400)
            print(panel.status_label.text())
            shots.append(dialog.grab().toImage())
        out = QImage(sum(s.width() for s in shots), max(s.height() for s in shots),
                     QImage.Format.Format_RGB32)
        out.fill(0xFFFFFF)
        painter = QPainter(out)
        x = 0
        for shot in shots:
            painter.drawImage(x, 0, shot)
            x += shot.width()
        painter.end()
        out.save(args.out)
        window.close()
        wait(200)
    del app
    os._exit(0)


if __name__ == "__main__":
    main()
