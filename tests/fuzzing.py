"""Test support shared by the file-reader fuzzers: byte mutations of a valid file and the
one property every reader keeps (data back, or the project's own error with a message).

Importable from any test because pytest puts ``tests/`` on the path.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from engine.errors import EngineError

#: a modest number of examples per property, so the fuzzers stay fast.
FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def write(folder: str, name: str, data: bytes) -> str:
    """Write ``data`` to ``folder/name``; the path."""
    path = os.path.join(folder, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def loads_or_says_why(read, path: str):
    """Call ``read(path)``; an error must be an ``EngineError`` with a message (None then)."""
    try:
        return read(path)
    except EngineError as e:
        assert str(e).strip(), f"{type(e).__name__} without a message"
        return None


def mutations(valid: bytes):
    """Random bytes, truncations of ``valid``, and ``valid`` with bytes overwritten."""
    truncated = st.integers(0, len(valid)).map(lambda n: valid[:n])
    overwritten = st.lists(st.tuples(st.integers(0, len(valid) - 1), st.integers(0, 255)),
                           min_size=1, max_size=8).map(lambda edits: bytes(_apply(valid, edits)))
    return st.one_of(st.binary(max_size=2048), truncated, overwritten)


def _apply(data: bytes, edits) -> bytearray:
    out = bytearray(data)
    for i, v in edits:
        out[i] = v
    return out
