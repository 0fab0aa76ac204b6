"""How the window holds up while the Compare tab trains four runs (a benchmark, not a test).

    python bench/compare_responsiveness.py [--seconds 8] [--experiment optimizers] [--json out.json]

With the real ``MainWindow`` shown at 1280x800 on the Compare tab (offscreen unless
``QT_QPA_PLATFORM`` says otherwise), the 2-D page's default moons data and a 2-8-8-2 tanh
network (500 points, batch 32):

1. one run alone on the Compare tab's worker: its epochs/s;
2. four runs at once (SGD, Momentum, AdaGrad, Adam), taking turns: each run's epochs/s
   as a share of the single run's (target >= 20 %; a fair share is 25 %), and the
   99th-percentile lateness of a 10 ms ``QTimer`` meanwhile (target < 30 ms);
3. with ``--experiment NAME``, the wall time of one of the book's experiments at full
   length on the MNIST sample, and the timer's lateness meanwhile.
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
from ui_responsiveness import CHANGES, machine, wait  # noqa: E402

OPTIMIZERS = ["sgd", "momentum", "adagrad", "adam"]
FOREVER = 10**9


def epochs_per_s(page, runs, dataset, seconds: float, probe: LatenessProbe) -> tuple:
    """Train ``runs`` for ``seconds`` on the Compare tab; (epochs/s per run, timer)."""
    page.run.start_runs(runs, dataset, FOREVER)
    wait(500)  # past the first grids and the curves' set-up
    start = [len(h["epoch"]) for h in page.history]
    probe.start()
    t0 = time.perf_counter()
    wait(int(seconds * 1000))
    elapsed = time.perf_counter() - t0
    timer = probe.stop()
    rates = [(len(h["epoch"]) - s) / elapsed for h, s in zip(page.history, start)]
    page.run.stop()
    wait(300)
    return rates, timer


def experiment_time(page, key: str, probe: LatenessProbe) -> dict:
    """Seconds from Run to the last epoch of experiment ``key`` at full length."""
    page.controls.choose_preset(key)
    probe.start()
    t0 = time.perf_counter()
    page.run_button.click()
    while page.is_running:
        wait(100)
    out = {"seconds": time.perf_counter() - t0, **probe.stop()}
    out["final_train_loss"] = [h["train_loss"][-1] for h in page.history]
    out["epochs"] = [len(h["epoch"]) for h in page.history]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--experiment", help="also time this book experiment at full "
                                             "length (optimizers, init, batchnorm, ...)")
    parser.add_argument("--json", help="also write the results to this JSON file")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, str(ROOT))
    from PySide6.QtCore import QSettings
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from engine import tune_allocator
    from engine.compare import expand
    from playground.ui.main_window import MainWindow

    tune_allocator()  # what the app's main does
    info = machine()
    print("machine:", json.dumps(info))
    app = QApplication.instance() or QApplication([])
    results: dict = {"machine": info}
    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(os.path.join(tmp, "s.ini"), QSettings.Format.IniFormat)
        window = MainWindow(settings, data_dir=tmp, ask_restore=lambda _path: False)
        window.resize(1280, 800)
        window.show()
        QTest.qWaitForWindowExposed(window)
        c = window.controller
        c.edit(CHANGES)
        wait(800)
        c.pause()
        window.tabs.setCurrentIndex(2)
        page = window.compare_page
        wait(300)
        probe = LatenessProbe()
        runs = expand(c.config, [("optim.name", OPTIMIZERS)])
        (single,), alone = epochs_per_s(page, runs[:1], c.dataset, args.seconds, probe)
        four, timer = epochs_per_s(page, runs, c.dataset, args.seconds, probe)
        results.update(single_epochs_per_s=single, alone_timer=alone,
                       four_epochs_per_s=dict(zip(OPTIMIZERS, four)), four_timer=timer)
        print(f"one run alone: {single:.0f} epochs/s (timer p99 {alone['timer_p99_ms']:.1f} "
              f"ms)")
        print("four runs at once:", ", ".join(
            f"{name} {r:.0f} epochs/s ({r / single:.0%})" for name, r in zip(OPTIMIZERS, four)))
        print(f"10 ms timer with four runs: p50 {timer['timer_p50_ms']:.1f} ms late, p99 "
              f"{timer['timer_p99_ms']:.1f} ms (target < 30), max {timer['timer_max_ms']:.1f} "
              f"ms over {timer['timer_ticks']} ticks")
        if args.experiment:
            e = experiment_time(page, args.experiment, probe)
            results["experiment"] = {args.experiment: e}
            print(f"experiment {args.experiment} at full length: {e['seconds']:.1f} s for "
                  f"{e['epochs']} epochs; timer p99 {e['timer_p99_ms']:.1f} ms, max "
                  f"{e['timer_max_ms']:.1f} ms")
        window.close()
    app.processEvents()
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
