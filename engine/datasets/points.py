"""A mutable set of labelled 2-D points, as drawn by hand in the playground."""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np

from ..errors import DataError, SpecError

#: labels are 0..MAX_LABEL (five classes, matching the generators' 2..5 classes).
MAX_LABEL = 4


def _check_label(label: object) -> int:
    if isinstance(label, bool) or not isinstance(label, Integral) or not 0 <= label <= MAX_LABEL:
        raise SpecError(f"label must be a whole number from 0 to {MAX_LABEL}, got {label!r}")
    return int(label)


def _check_coord(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise SpecError(f"point coordinate {name} must be a finite number, got {value!r}")
    return float(value)


class PointSet:
    """Labelled points kept in growable arrays: ``X`` float64 (N, 2), ``y`` int64 (N,)
    class labels 0..4 -- or, with ``values=True``, float64 (N,) finite target values
    (a regression drawing: each point carries a real number instead of a class).

    Storage doubles when full so adding points one by one (a spray while dragging) is
    amortised O(1), and ``erase`` is one vectorised distance test, so 10k+ points stay
    cheap. Every method validates before it changes anything: bad input raises
    ``SpecError`` and leaves the set as it was.
    """

    def __init__(self, values: bool = False) -> None:
        self.values = bool(values)
        self._dtype = np.float64 if self.values else np.int64
        self._xy = np.empty((64, 2), dtype=np.float64)
        self._labels = np.empty(64, dtype=self._dtype)
        self._n = 0

    def _check_target(self, label: object):
        """A class label (0..4) or, for a value set, a finite number."""
        if not self.values:
            return _check_label(label)
        if isinstance(label, bool) or not isinstance(label, Real) or \
                not math.isfinite(label):
            raise SpecError(f"a point's value must be a finite number, got {label!r}")
        return float(label)

    # ------------------------------------------------------------------ construction

    @classmethod
    def from_arrays(cls, X: np.ndarray, y: np.ndarray, values: bool = False) -> PointSet:
        """A set holding copies of ``X`` (N, 2) finite numbers and ``y`` (N,) integer labels
        in 0..4 (``values``: finite real targets); raises ``DataError`` when the arrays do
        not fit that contract."""
        X = np.asarray(X)
        y = np.asarray(y)
        if values:
            return cls._values_from_arrays(X, y)
        if X.ndim != 2 or X.shape[1] != 2:
            raise DataError(f"points must have shape (N, 2), got {X.shape}")
        if y.shape != (X.shape[0],):
            raise DataError(f"labels must have shape ({X.shape[0]},) to match the points, "
                            f"got {y.shape}")
        if not (np.issubdtype(X.dtype, np.number) and not np.iscomplexobj(X)
                and np.issubdtype(y.dtype, np.integer)):
            raise DataError(f"points must be real numbers and labels integers, got dtypes "
                            f"{X.dtype} and {y.dtype}")
        if not np.isfinite(X).all():
            raise DataError("points must be finite numbers (no NaN or inf)")
        if len(y) and (y.min() < 0 or y.max() > MAX_LABEL):
            raise DataError(f"labels must be from 0 to {MAX_LABEL}, got values from "
                            f"{y.min()} to {y.max()}")
        out = cls()
        out._append(X.astype(np.float64), y.astype(np.int64))
        return out

    @classmethod
    def _values_from_arrays(cls, X: np.ndarray, y: np.ndarray) -> PointSet:
        if X.ndim != 2 or X.shape[1] != 2 or y.shape != (X.shape[0],):
            raise DataError(f"points must have shape (N, 2) and values (N,), got {X.shape} "
                            f"and {y.shape}")
        for a in (X, y):
            if not (np.issubdtype(a.dtype, np.number) and not np.iscomplexobj(a)):
                raise DataError(f"points and values must be real numbers, got dtypes "
                                f"{X.dtype} and {y.dtype}")
        if not (np.isfinite(X).all() and np.isfinite(y).all()):
            raise DataError("points and values must be finite numbers (no NaN or inf)")
        out = cls(values=True)
        out._append(X.astype(np.float64), y.astype(np.float64))
        return out

    def copy(self) -> PointSet:
        """An independent copy (later edits to either do not affect the other)."""
        return PointSet.from_arrays(self.X, self.y, self.values)

    # ------------------------------------------------------------------ edits

    def add(self, x: float, y: float, label: int) -> None:
        """Add one point ``(x, y)`` of class ``label`` (0..4; a value set: its value)."""
        label = self._check_target(label)
        point = np.array([[_check_coord(x, "x"), _check_coord(y, "y")]])
        self._append(point, np.array([label], dtype=self._dtype))

    def add_many(self, xs: np.ndarray, ys: np.ndarray, label: int) -> None:
        """Add points ``(xs[i], ys[i])`` (two 1-D sequences of equal length), all of class
        ``label`` (a value set: all of value ``label``) -- e.g. one spray of the brush."""
        label = self._check_target(label)
        try:
            xs = np.asarray(xs, dtype=np.float64).reshape(-1)
            ys = np.asarray(ys, dtype=np.float64).reshape(-1)
        except (TypeError, ValueError) as exc:
            raise SpecError(f"point coordinates must be numbers ({exc})") from None
        if xs.shape != ys.shape:
            raise SpecError(f"xs and ys must have the same length, got {len(xs)} and {len(ys)}")
        if not (np.isfinite(xs).all() and np.isfinite(ys).all()):
            raise SpecError("point coordinates must be finite numbers (no NaN or inf)")
        self._append(np.column_stack([xs, ys]), np.full(len(xs), label, dtype=self._dtype))

    def erase(self, x: float, y: float, radius: float) -> int:
        """Remove every point at distance <= ``radius`` from ``(x, y)``; returns how many."""
        cx, cy = _check_coord(x, "x"), _check_coord(y, "y")
        if (isinstance(radius, bool) or not isinstance(radius, Real)
                or not math.isfinite(radius) or radius < 0):
            raise SpecError(f"erase radius must be a finite number >= 0, got {radius!r}")
        pts = self._xy[: self._n]
        d2 = (pts[:, 0] - cx) ** 2 + (pts[:, 1] - cy) ** 2
        keep = d2 > float(radius) ** 2
        removed = self._n - int(keep.sum())
        if removed:
            kept = int(self._n - removed)
            # compact in place; boolean indexing copies, so no aliasing problem
            self._xy[:kept] = pts[keep]
            self._labels[:kept] = self._labels[: self._n][keep]
            self._n = kept
        return removed

    def clear(self) -> None:
        """Remove all points."""
        self._n = 0

    # ------------------------------------------------------------------ views

    def __len__(self) -> int:
        return self._n

    def __repr__(self) -> str:
        if self.values:
            return f"PointSet({self._n} valued points)"
        return f"PointSet({self._n} points, classes={self.classes()})"

    @property
    def X(self) -> np.ndarray:
        """A copy of the coordinates, float64 (N, 2)."""
        return self._xy[: self._n].copy()

    @property
    def y(self) -> np.ndarray:
        """A copy of the labels, int64 (N,) (a value set: its values, float64)."""
        return self._labels[: self._n].copy()

    def classes(self) -> list[int]:
        """Sorted distinct labels present."""
        return [int(c) for c in np.unique(self._labels[: self._n])]

    # ------------------------------------------------------------------ storage

    def _append(self, xy: np.ndarray, labels: np.ndarray) -> None:
        need = self._n + len(labels)
        if need > len(self._labels):
            cap = max(need, 2 * len(self._labels))
            new_xy = np.empty((cap, 2), dtype=np.float64)
            new_labels = np.empty(cap, dtype=self._dtype)
            new_xy[: self._n] = self._xy[: self._n]
            new_labels[: self._n] = self._labels[: self._n]
            self._xy, self._labels = new_xy, new_labels
        self._xy[self._n: need] = xy
        self._labels[self._n: need] = labels
        self._n = need
