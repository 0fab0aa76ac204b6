"""Class colours and the decision-region colouring (pure NumPy, vectorised)."""

from __future__ import annotations

import numpy as np

from playground.ui.plots.palette import CLASS_COLORS

#: how far a fully confident region moves from white towards its class colour; below 1 so
#: the filled training points stay visible on top of their own region.
REGION_STRENGTH = 0.55


def hex_to_rgb(color: str) -> tuple[int, int, int]:
    c = color.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def palette(n: int = len(CLASS_COLORS)) -> np.ndarray:
    """(n, 3) float32 RGB in 0..255 of the first ``n`` class colours."""
    return np.array([hex_to_rgb(c) for c in CLASS_COLORS[:n]], dtype=np.float32)


def region_rgba(probs: np.ndarray, discretize: bool = False,
                strength: float = REGION_STRENGTH) -> np.ndarray:
    """RGBA uint8 (ny, nx, 4) for class probabilities ``probs`` (ny, nx, K).

    Confidence shading: the probability-weighted mix of the class colours, faded to white
    where the model is unsure (top probability at chance, 1/K) and at full ``strength``
    where it is certain. ``discretize``: every cell in its top class's colour. NaN
    probabilities (a diverged model) come out white.
    """
    ny, nx, k = probs.shape
    if k == 2 and not discretize:
        return _binary_rgba(probs.reshape(-1, 2), strength).reshape(ny, nx, 4)
    k_eff = min(k, len(CLASS_COLORS))
    p = probs.reshape(-1, k)[:, :k_eff]
    if not np.isfinite(p).all():
        p = np.nan_to_num(p, nan=0.0, posinf=0.0, neginf=0.0)
    colors = palette(k_eff)
    mix, conf = _general_mix(p, colors, k, discretize)
    return _fade_to_white(mix, conf, strength).reshape(ny, nx, 4)


def _fade_to_white(mix: np.ndarray, conf: np.ndarray, strength: float) -> np.ndarray:
    """RGBA uint8 (N, 4): white + (mix - white) * conf * strength, rounded."""
    conf = conf * np.float32(strength)
    mix = mix - np.float32(255.0)
    mix *= conf[:, None]
    mix += np.float32(255.5)
    np.clip(mix, 0, 255, out=mix)
    out = np.empty((len(mix), 4), dtype=np.uint8)
    out[:, :3] = mix
    out[:, 3] = 255
    return out


#: steps of the two-class colour table over class 1's share p1 in [0, 1]; even, so that
#: p1 = 0.5 (white) is a step of its own. One step moves a colour by < 0.2 of a unit.
_BINARY_STEPS = 1024
_binary_tables: dict[float, np.ndarray] = {}


def _binary_table(strength: float) -> np.ndarray:
    """RGBA packed as uint32, one entry per step of p1 plus a last white entry (for cells
    without probabilities, such as the NaNs of a diverged model)."""
    table = _binary_tables.get(strength)
    if table is None:
        colors = palette(2)
        p1 = np.linspace(0.0, 1.0, _BINARY_STEPS + 1, dtype=np.float32)
        mix = colors[0] + p1[:, None] * (colors[1] - colors[0])
        conf = np.abs(p1 * np.float32(2.0) - np.float32(1.0))
        rgba = _fade_to_white(mix, conf, strength)
        white = np.full((1, 4), 255, np.uint8)
        table = _binary_tables[strength] = np.concatenate([rgba, white]).view(np.uint32)[:, 0]
    return table


def _binary_rgba(p: np.ndarray, strength: float) -> np.ndarray:
    """Two classes: the colour runs along the line from class 0 to class 1 and fades to
    white at p1 = 0.5. A table lookup: a handful of whole-array passes per frame instead
    of two dozen (each one a chance for the training thread to take the GIL)."""
    total = p[:, 0] + p[:, 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        step = p[:, 1] / total
        step *= np.float32(_BINARY_STEPS)
        step += np.float32(0.5)
        np.clip(step, 0, _BINARY_STEPS, out=step)
        index = step.astype(np.intp)
    # NaN, infinite or no probability at all: white
    index[~(total > 0) | np.isnan(step)] = _BINARY_STEPS + 1
    return _binary_table(float(strength))[index].view(np.uint8).reshape(-1, 4)


def _general_mix(p: np.ndarray, colors: np.ndarray, k: int, discretize: bool
                 ) -> tuple[np.ndarray, np.ndarray]:
    # Column-wise reductions: NumPy's axis=1 reductions are slow for a handful of columns.
    top, best = p[:, 0].copy(), np.zeros(len(p), dtype=np.intp)
    total = p[:, 0].copy()
    for j in range(1, p.shape[1]):
        col = p[:, j]
        best[col > top] = j
        np.maximum(top, col, out=top)
        total += col
    if discretize:
        return colors[best], (top > 0).astype(np.float32)
    mix = p @ colors
    mix /= np.maximum(total, np.float32(1e-12))[:, None]
    chance = 1.0 / max(k, 2)
    conf = np.clip((top - chance) * np.float32(1.0 / (1.0 - chance)), 0.0, 1.0)
    return mix, conf.astype(np.float32, copy=False)
