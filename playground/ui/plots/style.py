"""The plots' shared style: colours, the curve plot every page uses, and read-only charts.

One place for these, so the 2-D page, the MNIST page and later pages look alike.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtWidgets import QGraphicsItem

#: training curves dark blue, test curves orange, on every page.
TRAIN_COLOR = "#1d3557"
TEST_COLOR = "#e76f51"
#: class 0 orange and class 1 blue as in the TensorFlow Playground, then three more that
#: stay distinct from both (and from each other) for up to five classes.
CLASS_COLORS = ("#f59322", "#0877bd", "#2ca25f", "#8e44ad", "#d6336c")
BOUNDARY_COLOR = "#222222"
#: the logistic-regression overlay: a broad grey line under the dark boundary (segments
#: are drawn in pairs, so a dash pattern would restart at every grid cell).
BASELINE_COLOR = "#8c8c8c"


def read_only(item: pg.PlotItem) -> None:
    """No auto-range button, context menu, panning or zooming: a chart to read, not to
    explore (the MNIST page's confusion matrix and probability bars)."""
    item.hideButtons()
    item.setMenuEnabled(False)
    item.setMouseEnabled(False, False)


def curve_plot(name: str, left: str, downsampling: str = "peak",
               menu: bool = True) -> pg.PlotWidget:
    """A white curve plot named ``name`` with a light grid, ``left`` as the y label and
    pyqtgraph's automatic downsampling (``peak`` keeps spikes, ``mean`` smooths)."""
    w = pg.PlotWidget(background="w")
    w.setObjectName(name)
    item = w.getPlotItem()
    item.showGrid(x=True, y=True, alpha=0.15)
    item.setLabel("left", left)
    item.setClipToView(True)
    item.setDownsampling(auto=True, mode=downsampling)
    item.hideButtons()
    item.setMenuEnabled(menu)
    for axis in ("bottom", "left"):
        item.getAxis(axis).setTextPen("#444")
        item.getAxis(axis).setPen("#999")
        item.getAxis(axis).enableAutoSIPrefix(False)
        item.getAxis(axis).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
    return w
