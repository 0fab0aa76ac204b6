"""What the "Inside the network" window shows, computed from a model (no Qt here): the
per-layer statistics on a fixed probe batch, a hidden layer's view of the data and of a
grid over the input plane, and the gradient check of a copy of the network.

The training worker calls ``stats_payload`` and ``layer_view_payload`` between its ticks;
``gradient_check`` runs on a one-shot thread from copies of the weights. Every payload is
made of plain dicts, lists and fresh arrays, so the window reads it without the engine.
"""

from __future__ import annotations

import numpy as np

from engine.build import build_from_description
from engine.gradcheck import NETWORK_TOLERANCE, check_network
from engine.layer_stats import inspect_layers, layer_name
from engine.serialize import copy_state_into

#: the probe batch: up to this many training points, drawn once per run with PROBE_SEED.
PROBE_SIZE = 256
PROBE_SEED = 20240
#: samples the gradient check runs on (drawn with PROBE_SEED) and entries per array.
CHECK_SAMPLES = 8
CHECK_ENTRIES = 30
#: bins per histogram.
BINS = 30
#: the layer view's grid over the input plane: lines per direction, points per line.
GRID_LINES = 13
LINE_POINTS = 64
#: the layer view draws up to this many training points.
VIEW_POINTS = 600
#: layers that are not a hidden representation of their own (their output is a linear
#: map or a copy of the one before).
_NOT_HIDDEN = ("features", "dense", "dropout", "batchnorm")


def probe_batch(x: np.ndarray, y: np.ndarray, size: int = PROBE_SIZE,
                seed: int = PROBE_SEED) -> tuple[np.ndarray, np.ndarray]:
    """Copies of up to ``size`` samples of ``x`` (N, 2) and ``y`` (N,), drawn without
    replacement with ``seed``: the same points for every payload of a run."""
    n = len(x)
    idx = np.sort(np.random.default_rng(seed).permutation(n)[:min(size, n)])
    return np.array(x[idx]), np.array(y[idx])


def hidden_layers(model) -> list[int]:
    """Indices of the layers whose outputs are hidden representations (the activations
    after each hidden dense layer); the output layer when there is none."""
    hidden = [i for i, layer in enumerate(model.layers[:-1]) if layer.kind not in _NOT_HIDDEN]
    return hidden or [len(model.layers) - 1]


def stats_payload(model, x: np.ndarray, y: np.ndarray,
                  shown: list[int] | None = None) -> dict:
    """The histograms of the hidden layers (or of the layers ``shown``) and the gradient
    norm of every layer with weights, on the probe batch ``x``, ``y``: {"layers":
    [{"index", "name", "kind",
    "units", "edges", "counts", "grad_edges", "grad_counts" (None without a gradient),
    "mean", "std", "dead", "saturated" (shares or None)}], "grad_norms": [{"index",
    "name", "norm"}]}. The model is left as it was (``engine.layer_stats``)."""
    stats = inspect_layers(model, x, y, bins=BINS)
    shown = set(hidden_layers(model) if shown is None else shown)
    layers, norms = [], []
    for s in stats:
        if s.index in shown:
            layers.append({
                "index": s.index, "name": s.name, "kind": s.kind,
                "units": int(np.prod(s.output_shape)),
                "edges": s.activation.edges, "counts": s.activation.counts,
                "grad_edges": s.gradient.edges if s.gradient is not None else None,
                "grad_counts": s.gradient.counts if s.gradient is not None else None,
                "mean": s.mean, "std": s.std, "dead": s.dead_share,
                "saturated": s.saturated_share})
        if s.layer_grad_norm is not None:
            norms.append({"index": s.index, "name": s.name, "norm": s.layer_grad_norm})
    return {"layers": layers, "grad_norms": norms}


def input_grid(bounds: tuple[float, float, float, float], lines: int = GRID_LINES,
               points: int = LINE_POINTS) -> np.ndarray:
    """The lines of a grid over ``bounds`` (xmin, xmax, ymin, ymax): (2 * lines, points, 2)
    float64, first the lines of constant x1, then those of constant x2."""
    x0, x1, y0, y1 = bounds
    t_x, t_y = np.linspace(x0, x1, points), np.linspace(y0, y1, points)
    out = np.empty((2 * lines, points, 2))
    for i, v in enumerate(np.linspace(x0, x1, lines)):
        out[i, :, 0], out[i, :, 1] = v, t_y
    for i, v in enumerate(np.linspace(y0, y1, lines)):
        out[lines + i, :, 0], out[lines + i, :, 1] = t_x, v
    return out


