"""How the playground window holds up while it trains (a benchmark, not a test).

    python bench/ui_responsiveness.py [--seconds 5] [--json results.json]

Measures, with the real ``MainWindow`` shown at 1280x800 (offscreen unless
``QT_QPA_PLATFORM`` says otherwise):

0. the worker's cost per frame: one 200x200 decision grid, beside PyTorch's forward
   of the same network;
1. training speed: epochs/s of a 2-8-8-2 tanh network on 500 training points (moons,
   batch 32, Adam) at "max speed" while the window redraws, next to the same training
   with no window at all;
2. display rate: decision-region redraws per second of a 200x200 grid while training,
   and how many a second the plot could draw if it did nothing else;
3. event-loop latency: the 99th-percentile lateness of a 10 ms ``QTimer`` while
   training (target < 30 ms).

It prints the machine (cores, load, BLAS) first: the numbers mean little without it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GRID = 200
sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import LatenessProbe, time_runs  # noqa: E402


def machine() -> dict:
    import numpy as np
    from threadpoolctl import threadpool_info

    blas = [f"{i.get('internal_api')} {i.get('version')} ({i.get('num_threads')} threads)"
            for i in threadpool_info() if i.get("user_api") == "blas"]
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {"platform": platform.platform(), "python": platform.python_version(),
            "cpu_count": os.cpu_count(), "usable_cores": cores,
            "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
            "numpy": np.__version__, "blas": blas,
            "qt_platform": os.environ.get("QT_QPA_PLATFORM", "")}


def engine_only(seconds: float) -> float:
    """Epochs/s of the same run with no window and no grids (the ceiling)."""
    import numpy as np
    from threadpoolctl import threadpool_limits

    from engine.build import build_model
    from engine.datasets.loader import load_dataset
    from engine.presets import build_optimizer
    from engine.trainer import Trainer
    from playground.two_d.worker import BLAS_THREADS

    threadpool_limits(BLAS_THREADS, user_api="blas")  # what the worker's ticks run with
    config = bench_config()
    data = load_dataset(config)
    model = build_model(config, data.input_shape, data.n_classes, np.random.default_rng(0))
    trainer = Trainer(model, build_optimizer(config), data.x_train, data.y_train,
                      batch_size=config.batch_size, rng=np.random.default_rng(0))
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        trainer.run_epoch()
        n += 1
    return n / (time.perf_counter() - t0)


def grid_forward_ms(repeats: int = 30) -> dict:
    """Milliseconds for the class probabilities of the benchmarked (untrained) network
    over a GRID x GRID grid, the worker's per-frame cost: the engine's ``decision_grid``
    and, if installed, the same network in PyTorch (both float32, one thread)."""
    import numpy as np
    from threadpoolctl import threadpool_limits

    from engine.build import build_model
    from engine.grid import decision_grid, grid_points
    from playground.two_d.worker import BLAS_THREADS

    threadpool_limits(BLAS_THREADS, user_api="blas")  # what the worker's ticks run with
    model = build_model(bench_config(), (2,), 2, np.random.default_rng(0))
    bounds = (-2.0, 2.0, -2.0, 2.0)

    def best(fn) -> float:
        return min(time_runs(fn, repeats, warmup=1)) * 1000

    out = {"grid_engine_ms": best(lambda: decision_grid(model, bounds, (GRID, GRID)))}
    try:
        import torch
    except ImportError:
        return out
    torch.set_num_threads(1)
    net = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 8),
                              torch.nn.Tanh(), torch.nn.Linear(8, 2), torch.nn.Softmax(dim=1))
    pts = torch.from_numpy(grid_points(bounds, (GRID, GRID)))
    with torch.no_grad():
        out["grid_torch_ms"] = best(lambda: net(pts))
    return out


#: the benchmarked run, as edits of the default config.
CHANGES = {"data": {"name": "moons", "samples": 500, "test_ratio": 0.0},
           "model": {"hidden": (8, 8), "activation": "tanh"}, "batch_size": 32}


def bench_config():
    from engine.spec import RunConfig

    return RunConfig().with_changes(**CHANGES)


def wait(ms: int) -> None:
    """Run the event loop for ``ms`` ms. Not ``QTest.qWait``: PySide keeps the GIL
    through its sleeps, which would starve the training thread."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


#: the network-graph runs (issue: graph shown, 2-16-16-3 tanh on the spiral, max speed;
#: the same with the graph hidden; and a big 8 x 64 ReLU net with the graph shown).
GRAPH_RUNS = {
    "spiral 2-16-16-3 tanh, graph shown": (
        {"data": {"name": "spiral", "classes": 3, "samples": 450, "test_ratio": 0.3},
         "model": {"hidden": (16, 16), "activation": "tanh"}, "batch_size": 32}, True),
    "spiral 2-16-16-3 tanh, graph hidden": (
        {"data": {"name": "spiral", "classes": 3, "samples": 450, "test_ratio": 0.3},
         "model": {"hidden": (16, 16), "activation": "tanh"}, "batch_size": 32}, False),
    "spiral 8 x 64 ReLU, graph shown": (
        {"data": {"name": "spiral", "classes": 3, "samples": 450, "test_ratio": 0.3},
         "model": {"hidden": (64,) * 8, "activation": "relu"}, "batch_size": 32}, True),
}


