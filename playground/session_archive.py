"""What every ``.nnplay`` session archive shares, whichever page wrote it (no Qt).

A session is a zip archive whose ``session.json`` names its ``kind`` and ``format``;
pages add their own members. This module writes the common members (``npz_bytes``,
``optimizer_bytes``) and reads them with the same checks for every page
(``ArchiveReader``): the file is opened only if it is a regular file under the size
limit, each member is decompressed only up to its own limit, and every problem becomes
one ``SessionError`` sentence naming the file. A page's reader subclasses
``ArchiveReader`` and writes its ``_parse``.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from collections.abc import Callable

import numpy as np

from engine.atomic import write_atomic
from engine.budget import check_memory
from engine.build import build_model
from engine.errors import DataError, common_file_problem, open_regular
from engine.serialize import (
    copy_state_into,
    first_non_finite,
    npz_size_problem,
    read_state,
    write_state,
)
from engine.spec import RunConfig
from playground.two_d.run_history import (
    CLASSIFICATION_COLUMNS,
    HISTORY_COLUMNS,
    widen_history,
)

SUFFIX = ".nnplay"
META, HISTORY, MODEL, OPTIMIZER = "session.json", "history.npz", "model.npz", "optimizer.npz"
#: largest epoch count a session may record.
MAX_EPOCH = 10**9
MAX_MEMBERS = 64


class SessionError(DataError):
    """A session file cannot be read or written; the message names the file."""


def display_name(path: str | os.PathLike) -> str:
    """``path`` quoted for a message, shortened to its last 200 characters."""
    text = os.fspath(path)
    return repr(text if len(text) <= 200 else "..." + text[-197:])


def npz_bytes(**arrays: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def history_bytes(history: np.ndarray) -> bytes:
    """The ``history.npz`` member: float64 (E, len(HISTORY_COLUMNS)) and its columns."""
    return npz_bytes(history=np.asarray(history, np.float64), columns=np.array(HISTORY_COLUMNS))


def optimizer_bytes(opt: dict) -> bytes:
    """The ``optimizer.npz`` member of an ``Optimizer.export_state()``: ``kind``, ``t``
    and ``state/NAME/KEY`` arrays."""
    arrays = {f"state/{k}": np.asarray(v) for k, v in opt["arrays"].items()}
    return npz_bytes(kind=np.array(opt["kind"]), t=np.array(int(opt["t"]), np.int64),
                     **arrays)


def write_run_members(zf: zipfile.ZipFile, history: np.ndarray, model_spec: dict | None,
                      weights: dict | None, optimizer: dict | None) -> None:
    """The members every page's session has: ``history.npz`` always, ``model.npz`` when
    there are weights, ``optimizer.npz`` when there is also an optimiser state."""
    zf.writestr(HISTORY, history_bytes(history))
    if weights is None:
        return
    model = io.BytesIO()
    write_state(model, model_spec or {}, weights)
    zf.writestr(MODEL, model.getvalue())
    if optimizer is not None:
        zf.writestr(OPTIMIZER, optimizer_bytes(optimizer))


def save_archive(path: str | os.PathLike, build: Callable[[], bytes]) -> None:
    """Write the archive ``build()`` makes to ``path`` atomically; ``SessionError``
    naming ``path`` if it cannot be made or written."""
    try:
        write_atomic(path, build())
    except (OSError, ValueError, TypeError) as e:
        why = getattr(e, "strerror", None) or str(e)
        raise SessionError(f"Cannot save session file {display_name(path)}: {why}.") \
            from None


def short(value, limit: int = 30) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def reason(error: Exception) -> str:
    """``error``'s message as a clause (lower-case start, no full stop)."""
    text = str(error).rstrip(".")
    return text[0].lower() + text[1:] if text else type(error).__name__


