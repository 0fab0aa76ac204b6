"""``FilterGrid`` as drawn: tiles parted by a coloured border, never merging."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import pyqtgraph as pg  # noqa: E402
from PySide6.QtCore import QPointF  # noqa: E402
from PySide6.QtGui import QColor  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from playground.ui.plots.filters import FRAME_COLOR, FilterGrid  # noqa: E402

pg.setConfigOptions(imageAxisOrder="row-major")


def pixel(grid: FilterGrid, image, x: float, y: float) -> QColor:
    """The colour drawn at mosaic coordinates (x, y) in ``image`` (a grab of ``grid``)."""
    scene = grid.view.mapViewToScene(QPointF(x, y))
    p = grid.mapFromScene(scene)
    ratio = image.devicePixelRatio()
    return image.pixelColor(int(p.x() * ratio), int(p.y() * ratio))


def test_white_tiles_are_parted_and_framed_by_the_border_colour(qtbot):
    grid = FilterGrid("filterView", symmetric=True, per_tile=True)
    qtbot.addWidget(grid)
    grid.resize(300, 300)
    grid.show()
    qtbot.waitExposed(grid)
    grid.set_tiles(np.ones((4, 5, 5), np.float32))  # all white: they would merge
    QApplication.processEvents()
    assert grid.gap >= 1 and grid.frame.isVisible()
    image = grid.grab().toImage()
    border = QColor(FRAME_COLOR)
    assert len({border.red(), border.green(), border.blue()}) > 1  # not a grey
    assert pixel(grid, image, 2.5, 2.5) == QColor("white")           # inside tile 0
    assert pixel(grid, image, 5.5, 2.5) == border                     # between 0 and 1
    assert pixel(grid, image, 2.5, 5.5) == border                     # between 0 and 2
    assert pixel(grid, image, -0.5, 2.5) == border                    # the outer frame
    assert pixel(grid, image, 8.5, 8.5) == QColor("white")            # inside tile 3
    grid.clear_tiles()
    assert not grid.frame.isVisible()


def test_one_pixel_tiles_get_a_gap_too(qtbot):
    grid = FilterGrid("featureMapView", symmetric=False)
    qtbot.addWidget(grid)
    grid.set_tiles(np.ones((16, 1, 1), np.float32))
    mosaic = grid.mosaic
    assert mosaic.shape == (7, 7) and np.isfinite(mosaic).sum() == 16
