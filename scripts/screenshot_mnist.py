"""Render the MNIST page after a short training run into ``docs/mnist.png``.

Usage: ``python scripts/screenshot_mnist.py [OUT.png] [--epochs N]``. Runs offscreen
(no window opens), trains SimpleConvNet (30 filters of 5×5) on the built-in sample,
draws a digit on the pad and saves a 1280×800 picture of the page.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _wait(app, condition, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        app.processEvents()
        if condition():
            return True
        time.sleep(0.01)
    return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default=str(ROOT / "docs" / "mnist.png"))
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--tab", type=int, default=0, help="bottom tab to show (0-2)")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    import pyqtgraph as pg
    from PySide6.QtCore import QPointF, QSettings
    from PySide6.QtWidgets import QApplication

    pg.setConfigOptions(imageAxisOrder="row-major", antialias=True)
    from playground.ui.mnist.page import MnistPage

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(str(Path(tmp) / "screenshot.ini"), QSettings.Format.IniFormat)
        settings.setValue("mnist/epochs", args.epochs)
        settings.setValue("mnist/model", "simple-cnn")
        settings.setValue("mnist/filters", 30)
        settings.setValue("mnist/filter_size", 5)
        page = MnistPage(settings=settings)
        page.resize(1280, 800)
        page.show()
        errors: list[str] = []
        page.controller.worker.failed.connect(errors.append)
        if not _wait(app, lambda: page.data_info is not None and page.run_id > 0, 30):
            print("the data did not load", file=sys.stderr)
            return 1
        page.start_training()
        if not _wait(app, lambda: not page.is_training, 600) or errors:
            print("training failed: " + "; ".join(errors), file=sys.stderr)
            return 1
        pad = page.views.pad
        for a, b in (((80, 60), (205, 60)), ((205, 60), (125, 225))):  # a seven
            pad.draw_line(QPointF(*a), QPointF(*b))
        _wait(app, lambda: page.views.bars.probabilities.sum() > 0.99, 10)
        page.views.tabs.setCurrentIndex(args.tab)
        page.views.map_spin.setValue(3)
        _wait(app, lambda: False, 0.5)
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        ok = page.grab().save(args.out)
        page.shutdown()
    print(f"wrote {args.out}" if ok else f"could not write {args.out}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
