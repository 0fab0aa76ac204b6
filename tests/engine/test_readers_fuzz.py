"""Property tests of the IDX reader: whatever the bytes, it either returns data or raises
the project's own error (an ``EngineError``) with a message, never anything else.

Inputs are random bytes, random truncations of valid files and valid files with a few
bytes overwritten. CSV files are fuzzed in ``test_csvio.py``, sessions in
``tests/playground/two_d/test_session_fuzz.py``.
"""

from __future__ import annotations

import gzip

import numpy as np
from fuzzing import FUZZ, loads_or_says_why, mutations, write
from hypothesis import example, given
from hypothesis import strategies as st
from local_files import idx_bytes

from engine.datasets.mnist import load_idx

VALID_IDX = idx_bytes(np.arange(2 * 4 * 3, dtype=np.uint8).reshape(2, 4, 3))
VALID_IDX_GZ = gzip.compress(VALID_IDX)


@FUZZ
@given(data=mutations(VALID_IDX))
def test_idx_reader_loads_or_raises_data_error(scratch, data):
    result = loads_or_says_why(load_idx, write(scratch, "images-idx3-ubyte", data))
    if result is not None:
        assert isinstance(result, np.ndarray) and result.ndim >= 1


@FUZZ
@given(data=mutations(VALID_IDX_GZ))
def test_gzipped_idx_reader_loads_or_raises_data_error(scratch, data):
    loads_or_says_why(load_idx, write(scratch, "images-idx3-ubyte.gz", data))


@FUZZ
@given(dims=st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=4),
       type_byte=st.sampled_from([0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E]),
       body=st.binary(max_size=64))
@example(dims=[0, 3_036_988_439, 3_037_012_561], type_byte=0x08, body=b"")  # empty, huge
def test_idx_headers_with_any_dimensions(scratch, dims, type_byte, body):
    header = bytes([0, 0, type_byte, len(dims)]) + b"".join(d.to_bytes(4, "big") for d in dims)
    loads_or_says_why(load_idx, write(scratch, "any-idx-ubyte", header + body))


def test_idx_valid_file_loads(scratch):
    arr = load_idx(write(scratch, "ok-idx3-ubyte.gz", VALID_IDX_GZ))
    assert arr.shape == (2, 4, 3) and arr[1, 3, 2] == 23
