"""The decision-region plot: coloured regions, boundary, points, and point drawing; for
regression a heat map of the predicted value with contours and a colour bar."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtWidgets import QGraphicsItem

from playground.ui.plots.colors import region_rgba
from playground.ui.plots.contour import class_boundaries
from playground.ui.plots.drawing_view import DrawingViewBox, PassiveImage, PassiveScatter
from playground.ui.plots.plot_overlay import (
    OverlayLabel,
    UnitViewLabel,
    probe_text,
    value_probe_text,
)
from playground.ui.plots.style import BASELINE_COLOR, BOUNDARY_COLOR, CLASS_COLORS
from playground.ui.plots.unit_colors import unit_rgba
from playground.ui.plots.value_view import REGRESSION_TIP, ValueLayer

#: spraying while dragging in Draw mode, in screen pixels.
SPRAY_SIGMA_PX = 6
SPRAY_POINTS = 2
#: wait this long after the last pan/zoom before asking for a grid over the new range.
VIEW_DEBOUNCE_MS = 80
#: the probe names a point's target when the cursor is this close to it, in screen pixels.
PROBE_RADIUS_PX = 10
CLASSIFICATION_TIP = (
    "The decision region: colours show the class the network predicts, paler where it is "
    "unsure; the dark line is the class boundary.\nFilled dots are training points, ringed "
    "dots test points.\nScroll to zoom, drag to pan; in Draw mode left-click/drag adds "
    "points, right-click or Shift+click erases.")


class DecisionRegionPlot(pg.PlotWidget):
    """The model's decision region (an ImageItem coloured by class confidence), its class
    boundary, train points (filled) and test points (outlined), plus drawing.

    Feed it with ``set_points``/``set_probabilities``/``set_baseline``, or after
    ``set_task("regression")`` with ``set_value_scale``/``set_values``/
    ``set_baseline_values`` (and float targets to ``set_points``); it emits intent:
    ``drawRequested(xs, ys)``, ``eraseRequested(x, y, radius)`` and, debounced after every
    pan/zoom/resize, ``viewBoundsChanged((xmin, xmax, ymin, ymax))``, and in regression Draw mode
    ``drawValueStep(+1/-1)`` for the wheel.
    """

    drawRequested = Signal(object, object)
    eraseRequested = Signal(float, float, float)
    viewBoundsChanged = Signal(object)
    unitViewClosed = Signal()     # the user asked to see the classes again
    drawValueStep = Signal(int)   # regression, Draw mode: the wheel, +1 up / -1 down

    def __init__(self, parent=None) -> None:
        self._vb = DrawingViewBox()
        super().__init__(parent, background="w", viewBox=self._vb)
        self.setObjectName("decisionPlot")
        self.setMinimumSize(320, 292)  # with the timeline bar, fits 600 px screens
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
        self.value_layer = ValueLayer(item)
        self.color_bar = self.value_layer.color_bar
        self._vb.wheelStep.connect(self.drawValueStep)
        self.task = "classification"
        self._values: np.ndarray | None = None
        self._given_points: tuple | None = None
        self._brushes = np.array([pg.mkBrush(c) for c in CLASS_COLORS], dtype=object)
        self._outline = pg.mkPen("w", width=0.8)
        self._test_pens = np.array([pg.mkPen(c, width=2) for c in CLASS_COLORS], dtype=object)
        self._test_brush = pg.mkBrush(255, 255, 255, 230)
        self._dark_outline = pg.mkPen(50, 50, 50, 190, width=0.8)
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
        self.setToolTip(CLASSIFICATION_TIP)

    # ------------------------------------------------------------------ feeding

    def set_points(self, x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray,
                   y_test: np.ndarray) -> None:
        """Points (N, 2) with labels (N,) 0..4, or in regression float targets (N,)
        coloured on the value scale."""
        self._given_points = (x_train, y_train, x_test, y_test)  # for a change of task
        if self.task == "regression":
            self._points = [
                (np.asarray(x, np.float64).reshape(-1, 2), np.asarray(y, np.float32).ravel(),
                 kind) for x, y, kind in ((x_train, y_train, "train"), (x_test, y_test, "test"))]
            self._paint_value_points()
            return
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
        ("showing neuron 2.5"); None: the classes (or values) again. Takes effect with the
        next ``set_probabilities`` (``set_values``)."""
        if label is None or values is None:
            was = self._unit is not None
            self._unit = None
            self.unit_label.hide()
            if was:
                self._repaint()
            return
        self._unit = (label, values, levels, lut)
        if self.unit_label.isHidden() or label not in self.unit_label.text():
            back = "the prediction" if self.task == "regression" else "the classes"
            self.unit_label.show_unit(label, back)

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

    # ------------------------------------------------------------------ regression

    def set_task(self, task: str) -> None:
        """"classification" (class regions and boundary) or "regression" (a heat map of
        the predicted value with contours, and a colour bar). Clears the image."""
        if task not in ("classification", "regression"):
            raise ValueError(f"unknown task {task!r}")
        if task == self.task:
            return
        self.task = task
        regression = task == "regression"
        self._probs = self._values = None
        self.image.clear()
        self.boundary.setData([], [])
        self.baseline.setData([], [])
        self.value_layer.clear()
        self.value_layer.set_baseline(None)
        self.boundary.setVisible(not regression)
        self.baseline.setVisible(not regression)
        self.value_layer.set_shown(regression)
        self._vb.wheel_steps = regression
        self.setToolTip(REGRESSION_TIP if regression else CLASSIFICATION_TIP)
        if self._given_points is not None:
            self.set_points(*self._given_points)

    def set_value_scale(self, lo: float, hi: float) -> None:
        """The value range of the colour scale (heat map, colour bar, points)."""
        self.value_layer.set_scale(lo, hi)
        if self.task == "regression":
            self._repaint()
            if self._points:
                self._paint_value_points()

    def set_values(self, values: np.ndarray | None,
                   bounds: tuple[float, float, float, float]) -> None:
        """Show predicted values (ny, nx) over ``bounds`` (row 0 = ymin) as a heat map on
        the value scale, with contour lines; None clears."""
        self._values, self._bounds = values, tuple(bounds)
        if values is None:
            self.image.clear()
            self.value_layer.clear()
            return
        layer = self.value_layer
        if self._unit is not None and self._unit[1].shape == values.shape:
            rgba = unit_rgba(*self._unit[1:])
        else:
            rgba = layer.colors.rgba(values, layer.scale)
        xmin, xmax, ymin, ymax = self._bounds
        self.image.setImage(rgba, levels=(0, 255))
        self.image.setRect(QRectF(xmin, ymin, xmax - xmin, ymax - ymin))
        layer.show_contours(values, self._bounds)

    def set_baseline_values(self, values: np.ndarray | None,
                            bounds: tuple[float, float, float, float] | None = None) -> None:
        """A linear regression's values over a grid, as grey dashed contours; None removes
        them."""
        self.value_layer.set_baseline(values, bounds)

    def color_bar_levels(self) -> tuple[float, float]:
        return tuple(self.color_bar.levels())

    def _paint_value_points(self) -> None:
        (train, y_train, _), (test, y_test, _) = self._points
        colors, scale = self.value_layer.colors, self.value_layer.scale
        self.train_points.setData(pos=train, brush=colors.point_brushes(y_train, scale),
                                  pen=self._dark_outline)
        self.test_points.setData(pos=test, brush=self._test_brush,
                                 pen=colors.point_rings(y_test, scale))

    def _repaint(self) -> None:
        if self.task == "regression" and self._values is not None:
            self.set_values(self._values, self._bounds)
        elif self.task == "classification" and self._probs is not None:
            self.set_probabilities(self._probs, self._bounds)

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
        if self.task == "regression":
            radius = PROBE_RADIUS_PX * self._vb.viewPixelSize()[0]
            text = value_probe_text(self._values, self._bounds, p.x(), p.y(), self._points,
                                    radius, unit)
        else:
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
