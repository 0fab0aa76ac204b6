"""Regression on the decision plot: the predicted value as a diverging heat map with
contour lines, points coloured by their target, a colour bar, and the baseline's contours.

One colour scale (orange negative, white 0, blue positive, as the network graph's units)
over a value range the page chooses; everything here is vectorised, since the heat map and
its contours are redrawn on every frame (up to 40 a second on a 160x160 grid).
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from playground.ui.plots.contour import zero_crossings
from playground.ui.plots.style import BASELINE_COLOR

# the heat map's colours are Qt-free (the animation renderer uses them too)
from playground.ui.plots.unit_colors import (  # noqa: F401 (HEAT_STRENGTH: re-exported)
    HEAT_STEPS,
    HEAT_STRENGTH,
    diverging_lut,
    heat_lut,
)

#: steps of the points' colour table (each step a cached brush/pen).
POINT_STEPS = 64
#: contour levels evenly inside the value range (the middle one is 0 on a symmetric range).
CONTOUR_COUNT = 5
REGRESSION_TIP = (
    "The predicted value ŷ: blue positive, orange negative, white 0 (the colour bar gives "
    "the scale); the lines are contours of the prediction at fixed values, the darker one "
    "at 0, and the grey dashed ones the straight-line baseline's.\nFilled dots are "
    "training points, ringed dots test points, coloured by their target y: where the fit "
    "is good they match the colour under them.\nScroll to zoom, drag to pan; in Draw mode "
    "left-click/drag adds points, right-click or Shift+click erases, and the wheel "
    "changes the value of new points.")
#: the baseline's contours are "dashed" by dropping every other patch of this many grid
#: cells (segments come in pairs, so a pen's dash pattern would restart at every cell).
DASH_CELLS = 3


def value_scale(lo: float, hi: float) -> tuple[float, float]:
    """``(lo, hi)`` as a usable colour range: not empty, not reversed, finite."""
    lo, hi = float(lo), float(hi)
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return -1.0, 1.0
    if hi - lo <= 1e-9 * max(1.0, abs(lo), abs(hi)):
        mid = (lo + hi) / 2
        half = max(abs(mid), 1.0)
        return mid - half, mid + half
    return lo, hi


def contour_levels(lo: float, hi: float, count: int = CONTOUR_COUNT
                   ) -> tuple[np.ndarray, int]:
    """``count`` levels evenly inside (lo, hi), with 0 in place of the nearest one when the
    range spans 0; and the index of the zero level (-1: none)."""
    levels = np.linspace(lo, hi, count + 2)[1:-1]
    if not lo < 0 < hi:
        return levels, -1
    k = int(np.abs(levels).argmin())
    levels[k] = 0.0
    return levels, k


def level_segments(values: np.ndarray, bounds, levels) -> tuple[np.ndarray, np.ndarray]:
    """The contour segments of ``values`` (ny, nx) at every one of ``levels``, as one
    pair-connected ``x, y``."""
    xs, ys = [np.zeros(0)], [np.zeros(0)]
    for level in levels:
        x, y = zero_crossings(values - np.float32(level), bounds)
        xs.append(x)
        ys.append(y)
    return np.concatenate(xs), np.concatenate(ys)


def dashed(x: np.ndarray, y: np.ndarray, bounds, shape) -> tuple[np.ndarray, np.ndarray]:
    """Every other patch of ``DASH_CELLS`` grid cells of the pair-connected segments
    ``x, y`` (a checkerboard on their midpoints): a dashed look for any direction."""
    if not len(x):
        return x, y
    xmin, xmax, ymin, ymax = bounds
    ny, nx = shape
    mx = (x[0::2] + x[1::2]) * 0.5
    my = (y[0::2] + y[1::2]) * 0.5
    cx = np.floor((mx - xmin) * (nx / (xmax - xmin) / DASH_CELLS))
    cy = np.floor((my - ymin) * (ny / (ymax - ymin) / DASH_CELLS))
    keep = np.repeat((cx + cy) % 2 == 0, 2)
    return x[keep], y[keep]


class ValueColors:
    """The scale's colours: a packed table for the heat map, and cached brushes and pens
    for points (a lookup per point, not a new QBrush per point per call)."""

    def __init__(self) -> None:
        heat = np.empty((HEAT_STEPS + 1, 4), np.uint8)
        heat[:-1, :3] = heat_lut()
        heat[-1, :3] = 255          # NaN (a diverged model): white
        heat[:, 3] = 255
        self._heat = heat.view(np.uint32)[:, 0]
        lut = diverging_lut(POINT_STEPS)
        # Rings are darker: a white ring on a white fill would vanish near 0.
        ring = (lut.astype(np.float32) * 0.8).astype(np.uint8)
        self.brushes = np.array([pg.mkBrush(*c) for c in lut] + [pg.mkBrush(200, 200, 200)],
                                dtype=object)
        self.rings = np.array([pg.mkPen(*c, width=2) for c in ring]
                              + [pg.mkPen(150, 150, 150, width=2)], dtype=object)

    @staticmethod
    def _index(values: np.ndarray, scale, steps: int) -> np.ndarray:
        """Step indices 0..steps-1 of ``values`` on ``scale`` (clipped); NaN -> ``steps``."""
        lo, hi = scale
        with np.errstate(over="ignore", invalid="ignore"):
            t = np.asarray(values, np.float32) - np.float32(lo)
            t *= np.float32((steps - 1) / (hi - lo))
            t += np.float32(0.5)
            np.clip(t, 0, steps - 1, out=t)
        t[np.isnan(t)] = steps
        return t.astype(np.intp)

    def rgba(self, values: np.ndarray, scale) -> np.ndarray:
        """RGBA uint8 (ny, nx, 4) of ``values`` on the heat map's colours over ``scale``."""
        index = self._index(values, scale, HEAT_STEPS)
        return self._heat[index].view(np.uint8).reshape(values.shape + (4,))

    def point_brushes(self, values: np.ndarray, scale) -> np.ndarray:
        return self.brushes[self._index(values, scale, POINT_STEPS)]

    def point_rings(self, values: np.ndarray, scale) -> np.ndarray:
        return self.rings[self._index(values, scale, POINT_STEPS)]


