"""Where a page's Save/Export command writes: the path it was given, or one the user picks."""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QWidget


def with_suffix(path: str, suffix: str) -> str:
    """``path`` ending in ``suffix`` (any case), appended when it does not."""
    return path if path.lower().endswith(suffix) else path + suffix


def save_path(widget: QWidget, path: str | None, title: str, default: str,
              file_filter: str, suffix: str | None = None) -> str | None:
    """``path`` when given (a test, a script), else the file the user picks in a save
    dialog; None when the dialog is cancelled. ``suffix`` is appended when missing."""
    if path is None:
        path, _ = QFileDialog.getSaveFileName(widget, title, default, file_filter)
        if not path:
            return None
    return with_suffix(path, suffix) if suffix else path
