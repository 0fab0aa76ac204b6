"""Load the data a ``DataConfig`` names, as train/test arrays ready for the trainer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..errors import DataError
from ..spec import DataConfig, RunConfig


@dataclass
class Dataset:
    """Train/test arrays. 2-D sets: x (N, 2) float64; images: x (N, C, H, W) float32 in
    [0, 1]. Labels are int64 (N,); a regression set's targets are float64 values (N,),
    and its ``n_classes`` is 1 (one output; builders ignore it for regression)."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    n_classes: int
    name: str
    task: str = "classification"

    @property
    def input_shape(self) -> tuple[int, ...]:
        return tuple(self.x_train.shape[1:])

    @property
    def is_image(self) -> bool:
        return self.x_train.ndim == 4


def load_dataset(config: RunConfig, progress: Callable[[int, int], None] | None = None,
                 cancel: Callable[[], bool] | None = None) -> Dataset:
    """The dataset ``config.data`` describes, split and seeded by ``config.seed``.

    ``progress``/``cancel`` are passed to a download when one is needed and allowed.
    """
    d = config.data
    if d.is_image:
        return _load_images(d, config.seed, progress, cancel)
    if d.name == "drawn":
        raise DataError("drawn points are supplied by the app, not loaded from a config")
    if d.is_regression:
        return _load_values(d, config.seed)
    from . import toy2d

    if d.name == "csv":
        from .csvio import load_csv

        X, y = load_csv(d.path)
        if d.test_path:
            Xt, yt = load_csv(d.test_path)
            return _toy(X, y, Xt, yt, d.name)
    else:
        X, y = toy2d.generate(d.name, samples=d.samples, noise=d.noise, classes=d.classes,
                              seed=config.seed)
    return split_points(X, y, d.test_ratio, config.seed, d.name)


def load_eval_split(config: RunConfig, split: str = "test", progress=None, cancel=None
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Inputs and int64 labels of one split. For downloaded image sets only that split's
    files are read (evaluating the test split needs only the t10k files)."""
    d = config.data
    if d.is_image and d.name not in ("mnist-sample", "digits"):
        from . import mnist

        folder = _image_folder(d, progress, cancel, split)
        x, y = mnist.load_split(folder, split, d.name)
        return mnist.to_float(x), y.astype(np.int64)
    data = load_dataset(config, progress, cancel)
    if split == "train":
        return data.x_train, data.y_train
    if len(data.x_test) == 0:
        raise DataError("this dataset has no test split (test ratio is 0); use --split train")
    return data.x_test, data.y_test


def _load_values(d: DataConfig, seed: int) -> Dataset:
    """A regression set: generated, or read from CSV (its y column, or label as values)."""
    if d.name == "csv":
        from .csvio import load_csv

        X, y = load_csv(d.path, task="regression")
        if d.test_path:
            Xt, yt = load_csv(d.test_path, task="regression")
            return Dataset(X, y, Xt, yt, 1, d.name, "regression")
    else:
        from .regression2d import generate_values

        X, y = generate_values(d.name, samples=d.samples, noise=d.noise, seed=seed)
    return split_points(X, y, d.test_ratio, seed, d.name, task="regression")


def split_points(X: np.ndarray, y: np.ndarray, test_ratio: float, seed: int,
                 name: str = "points", task: str = "classification") -> Dataset:
    """A 2-D dataset from all points, split train/test by ``test_ratio`` (stratified by
    class; for ``task`` "regression", of real values y, at random)."""
    from . import toy2d

    if task == "regression":
        from .regression2d import random_split

        return Dataset(*random_split(X, y, test_ratio, seed), 1, name, "regression")
    Xtr, ytr, Xte, yte = toy2d.train_test_split(X, y, test_ratio, seed)
    return _toy(Xtr, ytr, Xte, yte, name)


def _toy(Xtr, ytr, Xte, yte, name) -> Dataset:
    ytr = np.asarray(ytr, np.int64)
    yte = np.asarray(yte, np.int64)
    n_classes = int(max(ytr.max(initial=0), yte.max(initial=0))) + 1
    if len(np.unique(ytr)) < 2:
        raise DataError("the training points need at least two classes")
    return Dataset(np.asarray(Xtr, np.float64), ytr, np.asarray(Xte, np.float64), yte,
                   max(n_classes, 2), name)


def _load_images(d: DataConfig, seed: int, progress, cancel) -> Dataset:
    from . import mnist

    if d.name == "mnist-sample":
        xtr, ytr, xte, yte = mnist.load_sample()
    elif d.name == "digits":
        return _limit(mnist.load_digits_8x8(seed=seed), d.train_limit, d.name)
    else:
        folder = _image_folder(d, progress, cancel)
        xtr, ytr = mnist.load_split(folder, "train", d.name)
        xte, yte = mnist.load_split(folder, "test", d.name)
    parts = (mnist.to_float(xtr), ytr.astype(np.int64), mnist.to_float(xte),
             yte.astype(np.int64))
    return _limit(parts, d.train_limit, d.name)


def _image_folder(d: DataConfig, progress, cancel, split: str | None = None):
    """Where the files of a downloadable image set are: ``path``, else the download cache
    (downloading first when allowed; only ``split``'s files when one is named)."""
    from . import mnist

    if d.path:
        return d.path
    if d.download:
        return mnist.download(d.name, progress=progress, cancel=cancel, split=split)
    cached = mnist.cached_dir(d.name, split=split)
    if cached is None:
        raise DataError(f"{d.name} is not on this machine; pass --download to fetch it, "
                        f"or --data-dir with its files")
    return cached


def _limit(parts, limit: int, name: str) -> Dataset:
    xtr, ytr, xte, yte = parts
    if limit:
        xtr, ytr = xtr[:limit], ytr[:limit]
    # Every image set here (MNIST, Fashion-MNIST, 8x8 digits) has ten classes.
    return Dataset(xtr, np.asarray(ytr, np.int64), xte, np.asarray(yte, np.int64), 10, name)
