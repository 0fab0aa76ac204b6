"""``FilterGrid``: many small images (first-layer filters, feature maps) as one mosaic."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QGraphicsRectItem, QWidget

from playground.ui.mnist.tiles import grid_shape, mosaic, symmetric_levels

# Harmless to repeat; the app sets it once at start-up as well.
pg.setConfigOptions(imageAxisOrder="row-major")

#: the colour of the gaps between tiles and of the frame around them: no grey, so a
#: tile's black or white edge never merges with its neighbour's or the background.
FRAME_COLOR = "#7d95b5"


class FilterGrid(pg.GraphicsLayoutWidget):
    """One greyscale ``ImageItem`` holding every tile of a set, e.g. ``filterView``.

    ``symmetric``: the grey scale is centred on zero (black = most negative, mid-grey = 0,
    white = most positive), as weights should be shown; with ``per_tile`` every tile is
    scaled by its own largest |value| (as ``filter_show`` in "Deep Learning from Scratch"
    lets each filter use the whole grey range), else one scale serves all tiles.
    Otherwise black = 0 and white = the largest value (activations after ReLU). Tiles
    are parted by gaps of at least one pixel (NaN in ``mosaic``, transparent) over a
    coloured frame (``FRAME_COLOR``) that also borders the whole mosaic. The items are
    created once; ``set_tiles`` only feeds them.
    """

    def __init__(self, name: str = "filterView", symmetric: bool = True,
                 background: str = "w", per_tile: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.per_tile = per_tile
        self.setObjectName(name)
        self.setBackground(background)
        self.ci.layout.setContentsMargins(2, 2, 2, 2)
        self.symmetric = symmetric
        self.view = self.addViewBox()
        self.view.setAspectLocked(True)
        self.view.invertY(True)
        self.view.setMouseEnabled(False, False)
        self.view.setMenuEnabled(False)
        self.frame = QGraphicsRectItem()
        self.frame.setPen(pg.mkPen(None))
        self.frame.setBrush(pg.mkBrush(FRAME_COLOR))
        self.frame.setZValue(-1)
        self.frame.hide()
        self.view.addItem(self.frame)
        self.image_item = pg.ImageItem()
        self.view.addItem(self.image_item)
        self.gap = 1
        self._tiles_shape: tuple[int, ...] = ()
        self._mosaic = np.zeros((0, 0), np.float32)
        self._levels = (-1.0, 1.0)

    @property
    def mosaic(self) -> np.ndarray:
        """A copy of the image shown (NaN in the gaps)."""
        return self._mosaic.copy()

    @property
    def levels(self) -> tuple[float, float]:
        return self._levels

    def set_tiles(self, tiles: np.ndarray, cols: int | None = None,
                  gap: int | None = None) -> None:
        """Show ``tiles`` (n, h, w) in a near-square grid (``cols`` columns if given),
        ``gap`` pixels apart (default: 1, or 2 for tiles of 16 pixels or more)."""
        tiles = np.asarray(tiles, dtype=np.float32)
        if tiles.ndim != 3 or len(tiles) == 0:
            self.clear_tiles()
            return
        n, h, w = tiles.shape
        if gap is None:
            gap = 1 if max(h, w) < 16 else 2
        if cols is None:
            cols = grid_shape(n)[1]
        if self.symmetric and self.per_tile:
            peak = np.nanmax(np.abs(tiles).reshape(n, -1), axis=1)
            tiles = tiles / np.where(peak > 0, peak, 1.0)[:, None, None]
        image = mosaic(tiles, cols=cols, gap=gap)
        if self.symmetric:
            levels = symmetric_levels(tiles)
        else:
            finite = tiles[np.isfinite(tiles)]
            top = float(finite.max()) if finite.size else 0.0
            levels = (0.0, top if top > 0 else 1.0)
        self._levels = levels
        self._mosaic = image
        self.image_item.setImage(image, levels=levels, autoLevels=False)
        self.gap = gap
        rows, width = image.shape
        self.frame.setRect(QRectF(-gap, -gap, width + 2 * gap, rows + 2 * gap))
        self.frame.show()
        shape = (n, h, w, cols)
        if shape != self._tiles_shape:
            self._tiles_shape = shape
            self.view.autoRange(padding=0.02)

    def set_per_tile(self, on: bool) -> None:
        """Scale each tile on its own (True) or all on one scale; applies from the next
        ``set_tiles``."""
        self.per_tile = bool(on)

    def clear_tiles(self) -> None:
        self._mosaic = np.zeros((0, 0), np.float32)
        self._tiles_shape = ()
        self.image_item.clear()
        self.frame.hide()
