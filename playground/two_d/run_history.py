"""The 2-D run's loss history: one row per epoch under ``HISTORY_COLUMNS`` (float64,
NaN where a value is missing: a classifier has no rmse/r2, a regression no accuracy), as
the worker keeps it, sessions store it and the CSV export writes it."""

from __future__ import annotations

import numpy as np

from playground.history import HistoryBuffer

HISTORY_COLUMNS = ("epoch", "train_loss", "train_acc", "test_loss", "test_acc", "penalty",
                   "lr", "grad_norm", "steps", "seconds", "train_rmse", "train_r2",
                   "test_rmse", "test_r2")
#: the columns of sessions saved before regression (read, with NaN for the rest).
CLASSIFICATION_COLUMNS = HISTORY_COLUMNS[:10]


def widen_history(history: np.ndarray, columns: tuple[str, ...]) -> np.ndarray:
    """``history`` under ``columns`` (a leading part of ``HISTORY_COLUMNS``) as a full
    history: the missing columns are NaN."""
    out = np.full((len(history), len(HISTORY_COLUMNS)), np.nan)
    out[:, :len(columns)] = history
    return out


def empty_history() -> np.ndarray:
    """A history of no epochs: float64 (0, len(HISTORY_COLUMNS))."""
    return np.zeros((0, len(HISTORY_COLUMNS)))


def history_rows(history: np.ndarray) -> list[dict]:
    """The history as metrics dicts (``epoch``/``steps`` as ints, NaN as None)."""
    out = []
    for row in np.asarray(history):
        m: dict = {}
        for key, value in zip(HISTORY_COLUMNS, row.tolist()):
            m[key] = None if value != value else (
                int(value) if key in ("epoch", "steps") else value)
        out.append(m)
    return out


def epoch_history(history: np.ndarray | None = None) -> HistoryBuffer:
    """A buffer of per-epoch rows under ``HISTORY_COLUMNS`` (starting from ``history``)."""
    return HistoryBuffer(HISTORY_COLUMNS, history)


def history_csv(history: np.ndarray) -> str:
    """The loss history as CSV text: a header of ``HISTORY_COLUMNS``, one row per epoch,
    floats written with ``repr`` (exact), missing values empty."""
    lines = [",".join(HISTORY_COLUMNS)]
    for m in history_rows(history):
        lines.append(",".join("" if v is None else repr(v) if isinstance(v, float)
                              else str(v) for v in m.values()))
    return "\n".join(lines) + "\n"


def restored_steps(history: np.ndarray | None) -> int:
    """The training steps a restored run has taken: the last epoch's count, else 0."""
    if history is None or not len(history):
        return 0
    steps = history[-1, HISTORY_COLUMNS.index("steps")]
    return int(steps) if np.isfinite(steps) and steps >= 0 else 0
