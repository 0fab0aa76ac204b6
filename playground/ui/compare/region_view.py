"""One run's small view on the Compare tab: its decision region (or predicted values,
for regression) with the data's points on top, framed and titled in the run's colour."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QGraphicsItem

from playground.ui.plots.colors import palette, region_rgba
from playground.ui.plots.style import read_only
from playground.ui.plots.value_view import heat_lut, value_scale

#: one colour per run: its region's frame and title, its curves and its table row.
RUN_COLORS = ("#1d3557", "#d62828", "#2a9d8f", "#8e44ad")


class RegionView(pg.PlotWidget):
    """One run's decision region (or predicted values) with the data's points on top."""

    def __init__(self, index: int) -> None:
        super().__init__(background="w")
        self.setObjectName(f"compareRegion{index}")
        self.color = RUN_COLORS[index]
        item = self.getPlotItem()
        read_only(item)
        item.hideAxis("left")
        item.hideAxis("bottom")
        item.getViewBox().setAspectLocked(True)
        self.image = pg.ImageItem()
        self.points = pg.ScatterPlotItem(size=5, pen=pg.mkPen("#333", width=0.5))
        item.addItem(self.image)
        # the points stay put while the region under them changes ~4 times a second:
        # Qt keeps them as a pixmap instead of calling the scatter's Python paint again
        self.points.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        item.addItem(self.points)
        self.setStyleSheet(f"border: 2px solid {self.color};")
        self.setMinimumSize(150, 150)
        self.levels = (-1.0, 1.0)
        self.set_title("")

    def set_title(self, text: str) -> None:
        self.title = text
        self.getPlotItem().setTitle(text, color=self.color, size="9pt", bold=True)

    def set_points(self, x: np.ndarray, y: np.ndarray, task: str, bounds) -> None:
        """The training points (classes in their colours, or values on the heat scale)."""
        if task == "regression":
            self.levels = value_scale(float(np.min(y)), float(np.max(y)))
            lut = heat_lut(strength=1.0)
            lo, hi = self.levels
            idx = np.clip(((y - lo) / (hi - lo) * (len(lut) - 1)).astype(int), 0, len(lut) - 1)
            colors = lut[idx]
        else:
            colors = palette()[np.asarray(y, int) % len(palette())].astype(np.uint8)
        # One brush object per colour, shared by its points: pyqtgraph's symbol atlas keys
        # on the brush object, so a brush per point drew a symbol per point (0.1 s for
        # each region of 1,000 points when a comparison started; now ~2 symbols).
        shades, which = np.unique(np.asarray(colors), axis=0, return_inverse=True)
        brushes = np.array([pg.mkBrush(*c) for c in shades], dtype=object)
        self.points.setData(x=x[:, 0], y=x[:, 1], brush=brushes[which.reshape(-1)])
        xmin, xmax, ymin, ymax = bounds
        self.getPlotItem().setRange(xRange=(xmin, xmax), yRange=(ymin, ymax), padding=0)

    def set_grid(self, grid: np.ndarray, task: str, bounds) -> None:
        xmin, xmax, ymin, ymax = bounds
        if task == "regression":
            self.image.setImage(np.nan_to_num(grid), lut=heat_lut(), levels=self.levels)
        else:
            self.image.setImage(region_rgba(grid), levels=(0, 255))
        self.image.setRect(QRectF(xmin, ymin, xmax - xmin, ymax - ymin))

    def clear_view(self) -> None:
        self.image.clear()
        self.points.clear()
        self.set_title("")
