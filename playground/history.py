"""``HistoryBuffer``: the one growable table of a run's numbers (per epoch or per step),
used by the workers, sessions and the curves alike."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np


class HistoryBuffer:
    """Rows of float64 values under named ``columns``; appending is amortised O(1).

    A missing or None value is stored as NaN. ``array()`` is a copy (N, K), ``column``
    a read-only view of one column (N,) that stays valid until the next append.
    """

    def __init__(self, columns: Sequence[str], rows: np.ndarray | None = None,
                 capacity: int = 64) -> None:
        self.columns = tuple(columns)
        self._index = {name: i for i, name in enumerate(self.columns)}
        rows = np.zeros((0, len(self.columns))) if rows is None \
            else np.asarray(rows, np.float64).reshape(-1, len(self.columns))
        # column-major, so each column is contiguous for the plots
        self._data = np.full((len(self.columns), max(capacity, 2 * len(rows))), np.nan)
        self._data[:, :len(rows)] = rows.T
        self._n = len(rows)

    @classmethod
    def from_columns(cls, columns: Sequence[str],
                     values: Mapping[str, np.ndarray]) -> HistoryBuffer:
        """A buffer holding ``values`` (column -> equal-length arrays; absent: NaN)."""
        n = len(next(iter(values.values()))) if values else 0
        rows = np.full((n, len(columns)), np.nan)
        for i, name in enumerate(columns):
            if name in values:
                rows[:, i] = values[name]
        return cls(columns, rows)

    def __len__(self) -> int:
        return self._n

    def _reserve(self, extra: int) -> None:
        need, capacity = self._n + extra, self._data.shape[1]
        if need > capacity:
            grown = np.full((len(self.columns), max(need, 2 * capacity)), np.nan)
            grown[:, :self._n] = self._data[:, :self._n]
            self._data = grown

    def append(self, values: Mapping[str, object]) -> None:
        """One row from ``values`` (column -> number or None; other keys ignored)."""
        self._reserve(1)
        for name, i in self._index.items():
            v = values.get(name)
            self._data[i, self._n] = np.nan if v is None else float(v)
        self._n += 1

    def extend(self, values: Mapping[str, np.ndarray]) -> None:
        """Rows from equal-length arrays per column (absent columns: NaN)."""
        n = len(next(iter(values.values()))) if values else 0
        self._reserve(n)
        block = self._data[:, self._n:self._n + n]
        block[...] = np.nan
        for name, arr in values.items():
            block[self._index[name]] = np.asarray(arr, np.float64).ravel()
        self._n += n

    def column(self, name: str) -> np.ndarray:
        view = self._data[self._index[name], :self._n]
        view.flags.writeable = False
        return view

    def array(self) -> np.ndarray:
        return self._data[:, :self._n].T.copy()
