"""What the "Inside the network" window costs (a benchmark, not a test).

    QT_QPA_PLATFORM=offscreen python bench/inside_views.py [--seconds 5] [--json out.json]

1. one statistics payload (``playground.two_d.inside.stats_payload``: every layer's
   histograms, dead/saturated shares and gradient norms on the 256-point probe batch) and
   one layer-view payload, for the default 2-8-8-2 tanh network and a 2-100x5-2 ReLU one:
   the median of 50 calls, in ms, on one BLAS thread (as the worker runs them);
2. the real ``MainWindow`` at 1280x800 training the moons at full speed: epochs/s with
   the window closed, open on its Histograms tab, open on its Layer view tab, and closed
   again (the epochs the worker finished over ``--seconds`` of wall time each).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from ui_responsiveness import machine, wait  # noqa: E402

NETS = {"default 2-8-8-2 tanh": {"hidden": (8, 8), "activation": "tanh"},
        "2-100x5-2 relu": {"hidden": (100,) * 5, "activation": "relu"}}


def payload_costs() -> dict:
    import numpy as np
    from threadpoolctl import threadpool_limits

    from engine.build import build_model
    from engine.datasets.loader import load_dataset
    from engine.spec import RunConfig
    from playground.two_d import inside

    out = {}
    with threadpool_limits(1, user_api="blas"):
        for name, model in NETS.items():
            config = RunConfig().with_changes(model=model)
            data = load_dataset(config)
            net = build_model(config, data.input_shape, data.n_classes,
                              rng=np.random.default_rng(0))
            probe = inside.probe_batch(data.x_train, data.y_train)
            view = inside.probe_batch(data.x_train, data.y_train, inside.VIEW_POINTS)
            calls = (("stats", lambda n=net, p=probe: inside.stats_payload(n, *p)),
                     ("layer view", lambda n=net, v=view: inside.layer_view_payload(
                         n, *v, 0, 0, 1)))
            for label, fn in calls:
                fn()
                times = []
                for _ in range(50):
                    t = time.perf_counter()
                    fn()
                    times.append(time.perf_counter() - t)
                out[f"{name}: {label} ms"] = 1000 * statistics.median(times)
    return out


def epochs_per_second(seconds: float) -> dict:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from playground.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    folder = tempfile.mkdtemp()
    w = MainWindow(QSettings(os.path.join(folder, "s.ini"), QSettings.Format.IniFormat),
                   data_dir=folder, ask_restore=lambda _p: False)
    w.resize(1280, 800)
    w.show()
    wait(1500)
    c, page = w.controller, w.page
    page.set_speed(0)
    out = {}
    for name, model in NETS.items():
        c.edit({"model": model})
        wait(500)
        for phase in ("closed", "open: histograms", "open: layer view", "closed again"):
            if phase.startswith("open"):
                page.show_inside()
                page.inside_window.tabs.setCurrentIndex(0 if "hist" in phase else 1)
            elif page.inside_window is not None:
                page.inside_window.close()
            wait(300)
            start_epoch, t = c.epoch, time.perf_counter()
            c.play()
            wait(int(seconds * 1000))
            c.pause()
            elapsed = time.perf_counter() - t
            wait(300)
            out[f"{name}: window {phase} epochs/s"] = (c.epoch - start_epoch) / elapsed
        c.reset()
    w.close()
    app.processEvents()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--json")
    args = ap.parse_args()
    info = machine()
    print(json.dumps(info))
    results = payload_costs()
    results.update(epochs_per_second(args.seconds))
    for k, v in results.items():
        print(f"{k:55s} {v:8.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": info, "results": results},
                                              indent=2))
    os._exit(0)


if __name__ == "__main__":
    main()
