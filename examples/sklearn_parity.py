"""The engine's CLI against scikit-learn's MLPClassifier: same network, optimiser, data.

Both train a 2-16-16-K tanh network with Adam (lr 0.03, batch 32, no L2) for 500 epochs
on the same train/test split of four noisy 2-D sets (moons, circles, 3-arm spirals, a 4x4
checkerboard), for seeds 0, 1, 2, and report test accuracy. The engine runs as

    python -m engine train --data train.csv --test-data test.csv --hidden 16,16 \\
        --activation tanh --optimizer adam --lr 0.03 --batch-size 32 --epochs 500 \\
        --seed S --threads 1 --json

and its final summary line gives the test accuracy; scikit-learn runs
``MLPClassifier(hidden_layer_sizes=(16, 16), activation="tanh", solver="adam",
learning_rate_init=0.03, batch_size=32, max_iter=500, alpha=0, tol=0,
n_iter_no_change=500, random_state=S)``, so it neither regularises nor stops early.

    python examples/sklearn_parity.py                   # 4 sets x 3 seeds x 500 epochs
    python examples/sklearn_parity.py --seeds 1 --epochs 100 --datasets moons,spiral

What differs, and is not meant to match: the initial weights (the engine draws
N(0, 1/fan_in), scikit-learn a Glorot uniform), Adam's epsilon (1e-7 vs 1e-8), the output
(engine: softmax over K outputs; scikit-learn: one logistic output for two classes) and
the engine computing in float32. Data: 1,000 points per set from ``engine.datasets.toy2d``
(data seed 0), noise 0.15 for moons and 0.1 for the others (standard deviation in the
[-1, 1] box), 30% held out by a stratified split; both sides read the same arrays (the
engine through CSV files written with ``repr`` floats, which read back exactly).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from parity import mean_over_seeds, run_table  # beside this script

from engine.datasets import toy2d
from engine.datasets.csvio import save_csv

#: name -> (generator keyword arguments, label in the table)
DATASETS = {
    "moons": ({"noise": 0.15}, "moons (noise 0.15)"),
    "circles": ({"noise": 0.1}, "circles (noise 0.1)"),
    "spiral": ({"noise": 0.1, "classes": 3}, "spiral, 3 arms (noise 0.1)"),
    "checkerboard": ({"noise": 0.1, "cells": 4}, "checkerboard 4x4 (noise 0.1)"),
}
HIDDEN = (16, 16)
LR = 0.03
BATCH = 32
TEST_RATIO = 0.3


def make_split(name: str, samples: int = 1000, data_seed: int = 0
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(X_train, y_train, X_test, y_test) for one of ``DATASETS``, float64 and int64."""
    kwargs, _ = DATASETS[name]
    X, y = toy2d.GENERATORS[name](samples=samples, seed=data_seed, **kwargs)
    return toy2d.train_test_split(X, y, TEST_RATIO, seed=data_seed)


def engine_command(train_csv: str, test_csv: str, seed: int, epochs: int) -> list[str]:
    return [sys.executable, "-m", "engine", "train", "--data", train_csv,
            "--test-data", test_csv, "--hidden", ",".join(map(str, HIDDEN)),
            "--activation", "tanh", "--optimizer", "adam", "--lr", str(LR),
            "--batch-size", str(BATCH), "--epochs", str(epochs), "--seed", str(seed),
            "--threads", "1", "--json"]


def run_engine(train_csv: str, test_csv: str, seed: int, epochs: int) -> dict:
    """Train with the CLI; its JSON summary line (test_acc, seconds, ...)."""
    proc = subprocess.run(engine_command(train_csv, test_csv, seed, epochs),
                          capture_output=True, text=True, timeout=3600, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"the engine CLI failed (exit {proc.returncode}): "
                           f"{proc.stderr.strip()}")
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    if not summary.get("summary"):
        raise RuntimeError("the engine CLI's last line is not its summary")
    return summary


def run_sklearn(Xtr, ytr, Xte, yte, seed: int, epochs: int) -> dict:
    """Train MLPClassifier with the same settings; test accuracy and fit seconds."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
    from threadpoolctl import threadpool_limits

    clf = MLPClassifier(hidden_layer_sizes=HIDDEN, activation="tanh", solver="adam",
                        learning_rate_init=LR, batch_size=BATCH, max_iter=epochs,
                        alpha=0.0, tol=0.0, n_iter_no_change=epochs, shuffle=True,
                        random_state=seed)
    t0 = time.perf_counter()
    with warnings.catch_warnings(), threadpool_limits(limits=1, user_api="blas"):
        # it runs all max_iter epochs by design, and then warns that it did
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(Xtr, ytr)
    seconds = time.perf_counter() - t0
    return {"test_acc": float(clf.score(Xte, yte)), "train_acc": float(clf.score(Xtr, ytr)),
            "epochs": int(clf.n_iter_), "seconds": seconds}


def compare(name: str, seeds: list[int], epochs: int, samples: int, folder: Path) -> dict:
    """Mean test accuracy (and seconds) of both over ``seeds`` on dataset ``name``."""
    Xtr, ytr, Xte, yte = make_split(name, samples)
    train_csv, test_csv = folder / f"{name}-train.csv", folder / f"{name}-test.csv"
    save_csv(train_csv, Xtr, ytr)
    save_csv(test_csv, Xte, yte)
    eng, skl = [], []
    for s in seeds:
        eng.append(run_engine(str(train_csv), str(test_csv), s, epochs))
        skl.append(run_sklearn(Xtr, ytr, Xte, yte, s, epochs))
    return mean_over_seeds(eng, skl, "test_acc", len(ytr), len(yte))


#: the accuracy table README shows, as this script last wrote it (no timings: they vary)
RESULTS = Path(__file__).resolve().parents[1] / "docs" / "results" / "sklearn_parity.md"
TABLE_HEAD = ("| dataset | engine CLI | MLPClassifier | engine − sklearn | engine per seed | "
              "sklearn per seed |")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seeds", type=int, default=3, help="seeds 0..N-1 (default 3)")
    p.add_argument("--epochs", type=int, default=500, help="epochs (default 500)")
    p.add_argument("--samples", type=int, default=1000, help="points per set (1000)")
    p.add_argument("--datasets", default=",".join(DATASETS),
                   help=f"comma-separated subset of {', '.join(DATASETS)}")
    p.add_argument("--out", default=str(RESULTS),
                   help="also write the accuracy table here, as README shows it (default "
                        "docs/results/sklearn_parity.md; '' for none)")
    args = p.parse_args(argv)
    names = args.datasets.split(",")
    unknown = [n for n in names if n not in DATASETS]
    if unknown:
        p.error(f"unknown dataset {unknown[0]!r}; choose from {', '.join(DATASETS)}")
    if args.seeds < 1 or args.epochs < 1:
        p.error("--seeds and --epochs must be at least 1")
    seeds = list(range(args.seeds))
    print(f"{'-'.join(map(str, HIDDEN))} tanh, Adam lr {LR}, batch {BATCH}, {args.epochs} "
          f"epochs, no L2; test accuracy, mean over seeds {seeds}\n")
    run_table(names, lambda n: DATASETS[n][1], compare, seeds, args.epochs, args.samples,
              "MLPClassifier", TABLE_HEAD, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
