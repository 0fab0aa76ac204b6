"""MNIST readers (IDX raw/.gz, npz, pkl.gz), bad files, the bundled sample and downloads."""

import gzip
import hashlib
import pickle
import socket

import numpy as np
import pytest
from local_files import idx_bytes, serve_routes

from engine.datasets import mnist
from engine.errors import DataError


def make_split(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    return (rng.integers(0, 256, (n, 28, 28), dtype=np.uint8),
            rng.integers(0, 10, n, dtype=np.uint8))


def write_idx_split(folder, split, images, labels, gz=True):
    stems = mnist.idx_names(split)
    for stem, arr in zip(stems, (images, labels)):
        data = idx_bytes(arr)
        if gz:
            (folder / (stem + ".gz")).write_bytes(gzip.compress(data))
        else:
            (folder / stem).write_bytes(data)


# ---------------------------------------------------------------- IDX, npz, pkl.gz readers

@pytest.mark.parametrize("gz", [False, True])
def test_load_idx_reads_raw_and_gzip(tmp_path, gz):
    images, labels = make_split(5)
    write_idx_split(tmp_path, "train", images, labels, gz=gz)
    suffix = ".gz" if gz else ""
    got = mnist.load_idx(tmp_path / ("train-images-idx3-ubyte" + suffix))
    np.testing.assert_array_equal(got, images)
    assert got.dtype == np.uint8 and got.flags.writeable
    np.testing.assert_array_equal(
        mnist.load_idx(tmp_path / ("train-labels-idx1-ubyte" + suffix)), labels)


def test_load_idx_reads_big_endian_int32(tmp_path):
    values = np.array([[1, -2], [70000, 3]], dtype=">i4")
    path = tmp_path / "ints.idx"
    path.write_bytes(bytes([0, 0, 0x0C, 2]) + b"\0\0\0\2\0\0\0\2" + values.tobytes())
    got = mnist.load_idx(path)
    np.testing.assert_array_equal(got, [[1, -2], [70000, 3]])
    assert got.dtype == np.int32 and got.dtype.isnative


def _good_images():
    return idx_bytes(make_split(3)[0])


BAD_FILES = {
    "truncated": ("x-idx3-ubyte", lambda: _good_images()[:-10], "truncated"),
    "truncated header": ("x-idx3-ubyte", lambda: _good_images()[:9], "truncated"),
    "truncated gzip": ("x-idx3-ubyte.gz", lambda: gzip.compress(_good_images())[:-30],
                       "truncated|damaged"),
    "wrong magic": ("x-idx3-ubyte", lambda: b"\x12\x34\x08\x03" + _good_images()[4:],
                    "magic number 0x12340803"),
    "trailing bytes": ("x-idx3-ubyte", lambda: _good_images() + b"\0" * 7,
                       "trailing bytes"),
    "not gzip": ("x-idx3-ubyte.gz", _good_images, "not a gzip file"),
    "damaged gzip": ("x-idx3-ubyte.gz", lambda: b"\x1f\x8b" + b"\xff" * 40, "damaged gzip"),
    "empty": ("x-idx3-ubyte", lambda: b"", "truncated"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_idx_files_raise_data_error_naming_the_file(tmp_path, case):
    name, make, message = BAD_FILES[case]
    path = tmp_path / name
    path.write_bytes(make())
    with pytest.raises(DataError, match=message) as info:
        mnist.load_idx(path)
    assert str(path) in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_file_raises_data_error(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        mnist.load_idx(tmp_path / "nope-idx3-ubyte.gz")


def test_image_label_count_mismatch_is_reported(tmp_path):
    images, _ = make_split(5)
    _, labels = make_split(4)
    write_idx_split(tmp_path, "test", images, labels)
    with pytest.raises(DataError, match="5 images but 4 labels"):
        mnist.load_split(tmp_path, "test")


def test_wrong_image_size_and_label_range_are_reported(tmp_path):
    write_idx_split(tmp_path, "test", np.zeros((2, 14, 14), np.uint8), np.zeros(2, np.uint8))
    with pytest.raises(DataError, match=r"\(2, 14, 14\)"):
        mnist.load_split(tmp_path, "test")
    write_idx_split(tmp_path, "test", make_split(2)[0], np.array([3, 12], np.uint8))
    with pytest.raises(DataError, match="label values outside"):
        mnist.load_split(tmp_path, "test")


def test_load_split_needs_only_the_requested_split(tmp_path):
    images, labels = make_split(6)
    write_idx_split(tmp_path, "test", images, labels, gz=False)
    x, y = mnist.load_split(tmp_path, "test")
    np.testing.assert_array_equal(x, images)
    np.testing.assert_array_equal(y, labels)
    with pytest.raises(DataError, match="train-images-idx3-ubyte") as info:
        mnist.load_split(tmp_path, "train")
    assert str(tmp_path) in str(info.value)


def test_load_split_reports_a_missing_partner_file(tmp_path):
    images, labels = make_split(3)
    write_idx_split(tmp_path, "train", images, labels)
    (tmp_path / "train-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DataError, match="no train-labels-idx1-ubyte"):
        mnist.load_split(tmp_path, "train")


def test_load_split_looks_in_a_subfolder_named_after_the_data_set(tmp_path):
    sub = tmp_path / "fashion-mnist"
    sub.mkdir()
    images, labels = make_split(4)
    write_idx_split(sub, "train", images, labels)
    x, _ = mnist.load_split(tmp_path, "train", name="fashion-mnist")
    np.testing.assert_array_equal(x, images)


def test_npz_round_trip_and_load_split(tmp_path):
    (xtr, ytr), (xte, yte) = make_split(7, 1), make_split(3, 2)
    np.savez(tmp_path / "mnist.npz", x_train=xtr, y_train=ytr, x_test=xte, y_test=yte)
    got = mnist.load_npz(tmp_path / "mnist.npz")
    for a, b in zip(got, (xtr, ytr, xte, yte)):
        np.testing.assert_array_equal(a, b)
    x, y = mnist.load_split(tmp_path, "test")
    np.testing.assert_array_equal(x, xte)
    np.testing.assert_array_equal(y, yte)


def test_bad_npz_files(tmp_path):
    np.savez(tmp_path / "a.npz", x_train=np.zeros((1, 28, 28), np.uint8))
    with pytest.raises(DataError, match="no y_train, x_test, y_test"):
        mnist.load_npz(tmp_path / "a.npz")
    (tmp_path / "b.npz").write_bytes(b"PK\x03\x04 garbage")
    with pytest.raises(DataError, match="b.npz"):
        mnist.load_npz(tmp_path / "b.npz")


def _pickle_gz(obj) -> bytes:
    return gzip.compress(pickle.dumps(obj, protocol=2))


def test_nielsen_pickle_splits_and_scaling(tmp_path):
    sets = []
    for n, seed in ((6, 0), (2, 1), (3, 2)):
        x, y = make_split(n, seed)
        # Nielsen's file: float32 (N, 784) pixels divided by 256, int64 labels.
        sets.append((x.reshape(n, 784).astype(np.float32) / 256, y.astype(np.int64)))
    raw = pickle.dumps(tuple(sets), protocol=2)
    # Pickles written before NumPy 2 name numpy.core, as Nielsen's file does.
    old_names = raw.replace(b"numpy._core.multiarray", b"numpy.core.multiarray")
    assert old_names != raw
    (tmp_path / "mnist.pkl.gz").write_bytes(gzip.compress(old_names))
    got = mnist.load_pickle(tmp_path / "mnist.pkl.gz")
    assert {k: len(v[0]) for k, v in got.items()} == {"train": 6, "valid": 2, "test": 3}
    np.testing.assert_array_equal(got["valid"][0], make_split(2, 1)[0])
    x, y = mnist.load_split(tmp_path, "test")
    assert x.dtype == np.uint8 and x.shape == (3, 28, 28)
    np.testing.assert_array_equal(y, make_split(3, 2)[1])


class _Evil:
    def __reduce__(self):
        return (print, ("should never run",))


def test_pickle_that_builds_other_objects_is_refused(tmp_path, capsys):
    (tmp_path / "mnist.pkl.gz").write_bytes(_pickle_gz(_Evil()))
    with pytest.raises(DataError, match="refusing to load .*print"):
        mnist.load_pickle(tmp_path / "mnist.pkl.gz")
    assert "should never run" not in capsys.readouterr().out
    (tmp_path / "x.pkl.gz").write_bytes(_pickle_gz({"not": "mnist"}))
    with pytest.raises(DataError, match="train, valid, test"):
        mnist.load_pickle(tmp_path / "x.pkl.gz")


def test_to_float_scales_to_unit_range():
    x = np.array([[[0, 255], [51, 102]]], np.uint8)
    f = mnist.to_float(x)
    assert f.shape == (1, 1, 2, 2) and f.dtype == np.float32
    np.testing.assert_allclose(f[0, 0], [[0, 1], [0.2, 0.4]], rtol=1e-6)


def test_bundled_sample_has_balanced_real_digits():
    x_train, y_train, x_test, y_test = mnist.load_sample()
    assert x_train.shape == (4000, 28, 28) and x_test.shape == (1000, 28, 28)
    assert x_train.dtype == y_train.dtype == np.uint8
    assert np.bincount(y_train, minlength=10).tolist() == [400] * 10
    assert np.bincount(y_test, minlength=10).tolist() == [100] * 10
    # Real digits: dark border, bright strokes, and no image repeated across the split.
    assert x_train[:, 0, :].max() < 64 and x_train.max() == 255
    assert not {im.tobytes() for im in x_test} & {im.tobytes() for im in x_train}


def test_digits_8x8_split_is_stratified_and_seeded():
    x_tr, y_tr, x_te, y_te = mnist.load_digits_8x8()
    assert x_tr.shape[1:] == (1, 8, 8) and x_tr.dtype == np.float32
    assert 0.0 <= x_tr.min() and x_tr.max() == 1.0
    assert len(x_te) == pytest.approx(0.2 * (len(x_tr) + len(x_te)), abs=1)
    assert np.bincount(y_te).min() >= 35
    np.testing.assert_array_equal(mnist.load_digits_8x8()[3], y_te)


# ---------------------------------------------------------------- downloads

@pytest.fixture
def server(monkeypatch):
    """A local HTTP server: ``routes[path] = bytes``; ``/status500/...`` answers 500."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    routes, hits = {}, []
    with serve_routes(routes, hits) as base:
        yield base, routes, hits


def _publish(monkeypatch, routes, prefix, files: dict[str, bytes], hashes=None):
    """Serve ``files`` under ``prefix`` and make them the expected MNIST file set."""
    for name, data in files.items():
        routes[f"/{prefix}/{name}"] = data
    table = {name: ((hashes or {}).get(name) or hashlib.sha256(data).hexdigest(), len(data))
             for name, data in files.items()}
    monkeypatch.setitem(mnist.FILES, "mnist", table)


def _test_files():
    images, labels = make_split(4)
    stems = mnist.idx_names("test")
    return {stems[0] + ".gz": gzip.compress(idx_bytes(images)),
            stems[1] + ".gz": gzip.compress(idx_bytes(labels))}, images


def test_download_checks_hashes_caches_and_reports_progress(server, monkeypatch, tmp_path):
    base, routes, hits = server
    files, images = _test_files()
    _publish(monkeypatch, routes, "good", files)
    seen = []
    folder = mnist.download(cache_dir=tmp_path, mirrors=[base + "/good/"],
                            progress=lambda d, t: seen.append((d, t)))
    assert folder == tmp_path / "mnist"
    assert sorted(p.name for p in folder.iterdir()) == sorted(files)
    total = sum(len(b) for b in files.values())
    assert seen[-1] == (total, total)
    assert all(d <= t for d, t in seen)
    np.testing.assert_array_equal(mnist.load_split(folder, "test")[0], images)
    n_hits = len(hits)
    mnist.download(cache_dir=tmp_path, mirrors=[base + "/good/"])
    assert len(hits) == n_hits  # served from the cache
    assert mnist.cached_dir("mnist", cache_dir=tmp_path) == folder
    assert mnist.cached_dir("fashion-mnist", cache_dir=tmp_path) is None


def test_wrong_checksum_leaves_nothing_in_the_cache(server, monkeypatch, tmp_path):
    base, routes, _ = server
    files, _ = _test_files()
    name = next(iter(files))
    _publish(monkeypatch, routes, "good", files, hashes={name: "0" * 64})
    with pytest.raises(DataError, match=f"could not download {name} from any mirror") as info:
        mnist.download(cache_dir=tmp_path, mirrors=[base + "/good/"])
    assert "--data-dir" in str(info.value)
    assert list((tmp_path / "mnist").iterdir()) == []


@pytest.mark.parametrize("first", ["/status500/", "/missing/"])
def test_a_failing_mirror_falls_through_to_the_next(server, monkeypatch, tmp_path, first):
    base, routes, hits = server
    files, _ = _test_files()
    _publish(monkeypatch, routes, "good", files)
    folder = mnist.download(cache_dir=tmp_path, mirrors=[base + first, base + "/good/"],
                            split="test")
    assert sorted(p.name for p in folder.iterdir()) == sorted(files)
    assert sum(h.startswith(first) for h in hits) == 2


def test_all_mirrors_failing_raises_data_error(server, monkeypatch, tmp_path):
    base, routes, _ = server
    files, _ = _test_files()
    _publish(monkeypatch, routes, "good", files)
    with pytest.raises(DataError, match="any mirror.*500") as info:
        mnist.download(cache_dir=tmp_path, mirrors=[base + "/missing/", base + "/status500/"])
    assert "\n" not in str(info.value)
    assert list((tmp_path / "mnist").iterdir()) == []


def test_unreachable_mirror_says_it_cannot_connect(monkeypatch, tmp_path):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    files, _ = _test_files()
    monkeypatch.setitem(mnist.FILES, "mnist", {n: ("0" * 64, len(b)) for n, b in files.items()})
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(DataError, match="cannot connect"):
        mnist.download(cache_dir=tmp_path, mirrors=[f"http://127.0.0.1:{port}/"])


def test_cancel_mid_download_keeps_no_partial_file(server, monkeypatch, tmp_path):
    base, routes, _ = server
    big = np.random.default_rng(0).bytes(1 << 20)  # 1 MiB: many 64 KiB chunks
    _publish(monkeypatch, routes, "good", {"t10k-images-idx3-ubyte.gz": big})
    seen = []
    with pytest.raises(mnist.DownloadCancelled):
        mnist.download(cache_dir=tmp_path, mirrors=[base + "/good/"],
                       progress=lambda d, t: seen.append(d), cancel=lambda: bool(seen))
    assert seen and 0 < seen[-1] < len(big)
    assert list((tmp_path / "mnist").iterdir()) == []


def test_unknown_data_set_is_refused(tmp_path):
    with pytest.raises(DataError, match="fashion-mnist"):
        mnist.download("cifar", cache_dir=tmp_path)


def test_published_checksums_are_well_formed():
    for table in mnist.FILES.values():
        assert len(table) == 4
        for sha, size in table.values():
            assert len(sha) == 64 and int(sha, 16) >= 0 and size > 1000
    assert set(mnist.MIRRORS) == set(mnist.FILES)


def test_idx_header_whose_dimensions_multiply_past_64_bits_is_refused(tmp_path):
    # 2^20 * 2^22 * 2^22 = 2^64 wraps to 0 in int64: the empty body must not pass as data.
    path = tmp_path / "huge-idx3-ubyte"
    path.write_bytes(bytes([0, 0, 8, 3]) + b"".join(
        d.to_bytes(4, "big") for d in (2**20, 2**22, 2**22)))
    with pytest.raises(DataError, match="huge-idx3-ubyte is truncated"):
        mnist.load_idx(path)
