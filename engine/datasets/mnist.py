"""MNIST-style digit images (MNIST, Fashion-MNIST) from local files, plus small bundled sets.

Formats read: the standard IDX files (raw or ``.gz``), a Keras-style ``mnist.npz`` and
Nielsen's ``mnist.pkl.gz``. Every reader returns images as uint8 (N, 28, 28) and labels as
uint8 (N,); any unusable file raises ``DataError`` naming the file and the problem.
Downloading lives in ``engine.datasets.download`` and is re-exported here.
"""

from __future__ import annotations

import _codecs
import gzip
import io
import math
import pickle
import zipfile
import zlib
from pathlib import Path

import numpy as np

from ..errors import DataError, FileRefused, common_file_problem, open_regular, read_regular
from ..paths import asset
from ..serialize import npz_size_problem
from .download import FILES, MIRRORS, DownloadCancelled, cached_dir, download, idx_names

__all__ = [
    "FILES",
    "MIRRORS",
    "DownloadCancelled",
    "cached_dir",
    "download",
    "idx_names",
    "load_digits_8x8",
    "load_idx",
    "load_npz",
    "load_pickle",
    "load_sample",
    "load_split",
    "to_float",
]

SPLITS = ("train", "test")
IMAGE_SHAPE = (28, 28)
# IDX type byte -> element dtype (big-endian, as the format stores numbers).
_IDX_TYPES = {0x08: "u1", 0x09: "i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_GZIP_MAGIC = b"\x1f\x8b"
#: most dimensions an IDX file may announce (NumPy arrays stop at 64).
MAX_IDX_DIMS = 8
#: largest file read (MNIST's training images take 47 MB unpacked, Keras' npz 11 MB).
MAX_FILE_BYTES = 512 * 2**20

Split = tuple[np.ndarray, np.ndarray]


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, gunzipped when it is a gzip file (by name or by content)."""
    try:
        data = read_regular(path, MAX_FILE_BYTES)
    except FileNotFoundError:
        raise DataError(f"{path} does not exist") from None
    except OSError as e:
        problem = common_file_problem(e) or f"could not be read: {e.strerror or e}"
        raise DataError(f"{path} {problem}") from None
    if path.suffix == ".gz" and not data.startswith(_GZIP_MAGIC):
        raise DataError(f"{path} is not a gzip file although its name ends in .gz")
    if data.startswith(_GZIP_MAGIC):
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as z:
                unpacked = z.read(MAX_FILE_BYTES + 1)  # a small file may unpack to anything
        except EOFError:
            raise DataError(f"{path} is truncated: the gzip stream ends early") from None
        except (OSError, zlib.error) as e:
            raise DataError(f"{path} is a damaged gzip file ({e})") from None
        if len(unpacked) > MAX_FILE_BYTES:
            raise DataError(f"{path} unpacks to more than the {MAX_FILE_BYTES:,} bytes "
                            f"accepted")
        return unpacked
    return data


def load_idx(path: str | Path) -> np.ndarray:
    """Read an IDX file (raw or ``.gz``) into an array of its stored shape and type.

    Header: two zero bytes, a type byte (0x08 = uint8, ...), the number of dimensions,
    then each dimension as a big-endian uint32; the data follows in C order.
    """
    path = Path(path)
    data = _read_bytes(path)
    if len(data) < 4:
        raise DataError(f"{path} is truncated: {len(data)} bytes, too short for an IDX header")
    if data[0] != 0 or data[1] != 0 or data[2] not in _IDX_TYPES or data[3] == 0:
        magic = int.from_bytes(data[:4], "big")
        raise DataError(
            f"{path} is not an IDX file: wrong magic number 0x{magic:08X} "
            "(expected 0x000008NN for uint8 data with NN dimensions)"
        )
    dtype = np.dtype(_IDX_TYPES[data[2]])
    ndim = data[3]
    if ndim > MAX_IDX_DIMS:
        raise DataError(f"{path} announces {ndim} dimensions; IDX files of at most "
                        f"{MAX_IDX_DIMS} are read (MNIST's have 1 or 3)")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DataError(f"{path} is truncated inside its header ({ndim} dimensions announced)")
    dims = tuple(int(d) for d in np.frombuffer(data, ">u4", count=ndim, offset=4))
    # Python integers: a product of huge announced dimensions must not wrap around to 0.
    expected = math.prod(dims) * dtype.itemsize
    found = len(data) - header
    if found != expected:
        problem = "is truncated" if found < expected else "has trailing bytes"
        raise DataError(
            f"{path} {problem}: its header announces shape {dims} ({expected} bytes of data) "
            f"but it holds {found}"
        )
    try:
        arr = np.frombuffer(data, dtype, offset=header).reshape(dims)
    except ValueError:  # e.g. (0, 3e9, 3e9): no bytes, but NumPy refuses the shape
        raise DataError(f"{path} announces shape {dims}, which is too large for an array"
                        ) from None
    return arr.astype(dtype.newbyteorder("="))  # native byte order, and a writable copy


def _as_images(images: np.ndarray, labels: np.ndarray, source: str) -> Split:
    """Check and convert one split to (uint8 (N, 28, 28), uint8 (N,))."""
    if images.ndim == 2 and images.shape[1] == IMAGE_SHAPE[0] * IMAGE_SHAPE[1]:
        images = images.reshape(-1, *IMAGE_SHAPE)
    if images.ndim != 3 or images.shape[1:] != IMAGE_SHAPE:
        raise DataError(f"{source} holds images of shape {images.shape}, expected (N, 28, 28)")
    if labels.ndim != 1:
        raise DataError(f"{source} holds labels of shape {labels.shape}, expected (N,)")
    if len(images) != len(labels):
        raise DataError(f"{source} has {len(images)} images but {len(labels)} labels")
    for arr, what, top in ((images, "pixel", 255), (labels, "label", 9)):
        if arr.size == 0 or (arr.dtype == np.uint8 and top == 255):
            continue  # uint8 pixels need no check (the common, large case)
        ok = np.issubdtype(arr.dtype, np.number) and 0 <= arr.min() and arr.max() <= top
        if not ok or (not np.issubdtype(arr.dtype, np.integer) and np.any(arr != np.rint(arr))):
            raise DataError(f"{source} has {what} values outside the integers 0..{top}")
    return images.astype(np.uint8, copy=False), labels.astype(np.uint8, copy=False)


def load_npz(path: str | Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Keras-style ``mnist.npz`` -> (x_train, y_train, x_test, y_test), uint8."""
    path = Path(path)
    keys = ("x_train", "y_train", "x_test", "y_test")
    try:
        # Open the file here: np.load leaks its own handle when the zip is unreadable.
        with open_regular(path, MAX_FILE_BYTES) as f:
            problem = npz_size_problem(f, MAX_FILE_BYTES)
            if problem:
                raise DataError(f"{path} {problem}")
            with np.load(f, allow_pickle=False) as z:
                missing = [k for k in keys if k not in z.files]
                if missing:
                    raise DataError(f"{path} has no {', '.join(missing)} array (it needs "
                                    "x_train, y_train, x_test, y_test)")
                arrays = [z[k] for k in keys]
    except FileNotFoundError:
        raise DataError(f"{path} does not exist") from None
    except FileRefused as e:
        raise DataError(f"{path} {e.problem}") from None
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error) as e:
        if isinstance(e, DataError):
            raise
        raise DataError(f"{path} is not a readable .npz file ({e})") from None
    train = _as_images(arrays[0], arrays[1], f"{path} (train)")
    test = _as_images(arrays[2], arrays[3], f"{path} (test)")
    return (*train, *test)


