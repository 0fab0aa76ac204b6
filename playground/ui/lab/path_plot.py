"""The Lab's plot: a surface as a pale shaded image with contour lines, its minima, the
start point (click to move it) and one optimiser path per colour with its current point,
named in a legend."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal

from playground.ui.plots.contour import zero_crossings
from playground.ui.plots.style import read_only

#: one colour per optimiser (its path, its current point, its box in the controls).
OPTIMIZER_COLORS = {"sgd": "#d62828", "momentum": "#1d70b8", "nesterov": "#8e44ad",
                    "adagrad": "#2a9d8f", "rmsprop": "#9c6b30", "adam": "#f08c00"}
_SPARE_COLORS = ("#e377c2", "#17becf", "#7f7f7f", "#bcbd22")
#: the shading under the contours, from the lowest values to the highest: pale, so the
#: paths stay the strongest thing on the plot.
_SHADES = np.array([(255, 252, 236), (232, 240, 246), (196, 212, 228)], np.float64)
CONTOUR_PEN = pg.mkPen((110, 125, 140, 170), width=1)
#: surface key -> the corner of the plot its legend goes in, away from the paths' way
#: ((0, 0) top left, (1, 1) bottom right); the legend can also be dragged.
LEGEND_CORNERS = {"book": (0, 0), "rosenbrock": (1, 1), "beale": (0, 1),
                  "himmelblau": (1, 1), "saddle": (1, 1)}
#: a path's first DOTS points get a dot each (how far each step went); after that only its
#: line grows: dots for thousands of steps cost ~40 ms a redraw and show nothing new.
DOTS = 150
PLOT_TIP = ("The surface's contours (log-spaced above its minimum, so flat floors "
            "show); + marks a minimum, the ring the start.\nClick anywhere to start every "
            "path there.")


def optimizer_color(name: str, index: int = 0) -> str:
    """The colour of optimiser ``name`` (a spare one, by ``index``, for a name not
    known here)."""
    return OPTIMIZER_COLORS.get(name, _SPARE_COLORS[index % len(_SPARE_COLORS)])


def shade_lut(steps: int = 256) -> np.ndarray:
    """(steps, 3) uint8: the pale ramp of ``_SHADES``."""
    t = np.linspace(0, 1, steps) * (len(_SHADES) - 1)
    i = np.minimum(t.astype(int), len(_SHADES) - 2)
    f = (t - i)[:, None]
    return np.rint(_SHADES[i] * (1 - f) + _SHADES[i + 1] * f).astype(np.uint8)


def shade_of(z: np.ndarray, levels: np.ndarray, log: bool) -> np.ndarray:
    """``z`` (ny, nx) as 0..1 for the shading: its position among the contour
    ``levels``, so each band between two lines gets an equal share of the ramp."""
    with np.errstate(invalid="ignore"):
        t = np.interp(np.nan_to_num(z, nan=levels[-1], posinf=levels[-1],
                                    neginf=levels[0]), levels, np.linspace(0, 1, len(levels)))
    return t


class OptimizerPathPlot(pg.PlotWidget):
    """See the module docstring. ``startClicked(x, y)``: a left click at (x, y) in the
    plot's coordinates. The view stays on the surface's bounds (no pan or zoom: a click
    is a start point)."""

    startClicked = Signal(float, float)

    def __init__(self, levels: int, parent=None) -> None:
        super().__init__(parent, background="w")
        self.setObjectName("optimizerPathPlot")
        self.setToolTip(PLOT_TIP)
        self.viewport().setCursor(Qt.CursorShape.CrossCursor)
        item = self.getPlotItem()
        read_only(item)
        item.setLabel("bottom", "x")
        item.setLabel("left", "y")
        for axis in ("bottom", "left"):
            item.getAxis(axis).setTextPen("#444")
            item.getAxis(axis).setPen("#999")
        self.image = pg.ImageItem()
        self.image.setLookupTable(shade_lut())
        item.addItem(self.image)
        self.contours = [pg.PlotCurveItem(pen=CONTOUR_PEN) for _ in range(levels)]
        for c in self.contours:
            item.addItem(c)
        self.minima = pg.ScatterPlotItem(symbol="+", size=18, pen=pg.mkPen("#222", width=2),
                                         brush=None)
        self.start = pg.ScatterPlotItem(symbol="o", size=15, pen=pg.mkPen("#222", width=2),
                                        brush=pg.mkBrush(255, 255, 255, 160))
        item.addItem(self.minima)
        self.minima.setZValue(7)  # above the paths' lines, under their current points
        self.legend = item.addLegend(offset=(8, 8), brush=pg.mkBrush(255, 255, 255, 225),
                                     pen=pg.mkPen("#cccccc"), labelTextColor="#333333",
                                     labelTextSize="9pt", verSpacing=-4)
        #: optimiser -> its path's line and its first steps' dots, made when first shown
        self.path_items: dict[str, pg.PlotDataItem] = {}
        self.dot_items: dict[str, pg.ScatterPlotItem] = {}
        self._dots_shown: dict[str, np.ndarray] = {}
        self.heads = pg.ScatterPlotItem(size=12, pxMode=True)
        item.addItem(self.start)
        item.addItem(self.heads)
        self.heads.setZValue(10)
        self.start.setZValue(11)
        self._legend_key: tuple = ()
        self.bounds = (-1.0, 1.0, -1.0, 1.0)
        self.levels = np.zeros(0)
        self.scene().sigMouseClicked.connect(self._on_click)

    # ------------------------------------------------------------------ feeding

    def set_surface(self, z: np.ndarray, bounds: tuple[float, float, float, float],
                    levels: np.ndarray, log: bool, title: str,
                    minima: tuple[tuple[float, float], ...]) -> None:
        """A new surface: ``z`` (ny, nx) at cell centres of ``bounds``, its contour
        ``levels`` (ascending), its formula ``title`` and its ``minima``."""
        x0, x1, y0, y1 = bounds
        self.bounds, self.levels = bounds, np.asarray(levels)
        self.image.setImage(shade_of(z, levels, log), levels=(0.0, 1.0))
        self.image.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
        for curve, level in zip(self.contours, levels):
            xs, ys = zero_crossings(z - level, bounds)
            curve.setData(xs, ys, connect="pairs")
        for curve in self.contours[len(levels):]:
            curve.setData([], [])
        pts = np.asarray(minima, np.float64).reshape(-1, 2)
        self.minima.setData(pts[:, 0], pts[:, 1])
        item = self.getPlotItem()
        item.setTitle(f"f(x, y) = {title}", color="#333", size="10pt")
        item.getViewBox().disableAutoRange()
        item.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)

    def place_legend(self, surface_key: str) -> None:
        """Put the legend in the corner chosen for ``surface_key`` (default top left)."""
        cx, cy = LEGEND_CORNERS.get(surface_key, (0, 0))
        self.legend.anchor(itemPos=(cx, cy), parentPos=(cx, cy),
                           offset=(-8 if cx else 8, -8 if cy else 8))

    def set_start(self, x: float, y: float) -> None:
        self.start.setData([x], [y])

    def set_paths(self, paths: list[tuple[str, np.ndarray, str, bool]]) -> None:
        """Draw ``paths``: (optimiser, points (k, 2), legend text, stopped) each; the
        optimisers not listed are taken off the plot and the legend."""
        shown = {name for name, *_ in paths}
        for name, item in self.path_items.items():
            if name not in shown:
                item.setData([], [])
                item.setVisible(False)
                self.dot_items[name].setData([], [])
                self._dots_shown[name] = np.zeros((0, 2))
        spots = []
        for i, (name, points, _, stopped) in enumerate(paths):
            item = self._path_item(name, i)
            item.setVisible(True)
            item.setData(points[:, 0], points[:, 1])
            dots = points[:DOTS]
            if not np.array_equal(dots, self._dots_shown[name]):
                self.dot_items[name].setData(dots[:, 0], dots[:, 1])
                self._dots_shown[name] = dots.copy()
            color = optimizer_color(name, i)
            spots.append({"pos": tuple(points[-1]), "brush": pg.mkBrush(color),
                          "pen": pg.mkPen("w" if not stopped else color, width=1.5),
                          "symbol": "x" if stopped else "o",
                          "size": 14 if stopped else 12})
        self.heads.setData(spots)
        key = tuple((name, text) for name, _, text, _ in paths)
        if key != self._legend_key:
            self._legend_key = key
            self.legend.clear()
            for name, text in key:
                self.legend.addItem(self.path_items[name], text)

    def _path_item(self, name: str, index: int) -> pg.PlotDataItem:
        item = self.path_items.get(name)
        if item is None:
            color = optimizer_color(name, index)
            item = pg.PlotDataItem(pen=pg.mkPen(color, width=2))
            dots = pg.ScatterPlotItem(size=4, brush=pg.mkBrush(color), pen=None)
            item.setZValue(5)
            dots.setZValue(6)
            self.getPlotItem().addItem(item)  # unnamed: the legend is set_paths' to fill
            self.getPlotItem().addItem(dots)
            self.path_items[name], self.dot_items[name] = item, dots
            self._dots_shown[name] = np.zeros((0, 2))
        return item

    # ------------------------------------------------------------------ clicks

    def start_at_scene(self, pos: QPointF) -> bool:
        """Ask for the paths to start at the scene point ``pos`` (what a click there
        does); False if it lies outside the plot's data area."""
        vb = self.getPlotItem().getViewBox()
        if not vb.sceneBoundingRect().contains(pos):
            return False
        p = vb.mapSceneToView(pos)
        self.startClicked.emit(float(p.x()), float(p.y()))
        return True

    def scene_pos_of(self, x: float, y: float) -> QPointF:
        """Where the data point (x, y) lies in the scene (for a click on it)."""
        return self.getPlotItem().getViewBox().mapViewToScene(QPointF(x, y))

    def _on_click(self, ev) -> None:
        if ev.button() == Qt.MouseButton.LeftButton:
            self.start_at_scene(ev.scenePos())
