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
from engine.datasets.csvio import MAX_COORDINATE
from engine.errors import DataError, EngineError
from engine.presets import build_optimizer
from engine.serialize import npz_size_problem
from engine.spec import RunConfig
from playground.session_archive import (
    HISTORY,
    MAX_EPOCH,
    MAX_MEMBERS,
    META,
    MODEL,
    OPTIMIZER,
    SUFFIX,
    ArchiveReader,
    SessionError,
    check_weights,
    display_name,
    npz_bytes,
    reason,
    save_archive,
    write_run_members,
)
from playground.two_d import timeline_file
from playground.two_d.points import MAX_CSV_ROWS
from playground.two_d.run_history import empty_history, history_csv

#: the session format this version writes and the newest it reads.
FORMAT = 1
KIND = "nn-playground session"
POINTS, TIMELINE = "points.npz", "timeline.npz"
#: largest uncompressed size read from each member (a damaged or hostile archive may
#: claim anything; nothing bigger is decompressed).
MEMBER_LIMITS = {META: 2**20, POINTS: 256 * 2**20, HISTORY: 512 * 2**20,
                 MODEL: 1024 * 2**20, OPTIMIZER: 2 * 1024 * 2**20,
                 TIMELINE: timeline_file.MAX_BYTES}
#: largest session file opened (its members together, stored uncompressed).
MAX_FILE_BYTES = sum(MEMBER_LIMITS.values())
MAX_CLASSES = 1000
__all__ = ["FORMAT", "KIND", "MAX_EPOCH", "MAX_MEMBERS", "SUFFIX", "Session", "SessionError",
           "check_weights", "load_session", "save_session", "session_bytes"]


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


# ---------------------------------------------------------------------- writing


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
        zf.writestr(POINTS, npz_bytes(X=np.asarray(session.X, np.float64),
                                      y=np.asarray(session.y, y_type),
                                      test=np.asarray(session.test, bool)))
        write_run_members(zf, session.history, session.model_spec, session.weights,
                          session.optimizer)
        if session.weights is not None and session.snapshots:
            zf.writestr(TIMELINE, timeline_file.timeline_bytes(session.snapshots))
    return buf.getvalue()


def save_session(path: str | os.PathLike, session: Session) -> None:
    """Write ``session`` to ``path`` atomically; ``SessionError`` if it cannot be written."""
    save_archive(path, lambda: session_bytes(session))


# ---------------------------------------------------------------------- reading


class _Reader(ArchiveReader):
    """Reads and checks one 2-D session archive."""

    kind, format, limits = KIND, FORMAT, MEMBER_LIMITS
    other_kinds = {"nn-playground mnist session":
                   "is a session of the MNIST page; open it on the MNIST tab"}

    def _parse(self, zf: zipfile.ZipFile) -> Session:
        meta = self.meta(self.member(zf, META))
        config = self.config(meta)
        regression = config.data.is_regression
        X, y, test = self._points(self.member(zf, POINTS), regression)
        n_classes = meta.get("n_classes")
        low = 1 if regression else 2  # a regression network has one output
        if not (type(n_classes) is int and low <= n_classes <= MAX_CLASSES):
            raise self.fail(f"has an unusable number of classes {n_classes!r} (expected "
                            f"{low} to {MAX_CLASSES})")
        shape = meta.get("input_shape", [2])
        if not (isinstance(shape, list) and 1 <= len(shape) <= 3
                and all(type(v) is int and 1 <= v <= 4096 for v in shape)):
            raise self.fail(f"has an unusable input shape {shape!r}")
        epoch = self.epoch(meta)
        history = self.history(self.member(zf, HISTORY))
        session = Session(config, X, y, test, n_classes, history=history, epoch=epoch,
                          input_shape=tuple(shape), format=meta["format"])
        if meta.get("has_model", False):
            model = self._model(session, self.member(zf, MODEL))
            if OPTIMIZER in zf.namelist():
                # An optimiser state that cannot be used costs only its moments, never the
                # session: it is left out, and the note says so.
                try:
                    state = self.optimizer(self.member(zf, OPTIMIZER))
                    build_optimizer(session.config).import_state(state, model)
                    session.optimizer = state
                except (SessionError, EngineError) as e:
                    session.optimizer_note = (
                        f"Training goes on with fresh optimiser moments: the saved state "
                        f"was left out ({reason(e)}).")
            if TIMELINE in zf.namelist():
                # like the optimiser's state: a timeline that cannot be used is left out
                try:
                    session.snapshots = timeline_file.read_timeline(
                        self.member(zf, TIMELINE), session.weights, session.epoch)
                except (SessionError, DataError) as e:
                    session.timeline_note = (f"The saved timeline was left out "
                                             f"({reason(e)}).")
        return session

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

    def _model(self, session: Session, data: bytes):
        """Read the weights into ``session``; the network they were checked on."""
        session.model_spec, session.weights = self.model_state(data)
        try:
            return check_weights(session)
        except EngineError as e:
            raise self.fail(f"holds weights that do not match its run config ({e})") \
                from None


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
        why = getattr(e, "strerror", None) or str(e)
        raise SessionError(f"Cannot write the loss history to {display_name(path)}: {why}.") \
            from None
