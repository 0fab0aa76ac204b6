"""Keep freed array memory in the process instead of returning it to the OS (glibc only).

Training allocates and frees the same few multi-megabyte arrays every mini-batch. With
glibc's defaults, blocks that large are served by ``mmap`` (or trimmed off the top of the
heap) and handed back to the kernel on ``free``, so the next batch takes a page fault per
4 KiB page while it writes them again: ~1,300 faults (~2 ms) per SimpleConvNet step at
batch 100, measured. Raising the mmap and trim thresholds lets ``malloc`` reuse those
blocks (0 faults per step); the cost is that up to ``TRIM_THRESHOLD`` bytes of freed memory
stay mapped.

Nothing happens at import: it changes the whole process, so entry points opt in by
calling ``engine.tune_allocator()`` (the CLI, the app and the benchmarks do). It is a
no-op off glibc, when the user already set glibc's malloc environment variables or
tunables, and when it has run before. The measured gain is in ``bench/README.md``.
"""

from __future__ import annotations

import ctypes
import os
import platform
import sys

# Values of the M_* constants in glibc's <malloc.h>.
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3

#: Blocks below this size come from the heap and are reused after ``free``.
MMAP_THRESHOLD = 64 * 1024 * 1024
#: Free memory at the top of the heap is returned to the OS only beyond this much.
TRIM_THRESHOLD = 64 * 1024 * 1024

_done = False


def _user_configured() -> bool:
    env = os.environ
    return ("malloc" in env.get("GLIBC_TUNABLES", "")
            or "MALLOC_MMAP_THRESHOLD_" in env or "MALLOC_TRIM_THRESHOLD_" in env)


def _mallopt():
    """glibc's ``mallopt`` through ctypes, or None when it cannot be found."""
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):
        return None
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return mallopt


def tune_allocator(respect_env: bool = True) -> bool:
    """Raise glibc's mmap/trim thresholds once; True if they were set by this call.
    ``respect_env=False`` tunes even when the environment sets glibc's malloc variables:
    for a process we run in but did not start (a Dask worker, whose nanny sets
    ``MALLOC_TRIM_THRESHOLD_`` to return memory eagerly, which is what the tuning
    avoids)."""
    global _done
    if _done:
        return False
    _done = True
    if not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc":
        return False
    if respect_env and _user_configured():
        return False
    mallopt = _mallopt()
    if mallopt is None:
        return False
    # Older glibc refuses mmap thresholds above 32 MiB (mallopt returns 0).
    if not (mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
            or mallopt(_M_MMAP_THRESHOLD, 32 * 1024 * 1024)):
        return False
    return bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
