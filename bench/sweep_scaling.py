"""How a sweep scales on Dask (a benchmark, not a test).

    python bench/sweep_scaling.py [--trials 8] [--workers 2] [--epochs 5] [--json out.json]

The same trials (a 784-100-10 ReLU MLP on the MNIST sample, learning rate drawn from
10^U(-3, -1), ``--epochs`` each) run (1) one after another in this process with
``engine.sweep.run_trial`` and (2) on a ``LocalCluster`` of ``--workers`` processes, as
``python -m engine sweep`` runs them. It reports both wall times, their ratio (target
<= 0.65 for 8 trials on 2 workers), the cluster's start-up apart, and checks that both
give the same metrics.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--json", help="also write the results to this JSON file")
    args = parser.parse_args(argv)
    from ui_responsiveness import machine

    from engine import tune_allocator
    from engine.datasets.loader import load_dataset
    from engine.spec import defaults_for
    from engine.sweep import SweepSpec, parse_dimension, run_trial
    from engine.sweep_dask import SweepRun, start_client, stop_client

    base = defaults_for("mnist-sample").with_changes(epochs=args.epochs).validate()
    spec = SweepSpec(base, (parse_dimension("optim.lr=log-uniform:1e-3:1e-1"),),
                     trials=args.trials, seed=0)
    trials = spec.expand()
    tune_allocator()  # as the CLI does for its own process (the workers do it per task)
    info = machine()
    print("machine:", json.dumps(info))

    t0 = time.perf_counter()
    data = load_dataset(base)
    alone = {t.index: run_trial(t.config, data)["final"] for t in trials}
    sequential = time.perf_counter() - t0

    t0 = time.perf_counter()
    client, cluster = start_client(None, args.workers)
    started = time.perf_counter() - t0
    try:
        t1 = time.perf_counter()
        run = SweepRun(spec, client, trials)
        swept = {t.index: r["final"] for t, r in run.results()}
        on_cluster = time.perf_counter() - t1
    finally:
        stop_client(client, cluster)
    same = all(swept[i][k] == alone[i][k] for i in alone
               for k in ("train_loss", "test_loss", "test_acc"))
    results = {"machine": info, "trials": args.trials, "workers": args.workers,
               "epochs": args.epochs, "sequential_s": sequential,
               "cluster_start_s": started, "cluster_s": on_cluster,
               "ratio": on_cluster / sequential,
               "ratio_with_start": (on_cluster + started) / sequential,
               "same_metrics": same}
    print(f"{args.trials} trials of {args.epochs} epochs: one after another "
          f"{sequential:.1f} s; on {args.workers} workers {on_cluster:.1f} s "
          f"(ratio {results['ratio']:.2f}, target <= 0.65), plus {started:.1f} s to start "
          f"the cluster (ratio with it {results['ratio_with_start']:.2f}); same metrics: "
          f"{same}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
