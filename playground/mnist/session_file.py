"""An MNIST page session in one ``.nnplay`` file (pure Python and NumPy, no Qt).

The same archive as the 2-D page's (``playground.session_archive``: atomic writes,
every member size-checked before it is decompressed), of another kind:

- ``session.json``: ``{"format", "kind": "nn-playground mnist session", "source":
  {"key" (a ``SOURCES`` key), "path" (the opened file, else ""), "name" (the data set)},
  "config" (RunConfig.to_dict()), "n_classes", "input_shape", "n_train", "n_test",
  "epoch", "steps", "rng" (the generator's state, JSON), "has_model"}``. The data is
  referenced, never copied: the bundled sample and the downloaded sets by name, opened
  files by path; opening the session reads them again.
- ``history.npz``: one row per completed epoch under ``HISTORY_COLUMNS`` (as the 2-D
  page's).
- ``model.npz`` (with a model): an engine model file (``engine.load`` reads it).
- ``optimizer.npz`` (with a model, optional): ``Optimizer.export_state()``.
- ``initial.npz`` (with a model, optional): the weights each filter layer started from
  (``layer/INDEX``), for "Initial" and "Change since start".
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from dataclasses import dataclass, field

import numpy as np

from engine.errors import EngineError
from engine.presets import build_optimizer
from engine.serialize import npz_size_problem
from engine.spec import RunConfig
from playground.mnist.sources import SOURCES
from playground.session_archive import (
    HISTORY,
    META,
    MODEL,
    OPTIMIZER,
    ArchiveReader,
    SessionError,
    check_weights,
    npz_bytes,
    reason,
    save_archive,
    write_run_members,
)
from playground.two_d.run_history import HISTORY_COLUMNS, empty_history, history_rows

FORMAT = 1
KIND = "nn-playground mnist session"
INITIAL = "initial.npz"
MEMBER_LIMITS = {META: 2**20, HISTORY: 512 * 2**20, MODEL: 1024 * 2**20,
                 OPTIMIZER: 2 * 1024 * 2**20, INITIAL: 1024 * 2**20}
MAX_CLASSES = 1000


@dataclass
class MnistSession:
    """Everything needed to put the MNIST page back as it was: the data ``source`` (a
    ``SOURCES`` key) and ``path``, the run ``config``, the network's ``weights``
    (``param/NAME``/``buffer/NAME``; None: no network) with ``model_spec``, the
    ``optimizer`` state and ``initial`` filter weights (layer index -> W0), the
    ``history`` (float64 (E, len(HISTORY_COLUMNS))), the ``epoch`` and ``steps``
    counts and the generator state ``rng``. ``notes`` say what was left out."""

    source: str
    config: RunConfig
    path: str = ""
    n_classes: int = 10
    input_shape: tuple[int, ...] = (1, 28, 28)
    n_train: int = 0
    n_test: int = 0
    weights: dict[str, np.ndarray] | None = None
    model_spec: dict | None = None
    optimizer: dict | None = None
    initial: dict[int, np.ndarray] = field(default_factory=dict)
    history: np.ndarray = field(default_factory=empty_history)
    epoch: int = 0
    steps: int = 0
    rng: dict | None = None
    notes: list[str] = field(default_factory=list)

    def history_rows(self) -> list[dict]:
        """The history as the trainer's metrics dicts (NaN as None)."""
        return [{k: v for k, v in m.items() if not k.endswith(("_rmse", "_r2"))}
                for m in history_rows(self.history)]


def history_array(rows: list[dict]) -> np.ndarray:
    """The trainer's metrics dicts as float64 (E, len(HISTORY_COLUMNS)), NaN if missing."""
    out = np.full((len(rows), len(HISTORY_COLUMNS)), np.nan)
    for i, m in enumerate(rows):
        for j, key in enumerate(HISTORY_COLUMNS):
            value = m.get(key)
            if value is not None:
                out[i, j] = float(value)
    return out


def session_bytes(s: MnistSession) -> bytes:
    """The ``.nnplay`` archive of ``s`` as bytes."""
    meta = {"format": FORMAT, "kind": KIND,
            "source": {"key": s.source, "path": s.path, "name": s.config.data.name},
            "config": s.config.to_dict(), "n_classes": int(s.n_classes),
            "input_shape": list(s.input_shape), "n_train": int(s.n_train),
            "n_test": int(s.n_test), "epoch": int(s.epoch), "steps": int(s.steps),
            "rng": s.rng, "has_model": s.weights is not None}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        zf.writestr(META, json.dumps(meta))
        write_run_members(zf, s.history, s.model_spec, s.weights, s.optimizer)
        if s.weights is not None and s.initial:
            zf.writestr(INITIAL, npz_bytes(**{f"layer/{int(k)}": np.asarray(v)
                                              for k, v in s.initial.items()}))
    return buf.getvalue()


