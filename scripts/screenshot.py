"""Render the playground window mid-training to a PNG (offscreen, no display needed).

    python scripts/screenshot.py [--out docs/playground.png] [--epochs 150]
        [--graph-out docs/graph.png] [--size 1280x800]

Opens the window at 1280x800 with private settings, sets up a three-class spiral with a
2-16-16-3 tanh network, trains until ``--epochs`` epochs have passed (still running) and
grabs the window. ``--graph-out`` also grabs the network graph and the decision plot
with neuron 1.3 pinned (the plot showing that unit).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def wait(ms: int) -> None:
    """Run the event loop for ``ms`` ms. Not ``QTest.qWait``: PySide keeps the GIL
    through its sleeps, which would starve the training thread."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "playground.png"))
    parser.add_argument("--epochs", type=int, default=120)
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--graph-out", help="also write the graph and unit view here")
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
        c = window.controller
        c.edit({"data": {"name": "spiral", "classes": 3, "samples": 450, "noise": 0.08},
                "model": {"hidden": (16, 16), "activation": "tanh"},
                "optim": {"lr": 0.01}, "batch_size": 16})
        window.page.set_speed(2)
        wait(300)
        c.play()
        deadline = time.monotonic() + args.timeout
        while c.epoch < args.epochs and time.monotonic() < deadline:
            wait(50)
        wait(100)
        window.page.render_frame()
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        ok = window.grab().save(args.out)
        epoch = c.epoch
        if ok and args.graph_out:
            c.pause()
            window.page.graph_panel.graph.unitPinned.emit((1, 2))
            wait(400)
            window.page.render_frame()
            wait(100)
            ok = window.page._centre.grab().save(args.graph_out)
        window.close()
    app.processEvents()
    if not ok:
        print(f"could not write {args.out}", file=sys.stderr)
        return 1
    print(f"wrote {args.out} ({args.size}, epoch {epoch})"
          + (f" and {args.graph_out}" if args.graph_out else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
