"""Engine-facing helpers of the MNIST page (no Qt): its data sources and run config,
reading a user's MNIST files, and the first layer's weights and activations as images.

``LiveTrainer`` is the engine's ``Trainer`` with an epoch end that costs no extra pass
over the training set (the worker measures the test split itself, in chunks).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine.activations import ACTIVATIONS
from engine.datasets import mnist
from engine.datasets.loader import Dataset, load_dataset
from engine.errors import DataError
from engine.layers import BatchNorm
from engine.optimizers import OPTIMIZERS
from engine.spec import RunConfig, defaults_for
from engine.trainer import Trainer
from playground.mnist import drawing as mf

#: at most this many first-layer weight vectors are drawn for an MLP.
MAX_FILTERS = 256

#: data sources of the page: key -> (DataConfig name, label).
SOURCES: dict[str, tuple[str, str]] = {
    "sample": ("mnist-sample", "Built-in sample (5,000 digits, offline)"),
    "mnist": ("mnist", "Full MNIST (download, {size})"),
    "fashion-mnist": ("fashion-mnist", "Fashion-MNIST (download, {size})"),
    "files": ("mnist", "Open files…"),
    "digits": ("digits", "8×8 digits (scikit-learn)"),
}
MODELS: dict[str, str] = {"simple-cnn": "SimpleConvNet", "mlp": "MLP",
                          "deep-cnn": "DeepConvNet"}
FASHION_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                   "Sneaker", "Bag", "Ankle boot")


def optimizer_names() -> list[str]:
    return list(OPTIMIZERS)


def download_size(name: str) -> int:
    """Bytes of the compressed files of ``name`` ("mnist" or "fashion-mnist")."""
    return sum(size for _, size in mnist.FILES[name].values())


def source_label(key: str) -> str:
    """The combo text of a source, with the download size in whole megabytes."""
    name, label = SOURCES[key]
    if "{size}" in label:
        label = label.format(size=f"{round(download_size(name) / 2**20)} MB")
    return label


def class_names(data_name: str) -> list[str]:
    return list(FASHION_CLASSES) if data_name == "fashion-mnist" else [str(d) for d in range(10)]


def make_config(*, source: str = "sample", path: str = "", preset: str = "simple-cnn",
                filters: int = 30, filter_size: int = 5, hidden: int = 100,
                init: str = "std", optimizer: str = "adam", lr: float = 1e-3,
                batch_size: int = 100, epochs: int = 5, train_limit: int = 0,
                seed: int = 0) -> RunConfig:
    """The validated run config the page's controls describe (``SpecError`` if not)."""
    data_name = SOURCES[source][0]
    base = defaults_for(data_name)
    return base.with_changes(
        data={"path": path, "train_limit": int(train_limit)},
        model={"preset": preset, "conv_filters": int(filters), "conv_size": int(filter_size),
               "hidden": (int(hidden),), "init": init, "init_std": 0.01},
        optim={"name": optimizer, "lr": float(lr)},
        batch_size=int(batch_size), epochs=int(epochs), seed=int(seed)).validate()


@dataclass(frozen=True)
class DataRequest:
    """What to load: a ``SOURCES`` key and, for "files", the chosen file or folder."""

    source: str
    path: str = ""
    seed: int = 0


@dataclass(frozen=True)
class RunPlan:
    """A run: its id, its config, and whether to train (False: fresh weights only)."""

    run_id: int
    config: RunConfig
    train: bool = True


def load_files(path: str | Path) -> tuple[np.ndarray, ...]:
    """(x_train, y_train, x_test, y_test) uint8 from a user's MNIST-format files:
    a Keras ``.npz``, a ``.pkl.gz`` pickle, or one IDX file (or a folder) whose folder
    holds the train and t10k IDX files."""
    p = Path(path)
    name = p.name.lower()
    if p.is_file() and name.endswith(".npz"):
        return mnist.load_npz(p)
    if p.is_file() and (name.endswith(".pkl.gz") or name.endswith(".pkl")):
        sets = mnist.load_pickle(p)
        return (*sets["train"], *sets["test"])
    folder = p if p.is_dir() else p.parent
    return (*mnist.load_split(folder, "train"), *mnist.load_split(folder, "test"))


