"""The ``timeline.npz`` member of a session: the training timeline's snapshots.

Arrays (T snapshots, oldest first): ``epochs`` and ``steps`` int64 (T,); ``rng`` str (T,)
the generator's state as JSON ("" when not taken); ``opt_kind`` str (T,) ("" when no
optimiser state) and ``opt_t`` int64 (T,); ``w/I/KEY`` snapshot I's weights
(``param/NAME``/``buffer/NAME``) and ``o/I/NAME/KEY`` its optimiser's arrays.
"""

from __future__ import annotations

import io
import json

import numpy as np

from engine.errors import DataError
from engine.serialize import first_non_finite, npz_size_problem
from engine.timeline import MAX_BYTES as STORE_BYTES
from engine.timeline import Snapshot

#: largest member read (the store's cap and room for the file's own overhead).
MAX_BYTES = 2 * STORE_BYTES
#: most snapshots read from a file.
MAX_SNAPSHOTS = 10_000


def timeline_bytes(snapshots: list[Snapshot]) -> bytes:
    """``snapshots`` as the bytes of a ``timeline.npz``."""
    arrays: dict[str, np.ndarray] = {
        "epochs": np.array([s.epoch for s in snapshots], np.int64),
        "steps": np.array([s.steps for s in snapshots], np.int64),
        "rng": np.array([json.dumps(s.rng) if s.rng is not None else "" for s in snapshots]),
        "opt_kind": np.array([s.optimizer["kind"] if s.optimizer else "" for s in snapshots]),
        "opt_t": np.array([s.optimizer["t"] if s.optimizer else 0 for s in snapshots],
                          np.int64),
    }
    for i, s in enumerate(snapshots):
        arrays.update({f"w/{i}/{k}": v for k, v in s.weights.items()})
        if s.optimizer:
            arrays.update({f"o/{i}/{k}": np.asarray(v)
                           for k, v in s.optimizer["arrays"].items()})
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def read_timeline(data: bytes, weights: dict[str, np.ndarray], epoch: int
                  ) -> list[Snapshot]:
    """The snapshots in ``data``, checked against the session's ``weights`` (same names,
    shapes and types) and ``epoch`` (none later); ``DataError`` saying what is wrong."""
    problem = npz_size_problem(io.BytesIO(data), MAX_BYTES)
    if problem:
        raise DataError(f"the timeline {problem}")
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            files = {k: z[k] for k in z.files}
    except Exception:  # noqa: BLE001 - a damaged npz can raise almost anything
        raise DataError("the timeline is damaged") from None
    try:
        epochs, steps = files["epochs"], files["steps"]
        rng, kinds, ts = files["rng"], files["opt_kind"], files["opt_t"]
    except KeyError as e:
        raise DataError(f"the timeline lacks its {e.args[0]} array") from None
    n = len(epochs)
    if not (epochs.ndim == 1 and 0 < n <= MAX_SNAPSHOTS and epochs.dtype == np.int64
            and all(a.shape == (n,) for a in (steps, rng, kinds, ts))
            and steps.dtype == np.int64 and ts.dtype == np.int64
            and rng.dtype.kind == "U" and kinds.dtype.kind == "U"):
        raise DataError("the timeline's index arrays have unusable shapes or types")
    if epochs[0] < 0 or (np.diff(epochs) <= 0).any() or epochs[-1] > epoch \
            or (steps < 0).any() or (ts < 0).any():
        raise DataError("the timeline's epochs are not increasing counts up to the "
                        "session's epoch")
    parts: dict[tuple[str, int], dict[str, np.ndarray]] = {}
    for key, value in files.items():  # "w/I/KEY" and "o/I/KEY", grouped by snapshot
        head, _, rest = key.partition("/")
        index, _, name = rest.partition("/")
        if head in ("w", "o") and index.isdigit() and name:
            parts.setdefault((head, int(index)), {})[name] = value
    out = []
    for i in range(n):
        w = parts.get(("w", i), {})
        if set(w) != set(weights) or any(
                w[k].shape != weights[k].shape or w[k].dtype != weights[k].dtype for k in w):
            raise DataError(f"the timeline's snapshot of epoch {epochs[i]} does not fit "
                            f"the network")
        bad = first_non_finite(w)
        if bad is not None:
            raise DataError(f"the timeline holds weights that are not finite ({bad})")
        optimizer = None
        if kinds[i]:
            arrays = parts.get(("o", i), {})
            if any(a.dtype.kind != "f" or not np.isfinite(a).all() for a in arrays.values()):
                raise DataError("the timeline holds an optimiser state that is not finite")
            optimizer = {"kind": str(kinds[i]), "t": int(ts[i]), "arrays": arrays}
        out.append(Snapshot(int(epochs[i]), w, optimizer, _rng_state(str(rng[i])),
                            int(steps[i])))
    return out


def _rng_state(text: str) -> dict | None:
    """A generator state from its JSON ("" : none); ``DataError`` if it is not one."""
    if not text:
        return None
    try:
        state = json.loads(text)
        probe = np.random.PCG64()
        if state.get("bit_generator") != "PCG64":
            raise ValueError(state.get("bit_generator"))
        probe.state = state   # raises on anything that is not a PCG64 state
    except Exception:  # noqa: BLE001 - bad JSON or a state numpy refuses
        raise DataError("the timeline holds an unusable generator state") from None
    return state
