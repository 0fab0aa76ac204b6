"""The MNIST page's data sources (no Qt): what can be loaded, how a request and a
training run are described, reading a user's MNIST files, and the run config."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine.augment import MAX_DEGREES, MAX_SHIFT
from engine.datasets import mnist
from engine.datasets.loader import Dataset, load_dataset
from engine.errors import DataError
from engine.optimizers import OPTIMIZERS
from engine.spec import RunConfig, defaults_for

#: data sources of the page: key -> (DataConfig name, label).
SOURCES: dict[str, tuple[str, str]] = {
    "sample": ("mnist-sample", "Built-in sample (5,000 digits, offline)"),
    "mnist": ("mnist", "Full MNIST (download, {size})"),
    "fashion-mnist": ("fashion-mnist", "Fashion-MNIST (download, {size})"),
    "files": ("mnist", "Open files…"),
    "digits": ("digits", "8×8 digits (scikit-learn)"),
}
#: the page's augmentation choices (``DataConfig.augment``) and their labels.
AUGMENT_LABELS: dict[str, str] = {
    "none": "None",
    "shift": f"Shift (±{MAX_SHIFT} px)",
    "shift-rotate": f"Shift + rotate (±{MAX_SHIFT} px, ±{MAX_DEGREES:g}°)",
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


#: the values the page starts from (``make_config`` keyword arguments), tuned for 28x28
#: images: MNIST, Fashion-MNIST, the sample, the user's files.
PAGE_DEFAULTS: dict[str, int] = {"filters": 30, "filter_size": 5, "hidden": 100,
                                 "batch_size": 100, "epochs": 5}
#: where a source needs other values. The 8x8 digits have 1,437 training images: in
#: batches of 100 five epochs are 72 Adam steps, too few (SimpleConvNet stops near 90 %);
#: batches of 20 for 10 epochs are 720. 3x3 filters leave a 6x6 map of an 8x8 image
#: (5x5 filters: 4x4). The accuracies reached are in the README (MNIST page, Data).
SOURCE_DEFAULTS: dict[str, dict[str, int]] = {
    "digits": {"filter_size": 3, "batch_size": 20, "epochs": 10},
}


def source_defaults(key: str) -> dict[str, int]:
    """The page's starting values for the SOURCES key ``key``."""
    return {**PAGE_DEFAULTS, **SOURCE_DEFAULTS.get(key, {})}


def switched_defaults(values: dict, old: str, new: str) -> dict[str, int]:
    """The values to change when the source goes from ``old`` to ``new``: those still at
    ``old``'s default take ``new``'s; a value the user changed is kept."""
    before, after = source_defaults(old), source_defaults(new)
    return {key: after[key] for key in after
            if after[key] != before[key] and values.get(key) == before[key]}


def make_config(*, source: str = "sample", path: str = "", preset: str = "simple-cnn",
                filters: int | None = None, filter_size: int | None = None,
                hidden: int | None = None, init: str = "he", optimizer: str = "adam",
                lr: float = 1e-3, batch_size: int | None = None, epochs: int | None = None,
                train_limit: int = 0, augment: str = "none", seed: int = 0) -> RunConfig:
    """The validated run config the page's controls describe (``SpecError`` if not);
    values not given are the source's defaults (``source_defaults``)."""
    given = {"filters": filters, "filter_size": filter_size, "hidden": hidden,
             "batch_size": batch_size, "epochs": epochs}
    v = {**source_defaults(source), **{k: x for k, x in given.items() if x is not None}}
    data_name = SOURCES[source][0]
    base = defaults_for(data_name)
    return base.with_changes(
        data={"path": path, "train_limit": int(train_limit), "augment": augment},
        model={"preset": preset, "conv_filters": int(v["filters"]),
               "conv_size": int(v["filter_size"]), "hidden": (int(v["hidden"]),),
               "init": init, "init_std": 0.01},
        optim={"name": optimizer, "lr": float(lr)},
        batch_size=int(v["batch_size"]), epochs=int(v["epochs"]), seed=int(seed)).validate()


#: the ``make_config`` keywords that describe the network itself (not its training).
ARCHITECTURE_KEYS = ("preset", "filters", "filter_size", "hidden", "init")


def config_values(config: RunConfig) -> dict:
    """The ``make_config`` keywords (without source and path) that give ``config``'s
    network and training settings back: the controls' values of a saved run."""
    m = config.model
    return {"preset": m.preset, "filters": int(m.conv_filters), "filter_size": int(m.conv_size),
            "hidden": int(m.hidden[0]) if m.hidden else 100, "init": m.init,
            "optimizer": config.optim.name, "lr": float(config.optim.lr),
            "batch_size": int(config.batch_size), "epochs": int(config.epochs),
            "train_limit": int(config.data.train_limit), "augment": config.data.augment}


@dataclass(frozen=True)
class DataRequest:
    """What to load: a ``SOURCES`` key and, for "files", the chosen file or folder."""

    source: str
    path: str = ""
    seed: int = 0


@dataclass(frozen=True)
class TrainingRequest:
    """What the worker is asked to build: a run's id, its config, and whether to train it
    (False: fresh weights only, to preview the filters). ``keep``: train the network
    the worker holds on (its weights, optimiser state and counts) under ``config``'s
    training settings, instead of fresh weights (there being none, fresh ones)."""

    run_id: int
    config: RunConfig
    train: bool = True
    keep: bool = False


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