class _ArraysOnlyUnpickler(pickle.Unpickler):
    """Unpickles tuples of NumPy arrays and nothing else (no other class can be built)."""

    def find_class(self, module: str, name: str):
        if (module, name) == ("_codecs", "encode"):
            return _codecs.encode  # how protocol-2 pickles from Python 3 store bytes
        allowed = {"_reconstruct", "scalar", "_frombuffer", "ndarray", "dtype"}
        if module.split(".")[0] == "numpy" and name in allowed:
            if name == "dtype":
                return np.dtype
            if name == "ndarray":
                return _CheckedArray
            # Old pickles name numpy.core, which NumPy 2 renamed numpy._core.
            try:
                from numpy._core import multiarray, numeric
            except ImportError:  # NumPy < 1.26
                from numpy.core import multiarray, numeric
            found = getattr(multiarray if hasattr(multiarray, name) else numeric, name)
            if name == "_reconstruct":
                return lambda subtype, shape, dtype: found(
                    subtype, _checked_shape(shape, dtype), dtype)
            return found
        raise pickle.UnpicklingError(f"refusing to load {module}.{name}")


def _checked_shape(shape, dtype) -> tuple:
    """``shape`` if an array of it fits in ``MAX_FILE_BYTES``: a pickle may announce any
    shape, and an array is allocated before its data is read (3 million images from a
    342-byte file)."""
    dims = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    if not all(isinstance(d, (int, np.integer)) and d >= 0 for d in dims):
        raise pickle.UnpicklingError(f"an array shape of {shape!r}")
    size = math.prod(int(d) for d in dims) * np.dtype(dtype).itemsize
    if size > MAX_FILE_BYTES:
        raise pickle.UnpicklingError(
            f"an array of shape {tuple(int(d) for d in dims)} ({size:,} bytes) announced, "
            f"more than the {MAX_FILE_BYTES:,} a data file may hold")
    return dims


class _CheckedArray(np.ndarray):
    """``numpy.ndarray`` as a pickle may call it, after its shape has been checked."""

    def __new__(cls, shape, dtype=float, *args, **kwargs):
        return np.ndarray.__new__(cls, _checked_shape(shape, dtype), dtype, *args, **kwargs)


