"""The decision-region plot: coloured regions, boundary, points, and point drawing."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtWidgets import QGraphicsItem

from playground.ui.plots.colors import region_rgba
from playground.ui.plots.contour import class_boundaries
from playground.ui.plots.drawing_view import DrawingViewBox, PassiveImage, PassiveScatter
from playground.ui.plots.plot_overlay import OverlayLabel, UnitViewLabel, probe_text
from playground.ui.plots.style import BASELINE_COLOR, BOUNDARY_COLOR, CLASS_COLORS
from playground.ui.plots.unit_colors import unit_rgba

#: spraying while dragging in Draw mode, in screen pixels.
SPRAY_SIGMA_PX = 6
SPRAY_POINTS = 2
#: wait this long after the last pan/zoom before asking for a grid over the new range.
VIEW_DEBOUNCE_MS = 80


class DecisionRegionPlot(pg.PlotWidget):
    """The model's decision region (an ImageItem coloured by class confidence), its class
    boundary, train points (filled) and test points (outlined), plus drawing.

    Feed it with ``set_points``/``set_probabilities``/``set_baseline``; it emits intent:
    ``drawRequested(xs, ys)``, ``eraseRequested(x, y, radius)`` and, debounced after every
    pan/zoom/resize, ``viewBoundsChanged((xmin, xmax, ymin, ymax))``.
    """

    drawRequested = Signal(object, object)
    eraseRequested = Signal(float, float, float)
    viewBoundsChanged = Signal(object)
    unitViewClosed = Signal()     # the user asked to see the classes again

    def __init__(self, parent=None) -> None:
        self._vb = DrawingViewBox()
        super().__init__(parent, background="w", viewBox=self._vb)
        self.setObjectName("decisionPlot")
        self.setMinimumSize(320, 320)
        item = self.getPlotItem()
        item.setAspectLocked(True, 1.0)
        item.showGrid(x=False, y=False)
        item.setLabel("bottom", "x1")
        item.setLabel("left", "x2")
        item.hideButtons()
        # right-click outside draw mode: our menu (in draw mode it erases)
        self._vb.set_menu(self, self.fit_to_data)
        for name in ("bottom", "left"):
            axis = item.getAxis(name)
            axis.setTextPen("#444")
            axis.setPen("#999")
            axis.enableAutoSIPrefix(False)  # zoomed in, "600 (x0.001)" would read badly
            # Repaint the axes from a pixmap: the image under them changes every frame.
            axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        # A fixed width: under the locked aspect, a y axis that widens for "-2.5" and
        # narrows for "-3" changed the view, which changed the labels, back and forth.
        item.getAxis("left").setWidth(44)
        self.image = PassiveImage(axisOrder="row-major")
        self.image.setZValue(-10)
        self.boundary = pg.PlotCurveItem(pen=pg.mkPen(BOUNDARY_COLOR, width=1.6),
                                         connect="pairs", antialias=True)
        self.baseline = pg.PlotCurveItem(pen=pg.mkPen(BASELINE_COLOR, width=3.5),
                                         connect="pairs", antialias=True)
        self.baseline.setZValue(-5)  # under the network's boundary, over the image
        self.train_points = PassiveScatter(size=7, pxMode=True, antialias=True)
        self.test_points = PassiveScatter(size=7, pxMode=True, antialias=True)
        for points in (self.train_points, self.test_points):
            # The points stay put while the region under them changes every frame: paint
            # them from a pixmap (0.8 of a 4.5 ms frame), redrawn when they or the view change.
            points.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        for it in (self.image, self.boundary, self.baseline, self.train_points,
                   self.test_points):
            item.addItem(it)
        self._brushes = np.array([pg.mkBrush(c) for c in CLASS_COLORS], dtype=object)
        self._outline = pg.mkPen("w", width=0.8)
        self._test_pens = np.array([pg.mkPen(c, width=2) for c in CLASS_COLORS], dtype=object)
        self._test_brush = pg.mkBrush(255, 255, 255, 230)
        self._probs: np.ndarray | None = None
        self._bounds = (-1.5, 1.5, -1.5, 1.5)
        self.discretize = False
        self.draw_class = 0
        self._rng = np.random.default_rng(0)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(VIEW_DEBOUNCE_MS)
        self._debounce.timeout.connect(self._emit_view)
        self._last_view: tuple | None = None
        # At most one report per interval, and always one after a change: a restarted
        # timer would never fire while the range keeps moving.
        self._vb.sigRangeChanged.connect(self._view_moved)
        self._vb.sigResized.connect(self._view_moved)
        self._vb.drawAt.connect(self._on_draw)
        self._vb.eraseAt.connect(self.eraseRequested)
        # one unit's output instead of the classes (from the network graph), and a read-out
        # of the probabilities and the nearest point under the cursor
        self._unit: tuple | None = None  # label, values, levels, lut
        self.unit_label = UnitViewLabel(self)
        self.unit_label.backRequested.connect(self.unitViewClosed)
        self.probe = OverlayLabel("probeLabel", self, "bottom-left")
        self._overlays = (self.unit_label, self.probe)
        self._points: list[tuple[np.ndarray, np.ndarray, str]] = []
        self.scene().sigMouseMoved.connect(self._probe_at)
        self.setToolTip("The decision region: colours show the class the network predicts, "
                        "paler where it is unsure; the dark line is the class boundary.\n"
                        "Filled dots are training points, ringed dots test points.\n"
                        "Scroll to zoom, drag to pan; in Draw mode left-click/drag adds "
                        "points, right-click or Shift+click erases.")

    # ------------------------------------------------------------------ feeding

    def set_points(self, x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray,
                   y_test: np.ndarray) -> None:
        """Points (N, 2) with labels (N,) 0..4."""
        y_train = np.clip(np.asarray(y_train, np.intp), 0, len(CLASS_COLORS) - 1)
        y_test = np.clip(np.asarray(y_test, np.intp), 0, len(CLASS_COLORS) - 1)
        train = np.asarray(x_train, np.float64).reshape(-1, 2)
        test = np.asarray(x_test, np.float64).reshape(-1, 2)
        self._points = [(train, y_train, "train"), (test, y_test, "test")]
        self.train_points.setData(pos=train, brush=self._brushes[y_train], pen=self._outline)
        self.test_points.setData(pos=test, brush=self._test_brush, pen=self._test_pens[y_test])

    def set_probabilities(self, probs: np.ndarray | None,
                          bounds: tuple[float, float, float, float]) -> None:
        """Show class probabilities (ny, nx, K) over ``bounds`` (row 0 = ymin)."""
        self._probs, self._bounds = probs, tuple(bounds)
        if probs is None:
            self.image.clear()
            self.boundary.setData([], [])
            return
        xmin, xmax, ymin, ymax = self._bounds
        if self._unit is not None and self._unit[1].shape == probs.shape[:2]:
            rgba = unit_rgba(*self._unit[1:])
        else:
            rgba = region_rgba(probs, self.discretize)
        self.image.setImage(rgba, levels=(0, 255))
        self.image.setRect(QRectF(xmin, ymin, xmax - xmin, ymax - ymin))
        x, y = class_boundaries(probs, self._bounds)
        self.boundary.setData(x, y)

    def set_unit(self, label: str | None, values: np.ndarray | None = None,
                 levels: tuple[float, float] = (-1.0, 1.0), lut=None) -> None:
        """Show one unit's ``values`` (ny, nx) over the grid's bounds on the graph's colour
        scale (``lut``, default the diverging one) instead of the classes, saying ``label``
        ("showing neuron 2.5"); None: the classes again. Takes effect with the next
        ``set_probabilities``."""
        if label is None or values is None:
            was = self._unit is not None
            self._unit = None
            self.unit_label.hide()
            if was and self._probs is not None:
                self.set_probabilities(self._probs, self._bounds)
            return
        self._unit = (label, values, levels, lut)
        if self.unit_label.isHidden() or label not in self.unit_label.text():
            self.unit_label.show_unit(label)

    @property
    def shown_unit(self) -> str | None:
        """The label of the unit shown instead of the classes, or None."""
        return self._unit[0] if self._unit is not None else None

    def set_baseline(self, probs: np.ndarray | None,
                     bounds: tuple[float, float, float, float] | None = None) -> None:
        """Overlay a straight-line model's boundary (a broad grey line), or remove it."""
        if probs is None:
            self.baseline.setData([], [])
            return
        x, y = class_boundaries(probs, tuple(bounds))
        self.baseline.setData(x, y)

    def set_discretize(self, on: bool) -> None:
        self.discretize = bool(on)
        if self._probs is not None:
            self.set_probabilities(self._probs, self._bounds)

    def set_show_test(self, on: bool) -> None:
        self.test_points.setVisible(bool(on))

    def set_draw_mode(self, on: bool) -> None:
        self._vb.draw_mode = bool(on)
        self.setCursor(Qt.CursorShape.CrossCursor if on else Qt.CursorShape.ArrowCursor)

    @property
    def draw_mode(self) -> bool:
        return self._vb.draw_mode

    def show_range(self, bounds: tuple[float, float, float, float]) -> None:
        xmin, xmax, ymin, ymax = bounds
        self._vb.setRange(xRange=(xmin, xmax), yRange=(ymin, ymax), padding=0)

    def fit_to_data(self) -> None:
        """Show all the points (train and test), as the view was when the data came."""
        items = [i for i in (self.train_points, self.test_points) if len(i.data)]
        if items:
            self._vb.autoRange(items=items, padding=0.1)

    def view_bounds(self) -> tuple[float, float, float, float]:
        (xmin, xmax), (ymin, ymax) = self._vb.viewRange()
        return float(xmin), float(xmax), float(ymin), float(ymax)

    def data_to_widget(self, x: float, y: float):
        """Where data point (x, y) is on this widget, as a QPoint (for tests, scripts)."""
        return self.mapFromScene(self._vb.mapViewToScene(QPointF(x, y)))

    # ------------------------------------------------------------------ internals

    def _probe_at(self, scene_pos) -> None:
        if not self._vb.sceneBoundingRect().contains(scene_pos):
            self.probe.hide()
            return
        p = self._vb.mapSceneToView(scene_pos)
        unit = None
        if self._unit is not None:
            unit = (self._unit[0].replace("showing ", ""), self._unit[1])
        text = probe_text(self._probs, self._bounds, p.x(), p.y(), self._points, unit)
        if text:
            self.probe.show_text(text)
        else:
            self.probe.hide()

    def leaveEvent(self, event) -> None:
        super().leaveEvent(event)
        for label in self.__dict__.get("_overlays", ())[1:]:
            label.hide()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        for label in self.__dict__.get("_overlays", ()):  # none yet while being built
            label.place()

    def _view_moved(self, *_args) -> None:
        if not self._debounce.isActive():
            self._debounce.start()

    def _emit_view(self) -> None:
        bounds = self.view_bounds()
        if bounds != self._last_view:
            self._last_view = bounds
            self.viewBoundsChanged.emit(bounds)

    def _on_draw(self, x: float, y: float, spray: bool) -> None:
        if not spray:
            self.drawRequested.emit(np.array([x]), np.array([y]))
            return
        sigma = SPRAY_SIGMA_PX * self._vb.viewPixelSize()[0]
        jitter = self._rng.normal(0.0, sigma, size=(SPRAY_POINTS, 2))
        self.drawRequested.emit(x + jitter[:, 0], y + jitter[:, 1])
