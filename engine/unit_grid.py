"""Every unit's output over the plane, from the forward pass that computes the decision grid.

The network graph of the 2-D page draws each input feature, hidden unit and output as a
small map of its value over the visible plane. Those maps come from a coarse grid (e.g.
24x24) whose points ride along with the decision grid's points in one batched forward
pass: the layers run once, and the value entering every dense layer (a "column" of the
graph) is kept for the coarse points only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .grid import grid_points

#: layer kinds that are element-wise activations (what a column's values went through)
_ACTIVATIONS = {"identity", "relu", "leaky-relu", "sigmoid", "tanh", "elu", "step"}


@dataclass(frozen=True)
class NetworkGrid:
    """``probs`` (ny, nx, K) is the decision grid; ``columns[j]`` (units, c, c) float32 is
    column j's values over the coarse grid (row 0 at ymin): the input features, each hidden
    layer after its activation, and the output probabilities last. ``kinds[j]`` names what
    made column j ("features", an activation kind, "output"). ``weights[j]`` (in, out)
    and ``biases[j]`` (out,) are copies of the dense layer from column j to j + 1.
    ``focus`` (ny, nx) is the chosen unit's values at the decision grid's resolution."""

    probs: np.ndarray
    columns: list[np.ndarray]
    kinds: list[str]
    weights: list[np.ndarray]
    biases: list[np.ndarray]
    focus: np.ndarray | None = None


def dense_layers(model) -> list:
    """The model's dense layers in order (the graph's links between columns)."""
    return [layer for layer in model.layers if layer.kind == "dense"]


def network_grid(model, bounds: tuple[float, float, float, float],
                 resolution: tuple[int, int], coarse: int = 24,
                 focus: tuple[int, int] | None = None) -> NetworkGrid:
    """One inference pass over the decision grid and a ``coarse`` x ``coarse`` grid of the
    same ``bounds``; ``focus`` = (column, unit) also returns that unit at full resolution."""
    nx, ny = resolution
    fine = grid_points(bounds, (nx, ny), model.dtype)
    rough = grid_points(bounds, (coarse, coarse), model.dtype)
    n = len(fine)
    x = np.concatenate([fine, rough])
    columns: list[np.ndarray] = []
    kinds: list[str] = []
    focus_values = None
    last_kind = "input"

    def keep(values: np.ndarray, kind: str) -> None:
        nonlocal focus_values
        columns.append(np.ascontiguousarray(
            values[n:].T.reshape(-1, coarse, coarse), dtype=np.float32))
        kinds.append(kind)
        if focus is not None and focus[0] == len(columns) - 1 and \
                0 <= focus[1] < values.shape[1]:
            focus_values = values[:n, focus[1]].reshape(ny, nx).astype(np.float32)

    for layer in model.layers:
        if layer.kind == "dense":
            keep(x, last_kind)
        x = layer.forward(x, train=False)
        if layer.kind in _ACTIVATIONS or layer.kind == "features":
            last_kind = layer.kind
    # a regression network's output column is its predicted value, not probabilities
    regression = model.task == "regression"
    probs = x if regression else model.loss_fn.probabilities(x)
    keep(probs, "value" if regression else "output")
    dense = dense_layers(model)
    return NetworkGrid(
        probs=probs[:n].reshape(ny, nx, -1).astype(np.float32, copy=False),
        columns=columns, kinds=kinds,
        weights=[layer.params["W"].astype(np.float32) for layer in dense],
        biases=[layer.params["b"].astype(np.float32) for layer in dense],
        focus=focus_values)
