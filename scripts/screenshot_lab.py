"""Render the Lab tab to a PNG (offscreen, no display needed).

    python scripts/screenshot_lab.py [--out docs/lab.png] [--surface book] [--steps 30]
        [--add nesterov,rmsprop] [--size 1280x800]

Opens the window with private settings on the Lab tab, chooses ``--surface``, ticks the
optimisers in ``--add`` beside the book's four, steps ``--steps`` times and grabs the
window: by default the book's figure 6-8 (30 steps from (-7, 2) at its learning rates).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "lab.png"))
    parser.add_argument("--surface", default="book")
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--add", default="", help="more optimisers to tick, comma-separated")
    parser.add_argument("--size", default="1280x800", help="window size, WIDTHxHEIGHT")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, str(ROOT))

    from PySide6.QtCore import QSettings
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from playground.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(os.path.join(tmp, "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(settings, data_dir=tmp, ask_restore=lambda _path: False)
        width, height = (int(v) for v in args.size.lower().split("x"))
        window.resize(width, height)
        window.show()
        QTest.qWaitForWindowExposed(window)
        window.controller.pause()
        window.tabs.setCurrentIndex(3)
        page = window.lab_page
        combo = page.controls.surface_combo
        combo.setCurrentIndex(combo.findData(args.surface))
        for name in filter(None, args.add.split(",")):
            page.controls.checks[name.strip()].setChecked(True)
        for _ in range(args.steps):
            page.controls.step_button.click()
        for _ in range(20):
            app.processEvents()
        ok = window.grab().save(args.out)
        print(f"wrote {args.out}" if ok else f"could not write {args.out}")
        window.close()
    os._exit(0 if ok else 1)


if __name__ == "__main__":
    sys.exit(main())
