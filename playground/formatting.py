"""Numbers for people: durations, byte counts and metrics as the status bar, dialogs and
results tables show them."""

from __future__ import annotations

import math

from engine.budget import format_bytes

# format_bytes is the engine's byte counts, for the views
__all__ = ["format_bytes", "format_duration", "format_metric"]


def format_duration(seconds: float) -> str:
    """``m:ss`` or ``h:mm:ss`` for a non-negative number of seconds; "–" if unknown."""
    if not (seconds >= 0 and math.isfinite(seconds)):
        return "–"
    s = int(round(seconds))
    h, rem = divmod(s, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def format_metric(value: float) -> str:
    """A loss, accuracy or R² in a results table: four decimals, "–" when not finite."""
    return f"{value:.4f}" if math.isfinite(value) else "–"
