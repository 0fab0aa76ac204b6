"""``LossLandscapePlot``: a loss landscape as a heat map with contour lines, filling in
row by row, with the optimiser's path (or the current point) on top.

Colours follow log10 of the loss (viridis: dark low, yellow high) over the rows received
so far; cells not computed yet are light grey. Rows only mark the plot dirty: it redraws
at most every ``REDRAW_MS``, and its axes are set once per landscape (no auto-range).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, QTimer

from playground.ui.plots.contour import zero_crossings
from playground.ui.plots.style import OwnMenuViewBox

#: the plot redraws at most this often while rows arrive (a few times a second).
REDRAW_MS = 150
#: contour lines drawn over the received rows, evenly spaced in log10(loss).
CONTOURS = 10
PENDING_RGB = (238, 238, 238)
NOT_FINITE_RGB = (255, 255, 255)
PATH_COLOR = "#e63946"


def _lut() -> np.ndarray:
    return pg.colormap.get("viridis").getLookupTable(nPts=256, alpha=False).astype(np.uint8)


def landscape_rgba(log_loss: np.ndarray, filled: int, levels: tuple[float, float],
                   lut: np.ndarray) -> np.ndarray:
    """RGBA uint8 (ny, nx, 4) of ``log_loss`` (ny, nx): rows below ``filled`` on ``lut``
    between ``levels``, not-finite ones white, the rest (not computed yet) grey."""
    ny, nx = log_loss.shape
    out = np.empty((ny, nx, 4), np.uint8)
    out[..., :3] = PENDING_RGB
    out[..., 3] = 255
    if filled:
        part = log_loss[:filled]
        lo, hi = levels
        scaled = (part - lo) / (hi - lo if hi > lo else 1.0) * (len(lut) - 1)
        finite = np.isfinite(scaled)
        idx = np.clip(np.nan_to_num(scaled), 0, len(lut) - 1).astype(int)
        rgb = lut[idx]
        rgb[~finite] = NOT_FINITE_RGB
        out[:filled, :, :3] = rgb
    return out


class LossLandscapePlot(pg.PlotWidget):
    """See the module docstring. ``start`` sets up a landscape, ``set_row`` feeds it."""

    def __init__(self) -> None:
        vb = OwnMenuViewBox()
        super().__init__(background="w", viewBox=vb)
        self.setObjectName("lossLandscapePlot")
        vb.set_menu(self, self._fit)
        item = self.getPlotItem()
        item.hideButtons()
        item.setMouseEnabled(False, False)
        for axis in ("bottom", "left"):
            item.getAxis(axis).setTextPen("#444")
            item.getAxis(axis).setPen("#999")
            item.getAxis(axis).enableAutoSIPrefix(False)
        self.image = pg.ImageItem()
        self.contours = pg.PlotDataItem(pen=pg.mkPen((255, 255, 255, 150), width=1),
                                        connect="pairs")
        self.path = pg.PlotDataItem(pen=pg.mkPen(PATH_COLOR, width=2), symbol="o",
                                    symbolSize=4, symbolBrush=PATH_COLOR,
                                    symbolPen=None)
        self.start_point = pg.ScatterPlotItem(size=10, symbol="s", brush="#ffffff",
                                              pen=pg.mkPen(PATH_COLOR, width=2))
        self.current = pg.ScatterPlotItem(size=14, symbol="star", brush=PATH_COLOR,
                                          pen=pg.mkPen("w", width=1))
        for it in (self.image, self.contours, self.path, self.start_point, self.current):
            item.addItem(it)
        self._lut = _lut()
        self.grid = np.zeros((0, 0))
        self.bounds = (-1.0, 1.0, -1.0, 1.0)
        self.filled = 0
        self.levels = (0.0, 1.0)
        self.redraws = 0
        self._dirty = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.redraw)
        self.setMinimumSize(300, 260)

    def start(self, alphas: np.ndarray, betas: np.ndarray, path: np.ndarray | None,
              labels: tuple[str, str]) -> None:
        """An empty landscape over ``alphas`` x ``betas`` (cell centres), ``path`` (T, 2)
        drawn on it (None: only the current point, at the origin)."""
        self.alphas, self.betas = np.asarray(alphas, float), np.asarray(betas, float)
        nx, ny = len(self.alphas), len(self.betas)
        self.grid = np.full((ny, nx), np.nan)
        self.filled = 0
        da = (self.alphas[-1] - self.alphas[0]) / max(nx - 1, 1)
        db = (self.betas[-1] - self.betas[0]) / max(ny - 1, 1)
        self.bounds = (self.alphas[0] - da / 2, self.alphas[-1] + da / 2,
                       self.betas[0] - db / 2, self.betas[-1] + db / 2)
        item = self.getPlotItem()
        item.setLabel("bottom", labels[0])
        item.setLabel("left", labels[1])
        self._fit()
        if path is not None and len(path):
            self.path.setData(path[:, 0], path[:, 1])
            self.start_point.setData([path[0, 0]], [path[0, 1]])
        else:
            self.path.setData([], [])
            self.start_point.setData([], [])
        self.current.setData([0.0], [0.0])
        self.contours.setData([], [])
        self.redraw()

    def _fit(self) -> None:
        xmin, xmax, ymin, ymax = self.bounds
        self.getPlotItem().setRange(xRange=(xmin, xmax), yRange=(ymin, ymax), padding=0.02)

    def set_row(self, index: int, row: np.ndarray) -> None:
        """Row ``index`` (the loss at betas[index] over the alphas) has been computed."""
        if not 0 <= index < len(self.grid):
            return
        self.grid[index] = row
        self.filled = max(self.filled, index + 1)
        self._dirty = True
        if not self._timer.isActive():
            self._timer.start(REDRAW_MS)

    def flush(self) -> None:
        """Draw what has arrived now (the last row of a landscape)."""
        self._timer.stop()
        self.redraw()

    def redraw(self) -> None:
        self._dirty = False
        if self.grid.size == 0:
            return
        self.redraws += 1
        with np.errstate(divide="ignore", invalid="ignore"):
            log_loss = np.log10(np.where(self.grid > 0, self.grid, np.nan))
        part = log_loss[:self.filled]
        finite = part[np.isfinite(part)]
        if len(finite):
            lo, hi = float(finite.min()), float(finite.max())
            self.levels = (lo, hi if hi > lo else lo + 1e-6)
        self.image.setImage(landscape_rgba(log_loss, self.filled, self.levels, self._lut),
                            levels=(0, 255))
        xmin, xmax, ymin, ymax = self.bounds  # after setImage: the rect scales its pixels
        self.image.setRect(QRectF(xmin, ymin, xmax - xmin, ymax - ymin))
        self._draw_contours(part)

    def _draw_contours(self, part: np.ndarray) -> None:
        if len(part) < 2 or not np.isfinite(part).any():
            self.contours.setData([], [])
            return
        lo, hi = self.levels
        xmin, xmax, ymin, ymax = self.bounds
        height = (ymax - ymin) * len(part) / len(self.grid)
        bounds = (xmin, xmax, ymin, ymin + height)
        xs, ys = [], []
        filled = np.where(np.isfinite(part), part, hi)
        for level in np.linspace(lo, hi, CONTOURS + 2)[1:-1]:
            x, y = zero_crossings(filled - level, bounds)
            xs.append(x)
            ys.append(y)
        self.contours.setData(np.concatenate(xs), np.concatenate(ys), connect="pairs")

    def values(self) -> np.ndarray:
        """A copy of the losses (ny, nx) received so far (NaN where not yet)."""
        return self.grid.copy()
