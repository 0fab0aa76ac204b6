"""Render the "Inside the network" window and the initialisation experiment (offscreen).

    python scripts/inside_screenshots.py [--out docs/inside.png]
        [--init-out docs/init_histograms.png] [--activation tanh]

``--out``: the window over the 2-D page's moons with a 2-100x4-2 ReLU network, trained
for about 150 epochs, on its Histograms tab (with a gradient check's dialog grabbed to
``docs/gradient_check.png`` beside it when ``--check-out`` is given).
``--init-out``: the book's experiment (ch. 6.2) in the app: the same 5-layer network
(hidden 100,100,100,100, ``--activation``) freshly initialised with std 0.01, Xavier and
He, the window's activation histograms grabbed for each and stacked into one PNG; the
per-layer activation std of each is printed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEEP = [100, 100, 100, 100]
INITS = (("std", "std 0.01"), ("xavier", "Xavier"), ("he", "He"))


def wait(ms: int) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def until(check, ms: int = 10000) -> None:
    for _ in range(ms // 50):
        if check():
            return
        wait(50)
    raise SystemExit("timed out waiting for the window")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(ROOT / "docs" / "inside.png"))
    ap.add_argument("--init-out", default=str(ROOT / "docs" / "init_histograms.png"))
    ap.add_argument("--check-out", default="")
    ap.add_argument("--activation", default="tanh")
    ap.add_argument("--epochs", type=int, default=150)
    args = ap.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtGui import QColor, QFont, QPainter, QPixmap
    from PySide6.QtWidgets import QApplication

    from playground.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])  # noqa: F841 (kept alive)
    folder = tempfile.mkdtemp()
    w = MainWindow(QSettings(os.path.join(folder, "s.ini"), QSettings.Format.IniFormat),
                   data_dir=folder, ask_restore=lambda _p: False)
    w.resize(1280, 800)
    w.show()
    wait(1500)
    c, page = w.controller, w.page
    page.show_inside()
    inside = page.inside_window
    inside.resize(1100, 640)
    wait(500)

    # the experiment: fresh weights under each init, the window's activation histograms
    rows = []
    for init, label in INITS:
        c.edit({"model": {"hidden": DEEP, "activation": args.activation, "init": init}})
        until(lambda: inside.last_stats is not None
              and inside.last_stats["run_id"] == c.run_id
              and len(inside.last_stats["layers"]) == len(DEEP))
        wait(400)
        stds = [layer["std"] for layer in inside.last_stats["layers"]]
        print(f"{label:8s} activation std per layer: "
              + ", ".join(f"{s:.3g}" for s in stds))
        rows.append((label, inside.activations.grab()))
    band = 26
    sheet = QPixmap(max(im.width() for _, im in rows),
                    sum(im.height() + band for _, im in rows))
    sheet.fill(QColor("white"))
    painter = QPainter(sheet)
    font = QFont()
    font.setPointSize(11)
    font.setBold(True)
    painter.setFont(font)
    painter.setPen(QColor("#1d3557"))
    y = 0
    for label, im in rows:
        painter.drawText(8, y + 4, sheet.width() - 16, band - 4, Qt.AlignmentFlag.AlignLeft,
                         f"init {label} · hidden 100,100,100,100 {args.activation} · "
                         "fresh weights")
        painter.drawPixmap(0, y + band, im)
        y += im.height() + band
    painter.end()
    sheet.save(args.init_out)
    print("wrote", args.init_out)

    # the window while a deep ReLU net trains
    c.edit({"model": {"hidden": DEEP, "activation": "relu", "init": "he"}})
    page.set_speed(0)
    c.play()
    until(lambda: c.epoch >= args.epochs, 60000)
    c.pause()
    wait(800)
    inside.grab().save(args.out)
    print("wrote", args.out, "at epoch", c.epoch)
    if args.check_out:
        inside.run_gradient_check()
        until(lambda: inside.check_dialog is not None, 20000)
        wait(300)
        inside.check_dialog.grab().save(args.check_out)
        print("wrote", args.check_out)
    os._exit(0)


if __name__ == "__main__":
    main()
