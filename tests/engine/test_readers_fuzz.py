"""Property tests of the file readers: whatever the bytes, a reader either returns data or
raises the project's own error (an ``EngineError``) with a message, never anything else.

Inputs are random bytes, random truncations of valid files and valid files with a few
bytes overwritten. Each property runs a modest number of examples so the file stays fast.
"""

from __future__ import annotations

import gzip
import io
import os
import tempfile
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from local_files import idx_bytes

from engine.build import build_model
from engine.datasets.csvio import load_csv
from engine.datasets.mnist import load_idx
from engine.errors import EngineError
from engine.serialize import model_state
from engine.spec import RunConfig
from playground.session import (
    HistoryBuffer,
    Session,
    load_session,
    session_bytes,
)

FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

VALID_CSV = b"x1,x2,label\n0.5,-1.25,0\n1e-3,2,1\n\n-0.0,3.5,1\n7,8,0\n"


VALID_IDX = idx_bytes(np.arange(2 * 4 * 3, dtype=np.uint8).reshape(2, 4, 3))
VALID_IDX_GZ = gzip.compress(VALID_IDX)


def _valid_session() -> bytes:
    config = RunConfig().with_changes(data={"name": "drawn"}, model={"hidden": (3,)})
    spec, weights = model_state(build_model(config, (2,), 2))
    history = HistoryBuffer()
    history.append({"epoch": 1, "train_loss": 0.7, "train_acc": 0.5})
    X = np.array([[0.0, 1.0], [1.0, 0.0], [0.5, 0.5]])
    return session_bytes(Session(config, X, np.array([0, 1, 1]), np.array([False, False, True]),
                                 2, weights, spec, history.array(), 1))


VALID_SESSION = _valid_session()


@pytest.fixture(scope="module")
def scratch():
    with tempfile.TemporaryDirectory() as d:
        yield d


def _write(folder: str, name: str, data: bytes) -> str:
    path = os.path.join(folder, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def _loads_or_says_why(read, path: str):
    """Call ``read(path)``; an error must be an ``EngineError`` with a message."""
    try:
        return read(path)
    except EngineError as e:
        assert str(e).strip(), f"{type(e).__name__} without a message"
        return None


def mutations(valid: bytes):
    """Random bytes, truncations of ``valid``, and ``valid`` with bytes overwritten."""
    truncated = st.integers(0, len(valid)).map(lambda n: valid[:n])
    overwritten = st.lists(st.tuples(st.integers(0, len(valid) - 1), st.integers(0, 255)),
                           min_size=1, max_size=8).map(
        lambda edits: bytes(_apply(valid, edits)))
    return st.one_of(st.binary(max_size=2048), truncated, overwritten)


def _apply(data: bytes, edits) -> bytearray:
    out = bytearray(data)
    for i, v in edits:
        out[i] = v
    return out


# ---------------------------------------------------------------------- CSV


@FUZZ
@given(data=mutations(VALID_CSV))
def test_csv_reader_loads_or_raises_data_error(scratch, data):
    result = _loads_or_says_why(lambda p: load_csv(p, min_classes=1),
                                _write(scratch, "f.csv", data))
    if result is not None:
        X, y = result
        assert X.dtype == np.float64 and X.shape == (len(y), 2) and np.isfinite(X).all()
        assert y.dtype == np.int64 and y.min() >= 0


@FUZZ
@given(text=st.text(alphabet=st.sampled_from(list("x12label,.-e\n\r \"nainf0")),
                    max_size=300))
def test_csv_reader_on_csv_like_text(scratch, text):
    path = _write(scratch, "t.csv", b"x1,x2,label\n" + text.encode())
    _loads_or_says_why(load_csv, path)


def test_csv_reader_valid_file_loads(scratch):
    X, y = load_csv(_write(scratch, "v.csv", VALID_CSV))
    assert X.shape == (4, 2) and list(y) == [0, 1, 1, 0]


# ---------------------------------------------------------------------- IDX


@FUZZ
@given(data=mutations(VALID_IDX))
def test_idx_reader_loads_or_raises_data_error(scratch, data):
    result = _loads_or_says_why(load_idx, _write(scratch, "images-idx3-ubyte", data))
    if result is not None:
        assert isinstance(result, np.ndarray) and result.ndim >= 1


@FUZZ
@given(data=mutations(VALID_IDX_GZ))
def test_gzipped_idx_reader_loads_or_raises_data_error(scratch, data):
    _loads_or_says_why(load_idx, _write(scratch, "images-idx3-ubyte.gz", data))


@FUZZ
@given(dims=st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=4),
       type_byte=st.sampled_from([0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E]),
       body=st.binary(max_size=64))
@example(dims=[0, 3_036_988_439, 3_037_012_561], type_byte=0x08, body=b"")  # empty, huge
def test_idx_headers_with_any_dimensions(scratch, dims, type_byte, body):
    header = bytes([0, 0, type_byte, len(dims)]) + b"".join(d.to_bytes(4, "big") for d in dims)
    _loads_or_says_why(load_idx, _write(scratch, "any-idx-ubyte", header + body))


def test_idx_valid_file_loads(scratch):
    arr = load_idx(_write(scratch, "ok-idx3-ubyte.gz", VALID_IDX_GZ))
    assert arr.shape == (2, 4, 3) and arr[1, 3, 2] == 23


# ---------------------------------------------------------------------- sessions


@FUZZ
@given(data=mutations(VALID_SESSION))
def test_session_reader_loads_or_raises_session_error(scratch, data):
    result = _loads_or_says_why(load_session, _write(scratch, "s.nnplay", data))
    if result is not None:
        assert result.X.shape == (len(result.y), 2)


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


MEMBERS = _members(VALID_SESSION)


@FUZZ
@given(name=st.sampled_from(sorted(MEMBERS)), data=st.data())
def test_session_with_one_damaged_part(scratch, name, data):
    """A well-formed zip whose one part is truncated or overwritten (CRCs stay valid, so
    each part's own reader meets the damage)."""
    part = data.draw(mutations(MEMBERS[name]))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for n, content in MEMBERS.items():
            zf.writestr(n, part if n == name else content)
    _loads_or_says_why(load_session, _write(scratch, "p.nnplay", buf.getvalue()))


def test_session_valid_file_loads(scratch):
    session = load_session(_write(scratch, "ok.nnplay", VALID_SESSION))
    assert session.epoch == 1 and session.weights is not None
