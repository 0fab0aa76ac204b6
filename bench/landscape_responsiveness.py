"""How the window holds up while the loss landscape of a SimpleConvNet is computed
(a benchmark, not a test).

    python bench/landscape_responsiveness.py [--resolution 25] [--images 2000]
                                             [--epochs 1] [--json out.json]

With the real ``MainWindow`` shown at 1280x800 (offscreen unless ``QT_QPA_PLATFORM``
says otherwise) on the MNIST page: the default SimpleConvNet (30 filters of 5x5, 100
hidden units) trained ``--epochs`` on the bundled sample's first 2,000 images, then the
MNIST page's "Loss landscape…" window computes random filter-normalised directions over
``--resolution`` x ``--resolution`` points on its first ``--images`` training images.
Reported: the wall time, the rows' pace, and the lateness of a 10 ms ``QTimer`` on the
GUI thread meanwhile (target p99 < 50 ms).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import LatenessProbe  # noqa: E402
from ui_responsiveness import machine, wait  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resolution", type=int, default=25)
    parser.add_argument("--images", type=int, default=2000)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--json", help="also write the results to this JSON file")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, str(ROOT))
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from engine import tune_allocator
    from playground.landscape import sources
    from playground.ui.main_window import MainWindow

    tune_allocator()  # what the app's main does
    info = machine()
    print("machine:", json.dumps(info))
    app = QApplication.instance() or QApplication([])
    sources.MNIST_IMAGES = args.images
    results: dict = {"machine": info, "resolution": args.resolution, "images": args.images}
    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(os.path.join(tmp, "s.ini"), QSettings.Format.IniFormat)
        for key, value in {"model": "simple-cnn", "epochs": args.epochs,
                           "train_limit": 2000, "batch_size": 100}.items():
            settings.setValue(f"mnist/{key}", value)
        window = MainWindow(settings, data_dir=tmp, ask_restore=lambda _path: False)
        window.resize(1280, 800)
        window.show()
        wait(500)
        window.tabs.setCurrentIndex(1)
        page = window.mnist_page
        while page.data_info is None or page.run_id == 0:
            wait(100)
        t0 = time.perf_counter()
        page.start_training()
        while page.is_training:
            wait(100)
        results["train_seconds"] = time.perf_counter() - t0
        print(f"trained {args.epochs} epoch(s) in {results['train_seconds']:.1f} s")
        window.findChild(type(page.landscape.action), "mnistLandscapeAction").trigger()
        panel = page.landscape.panel
        panel.resolution_spin.setValue(args.resolution)
        rows: list[float] = []
        panel.controller.rowReady.connect(lambda _p: rows.append(time.perf_counter()))
        probe = LatenessProbe()
        probe.start()
        t0 = time.perf_counter()
        panel.compute_button.click()
        while panel.state == "computing":
            wait(100)
        seconds = time.perf_counter() - t0
        timer = probe.stop()
        results.update(state=panel.state, seconds=seconds, rows=len(rows),
                       cells_per_s=args.resolution * len(rows) / seconds,
                       first_row_s=(rows[0] - t0) if rows else None, **timer,
                       status=panel.status_label.text())
        window.close()
        wait(200)
    print(json.dumps({k: v for k, v in results.items() if k != "machine"}, indent=1))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
