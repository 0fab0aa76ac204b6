"""The 1-D view of a regression set that varies along x1 only (the "sine" set): the points'
targets y against x1, the network's fitted curve y(x1), and a straight-line baseline."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGraphicsItem

from playground.ui.plots.drawing_view import PassiveScatter
from playground.ui.plots.style import BASELINE_COLOR, OwnMenuViewBox

#: the points in one neutral colour: the height already says y, and a value colour would
#: make points near y = 0 white on the white background.
POINT_COLOR = (70, 70, 70)
CURVE_COLOR = "#1d3557"


def _finite_xy(xs, ys) -> tuple[np.ndarray, np.ndarray]:
    """``xs, ys`` as float64 with non-finite values as NaN (a gap in the line)."""
    x = np.asarray(xs, np.float64).ravel()
    y = np.asarray(ys, np.float64).ravel().copy()
    n = min(len(x), len(y))
    x, y = x[:n], y[:n]
    y[~np.isfinite(y)] = np.nan
    keep = np.isfinite(x)
    return x[keep], y[keep]


class CurveView(pg.PlotWidget):
    """y against x1: train points filled, test points ringed, the fitted curve as a dark
    line and the baseline grey dashed, with a key in a corner."""

    def __init__(self, parent=None) -> None:
        vb = OwnMenuViewBox()
        super().__init__(parent, background="w", viewBox=vb)
        self.setObjectName("curveViewPlot")
        self.setMinimumSize(240, 130)
        vb.set_menu(self, self.fit_to_data)
        item = self.getPlotItem()
        item.hideButtons()
        item.showGrid(x=True, y=True, alpha=0.12)
        item.setLabel("bottom", "x1")
        item.setLabel("left", "y")
        for name in ("bottom", "left"):
            axis = item.getAxis(name)
            axis.setTextPen("#444")
            axis.setPen("#999")
            axis.enableAutoSIPrefix(False)
            axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        item.getAxis("left").setWidth(44)  # lines up with the decision plot's x2 axis
        self.train_points = PassiveScatter(size=6, pxMode=True, antialias=True,
                                           brush=pg.mkBrush(*POINT_COLOR, 170),
                                           pen=pg.mkPen(255, 255, 255, 200, width=0.6))
        self.test_points = PassiveScatter(size=6, pxMode=True, antialias=True,
                                          brush=pg.mkBrush(255, 255, 255, 230),
                                          pen=pg.mkPen(*POINT_COLOR, 200, width=1.4))
        self.curve = pg.PlotCurveItem(pen=pg.mkPen(CURVE_COLOR, width=2.2), antialias=True,
                                      connect="finite")
        self.baseline = pg.PlotCurveItem(
            pen=pg.mkPen(BASELINE_COLOR, width=1.8, style=Qt.PenStyle.DashLine),
            antialias=True, connect="finite")
        self.baseline.setZValue(-5)
        # The view fits the points; a diverged model's curve must not zoom them away.
        item.addItem(self.baseline, ignoreBounds=True)
        item.addItem(self.train_points)
        item.addItem(self.test_points)
        item.addItem(self.curve, ignoreBounds=True)
        # The key sits right of the "x1" label, off the data (a legend box on a plot this
        # low would hide points).
        self.caption = pg.LabelItem("", size="8pt", color="#444")
        self.caption.setParentItem(item.getAxis("bottom"))
        item.getAxis("bottom").geometryChanged.connect(self._place_caption)
        self.setToolTip("The data along x1 (the set does not vary along x2): dots are the "
                        "targets y, filled for training points and ringed for test "
                        "points.\nThe dark line is the network's prediction ŷ(x1), the grey "
                        "dashed one the straight-line baseline's.")

    def set_points(self, x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray,
                   y_test: np.ndarray) -> None:
        """Points (N, 2) (x1 is used) with targets (N,)."""
        for points, x, y in ((self.train_points, x_train, y_train),
                             (self.test_points, x_test, y_test)):
            x1 = np.asarray(x, np.float64).reshape(-1, 2)[:, 0]
            points.setData(x=x1, y=np.asarray(y, np.float64).ravel())

    def set_curve(self, xs: np.ndarray | None, ys: np.ndarray | None) -> None:
        """The fitted curve y(x1); None clears. NaN values leave gaps."""
        self._set_line(self.curve, xs, ys)

    def set_baseline_curve(self, xs: np.ndarray | None, ys: np.ndarray | None) -> None:
        """The baseline's line (grey dashed); None clears."""
        self._set_line(self.baseline, xs, ys)

    def fit_to_data(self) -> None:
        items = [i for i in (self.train_points, self.test_points) if len(i.data)]
        if items:
            self.getPlotItem().getViewBox().autoRange(items=items, padding=0.08)

    def caption_text(self) -> str:
        return self.caption.text

    def _set_line(self, line: pg.PlotCurveItem, xs, ys) -> None:
        if xs is None or ys is None:
            line.setData([], [])
        else:
            line.setData(*_finite_xy(xs, ys))
        keys = []
        if len(self.curve.getData()[0] if self.curve.getData()[0] is not None else ()):
            keys.append(f"<span style='color:{CURVE_COLOR}'>━━</span> network")
        if len(self.baseline.getData()[0] if self.baseline.getData()[0] is not None else ()):
            keys.append(f"<span style='color:{BASELINE_COLOR}'>╍╍</span> linear baseline")
        self.caption.setText("&nbsp;&nbsp;&nbsp;".join(keys))
        self._place_caption()

    def _place_caption(self) -> None:
        axis = self.getPlotItem().getAxis("bottom")
        rect = self.caption.boundingRect()
        size = axis.size()
        self.caption.setPos(size.width() - rect.width() - 2, size.height() - rect.height() + 2)
