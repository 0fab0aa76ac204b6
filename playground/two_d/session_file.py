"""A whole playground session in one ``.nnplay`` file (pure Python and NumPy, no Qt).

The file is a zip archive of:

- ``session.json``: ``{"format", "kind", "config" (RunConfig.to_dict()), "n_classes",
  "input_shape", "epoch", "has_model"}``
- ``points.npz``: ``X`` float64 (N, 2), ``y`` int64 (N,) (a regression session: float64
  target values), ``test`` bool (N,): every point
  and which side of the train/test split it is on
- ``history.npz``: ``history`` float64 (E, len(HISTORY_COLUMNS)), one row of metrics per
  completed epoch (NaN where a value is missing, e.g. no test set); ``columns`` names them
- ``model.npz`` (when there is a model): an engine model file (``engine.serialize``), so
  it also opens with ``engine.load`` once extracted.
- ``optimizer.npz`` (with a model, optional): the optimiser's state, so training goes
  on where it was: ``kind`` (its name), ``t`` (steps taken) and ``state/NAME/KEY`` arrays
  (e.g. Adam's moments of parameter ``0.W``). Files without it still open; the
  optimiser then starts afresh.
- ``timeline.npz`` (with a model, optional): the training timeline's snapshots
  (``playground.two_d.timeline_file``). Files without it, or with one that does not fit
  the network, open with a timeline that starts at the saved epoch.

``save_session`` writes atomically (temporary file in the same folder, fsync, rename), so
a crash mid-write leaves the old file. ``load_session`` checks everything before it
returns: whatever the bytes, it returns a ``Session`` or raises ``SessionError`` with one
sentence naming the file and the problem.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from dataclasses import dataclass, field

import numpy as np

from engine.atomic import write_atomic
from engine.budget import check_memory
from engine.build import build_model
from engine.datasets.csvio import MAX_COORDINATE
from engine.errors import DataError, EngineError, common_file_problem, open_regular
from engine.presets import build_optimizer
from engine.serialize import (
    copy_state_into,
    first_non_finite,
    npz_size_problem,
    read_state,
    write_state,
)
from engine.spec import RunConfig
from playground.two_d import timeline_file
from playground.two_d.points import MAX_CSV_ROWS
from playground.two_d.run_history import (
    CLASSIFICATION_COLUMNS,
    HISTORY_COLUMNS,
    empty_history,
    history_csv,
    widen_history,
)

#: the session format this version writes and the newest it reads.
FORMAT = 1
KIND = "nn-playground session"
SUFFIX = ".nnplay"
META, POINTS, HISTORY, MODEL = "session.json", "points.npz", "history.npz", "model.npz"
OPTIMIZER = "optimizer.npz"
TIMELINE = "timeline.npz"
#: largest uncompressed size read from each member (a damaged or hostile archive may
#: claim anything; nothing bigger is decompressed).
MEMBER_LIMITS = {META: 2**20, POINTS: 256 * 2**20, HISTORY: 512 * 2**20,
                 MODEL: 1024 * 2**20, OPTIMIZER: 2 * 1024 * 2**20,
                 TIMELINE: timeline_file.MAX_BYTES}
#: the metrics kept per epoch, in the order of the history array's columns.
MAX_MEMBERS = 64
#: largest session file opened (its members together, stored uncompressed).
MAX_FILE_BYTES = sum(MEMBER_LIMITS.values())
MAX_CLASSES = 1000
#: largest epoch count a session may record.
MAX_EPOCH = 10**9


class SessionError(DataError):
    """A session file cannot be read or written; the message names the file."""


@dataclass
class Session:
    """Everything needed to put the playground back as it was.

    ``X`` float64 (N, 2), ``y`` int64 (N,), ``test`` bool (N,) are the points and their
    split; ``weights`` maps ``param/NAME`` / ``buffer/NAME`` to arrays of the model the
    config builds for ``input_shape`` and ``n_classes`` (None: no model yet);
    ``history`` float64 (E, len(HISTORY_COLUMNS)) holds one row per completed epoch;
    ``optimizer`` the optimiser's state (``Optimizer.export_state``), if saved and usable;
    ``optimizer_note`` says why a saved one was left out ("" if none was);
    ``snapshots`` the training timeline (``engine.timeline.Snapshot`` list, oldest
    first; None: not saved) and ``timeline_note`` why a saved one was left out.
    """

    config: RunConfig
    X: np.ndarray
    y: np.ndarray
    test: np.ndarray
    n_classes: int = 2
    weights: dict[str, np.ndarray] | None = None
    model_spec: dict | None = None
    history: np.ndarray = field(default_factory=lambda: empty_history())
    epoch: int = 0
    input_shape: tuple[int, ...] = (2,)
    format: int = FORMAT
    optimizer: dict | None = None
    optimizer_note: str = ""
    snapshots: list | None = None
    timeline_note: str = ""


def dataset_points(dataset, regression: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A loaded 2-D data set as a session's points: ``X`` float64, ``y`` (float64 values
    or int64 labels) and the ``test`` mask, training points first."""
    X = np.concatenate([dataset.x_train, dataset.x_test]).astype(np.float64)
    y = np.concatenate([dataset.y_train, dataset.y_test]).astype(
        np.float64 if regression else np.int64)
    test = np.r_[np.zeros(len(dataset.y_train), bool), np.ones(len(dataset.y_test), bool)]
    return X, y, test


