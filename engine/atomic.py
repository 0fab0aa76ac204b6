"""Atomic file writes: readers see the old file or the new one, never half of one."""

from __future__ import annotations

import os
import stat
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

_UMASK_LOCK = threading.Lock()


def current_umask() -> int:
    """The process's umask, read without changing it where the system allows
    (``/proc/self/status``), else by setting and restoring it under a lock."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    with _UMASK_LOCK:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def new_file_mode(path: str | os.PathLike) -> int:
    """The permission bits a write to ``path`` should leave: the existing file's, else
    what ``open`` would give a new file (0o666 less the umask)."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return 0o666 & ~current_umask()


def write_atomic(path: str | os.PathLike, write: Callable[[BinaryIO], object] | bytes) -> None:
    """Write to ``path`` through a temporary file in the same folder, flushed to disk and
    renamed over ``path``. ``write`` is the bytes to write or a function given the open
    binary file. The file keeps the mode of the one it replaces (a new one gets the
    umask's default, not the temporary file's 0600). The temporary file is removed if
    anything fails, leaving the old file as it was; an ``OSError`` names ``path``."""
    path = Path(path)
    mode = new_file_mode(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as e:
        raise type(e)(e.errno, e.strerror or str(e), os.fspath(path)) from None
    try:
        with os.fdopen(fd, "wb") as f:
            if isinstance(write, (bytes, bytearray)):
                f.write(write)
            else:
                write(f)
            f.flush()
            os.fsync(f.fileno())
            os.fchmod(f.fileno(), mode)
        os.replace(tmp, path)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        # name the target, not the temporary file the failure happened in
        raise type(e)(e.errno, e.strerror or str(e), os.fspath(path)) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def check_target(path: str | os.PathLike, what: str = "file") -> None:
    """Raise ``DataError`` naming ``path`` when a file could not be written there: its
    folder is missing, not a folder or not writable, or ``path`` is a folder. Called
    before long work so it does not fail only at the end."""
    from .errors import DataError

    if "\x00" in os.fsdecode(os.fspath(path)):
        raise DataError(f"cannot save the {what} to {os.fspath(path)!r}: a file name cannot "
                        f"hold a NUL byte")
    path = Path(path)
    folder = path.parent
    if path.is_dir():
        raise DataError(f"cannot save the {what} to {path}: it is a folder; give a file name")
    if not folder.exists():
        raise DataError(f"cannot save the {what} to {path}: the folder {folder} does not "
                        f"exist; create it or choose another path")
    if not folder.is_dir():
        raise DataError(f"cannot save the {what} to {path}: {folder} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise DataError(f"cannot save the {what} to {path}: the folder {folder} is not "
                        f"writable")
