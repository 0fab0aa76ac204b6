"""Cold start of the app window beside a bare PySide6 + pyqtgraph window.

Each start is a fresh Python process with empty settings (a temporary XDG_CONFIG_HOME,
NN_PLAYGROUND_DATA_DIR and QSettings file). The time runs from just before the process is
spawned to the moment it reports the window shown, one event-loop turn done and the
default data drawn: for the app, ``MainWindow`` with its first decision image
(``page.frames > 0``); for the bare window, a ``PlotWidget`` holding one ``ImageItem``.
Starts alternate (app, bare, app, ...) so drift in the machine's load hits both alike.
Both run with their bytecode cached, as an installed copy does (pip compiles it): the
children may write ``__pycache__`` even where ``PYTHONDONTWRITEBYTECODE`` is set, and one
untimed start of each comes first.

    QT_QPA_PLATFORM=offscreen python bench/startup.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
READY = "ready"


def child_app(folder: str) -> None:
    """What ``playground.app.main`` does, on a private settings file, until drawn."""
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from engine import tune_allocator
    from playground.ui.main_window import MainWindow, setup_pyqtgraph

    tune_allocator()
    app = QApplication([sys.argv[0]])
    setup_pyqtgraph()
    settings = QSettings(os.path.join(folder, "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings)
    window.show()
    _report_when(app, lambda: window.page.frames > 0)


def child_bare(folder: str) -> None:
    """The least a PySide6 + pyqtgraph program does to show an image in a plot."""
    import numpy as np
    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication

    app = QApplication([sys.argv[0]])
    pg.setConfigOptions(imageAxisOrder="row-major")
    plot = pg.PlotWidget()
    image = pg.ImageItem()
    plot.addItem(image)
    image.setImage(np.random.default_rng(0).random((100, 100), dtype=np.float32),
                   levels=(0.0, 1.0))
    plot.show()
    _report_when(app, lambda: True)


def _report_when(app, drawn) -> None:
    """Run the event loop; after its first turn, once ``drawn()``, print READY and exit."""
    from PySide6.QtCore import QTimer

    def check() -> None:
        if drawn():
            print(READY, flush=True)
            os._exit(0)  # the start is what is timed, not the shutdown
        QTimer.singleShot(1, check)

    QTimer.singleShot(0, check)
    app.exec()


def run_once(kind: str) -> float:
    """Seconds from spawning a ``kind`` child to its READY line."""
    with tempfile.TemporaryDirectory() as folder:
        env = dict(os.environ)
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
        env["XDG_CONFIG_HOME"] = os.path.join(folder, "config")
        env["NN_PLAYGROUND_DATA_DIR"] = os.path.join(folder, "data")
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT),
                                                          env.get("PYTHONPATH")]))
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # timed as installed: bytecode cached
        cmd = [sys.executable, __file__, "--child", kind, "--folder", folder]
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        line = proc.stdout.readline()
        seconds = time.perf_counter() - t0
        _, err = proc.communicate(timeout=60)
        if line.strip() != READY:
            sys.exit(f"{kind} start failed:\n{err.strip()}")
        return seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--child", choices=("app", "bare"), help=argparse.SUPPRESS)
    ap.add_argument("--folder", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        (child_app if args.child == "app" else child_bare)(args.folder)
        return

    print(f"platform {os.environ.get('QT_QPA_PLATFORM', 'offscreen')}, python "
          f"{sys.version.split()[0]}, {os.cpu_count()} cores, load average "
          f"{' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    times: dict[str, list[float]] = {"app": [], "bare": []}
    for kind in times:  # untimed: writes the bytecode caches
        run_once(kind)
    for _ in range(args.repeats):
        for kind in times:
            times[kind].append(run_once(kind))
    labels = {"app": "app MainWindow, default data drawn",
              "bare": "bare PySide6 + pyqtgraph (PlotWidget, ImageItem)"}
    print(f"\n| {'window':<48} | {'min s':>6} | {'median s':>8} | {'max s':>6} |")
    print(f"|{'-' * 50}|{'-' * 8}|{'-' * 10}|{'-' * 8}|")
    for kind, ts in times.items():
        print(f"| {labels[kind]:<48} | {min(ts):6.2f} | {statistics.median(ts):8.2f} | "
              f"{max(ts):6.2f} |")
    ratio = statistics.median(times["app"]) / statistics.median(times["bare"])
    print(f"\nratio of medians (app / bare): {ratio:.2f}, {args.repeats} starts each")


if __name__ == "__main__":
    main()
