"""The engine's own error types: each message names the bad value and what is accepted;
and the one checked way to open a file for reading (regular files only, sizes capped)."""

from __future__ import annotations

import os
import stat
from typing import BinaryIO


class EngineError(ValueError):
    """Base of every error the engine raises on bad input or a failed run."""


class SpecError(EngineError):
    """A run configuration or layer argument is invalid."""


class DataError(EngineError):
    """A data file or array is unusable (missing, malformed, inconsistent)."""


class TrainingDiverged(EngineError):
    """Training produced NaN or inf; the message says when and what to try."""

    def __init__(self, message: str, epoch: int = 0, step: int = 0):
        super().__init__(message)
        self.epoch = epoch
        self.step = step


def common_file_problem(exc: BaseException) -> str | None:
    """The usual reason a file could not be opened, as the end of a sentence that starts
    with the file's name ("... does not exist"); None when ``exc`` is not one of them."""
    if isinstance(exc, FileRefused):
        return exc.problem
    if isinstance(exc, FileNotFoundError):
        return "does not exist"
    if isinstance(exc, IsADirectoryError):
        return "is a folder, not a file"
    if isinstance(exc, PermissionError):
        return "cannot be opened (permission denied)"
    return None


class FileRefused(OSError):
    """A path that is not read at all: not a regular file, or larger than the reader's
    limit. ``problem`` ends a sentence that starts with the file's name."""

    def __init__(self, path, problem: str):
        super().__init__(0, problem, os.fspath(path))
        self.problem = problem


_KINDS = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISDIR, "a folder"))


def open_regular(path, max_bytes: int) -> BinaryIO:
    """``path`` opened for binary reading once it is known to be a regular file of at most
    ``max_bytes`` bytes; ``FileRefused`` for anything else (a FIFO, ``/dev/zero``, a
    folder), before reading a byte. Pipes are opened non-blocking so opening one cannot
    wait for a writer; the kind is checked again on the open file."""
    def check(st: os.stat_result) -> None:
        if not stat.S_ISREG(st.st_mode):
            kind = next((k for test, k in _KINDS if test(st.st_mode)), "not a regular file")
            if kind == "a folder":
                raise IsADirectoryError(21, "Is a directory", os.fspath(path))
            raise FileRefused(path, f"is {kind}, not a regular file")
        if st.st_size > max_bytes:
            raise FileRefused(path, f"is {st.st_size:,} bytes, more than the "
                                    f"{max_bytes:,} accepted")

    if "\x00" in os.fsdecode(os.fspath(path)):
        raise FileRefused(path, "cannot be opened (its name holds a NUL byte)")
    check(os.stat(path))
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        check(os.fstat(fd))
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular(path, max_bytes: int) -> bytes:
    """The bytes of the regular file ``path``, refusing (``FileRefused``) anything else and
    files over ``max_bytes``: at most ``max_bytes + 1`` bytes are ever read, so a file
    that grows while read is refused too."""
    with open_regular(path, max_bytes) as f:
        data = f.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise FileRefused(path, f"is larger than the {max_bytes:,} bytes accepted")
    return data