def save_session(path: str | os.PathLike, session: MnistSession) -> None:
    """Write ``session`` to ``path`` atomically; ``SessionError`` if it cannot be written."""
    save_archive(path, lambda: session_bytes(session))


class _Reader(ArchiveReader):
    kind, format, limits = KIND, FORMAT, MEMBER_LIMITS
    other_kinds = {"nn-playground session":
                   "is a session of the 2-D playground; open it on the 2-D tab"}

    def _parse(self, zf: zipfile.ZipFile) -> MnistSession:
        meta = self.meta(self.member(zf, META))
        config = self.config(meta)
        source = meta.get("source")
        if not (isinstance(source, dict) and source.get("key") in SOURCES
                and isinstance(source.get("path", ""), str)):
            raise self.fail(f"names no data source this version knows (expected one of "
                            f"{', '.join(SOURCES)})")
        key, path = source["key"], source.get("path", "")
        if key == "files" and not path:
            raise self.fail("names opened files but not their path")
        n_classes, shape = meta.get("n_classes"), meta.get("input_shape")
        if not (type(n_classes) is int and 2 <= n_classes <= MAX_CLASSES):
            raise self.fail(f"has an unusable number of classes {n_classes!r}")
        if not (isinstance(shape, list) and len(shape) == 3
                and all(type(v) is int and 1 <= v <= 4096 for v in shape)):
            raise self.fail(f"has an unusable image shape {shape!r}")
        rng = meta.get("rng")
        session = MnistSession(
            key, config, path, n_classes, tuple(shape),
            n_train=self.epoch(meta, "n_train"), n_test=self.epoch(meta, "n_test"),
            history=self.history(self.member(zf, HISTORY)), epoch=self.epoch(meta),
            steps=self.epoch(meta, "steps"), rng=rng if isinstance(rng, dict) else None)
        if not meta.get("has_model", False):
            return session
        session.model_spec, session.weights = self.model_state(self.member(zf, MODEL))
        try:
            model = check_weights(session)
        except EngineError as e:
            raise self.fail(f"holds weights that do not match its run config ({e})") \
                from None
        if OPTIMIZER in zf.namelist():
            try:  # an unusable optimiser state costs its moments, never the session
                state = self.optimizer(self.member(zf, OPTIMIZER))
                build_optimizer(config).import_state(state, model)
                session.optimizer = state
            except (SessionError, EngineError) as e:
                session.notes.append(f"Training goes on with fresh optimiser moments: the "
                                     f"saved state was left out ({reason(e)}).")
        if INITIAL in zf.namelist():
            try:
                session.initial = self._initial(self.member(zf, INITIAL), model)
            except SessionError as e:
                session.notes.append(f"The starting filters were left out ({reason(e)}); "
                                     f"they start from the weights as saved.")
        return session

    def _initial(self, data: bytes, model) -> dict[int, np.ndarray]:
        problem = npz_size_problem(io.BytesIO(data), MEMBER_LIMITS[INITIAL])
        if problem:
            raise SessionError(f"{INITIAL} {problem}")
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as z:
                arrays = {k: z[k] for k in z.files}
        except Exception:  # noqa: BLE001 - a damaged npz can raise almost anything
            raise SessionError(f"{INITIAL} is damaged") from None
        out = {}
        for key, a in arrays.items():
            index = key.removeprefix("layer/")
            if not index.isdigit() or int(index) >= len(model.layers):
                raise SessionError(f"{key!r} names no layer of the network")
            w = model.layers[int(index)].params.get("W")
            if w is None or a.shape != w.shape or a.dtype != w.dtype \
                    or not np.isfinite(a).all():
                raise SessionError(f"{key!r} does not fit the layer's weights")
            out[int(index)] = a
        return out


def load_session(path: str | os.PathLike) -> MnistSession:
    """The MNIST session saved at ``path``; ``SessionError`` naming the file and the
    problem (not a zip, truncated, parts missing, another page's session, weights that
    do not match the config, ...)."""
    return _Reader(path).load()
