"""The plots' shared style: colours, the curve plot every page uses, and read-only charts.

One place for these, so the 2-D page, the MNIST page and later pages look alike.
"""

from __future__ import annotations

from collections.abc import Callable

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QPen
from PySide6.QtWidgets import QFileDialog, QGraphicsItem, QMenu, QWidget

# The colours live in a Qt-free module; they are named here too, where the plots look.
from playground.ui.plots.palette import (  # noqa: F401
    BASELINE_COLOR,
    BOUNDARY_COLOR,
    CLASS_COLORS,
    TEST_COLOR,
    TRAIN_COLOR,
)


def read_only(item: pg.PlotItem) -> None:
    """No auto-range button, context menu, panning or zooming: a chart to read, not to
    explore (the MNIST page's confusion matrix and probability bars)."""
    item.hideButtons()
    item.setMenuEnabled(False)
    item.setMouseEnabled(False, False)


class OwnMenuViewBox(pg.ViewBox):
    """A view box whose right-click menu is ours (Fit to data, Export image…) instead of
    pyqtgraph's (View All, Mouse Mode, Plot Options…, which can leave a plot broken)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.own_menu: QMenu | None = None

    def set_menu(self, widget: QWidget, fit: Callable[[], None]) -> QMenu:
        """Our menu for the plot ``widget``: ``fit`` shows all its data."""
        menu = QMenu()
        menu.setObjectName(f"{widget.objectName()}Menu")
        fit_action = QAction("Fit to data", menu)
        fit_action.triggered.connect(fit)
        export = QAction("Export image…", menu)
        export.triggered.connect(lambda: export_widget_image(widget))
        menu.addAction(fit_action)
        menu.addAction(export)
        self.own_menu = menu
        return menu

    def raiseContextMenu(self, ev) -> None:  # noqa: N802 (pyqtgraph's naming)
        if self.own_menu is not None:
            self.own_menu.popup(ev.screenPos().toPoint())


def export_widget_image(widget: QWidget, path: str | None = None) -> bool:
    """Save ``widget`` as it is on screen (PNG), asking where when ``path`` is None."""
    if path is None:
        path, _ = QFileDialog.getSaveFileName(widget, "Export image",
                                              f"{widget.objectName() or 'plot'}.png",
                                              "PNG image (*.png)")
        if not path:
            return False
    return widget.grab().save(path)


def curve_pen(color, dashed: bool = False) -> QPen:
    """The pen of a curve that grows while a run trains: 1 px wide. Qt's raster engine
    strokes a wider line as an outline, which costs many times more: one plot of eight
    1,000-point curves painted in 22 ms with 2 px solid and 1.5 px dashed pens against
    2.3 ms at 1 px, and at 3,000 points in 127 ms against 4.4 ms, long enough to stall
    the window and, through the interpreter lock, the training beside it."""
    style = Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine
    return pg.mkPen(color, width=1, style=style)


def curve_plot(name: str, left: str, downsampling: str = "peak",
               menu: bool = True) -> pg.PlotWidget:
    """A white curve plot named ``name`` with a light grid, ``left`` as the y label and
    pyqtgraph's automatic downsampling (``peak`` keeps spikes, ``mean`` smooths); with
    ``menu``, right-click offers our Fit to data and Export image."""
    vb = OwnMenuViewBox()
    w = pg.PlotWidget(background="w", viewBox=vb)
    w.setObjectName(name)
    if menu:
        vb.set_menu(w, lambda: w.getPlotItem().autoRange())
    item = w.getPlotItem()
    item.showGrid(x=True, y=True, alpha=0.15)
    item.setLabel("left", left)
    item.setClipToView(True)
    item.setDownsampling(auto=True, mode=downsampling)
    item.hideButtons()
    item.setMenuEnabled(menu)  # the view box then asks for the menu: ours, above
    for axis in ("bottom", "left"):
        item.getAxis(axis).setTextPen("#444")
        item.getAxis(axis).setPen("#999")
        item.getAxis(axis).enableAutoSIPrefix(False)
        item.getAxis(axis).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
    return w
