"""``ImageGallery``: small grey images with a caption under each, in a grid that fits."""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget


def _to_qimage(image: np.ndarray) -> QImage:
    """float (h, w) in [0, 1] -> a Grayscale8 QImage owning its own copy."""
    data = np.ascontiguousarray(np.clip(image, 0.0, 1.0) * 255 + 0.5, dtype=np.uint8)
    h, w = data.shape
    return QImage(data.data, w, h, w, QImage.Format.Format_Grayscale8).copy()


class ImageGallery(QWidget):
    """Tiles laid out in ``rows`` rows (or as many as fit best when ``rows`` is 0), each
    with a caption; ``tileClicked(index)`` when one is clicked. Painted directly, so
    hundreds of tiles cost one paint event."""

    tileClicked = Signal(int)

    def __init__(self, name: str, rows: int = 0, max_tile: int = 72,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.rows = rows
        self.max_tile = max_tile
        self._images: list[QImage] = []
        self._captions: list[str] = []
        self._colors: list[str] = []
        self._placeholder = ""
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    @property
    def count(self) -> int:
        return len(self._images)

    @property
    def captions(self) -> list[str]:
        return list(self._captions)

    def set_placeholder(self, text: str) -> None:
        self._placeholder = text
        self.update()

    def set_images(self, images: np.ndarray, captions: list[str],
                   colors: list[str] | None = None) -> None:
        """Show ``images`` (n, h, w) floats in [0, 1] with ``captions`` (n strings)."""
        images = np.asarray(images)
        self._images = [_to_qimage(im) for im in images]
        self._captions = [str(c) for c in captions][:len(self._images)]
        self._colors = list(colors or [])
        self.update()

    def _layout(self) -> tuple[int, int, float, float]:
        """(rows, cols, tile side, caption height) that fit the widget."""
        n = max(len(self._images), 1)
        caption = self.fontMetrics().height() + 2
        w, h = max(self.width(), 1), max(self.height(), 1)
        pad = 4
        best = (1, n, 0.0)
        options = [self.rows] if self.rows else range(1, n + 1)
        for rows in options:
            cols = math.ceil(n / rows)
            side = min((w - pad * (cols + 1)) / cols, (h - rows * caption - pad * (rows + 1))
                       / rows, self.max_tile)
            if side > best[2]:
                best = (rows, cols, side)
        return best[0], best[1], max(best[2], 1.0), caption

    def _tile_rect(self, i: int, layout) -> QRectF:
        rows, cols, side, caption = layout
        pad = 4
        r, c = divmod(i, cols)
        used_w = cols * side + (cols + 1) * pad
        x0 = (self.width() - used_w) / 2 + pad
        return QRectF(x0 + c * (side + pad), pad + r * (side + caption + pad), side, side)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's naming)
        painter = QPainter(self)
        if not self._images:
            painter.setPen(QColor("#888888"))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self._placeholder)
            painter.end()
            return
        layout = self._layout()
        caption_h = layout[3]
        for i, image in enumerate(self._images):
            rect = self._tile_rect(i, layout)
            painter.drawImage(rect, image)
            if i < len(self._captions):
                color = self._colors[i] if i < len(self._colors) else "#222222"
                painter.setPen(QColor(color))
                text_rect = QRectF(rect.left() - 6, rect.bottom() + 1, rect.width() + 12,
                                   caption_h)
                painter.drawText(text_rect, Qt.AlignmentFlag.AlignHCenter
                                 | Qt.AlignmentFlag.AlignTop, self._captions[i])
        painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        layout = self._layout()
        for i in range(len(self._images)):
            if self._tile_rect(i, layout).contains(event.position()):
                self.tileClicked.emit(i)
                return
