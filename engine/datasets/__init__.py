"""Datasets: generated 2-D sets, hand-drawn point sets and CSV files of 2-D points."""

from .csvio import load_csv, save_csv
from .points import PointSet
from .toy2d import (
    DATASETS,
    GENERATORS,
    MULTICLASS_DATASETS,
    class_count,
    data_bounds,
    generate,
    train_test_split,
)

__all__ = [
    "DATASETS",
    "GENERATORS",
    "MULTICLASS_DATASETS",
    "PointSet",
    "class_count",
    "data_bounds",
    "generate",
    "load_csv",
    "save_csv",
    "train_test_split",
]
