"""How the window holds up while the Compare tab trains four runs (a benchmark, not a test).

    python bench/compare_responsiveness.py [--seconds 3] [--rounds 4] [--experiment optimizers]
                                           [--json out.json]

With the real ``MainWindow`` shown at 1280x800 on the Compare tab (offscreen unless
``QT_QPA_PLATFORM`` says otherwise), the 2-D page's default moons data and a 2-8-8-2 tanh
network (500 points, batch 32):

1. each of four runs (SGD, Momentum, AdaGrad, Adam) alone on the Compare tab's worker,
   ``--seconds`` each: its epochs/s (an Adam step costs more than an SGD step, so each
   run is set against itself alone);
2. right after, the four at once, taking turns: each run's epochs/s as a share of its
   rate alone (target >= 20 %; a fair share is 25 %), and the lateness of a 10 ms
   ``QTimer`` meanwhile (target: 99th percentile < 30 ms).

Steps 1 and 2 alternate for ``--rounds`` rounds and each share is taken within its
round: on a shared virtual machine the speed of the same run drifts by a fifth over a
minute, which would otherwise show up as sharing. The shares reported are each round's
median and the smallest of any round; the timer's percentiles are over every tick of
step 2 of all rounds.
With ``--experiment NAME``, the wall time of one of the book's experiments at full
   length on the MNIST sample, and the timer's lateness meanwhile.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
import numpy as np  # noqa: E402
from common import LatenessProbe, lateness_stats  # noqa: E402
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
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=4)
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
        rounds, ticks = [], []
        for _ in range(args.rounds):
            single = [epochs_per_s(page, [replace(run, index=0)], c.dataset, args.seconds,
                                   probe)[0][0] for run in runs]  # alone: run 0
            four, _timer = epochs_per_s(page, runs, c.dataset, args.seconds, probe)
            ticks.extend(probe.lateness())
            shares = [f / a for f, a in zip(four, single)]
            rounds.append({"alone": dict(zip(OPTIMIZERS, single)),
                           "four": dict(zip(OPTIMIZERS, four)),
                           "shares": dict(zip(OPTIMIZERS, shares))})
            print("round:", ", ".join(f"{n} {f:.0f}/{a:.0f} epochs/s ({r:.1%})"
                                      for n, f, a, r in zip(OPTIMIZERS, four, single, shares)))
        timer = lateness_stats(ticks)
        by_run = {n: [r["shares"][n] for r in rounds] for n in OPTIMIZERS}
        results.update(rounds=rounds, four_timer=timer)
        print(f"four runs at once, share of each run alone over {args.rounds} rounds "
              "(median, smallest):", ", ".join(
                  f"{n} {np.median(v):.1%} ({min(v):.1%})" for n, v in by_run.items()))
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
