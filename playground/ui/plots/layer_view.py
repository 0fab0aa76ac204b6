"""The "transformed representation" (as in ConvNetJS): the data points, in class colours,
and the lines of a grid over the input plane, drawn in the activation space of two units
of a hidden layer, so one sees the layer bend the plane until the classes come apart.

Fed ``playground.two_d.inside.layer_view_payload`` dicts; items are made once and then
only fed, and the axes move in steps (only when the points leave them or shrink well
inside them).
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg

from playground.ui.plots.style import CLASS_COLORS, OwnMenuViewBox

#: the grid lines' colour (under the points).
LINE_COLOR = "#9aa5b1"
#: points of a regression's data (one colour).
VALUE_COLOR = "#1d3557"


def nice_step(span: float) -> float:
    """1, 2 or 5 times a power of ten, about a quarter of ``span``."""
    if not span > 0 or not math.isfinite(span):
        return 1.0
    raw = span / 4
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def stepped_range(lo: float, hi: float, current: tuple[float, float] | None
                  ) -> tuple[float, float]:
    """The axis range for data from ``lo`` to ``hi``: ``current`` while it holds the data
    and is less than three times its span, else the data's range rounded out to steps."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return current or (-1.0, 1.0)
    span = max(hi - lo, 1e-6)
    if current is not None and current[0] <= lo and hi <= current[1] \
            and current[1] - current[0] <= 3 * span:
        return current
    step = nice_step(span)
    return math.floor(lo / step) * step, math.ceil(hi / step) * step + (0 if hi > lo else step)


class LayerViewPlot(pg.PlotWidget):
    """``layerViewPlot``: see the module docstring."""

    def __init__(self, parent=None) -> None:
        vb = OwnMenuViewBox()
        super().__init__(parent, background="w", viewBox=vb)
        self.setObjectName("layerViewPlot")
        vb.set_menu(self, self._fit)
        item = self.getPlotItem()
        item.showGrid(x=True, y=True, alpha=0.15)
        item.hideButtons()
        item.setMouseEnabled(False, False)
        for axis in ("bottom", "left"):
            item.getAxis(axis).setTextPen("#444")
            item.getAxis(axis).setPen("#999")
        self.lines = pg.PlotDataItem(pen=pg.mkPen(LINE_COLOR, width=1), connect="finite")
        item.addItem(self.lines)
        self.classes: list[pg.ScatterPlotItem] = []
        for color in CLASS_COLORS:
            scatter = pg.ScatterPlotItem(size=6, pen=pg.mkPen("#ffffff", width=0.6),
                                         brush=pg.mkBrush(color))
            item.addItem(scatter)
            self.classes.append(scatter)
        self.values = pg.ScatterPlotItem(size=6, pen=None, brush=pg.mkBrush(VALUE_COLOR))
        item.addItem(self.values)
        self._x: tuple[float, float] | None = None
        self._y: tuple[float, float] | None = None
        self.points = np.zeros((0, 2), np.float32)

    def _fit(self) -> None:
        self._x = self._y = None
        self.getPlotItem().autoRange()

    def set_view(self, payload: dict | None, layer_name: str = "") -> None:
        """Show ``payload`` (None: nothing)."""
        if payload is None:
            self.lines.setData([], [])
            for s in (*self.classes, self.values):
                s.setData([], [])
            self.points = np.zeros((0, 2), np.float32)
            return
        pts, labels, lines = payload["points"], payload["labels"], payload["lines"]
        self.points = pts
        gaps = np.full((len(lines), 1, 2), np.nan, np.float32)
        flat = np.concatenate([lines, gaps], axis=1).reshape(-1, 2)
        self.lines.setData(flat[:, 0], flat[:, 1])
        if labels.dtype.kind in "iu":
            for k, scatter in enumerate(self.classes):
                mine = pts[labels == k]
                scatter.setData(mine[:, 0], mine[:, 1])
            self.values.setData([], [])
        else:
            for scatter in self.classes:
                scatter.setData([], [])
            self.values.setData(pts[:, 0], pts[:, 1])
        ux, uy = payload["units"]
        item = self.getPlotItem()
        item.setLabel("bottom", f"unit {ux} of {layer_name}")
        item.setLabel("left", f"unit {uy}")
        everything = np.concatenate([pts, lines.reshape(-1, 2)])
        finite = everything[np.isfinite(everything).all(axis=1)]
        if len(finite):
            lo, hi = finite.min(axis=0), finite.max(axis=0)
            x = stepped_range(float(lo[0]), float(hi[0]), self._x)
            y = stepped_range(float(lo[1]), float(hi[1]), self._y)
            if x != self._x:
                self._x = x
                self.setXRange(*x, padding=0.02)
            if y != self._y:
                self._y = y
                self.setYRange(*y, padding=0.02)
