"""Numbers for people: durations and byte counts as the status bar and dialogs show them."""

from __future__ import annotations

import math


def format_duration(seconds: float) -> str:
    """``m:ss`` or ``h:mm:ss`` for a non-negative number of seconds; "–" if unknown."""
    if not (seconds >= 0 and math.isfinite(seconds)):
        return "–"
    s = int(round(seconds))
    h, rem = divmod(s, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def format_bytes(n: float) -> str:
    """A byte count for people: "950 KB", "11.1 MB" (binary units, as file managers)."""
    n = float(n)
    if n < 1024:
        return f"{int(n)} B"
    if n < 1024 ** 2:
        return f"{n / 1024:.0f} KB"
    return f"{n / 1024 ** 2:.1f} MB"