def with_window(seconds: float, changes: dict | None = None, graph: bool | None = None,
                capacity: bool = True) -> dict:
    import numpy as np
    from PySide6.QtCore import QSettings
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    import playground.two_d.training_run as training_run_module
    from playground.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    out: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(os.path.join(tmp, "s.ini"), QSettings.Format.IniFormat)
        window = MainWindow(settings, data_dir=tmp, ask_restore=lambda _path: False)
        window.resize(1280, 800)
        window.show()
        QTest.qWaitForWindowExposed(window)
        c, page = window.controller, window.page
        # exactly GRID x GRID cells whatever the view's aspect (the app keeps cells square)
        training_run_module.grid_resolution = lambda bounds, size=GRID: (GRID, GRID)
        if graph is not None:
            page.show_graph(graph)
        c.edit(changes or CHANGES)
        page.set_speed(0)
        c.set_view(page.decision_plot.view_bounds())
        wait(500)
        shape = page.decision_plot.image.image.shape

        # 1-3: train at full speed for ``seconds`` while a 10 ms timer measures lateness
        probe = LatenessProbe()
        grids = [0]
        c.gridReady.connect(lambda _payload: grids.__setitem__(0, grids[0] + 1))
        epoch0, frames0, graphs0 = c.epoch, page.frames, page.graph_frames
        probe.start()
        t0 = time.perf_counter()
        c.play()
        wait(int(seconds * 1000))
        elapsed = time.perf_counter() - t0
        epochs, frames = c.epoch - epoch0, page.frames - frames0
        graph_frames = page.graph_frames - graphs0
        timer = probe.stop()
        c.pause()
        out.update(epochs_per_s=epochs / elapsed, redraws_per_s=frames / elapsed,
                   grids_per_s=grids[0] / elapsed,
                   graph_updates_per_s=graph_frames / elapsed,
                   grid_shape=list(shape[:2]), **timer)

        if not capacity:
            window.close()
            app.processEvents()
            return out
        # 2b: redraw capacity: colour, contour and paint a 200x200 grid, nothing else
        wait(300)
        plot = page.decision_plot
        # a smooth two-class field with a wavy boundary, like a trained network's
        # (random noise would be a boundary of ~40,000 segments, nothing like a real one)
        yy, xx = np.mgrid[0:GRID, 0:GRID] / GRID
        p1 = 1 / (1 + np.exp(-10 * (np.sin(6 * xx) - 2 * yy + 1)))
        probs = np.stack([1 - p1, p1], axis=-1).astype(np.float32)
        bounds = plot.view_bounds()
        n, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < 2.0:
            plot.set_probabilities(np.roll(probs, n, axis=1), bounds)
            plot.viewport().repaint()  # the view's own repaint() does not paint the scene
            n += 1
        out["redraw_capacity_per_s"] = n / (time.perf_counter() - t0)
        window.close()
    app.processEvents()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--json", help="also write the results to this JSON file")
    parser.add_argument("--graph", action="store_true",
                        help="also time the network-graph runs (GRAPH_RUNS)")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, str(ROOT))
    from engine import tune_allocator

    tune_allocator()  # what the app's main does (see engine/_malloc.py)
    ceiling = engine_only(args.seconds)
    info = machine()
    print("machine:", json.dumps(info))
    results = {"machine": info, "engine_only_epochs_per_s": ceiling}
    results.update(grid_forward_ms())
    results.update(with_window(args.seconds))
    r = results
    print(f"training (2-8-8-2, 500 points, batch 32):  {r['engine_only_epochs_per_s']:.0f} "
          f"epochs/s without a window, {r['epochs_per_s']:.0f} epochs/s with the window "
          f"redrawing")
    print(f"decision region ({r['grid_shape'][0]}x{r['grid_shape'][1]} grid): "
          f"{r['redraws_per_s']:.1f} redraws/s while training (target >= 30) of "
          f"{r['grids_per_s']:.1f} grids/s computed; "
          f"{r['redraw_capacity_per_s']:.0f}/s when only drawing")
    torch_ms = (f" (PyTorch, same network, one thread: {r['grid_torch_ms']:.1f} ms)"
                if "grid_torch_ms" in r else "")
    print(f"one decision grid ({GRID}x{GRID} probabilities, before colouring): "
          f"{r['grid_engine_ms']:.1f} ms{torch_ms}")
    print(f"10 ms timer while training: p50 {r['timer_p50_ms']:.1f} ms late, p99 "
          f"{r['timer_p99_ms']:.1f} ms (target < 30), max {r['timer_max_ms']:.1f} ms "
          f"over {r['timer_ticks']} ticks")
    if args.graph:
        results["graph_runs"] = {}
        print("\n| run | region redraws/s | graph updates/s | epochs/s | timer p99 ms |")
        print("|---|---:|---:|---:|---:|")
        for name, (changes, graph) in GRAPH_RUNS.items():
            g = with_window(args.seconds, changes, graph, capacity=False)
            results["graph_runs"][name] = g
            print(f"| {name} | {g['redraws_per_s']:.1f} | {g['graph_updates_per_s']:.1f} | "
                  f"{g['epochs_per_s']:.0f} | {g['timer_p99_ms']:.1f} |")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
