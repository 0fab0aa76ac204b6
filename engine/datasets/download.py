"""Download MNIST / Fashion-MNIST IDX files into a user cache, checked by SHA-256.

Each file is tried on every mirror in turn; pooch streams it to a temporary file in the
cache folder and renames it only once the hash matches, so a failed, corrupted or
cancelled download leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..errors import DataError

#: Mirrors per data set, tried in order; each is a base URL ending in "/".
MIRRORS: dict[str, list[str]] = {
    "mnist": [
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
    ],
    "fashion-mnist": [
        "https://fashion-mnist.s3.eu-central-1.amazonaws.com/",
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
    ],
}

#: file name -> (SHA-256, size in bytes) of the published .gz files.
FILES: dict[str, dict[str, tuple[str, int]]] = {
    "mnist": {
        "train-images-idx3-ubyte.gz": (
            "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609", 9912422),
        "train-labels-idx1-ubyte.gz": (
            "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c", 28881),
        "t10k-images-idx3-ubyte.gz": (
            "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6", 1648877),
        "t10k-labels-idx1-ubyte.gz": (
            "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6", 4542),
    },
    "fashion-mnist": {
        "train-images-idx3-ubyte.gz": (
            "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84", 26421880),
        "train-labels-idx1-ubyte.gz": (
            "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845", 29515),
        "t10k-images-idx3-ubyte.gz": (
            "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073", 4422102),
        "t10k-labels-idx1-ubyte.gz": (
            "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5", 5148),
    },
}

CHUNK_SIZE = 64 * 1024

ProgressFn = Callable[[int, int], None]
CancelFn = Callable[[], bool]


class DownloadCancelled(DataError):
    """The caller's ``cancel()`` returned True while files were being downloaded."""


def idx_names(split: str) -> tuple[str, str]:
    """Uncompressed IDX file names (images, labels) of ``split`` ("train" or "test")."""
    prefix = {"train": "train", "test": "t10k"}.get(split)
    if prefix is None:
        raise DataError(f"unknown split {split!r}; choose train or test")
    return f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte"