def trained_session(config: RunConfig, dataset, *, weights: dict, model_spec: dict,
                    history: np.ndarray, epoch: int, optimizer: dict | None = None
                    ) -> Session:
    """A run trained elsewhere (a compared run, a swept trial) on the 2-D ``dataset`` as
    a session the page restores as it opens a saved one."""
    X, y, test = dataset_points(dataset, config.data.is_regression)
    return Session(config, X, y, test, dataset.n_classes, weights=weights,
                   model_spec=model_spec, history=history, epoch=int(epoch),
                   optimizer=optimizer)


def _name(path: str | os.PathLike) -> str:
    text = os.fspath(path)
    return repr(text if len(text) <= 200 else "..." + text[-197:])


# ---------------------------------------------------------------------- writing


def _npz_bytes(**arrays: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def session_bytes(session: Session) -> bytes:
    """The ``.nnplay`` archive of ``session`` as bytes."""
    meta = {"format": FORMAT, "kind": KIND, "config": session.config.to_dict(),
            "n_classes": int(session.n_classes), "input_shape": list(session.input_shape),
            "epoch": int(session.epoch), "has_model": session.weights is not None}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        zf.writestr(META, json.dumps(meta))
        # a regression session's targets are real values, a classifier's labels integers
        y_type = np.float64 if session.config.data.is_regression else np.int64
        zf.writestr(POINTS, _npz_bytes(X=np.asarray(session.X, np.float64),
                                       y=np.asarray(session.y, y_type),
                                       test=np.asarray(session.test, bool)))
        zf.writestr(HISTORY, _npz_bytes(history=np.asarray(session.history, np.float64),
                                        columns=np.array(HISTORY_COLUMNS)))
        if session.weights is not None:
            model = io.BytesIO()
            write_state(model, session.model_spec or {}, session.weights)
            zf.writestr(MODEL, model.getvalue())
            opt = session.optimizer
            if opt is not None:
                arrays = {f"state/{k}": np.asarray(v) for k, v in opt["arrays"].items()}
                zf.writestr(OPTIMIZER, _npz_bytes(kind=np.array(opt["kind"]),
                                                  t=np.array(int(opt["t"]), np.int64),
                                                  **arrays))
            if session.snapshots:
                zf.writestr(TIMELINE, timeline_file.timeline_bytes(session.snapshots))
    return buf.getvalue()


def save_session(path: str | os.PathLike, session: Session) -> None:
    """Write ``session`` to ``path`` atomically; ``SessionError`` if it cannot be written."""
    try:
        data = session_bytes(session)
        write_atomic(path, data)
    except (OSError, ValueError, TypeError) as e:
        reason = getattr(e, "strerror", None) or str(e)
        raise SessionError(f"Cannot save session file {_name(path)}: {reason}.") from None


# ---------------------------------------------------------------------- reading


class _Reader:
    """Reads and checks one archive; ``fail`` builds the error naming the file."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = path
        self.name = _name(path)

    def fail(self, problem: str) -> SessionError:
        return SessionError(f"Session file {self.name} {problem}.")

    def load(self) -> Session:
        try:
            with open_regular(self.path, MAX_FILE_BYTES) as f:
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
                    return self._parse(zf)
        except OSError as e:
            problem = common_file_problem(e) or f"cannot be read ({e.strerror or e})"
            raise self.fail(problem) from None

    def _member(self, zf: zipfile.ZipFile, member: str) -> bytes:
        try:
            info = zf.getinfo(member)
        except KeyError:
            raise self.fail(f"lacks its {member} part") from None
        limit = MEMBER_LIMITS[member]
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

    def _parse(self, zf: zipfile.ZipFile) -> Session:
        if len(zf.infolist()) > MAX_MEMBERS:
            raise self.fail(f"has {len(zf.infolist())} parts; a session has at most "
                            f"{MAX_MEMBERS}")
        meta = self._meta(self._member(zf, META))
        config = self._config(meta)
        regression = config.data.is_regression
        X, y, test = self._points(self._member(zf, POINTS), regression)
        n_classes = meta.get("n_classes")
        low = 1 if regression else 2  # a regression network has one output
        if not (type(n_classes) is int and low <= n_classes <= MAX_CLASSES):
            raise self.fail(f"has an unusable number of classes {n_classes!r} (expected "
                            f"{low} to {MAX_CLASSES})")
        shape = meta.get("input_shape", [2])
        if not (isinstance(shape, list) and 1 <= len(shape) <= 3
                and all(type(v) is int and 1 <= v <= 4096 for v in shape)):
            raise self.fail(f"has an unusable input shape {shape!r}")
        epoch = meta.get("epoch", 0)
        if not (type(epoch) is int and 0 <= epoch <= MAX_EPOCH):
            raise self.fail(f"has an unusable epoch count {_short(epoch)} (expected 0 to "
                            f"{MAX_EPOCH:,})")
        history = self._history(self._member(zf, HISTORY))
        session = Session(config, X, y, test, n_classes, history=history, epoch=epoch,
                          input_shape=tuple(shape), format=meta["format"])
        if meta.get("has_model", False):
            model = self._model(session, self._member(zf, MODEL))
            if OPTIMIZER in zf.namelist():
                # An optimiser state that cannot be used costs only its moments, never the
                # session: it is left out, and the note says so.
                try:
                    state = self._optimizer(self._member(zf, OPTIMIZER))
                    build_optimizer(session.config).import_state(state, model)
                    session.optimizer = state
                except (SessionError, EngineError) as e:
                    session.optimizer_note = (
                        f"Training goes on with fresh optimiser moments: the saved state "
                        f"was left out ({_reason(e)}).")
            if TIMELINE in zf.namelist():
                # like the optimiser's state: a timeline that cannot be used is left out
                try:
                    session.snapshots = timeline_file.read_timeline(
                        self._member(zf, TIMELINE), session.weights, session.epoch)
                except (SessionError, DataError) as e:
                    session.timeline_note = (f"The saved timeline was left out "
                                             f"({_reason(e)}).")
        return session

    def _meta(self, data: bytes) -> dict:
        try:
            meta = json.loads(data.decode("utf-8"))
        except Exception as e:  # noqa: BLE001 - bad UTF-8, bad JSON, nesting too deep
            raise self.fail(f"has a damaged {META} ({type(e).__name__})") from None
        if not isinstance(meta, dict):
            raise self.fail(f"has a {META} that is not a JSON object")
        fmt = meta.get("format")
        if type(fmt) is not int or fmt < 1:
            raise self.fail(f"has no valid format number in {META} (found {fmt!r})")
        if fmt > FORMAT:
            raise self.fail(f"was saved by a newer version (format {fmt}); this version "
                            f"reads up to {FORMAT}")
        if meta.get("kind") != KIND:
            raise self.fail(f"is not a playground session ({META} says {meta.get('kind')!r})")
        return meta

    def _config(self, meta: dict) -> RunConfig:
        try:
            return RunConfig.from_dict(meta.get("config")).validate()
        except (ValueError, TypeError) as e:
            raise self.fail(f"holds an unusable run config ({e})") from None

    def _points(self, data: bytes, regression: bool = False
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        problem = npz_size_problem(io.BytesIO(data), MEMBER_LIMITS[POINTS])
        if problem:  # an array inside may inflate far past the member's own size
            raise self.fail(f"has a {POINTS} that {problem}")
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as z:
                X, y, test = z["X"], z["y"], z["test"]
        except Exception:  # noqa: BLE001 - a damaged npz can raise almost anything
            raise self.fail(f"has a damaged {POINTS} (it needs arrays X, y and test)") \
                from None
        if X.ndim != 2 or X.shape[1:] != (2,) or y.shape != (len(X),) \
                or test.shape != (len(X),):
            raise self.fail(f"has points of shapes {X.shape}, {y.shape}, {test.shape}; "
                            f"expected (N, 2), (N,) and (N,)")
        y_type = np.float64 if regression else np.int64
        if X.dtype != np.float64 or y.dtype != y_type or test.dtype != np.bool_:
            raise self.fail(f"has points of types {X.dtype}, {y.dtype}, {test.dtype}; "
                            f"expected float64, {np.dtype(y_type)} and bool")
        if len(X) > MAX_CSV_ROWS:  # the drawing's own limit: more is not interactive
            raise self.fail(f"has {len(X):,} points; the playground holds at most "
                            f"{MAX_CSV_ROWS:,}")
        if not np.isfinite(X).all():
            raise self.fail("has points that are not finite numbers (NaN or inf)")
        if len(X) and np.abs(X).max() > MAX_COORDINATE:  # the network computes in float32
            raise self.fail(f"has a point at {np.abs(X).max():.3g}, beyond the "
                            f"{MAX_COORDINATE:.1e} that 32-bit floats hold")
        if regression:
            if not np.isfinite(y).all():
                raise self.fail("has target values that are not finite numbers")
        elif len(y) and (y.min() < 0 or y.max() >= MAX_CLASSES):
            raise self.fail(f"has labels outside 0 to {MAX_CLASSES - 1}")
        return X, y, test

    def _history(self, data: bytes) -> np.ndarray:
        problem = npz_size_problem(io.BytesIO(data), MEMBER_LIMITS[HISTORY])
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

    def _optimizer(self, data: bytes) -> dict:
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

    def _model(self, session: Session, data: bytes):
        """Read the weights into ``session``; the network they were checked on."""
        try:
            spec, arrays = read_state(io.BytesIO(data), f"its {MODEL}")
        except DataError as e:
            raise self.fail(f"has an unreadable model ({e})") from None
        bad = first_non_finite(arrays)
        if bad is not None:
            raise self.fail(f"holds weights that are not finite numbers (NaN or inf in "
                            f"{bad})")
        session.model_spec, session.weights = spec, arrays
        try:
            return check_weights(session)
        except EngineError as e:
            raise self.fail(f"holds weights that do not match its run config ({e})") \
                from None


def check_weights(session: Session):
    """Raise ``EngineError`` unless ``session.weights`` fit the network its config builds
    (same names, shapes and types); the check builds that network, within the memory
    budget, copies the weights into it and returns it (None without weights)."""
    if session.weights is None:
        return None
    check_memory(session.config, session.input_shape, session.n_classes, batch_rows=1)
    model = build_model(session.config, session.input_shape, session.n_classes,
                        np.random.default_rng(0))
    copy_state_into(model, session.weights, "the session")
    return model


def _short(value, limit: int = 30) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def _reason(error: Exception) -> str:
    text = str(error).rstrip(".")
    return text[0].lower() + text[1:] if text else type(error).__name__


def load_session(path: str | os.PathLike) -> Session:
    """The session saved at ``path``; ``SessionError`` naming the file and the problem
    (not a zip, truncated, parts missing, bad JSON, newer format, weights that do not
    match the config, ...)."""
    return _Reader(path).load()


# ---------------------------------------------------------------------- history


def save_history_csv(path: str | os.PathLike, history: np.ndarray) -> None:
    """Write ``history`` as CSV to ``path`` atomically; ``SessionError`` on failure."""
    try:
        write_atomic(path, history_csv(history).encode("utf-8"))
    except (OSError, ValueError) as e:
        reason = getattr(e, "strerror", None) or str(e)
        raise SessionError(f"Cannot write the loss history to {_name(path)}: {reason}.") \
            from None
