"""Readers check the sizes a file announces (zip directory, array headers, gzip's unpacked
length) against their limits before inflating anything."""

from __future__ import annotations

import gzip
import io
import zipfile

import numpy as np
import pytest

from engine import load
from engine.datasets import mnist
from engine.errors import DataError


def _npy_header(shape, dtype="<f8") -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": dtype, "fortran_order": False,
                                               "shape": shape})
    return buf.getvalue()  # the magic string and the header


def test_an_array_header_announcing_more_than_its_member_holds_is_refused(tmp_path):
    path = tmp_path / "m.npz"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("spec.npy", _npy_header((), "<U2") + "{}".encode("utf-32-le"))
        zf.writestr("param/0.W.npy", _npy_header((10**10,)) + b"\x00" * 64)
    with pytest.raises(DataError, match=r"m\.npz has an array 'param/0\.W' announcing shape"):
        load(path)


def test_an_archive_announcing_more_than_the_limit_is_refused(tmp_path, monkeypatch):
    import engine.serialize

    path = tmp_path / "m.npz"
    np.savez_compressed(path, spec=np.array("{}"), **{"param/0.W": np.zeros(10_000)})
    monkeypatch.setattr(engine.serialize, "MAX_STATE_BYTES", 5_000)
    with pytest.raises(DataError, match=r"announces [\d,]+ bytes of arrays, more than"):
        load(path)


def test_a_gzip_that_unpacks_past_the_limit_is_refused_while_streaming(tmp_path,
                                                                         monkeypatch):
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(bytes([0, 0, 8, 1, 0, 0, 39, 16]) + b"\x00" * 10_000))
    monkeypatch.setattr(mnist, "MAX_FILE_BYTES", 2_000)
    with pytest.raises(DataError, match="unpacks to more than the 2,000 bytes"):
        mnist.load_idx(path)


def test_a_keras_npz_announcing_too_much_is_refused(tmp_path):
    path = tmp_path / "mnist.npz"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("x_train.npy", _npy_header((10**6, 28, 28), "|u1") + b"\x00" * 10)
    with pytest.raises(DataError, match="announcing shape"):
        mnist.load_npz(path)