def default_cache_dir() -> Path:
    """The per-user cache folder of this application."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("nn-playground"))


def cached_dir(name: str = "mnist", cache_dir: str | Path | None = None,
               split: str | None = None) -> Path | None:
    """The cache folder of ``name`` if it already holds the files (of ``split``), else None.

    Checks names and sizes only; ``download`` verified the hashes before renaming them.
    """
    if name not in FILES:
        raise DataError(f"unknown data set {name!r}; choose one of {', '.join(FILES)}")
    folder = (Path(cache_dir) if cache_dir is not None else default_cache_dir()) / name
    wanted = FILES[name]
    if split is not None:
        wanted = {f: wanted[f] for f in (s + ".gz" for s in idx_names(split))}
    for fname, (_, size) in wanted.items():
        path = folder / fname
        if not path.is_file() or path.stat().st_size != size:
            return None
    return folder


class _Progress:
    """Byte counts over all files; doubles as the progress-bar object pooch drives.

    pooch sets ``total`` from Content-Length, calls ``update(chunk_size)`` per chunk and
    ``reset(); update(total); close()`` at the end of a file.
    """

    def __init__(self, sizes: dict[str, int], progress: ProgressFn | None,
                 cancel: CancelFn | None):
        self.expected = dict(sizes)  # file -> bytes, replaced by Content-Length when known
        self.done = dict.fromkeys(sizes, 0)
        self.current = ""
        self._progress, self._cancel = progress, cancel

    def check_cancel(self) -> None:
        if self._cancel is not None and self._cancel():
            raise DownloadCancelled("the download was cancelled; no partial file was kept")

    def report(self) -> None:
        if self._progress is not None:
            done = sum(self.done.values())
            self._progress(done, max(done, sum(self.expected.values())))

    def finish(self, fname: str, size: int) -> None:
        self.expected[fname] = self.done[fname] = size
        self.report()

    # --- the progress-bar protocol of pooch.HTTPDownloader ---
    @property
    def total(self) -> int:
        return self.expected.get(self.current, 0)

    @total.setter
    def total(self, value: int) -> None:
        if value:
            self.expected[self.current] = int(value)

    def update(self, n: int) -> None:
        self.check_cancel()
        done = self.done[self.current] + int(n)
        limit = self.expected.get(self.current, 0)
        # pooch counts whole chunks, so the last one can overshoot the file size.
        self.done[self.current] = min(done, limit) if limit else done
        self.report()

    def reset(self) -> None:
        self.done[self.current] = 0

    def close(self) -> None:
        pass


def download(
    name: str = "mnist",
    cache_dir: str | Path | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
    mirrors: list[str] | None = None,
    split: str | None = None,
    timeout: float = 30.0,
) -> Path:
    """Fetch the .gz IDX files of ``name`` ("mnist" or "fashion-mnist"); return their folder.

    Files go to ``cache_dir/name`` (default: the user cache folder) and are reused when
    already there with the right hash. ``split`` ("train"/"test") limits the download to
    that split's two files. ``progress(done_bytes, total_bytes)`` is called as data arrives;
    ``cancel()`` is polled between chunks and stops the download with ``DownloadCancelled``.
    Raises ``DataError`` when a file cannot be had from any mirror.
    """
    if name not in FILES:
        raise DataError(f"unknown data set {name!r}; choose one of {', '.join(FILES)}")
    files = FILES[name]
    if split is not None:
        files = {f: files[f] for f in (s + ".gz" for s in idx_names(split))}
    urls = list(mirrors if mirrors is not None else MIRRORS.get(name, []))
    if not urls:
        raise DataError(f"no download mirror is configured for {name!r}")
    folder = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    folder = folder / name
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise DataError(f"cannot create the cache folder {folder}: {e.strerror or e}") from None

    import pooch

    tracker = _Progress({f: size for f, (_, size) in files.items()}, progress, cancel)
    logger = pooch.get_logger()
    level = logger.level
    logger.setLevel("WARNING")  # pooch logs every download at INFO level on stderr
    try:
        for fname, (sha256, _) in files.items():
            tracker.check_cancel()
            target = folder / fname
            if target.is_file() and pooch.file_hash(str(target)) == sha256:
                tracker.finish(fname, target.stat().st_size)
                continue
            _fetch(fname, sha256, folder, urls, tracker, timeout)
            tracker.finish(fname, target.stat().st_size)
    finally:
        logger.setLevel(level)
    return folder


def _fetch(fname: str, sha256: str, folder: Path, urls: list[str], tracker: _Progress,
           timeout: float) -> None:
    """Download ``fname`` from the first mirror that serves it with the right hash."""
    import pooch
    import requests

    last = "no mirror tried"
    for base in urls:
        tracker.check_cancel()
        tracker.current = fname
        tracker.done[fname] = 0
        downloader = pooch.HTTPDownloader(progressbar=tracker, chunk_size=CHUNK_SIZE,
                                          timeout=timeout)
        try:
            pooch.retrieve(base.rstrip("/") + "/" + fname, known_hash=f"sha256:{sha256}",
                           fname=fname, path=folder, downloader=downloader)
            return
        except DownloadCancelled:
            raise
        except ValueError as e:  # pooch's hash mismatch
            last = f"{base}: {_first_line(e)}"
        except requests.ConnectionError as e:
            # requests nests the cause (e.g. NameResolutionError when offline) two levels down.
            reason = getattr(e.args[0] if e.args else None, "reason", None)
            last = f"{base}: cannot connect ({type(reason or e).__name__})"
        except (requests.RequestException, OSError) as e:
            last = f"{base}: {type(e).__name__}: {_first_line(e)}"
        tracker.done[fname] = 0
        tracker.report()
    raise DataError(
        f"could not download {fname} from any mirror (last error: {last}); check the network "
        "connection, or download the files elsewhere and pass --data-dir with their folder"
    )


def _first_line(e: Exception) -> str:
    text = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    return text if len(text) <= 200 else text[:197] + "..."
