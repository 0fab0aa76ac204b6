"""Numbers for people: durations and byte counts as the status bar and dialogs show them."""

from __future__ import annotations

import math

from engine.budget import format_bytes

__all__ = ["format_bytes", "format_duration"]  # the engine's byte counts, for the views


def format_duration(seconds: float) -> str:
    """``m:ss`` or ``h:mm:ss`` for a non-negative number of seconds; "–" if unknown."""
    if not (seconds >= 0 and math.isfinite(seconds)):
        return "–"
    s = int(round(seconds))
    h, rem = divmod(s, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"
