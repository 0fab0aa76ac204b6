"""What the window remembers between sessions, kept in a ``QSettings`` store.

Values are plain strings, numbers and bytes so the store stays readable (an INI file in
tests); parsing the run config back is the controller's job.
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QSettings

ORGANIZATION = "nn-playground"
APPLICATION = "NumPy Neural Playground"
#: drawn points are remembered only up to this many (a settings file is not a dataset).
MAX_SAVED_POINTS = 20_000


def default_settings() -> QSettings:
    """The user's settings store (platform-native location)."""
    return QSettings(ORGANIZATION, APPLICATION)


def read_text(settings: QSettings, key: str) -> str:
    value = settings.value(key, "")
    return value if isinstance(value, str) else ""


def read_list(settings: QSettings, key: str) -> list[str]:
    """A list of strings saved by ``write_list`` ([] when absent or unreadable)."""
    try:
        value = json.loads(read_text(settings, key) or "[]")
    except ValueError:
        return []
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def write_list(settings: QSettings, key: str, values: list[str]) -> None:
    settings.setValue(key, json.dumps(list(values)))


def read_bool(settings: QSettings, key: str, default: bool) -> bool:
    value = settings.value(key, default)
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def read_int(settings: QSettings, key: str, default: int) -> int:
    try:
        return int(settings.value(key, default))
    except (TypeError, ValueError):
        return default


def write_points(settings: QSettings, key: str, X, y, test) -> None:
    """Remember drawn points: ``X`` (N, 2), ``y`` (N,) labels (or float values, kept
    as floats), ``test`` (N,) bool."""
    if len(y) > MAX_SAVED_POINTS:
        settings.remove(key)
        return
    as_number = float if getattr(y, "dtype", None) is not None and y.dtype.kind == "f" \
        else int
    settings.setValue(key, json.dumps({"x": [list(map(float, p)) for p in X],
                                       "y": [as_number(v) for v in y],
                                       "test": [bool(t) for t in test]}))


def read_points(settings: QSettings, key: str) -> tuple[Any, Any, Any] | None:
    """(X list of pairs, y list, test list) or None when absent or unreadable."""
    text = read_text(settings, key)
    if not text:
        return None
    try:
        d = json.loads(text)
        X, y, test = d["x"], d["y"], d["test"]
    except (ValueError, KeyError, TypeError):
        return None
    if not (isinstance(X, list) and isinstance(y, list) and isinstance(test, list)):
        return None
    if not len(X) == len(y) == len(test):
        return None
    return X, y, test