def load_pickle(path: str | Path) -> dict[str, Split]:
    """Nielsen's ``mnist.pkl.gz`` -> {"train": 50k, "valid": 10k, "test": 10k} (uint8 splits).

    The file stores float pixels in [0, 1) as (N, 784); they are scaled back to 0..255.
    """
    path = Path(path)
    raw = _read_bytes(path)
    # A user's own local file; the restricted unpickler still builds nothing but arrays.
    # encoding="latin1" reads the Python 2 byte strings holding the array data.
    try:
        sets = _ArraysOnlyUnpickler(io.BytesIO(raw), encoding="latin1").load()
    except Exception as e:  # a damaged pickle can raise almost anything
        why = f"{type(e).__name__}: {e}"
        raise DataError(f"{path} is not a readable MNIST pickle ({why})") from None
    if not (isinstance(sets, (tuple, list)) and len(sets) == 3
            and all(isinstance(s, (tuple, list)) and len(s) == 2 for s in sets)):
        raise DataError(f"{path} does not hold the (train, valid, test) pairs of mnist.pkl.gz")
    out = {}
    for key, (x, y) in zip(("train", "valid", "test"), sets):
        x, y = np.asarray(x), np.asarray(y)
        if np.issubdtype(x.dtype, np.floating):
            # Nielsen's file divides by 256 (max 255/256); other copies divide by 255.
            scale = 256.0 if x.size and x.max() <= 255 / 256 + 1e-6 else 255.0
            x = np.clip(np.rint(x * scale), 0, 255)
        out[key] = _as_images(x, y, f"{path} ({key})")
    return out


def _find(folder: Path, names: list[str]) -> Path | None:
    """The first of ``names`` present in ``folder`` (a pipe or device too: the reader then
    says what it is, rather than this saying the file is missing)."""
    for name in names:
        if (folder / name).exists() and not (folder / name).is_dir():
            return folder / name
    return None


def load_split(data_dir: str | Path, split: str = "train", name: str = "mnist") -> Split:
    """Images uint8 (N, 28, 28) and labels uint8 (N,) of ``split`` from files in ``data_dir``.

    Looks for the split's two IDX files (raw or .gz), then ``{name}.npz``, then
    ``{name}.pkl.gz`` (whose 50k train / 10k test splits are used), in ``data_dir`` and in
    ``data_dir/name``. Only the files of the requested split are read.
    """
    if split not in SPLITS:
        raise DataError(f"unknown split {split!r}; choose one of {', '.join(SPLITS)}")
    base = Path(data_dir)
    if not base.is_dir():
        raise DataError(f"data folder {base} does not exist")
    images_stem, labels_stem = idx_names(split)
    for folder in (base, base / name):
        if not folder.is_dir():
            continue
        images = _find(folder, _idx_variants(images_stem))
        labels = _find(folder, _idx_variants(labels_stem))
        if images or labels:
            if not (images and labels):
                lacking = labels_stem if images else images_stem
                raise DataError(f"{folder} has no {lacking}[.gz] to go with the {split} files")
            return _as_images(load_idx(images), load_idx(labels), f"{images} + {labels.name}")
        npz = folder / f"{name}.npz"
        if npz.is_file():
            x_tr, y_tr, x_te, y_te = load_npz(npz)
            return (x_tr, y_tr) if split == "train" else (x_te, y_te)
        pkl = folder / f"{name}.pkl.gz"
        if pkl.is_file():
            return load_pickle(pkl)[split]
    raise DataError(
        f"no {name} files in {base}: expected {images_stem}[.gz] and {labels_stem}[.gz], "
        f"{name}.npz or {name}.pkl.gz"
    )


def _idx_variants(stem: str) -> list[str]:
    # Some copies spell "t10k-images.idx3-ubyte" with a dot.
    dotted = stem.replace("-idx", ".idx")
    return [stem, stem + ".gz", dotted, dotted + ".gz"]


def to_float(images: np.ndarray) -> np.ndarray:
    """uint8 images (N, H, W) or (N, 1, H, W) -> float32 (N, 1, H, W) in [0, 1]."""
    if images.ndim == 3:
        images = images[:, None]
    if images.ndim != 4 or images.shape[1] != 1:
        raise DataError(f"expected grey images (N, H, W) or (N, 1, H, W), got {images.shape}")
    out = images.astype(np.float32)
    out *= 1.0 / 255.0
    return out


def load_sample() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The bundled 5,000-image MNIST sample: x_train (4000, 28, 28), y_train, x_test (1000, ...).

    Images and labels are uint8; 400 train and 100 test images per digit.
    """
    return load_npz(asset("mnist_sample.npz"))


def load_digits_8x8(
    test_fraction: float = 0.2, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """scikit-learn's 8x8 digits: float32 (N, 1, 8, 8) in [0, 1], uint8 labels, stratified split.

    Returns (x_train, y_train, x_test, y_test); the same seed gives the same split.
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    x = (digits.images.astype(np.float32) / np.float32(16.0))[:, None]
    y = digits.target.astype(np.uint8)
    x_tr, x_te, y_tr, y_te = train_test_split(
        x, y, test_size=test_fraction, stratify=y, random_state=seed
    )
    return x_tr, y_tr, x_te, y_te
