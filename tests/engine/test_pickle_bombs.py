"""A pickle announcing a huge array is refused before the array is allocated (the
restricted unpickler builds arrays, and an array's memory comes before its data)."""

from __future__ import annotations

import gzip
import pickle
import subprocess
import sys

import numpy as np
import pytest

from engine.datasets import mnist


class _Announce:
    """Pickles as a direct ``numpy.ndarray(shape, dtype)`` call, as a hostile file can."""

    def __init__(self, shape, dtype="f8"):
        self.shape, self.dtype = shape, dtype

    def __reduce__(self):
        return np.ndarray, (self.shape, self.dtype)


def _write(path, payload) -> None:
    path.write_bytes(gzip.compress(pickle.dumps(payload, protocol=2)))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS is Linux's")
def test_a_direct_array_call_of_3_million_images_is_refused_in_no_memory(tmp_path):
    """Run under a 1 GB address-space limit, so a missing check fails this test alone
    (the array would be 18.8 GB)."""
    path = tmp_path / "mnist.pkl.gz"
    x = _Announce((3_000_000, 784))
    _write(path, ((x, x), (x, x), (x, x)))
    assert path.stat().st_size < 1000
    code = ("import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30))\n"
            "from engine.datasets import mnist\nfrom engine.errors import DataError\n"
            f"try:\n    mnist.load_pickle({str(path)!r})\nexcept DataError as e:\n"
            "    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60)
    assert "(3000000, 784)" in out.stdout and "more than" in out.stdout, out.stderr[-500:]


def test_real_array_pickles_still_load(tmp_path):
    path = tmp_path / "mnist.pkl.gz"
    rng = np.random.default_rng(0)
    sets = tuple((rng.random((n, 784), dtype=np.float32) * (255 / 256),
                  rng.integers(0, 10, n)) for n in (5, 3, 2))
    _write(path, sets)
    out = mnist.load_pickle(path)
    assert [len(out[k][0]) for k in ("train", "valid", "test")] == [5, 3, 2]