def make_color_bar(scale) -> pg.ColorBarItem:
    """A slim, read-only colour bar of the heat map's scale, labelled "y"."""
    lut = heat_lut()
    cmap = pg.ColorMap(np.linspace(0.0, 1.0, len(lut)), lut)
    bar = pg.ColorBarItem(values=scale, colorMap=cmap, width=12, interactive=False,
                          colorMapMenu=False)
    for name in ("left", "right", "top", "bottom"):
        axis = bar.getAxis(name)
        axis.setPen("#999")
        axis.setTextPen("#444")
    bar.axis.setWidth(40)
    bar.axis.enableAutoSIPrefix(False)
    bar.axis.setLabel("y")
    bar.setToolTip("The colour scale of the predicted value ŷ and of the points' targets y.")
    return bar


class ValueLayer:
    """The regression items of a plot item: the fitted surface's contour lines (the zero
    level stronger), the baseline's dashed contours, and the colour bar (in the plot
    item's layout, right of the plot, while shown)."""

    def __init__(self, plot_item: pg.PlotItem) -> None:
        self._item = plot_item
        self.colors = ValueColors()
        self.scale = (-1.0, 1.0)
        self.levels, self.zero = contour_levels(*self.scale)
        self.contours = pg.PlotCurveItem(pen=pg.mkPen(40, 40, 40, 110, width=1),
                                         connect="pairs", antialias=True)
        self.zero_contour = pg.PlotCurveItem(pen=pg.mkPen(30, 30, 30, 170, width=1.3),
                                             connect="pairs", antialias=True)
        self.baseline = pg.PlotCurveItem(pen=pg.mkPen(BASELINE_COLOR, width=1.8,
                                                      cap=Qt.PenCapStyle.FlatCap),
                                         connect="pairs", antialias=True)
        self.baseline.setZValue(-5)
        for it in (self.contours, self.zero_contour, self.baseline):
            plot_item.addItem(it)
        self.color_bar = make_color_bar(self.scale)
        self.color_bar.hide()
        self.shown = False
        self._baseline_values: tuple | None = None

    def set_scale(self, lo: float, hi: float) -> None:
        self.scale = value_scale(lo, hi)
        self.levels, self.zero = contour_levels(*self.scale)
        self.color_bar.setLevels(self.scale)
        if self._baseline_values is not None:
            self.set_baseline(*self._baseline_values)

    def set_shown(self, on: bool) -> None:
        """Show the colour bar (in the layout) and the contours, or take them away."""
        layout = self._item.layout
        if on and not self.shown:
            layout.addItem(self.color_bar, 2, 5)
            layout.setColumnFixedWidth(4, 6)   # a gap between the plot and the bar
            self.color_bar.show()
        elif not on and self.shown:
            layout.removeItem(self.color_bar)
            layout.setColumnFixedWidth(4, 0)
            self.color_bar.hide()
        self.shown = bool(on)
        for it in (self.contours, self.zero_contour, self.baseline):
            it.setVisible(on)

    def show_contours(self, values: np.ndarray | None, bounds) -> None:
        if values is None:
            self.clear()
            return
        others = np.delete(self.levels, self.zero) if self.zero >= 0 else self.levels
        self.contours.setData(*level_segments(values, bounds, others))
        if self.zero >= 0:
            self.zero_contour.setData(*zero_crossings(values, bounds))
        else:
            self.zero_contour.setData([], [])

    def set_baseline(self, values: np.ndarray | None, bounds=None) -> None:
        if values is None:
            self._baseline_values = None
            self.baseline.setData([], [])
            return
        self._baseline_values = (values, tuple(bounds))
        x, y = level_segments(values, bounds, self.levels)
        self.baseline.setData(*dashed(x, y, bounds, values.shape))

    def clear(self) -> None:
        self.contours.setData([], [])
        self.zero_contour.setData([], [])