def load_source(request: DataRequest) -> Dataset | None:
    """The data set ``request`` names; None when it must be downloaded first."""
    if request.source == "files":
        if not request.path:
            raise DataError("no file was chosen")
        xtr, ytr, xte, yte = load_files(request.path)
        return Dataset(mnist.to_float(xtr), ytr.astype(np.int64), mnist.to_float(xte),
                       yte.astype(np.int64), 10, "mnist")
    name = SOURCES[request.source][0]
    if name in mnist.FILES and mnist.cached_dir(name) is None:
        return None
    return load_dataset(defaults_for(name).with_changes(seed=request.seed))


def first_layer_filters(model, image_shape: tuple[int, int]) -> tuple[str, np.ndarray] | None:
    """("conv", (n, kh, kw)) or ("dense", (n, H, W)) copies of the first layer's weights:
    conv kernels of the first input channel, or an MLP's weight vectors as images."""
    for layer in model.layers:
        w = layer.params.get("W")
        if w is None:
            continue
        if w.ndim == 4:
            tiles = w[:, 0] if w.shape[1] == 1 else w.mean(axis=1)
            return "conv", np.array(tiles, dtype=np.float32)
        h, wd = image_shape
        if w.ndim == 2 and w.shape[0] == h * wd:
            n = min(w.shape[1], MAX_FILTERS)
            return "dense", np.ascontiguousarray(w[:, :n].T, np.float32).reshape(n, h, wd)
        return None
    return None


_ACTIVATION_TYPES = tuple(ACTIVATIONS.values())


def first_layer_activations(model, x: np.ndarray) -> np.ndarray:
    """The first weighted layer's output after its BatchNorm/activation, for one input
    ``x`` (1, C, H, W): (channels, h, w) for a conv layer, (units,) for a dense one."""
    out = np.asarray(x, dtype=model.dtype)
    seen_weights = False
    for layer in model.layers:
        if seen_weights and not isinstance(layer, (BatchNorm, *_ACTIVATION_TYPES)):
            break
        out = layer.forward(out, train=False)
        seen_weights = seen_weights or bool(layer.params)
    return np.array(out[0], dtype=np.float32)


class LiveTrainer(Trainer):
    """A ``Trainer`` whose epoch end costs no whole-set pass: train loss and accuracy are
    running means over the epoch's mini-batches, and the worker measures the test split in
    chunks between ticks, so Stop is never stuck behind a long evaluation."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, train_metrics="running", **kwargs)


def test_summary(loss_fn, scores: np.ndarray, x_test: np.ndarray, y_test: np.ndarray,
                 n_classes: int, shown: int = 40) -> tuple[float | None, float | None, dict]:
    """(test loss, test accuracy, views) from the scores (N, K) of the whole test split;
    views: the confusion matrix and copies of the ``shown`` most confident mistakes.
    Loss and accuracy are None for an empty split."""
    y = np.asarray(y_test)
    probs = loss_fn.probabilities(scores) if len(scores) else np.zeros((0, n_classes))
    pred = probs.argmax(axis=1)
    conf = probs.max(axis=1) if len(probs) else np.zeros(0)
    test_loss = float(loss_fn.forward(scores, y)) if len(y) else None
    test_acc = float((pred == y).mean()) if len(y) else None
    wrong = mf.misclassified(y, pred, shown, confidence=conf)
    return test_loss, test_acc, {
        "test_acc": test_acc, "confusion": mf.confusion_matrix(y, pred, n_classes),
        "mistakes": {"index": wrong, "images": np.array(x_test[wrong, 0]),
                     "true": y[wrong].copy(), "predicted": pred[wrong].copy(),
                     "confidence": conf[wrong].copy()}}


def strip_indices(labels: np.ndarray, n: int) -> np.ndarray:
    """Indices of ``n`` test images cycling through the classes 0, 1, 2, ... (the first
    of each), so the strip shows every class the data has."""
    labels = np.asarray(labels)
    picked: list[int] = []
    used = np.zeros(len(labels), bool)
    classes = np.unique(labels)
    while len(picked) < min(n, len(labels)):
        for c in classes:
            hits = np.flatnonzero((labels == c) & ~used)
            if len(hits):
                picked.append(int(hits[0]))
                used[hits[0]] = True
            if len(picked) >= n:
                break
    return np.array(picked, dtype=np.int64)


def model_summary(model, preset: str) -> str:
    name = MODELS.get(preset, "model")
    return f"{name} · {model.num_parameters():,} parameters"
