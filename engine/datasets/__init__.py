"""Datasets: generated 2-D sets (classes, and real values for regression), hand-drawn point
sets and CSV files of 2-D points."""

from .csvio import csv_task, load_csv, save_csv, save_values_csv
from .points import PointSet
from .regression2d import REGRESSION_DATASETS, generate_values, random_split
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
    "REGRESSION_DATASETS",
    "class_count",
    "csv_task",
    "data_bounds",
    "generate",
    "generate_values",
    "load_csv",
    "random_split",
    "save_csv",
    "save_values_csv",
    "train_test_split",
]