def data_bounds(x: np.ndarray, margin: float = 0.1) -> tuple[float, float, float, float]:
    """The box around the points ``x`` (N, 2), widened by ``margin`` of its size."""
    lo, hi = x.min(axis=0).astype(float), x.max(axis=0).astype(float)
    pad = np.maximum(hi - lo, 1e-6) * margin
    return lo[0] - pad[0], hi[0] + pad[0], lo[1] - pad[1], hi[1] + pad[1]


def layer_view_payload(model, x: np.ndarray, y: np.ndarray, choice: int, unit_x: int,
                       unit_y: int) -> dict:
    """Hidden layer number ``choice`` (0-based among ``hidden_layers``, clamped) seen
    through two of its units: {"layers": [{"index", "name", "units"}], "choice",
    "units" (ux, uy) clamped, "points" (N, 2) float32 (the points ``x`` in that pair's
    activation space), "labels" (N,) (``y``), "lines" (L, P, 2) float32 (the lines of
    ``input_grid`` over the points' box)}. Inference mode; only scratch caches change."""
    hidden = hidden_layers(model)
    choice = min(max(int(choice), 0), len(hidden) - 1)
    target = hidden[choice]
    grid = input_grid(data_bounds(x))
    batch = np.concatenate([x, grid.reshape(-1, 2)]).astype(model.dtype)
    a = batch
    widths = {}
    for i, layer in enumerate(model.layers[:max(hidden) + 1]):
        a = layer.forward(a, train=False)
        if i in hidden:
            widths[i] = int(np.prod(a.shape[1:]))
        if i == target:
            out = a.reshape(len(a), -1)
    width = widths[target]
    ux, uy = min(max(int(unit_x), 0), width - 1), min(max(int(unit_y), 0), width - 1)
    pair = np.asarray(out[:, [ux, uy]], np.float32)
    return {"layers": [{"index": i, "name": layer_name(i, model.layers[i]), "units": widths[i]}
                       for i in hidden],
            "choice": choice, "units": (ux, uy), "points": pair[:len(x)].copy(),
            "labels": np.array(y), "lines": pair[len(x):].reshape(grid.shape).copy()}


def check_samples(x: np.ndarray, y: np.ndarray, n: int = CHECK_SAMPLES
                  ) -> tuple[np.ndarray, np.ndarray]:
    """The few training samples the gradient check runs on (copies)."""
    return probe_batch(x, y, n)


def gradient_check(spec: dict, weights: dict[str, np.ndarray], x: np.ndarray,
                   y: np.ndarray, entries: int = CHECK_ENTRIES) -> dict:
    """Check the back-propagated gradients of the network ``spec`` with ``weights``
    (``engine.serialize.model_state`` copies) on ``x``, ``y`` against central
    differences, in float64: {"rows": [{"name", "shape", "max_rel_err", "checked",
    "at_kinks", "passed"}], "passed", "tolerance", "verdict" (one sentence)}."""
    model = build_from_description(dict(spec, config=None))
    copy_state_into(model, weights, "the current network")
    rows = check_network(model, x, y, entries=entries)
    out = [dict(r.to_dict(), shape=tuple(r.shape), passed=r.passed) for r in rows]
    failed = [r for r in out if not r["passed"]]
    worst = max((r["max_rel_err"] for r in out), default=0.0)
    if not out:
        verdict = "This network has no weights to check."
    elif not failed:
        verdict = (f"All {len(out)} parameter arrays pass: the largest relative error is "
                   f"{worst:.1e} (tolerance {NETWORK_TOLERANCE:.0e}).")
    else:
        names = ", ".join(r["name"] for r in failed[:3]) + (" …" if len(failed) > 3 else "")
        verdict = (f"{len(failed)} of {len(out)} parameter arrays fail (relative error up "
                   f"to {worst:.1e}, tolerance {NETWORK_TOLERANCE:.0e}): {names}.")
    return {"rows": out, "passed": not failed and bool(out), "tolerance": NETWORK_TOLERANCE,
            "verdict": verdict}
