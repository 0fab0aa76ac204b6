"""Regression scores: root-mean-square error and the coefficient of determination (R²)."""

from __future__ import annotations

import numpy as np


def total_sum_of_squares(targets: np.ndarray) -> float:
    """sum((t - mean(t))**2) of real targets (N,), in float64: R²'s denominator."""
    t = np.asarray(targets, np.float64).ravel()
    return float(np.square(t - t.mean()).sum()) if t.size else 0.0


def r2_from_sums(sse: float, sst: float) -> float:
    """R² = 1 - SSE/SST; for constant targets (SST = 0) 1.0 if every prediction is exact
    and 0.0 otherwise, as scikit-learn's ``r2_score`` reports."""
    if sst > 0:
        return 1.0 - sse / sst
    return 1.0 if sse == 0 else 0.0


def regression_scores(values: np.ndarray, targets: np.ndarray) -> tuple[float, float]:
    """(rmse, r2) of predicted ``values`` (N,) or (N, 1) against real ``targets`` (N,),
    computed in float64; R² is on this split alone (its own mean)."""
    v = np.asarray(values, np.float64).reshape(-1)
    t = np.asarray(targets, np.float64).reshape(-1)
    if v.shape != t.shape:
        raise ValueError(f"{v.size} predicted values for {t.size} targets")
    if t.size == 0:
        return float("nan"), float("nan")
    sse = float(np.square(v - t).sum())
    return float(np.sqrt(sse / t.size)), r2_from_sums(sse, total_sum_of_squares(t))