class ArchiveReader:
    """Reads and checks one archive of ``kind`` whose members may be at most ``limits``
    bytes each (uncompressed); ``fail`` builds the error naming the file. Subclasses
    set ``kind``, ``format`` (the newest read) and ``limits`` and write ``_parse``."""

    kind = ""
    format = 1
    limits: dict[str, int] = {}
    #: what to say when the archive is another page's session: kind -> sentence end.
    other_kinds: dict[str, str] = {}

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = path
        self.name = display_name(path)

    @property
    def max_file_bytes(self) -> int:
        return sum(self.limits.values())

    def fail(self, problem: str) -> SessionError:
        return SessionError(f"Session file {self.name} {problem}.")

    def load(self):
        try:
            with open_regular(self.path, self.max_file_bytes) as f:
                head = f.read(4)
                if not head:
                    raise self.fail("is empty")
                f.seek(0)
                try:
                    zf = zipfile.ZipFile(f)
                except Exception:  # noqa: BLE001 - any failure means "not a readable zip"
                    if head.startswith(b"PK"):
                        raise self.fail("is damaged or truncated (its zip directory "
                                        "cannot be read)") from None
                    raise self.fail("is not a session file (it is not a zip archive)") \
                        from None
                with zf:
                    if len(zf.infolist()) > MAX_MEMBERS:
                        raise self.fail(f"has {len(zf.infolist())} parts; a session has "
                                        f"at most {MAX_MEMBERS}")
                    return self._parse(zf)
        except OSError as e:
            problem = common_file_problem(e) or f"cannot be read ({e.strerror or e})"
            raise self.fail(problem) from None

    def _parse(self, zf: zipfile.ZipFile):
        raise NotImplementedError

    def member(self, zf: zipfile.ZipFile, member: str) -> bytes:
        """The bytes of ``member``, at most its limit; ``SessionError`` if missing,
        too large or damaged."""
        try:
            info = zf.getinfo(member)
        except KeyError:
            raise self.fail(f"lacks its {member} part") from None
        limit = self.limits[member]
        if info.file_size > limit:
            raise self.fail(f"has a {member} of {info.file_size:,} bytes, more than the "
                            f"{limit:,} accepted")
        try:
            with zf.open(info) as f:
                data = f.read(limit + 1)
        except Exception as e:  # noqa: BLE001 - zipfile/zlib raise many kinds on damage
            raise self.fail(f"is damaged or truncated ({member} cannot be read: "
                            f"{type(e).__name__})") from None
        if len(data) > limit:
            raise self.fail(f"has a {member} larger than the {limit:,} bytes accepted")
        return data

    def meta(self, data: bytes) -> dict:
        """``session.json`` as a dict, checked for its format number and kind."""
        try:
            meta = json.loads(data.decode("utf-8"))
        except Exception as e:  # noqa: BLE001 - bad UTF-8, bad JSON, nesting too deep
            raise self.fail(f"has a damaged {META} ({type(e).__name__})") from None
        if not isinstance(meta, dict):
            raise self.fail(f"has a {META} that is not a JSON object")
        fmt = meta.get("format")
        if type(fmt) is not int or fmt < 1:
            raise self.fail(f"has no valid format number in {META} (found {fmt!r})")
        if fmt > self.format:
            raise self.fail(f"was saved by a newer version (format {fmt}); this version "
                            f"reads up to {self.format}")
        kind = meta.get("kind")
        if kind != self.kind:
            other = self.other_kinds.get(kind) if isinstance(kind, str) else None
            if other:
                raise self.fail(other)
            raise self.fail(f"is not a playground session ({META} says {kind!r})")
        return meta

    def config(self, meta: dict) -> RunConfig:
        try:
            return RunConfig.from_dict(meta.get("config")).validate()
        except (ValueError, TypeError) as e:
            raise self.fail(f"holds an unusable run config ({e})") from None

    def epoch(self, meta: dict, key: str = "epoch") -> int:
        epoch = meta.get(key, 0)
        if not (type(epoch) is int and 0 <= epoch <= MAX_EPOCH):
            raise self.fail(f"has an unusable {key} count {short(epoch)} (expected 0 to "
                            f"{MAX_EPOCH:,})")
        return epoch

    def history(self, data: bytes) -> np.ndarray:
        """The ``history.npz`` array, float64 (E, len(HISTORY_COLUMNS))."""
        problem = npz_size_problem(io.BytesIO(data), self.limits[HISTORY])
        if problem:
            raise self.fail(f"has a {HISTORY} that {problem}")
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as z:
                history, columns = z["history"], z["columns"]
        except Exception:  # noqa: BLE001 - a damaged npz can raise almost anything
            raise self.fail(f"has a damaged {HISTORY}") from None
        names = tuple(columns.tolist()) if columns.ndim == 1 and columns.dtype.kind == "U" \
            else ()
        if names not in (HISTORY_COLUMNS, CLASSIFICATION_COLUMNS):
            raise self.fail(f"has a loss history with unknown columns (expected "
                            f"{', '.join(HISTORY_COLUMNS)})")
        if history.dtype != np.float64 or history.ndim != 2 \
                or history.shape[1] != len(names):
            raise self.fail(f"has a loss history of shape {history.shape} and type "
                            f"{history.dtype}; expected (E, {len(names)}) float64")
        if names != HISTORY_COLUMNS:  # saved before regression: no rmse or r2 columns
            history = widen_history(history, names)
        if np.isinf(history).any():  # NaN marks a metric not measured; inf is damage
            raise self.fail("has a loss history holding infinite values")
        counts = history[:, [HISTORY_COLUMNS.index("epoch"), HISTORY_COLUMNS.index("steps")]]
        if (np.abs(counts[~np.isnan(counts)]) > MAX_EPOCH * 1e6).any():
            raise self.fail("has a loss history with unusable epoch or step counts")
        return history

    def optimizer(self, data: bytes) -> dict:
        """The optimiser state as ``export_state`` gives it; ``SessionError`` saying what
        is wrong with it (the caller leaves it out)."""
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as z:
                kind, t = z["kind"], z["t"]
                arrays = {k[len("state/"):]: z[k] for k in z.files if k.startswith("state/")}
            if kind.shape != () or kind.dtype.kind != "U" or t.shape != () \
                    or t.dtype != np.int64 or int(t) < 0:
                raise SessionError("it has no valid kind and step count")
            for key, a in arrays.items():
                if a.dtype.kind != "f" or not np.isfinite(a).all():
                    raise SessionError(f"{key} is not finite numbers")
        except SessionError:
            raise
        except Exception:  # noqa: BLE001 - a damaged npz can raise almost anything
            raise SessionError(f"{OPTIMIZER} is damaged") from None
        return {"kind": str(kind), "t": int(t), "arrays": arrays}

    def model_state(self, data: bytes) -> tuple[dict, dict[str, np.ndarray]]:
        """The description and finite arrays of the ``model.npz`` member."""
        try:
            spec, arrays = read_state(io.BytesIO(data), f"its {MODEL}")
        except DataError as e:
            raise self.fail(f"has an unreadable model ({e})") from None
        bad = first_non_finite(arrays)
        if bad is not None:
            raise self.fail(f"holds weights that are not finite numbers (NaN or inf in "
                            f"{bad})")
        return spec, arrays


def check_weights(session):
    """Raise ``EngineError`` unless ``session.weights`` fit the network its config builds
    for ``session.input_shape`` and ``session.n_classes`` (same names, shapes and types);
    the check builds that network, within the memory budget, copies the weights into it
    and returns it (None without weights)."""
    if session.weights is None:
        return None
    check_memory(session.config, session.input_shape, session.n_classes, batch_rows=1)
    model = build_model(session.config, session.input_shape, session.n_classes,
                        np.random.default_rng(0))
    copy_state_into(model, session.weights, "the session")
    return model
