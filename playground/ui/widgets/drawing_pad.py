"""``DrawingPad``: draw a digit with the mouse (white ink on black, like MNIST)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

#: side of the square canvas in pixels; the widget shows it scaled to fit.
CANVAS = 280
#: stroke width as a share of the canvas (MNIST strokes are ~2-3 px of a 20 px digit box).
STROKE = 0.075


class DrawingPad(QWidget):
    """A square canvas drawn on with the left mouse button: a thick, antialiased, round
    stroke. Right-click (or ``clear()``) empties it.

    ``drawingChanged`` fires as the stroke grows (the page coalesces requests);
    ``image()`` returns the canvas as float32 (CANVAS, CANVAS) in [0, 1], ink = 1.
    """

    drawingChanged = Signal()
    cleared = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("drawingPad")
        self.setMinimumSize(140, 140)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setToolTip("Draw a digit with the left mouse button; right-click clears.")
        self._canvas = QImage(CANVAS, CANVAS, QImage.Format.Format_Grayscale8)
        self._canvas.fill(0)
        self._last: QPointF | None = None
        self._blank = True

    # ------------------------------------------------------------------ API

    def clear(self) -> None:
        self._canvas.fill(0)
        self._last = None
        self._blank = True
        self.update()
        self.cleared.emit()
        self.drawingChanged.emit()

    def is_blank(self) -> bool:
        return self._blank

    def image(self) -> np.ndarray:
        """The canvas as float32 (CANVAS, CANVAS) in [0, 1]: 0 background, 1 ink."""
        ptr = self._canvas.constBits()
        raw = np.frombuffer(ptr, np.uint8, count=self._canvas.sizeInBytes())
        rows = raw.reshape(CANVAS, self._canvas.bytesPerLine())[:, :CANVAS]
        return rows.astype(np.float32) / 255.0

    def draw_line(self, a: QPointF, b: QPointF) -> None:
        """A stroke segment between canvas points ``a`` and ``b``."""
        painter = QPainter(self._canvas)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(QColor(255, 255, 255), STROKE * CANVAS, Qt.PenStyle.SolidLine,
                   Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        if a == b:
            painter.drawPoint(a)
        else:
            painter.drawLine(a, b)
        painter.end()
        self._blank = False
        self.update()
        self.drawingChanged.emit()

    # ------------------------------------------------------------------ geometry

    def _target(self) -> QRectF:
        side = min(self.width(), self.height())
        return QRectF((self.width() - side) / 2, (self.height() - side) / 2, side, side)

    def _to_canvas(self, pos: QPointF) -> QPointF:
        t = self._target()
        scale = CANVAS / t.width() if t.width() > 0 else 1.0
        return QPointF((pos.x() - t.left()) * scale, (pos.y() - t.top()) * scale)

    # ------------------------------------------------------------------ events

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's naming)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        target = self._target()
        painter.drawImage(target, self._canvas)
        painter.setPen(QPen(QColor("#888888"), 1))
        painter.drawRect(target.adjusted(0, 0, -1, -1))
        if self._blank:
            painter.setPen(QColor("#aaaaaa"))
            painter.drawText(target, Qt.AlignmentFlag.AlignCenter, "draw a digit here")
        painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.RightButton:
            self.clear()
        elif event.button() == Qt.MouseButton.LeftButton:
            self._last = self._to_canvas(event.position())
            self.draw_line(self._last, self._last)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._last is None or not event.buttons() & Qt.MouseButton.LeftButton:
            return
        point = self._to_canvas(event.position())
        self.draw_line(self._last, point)
        self._last = point

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton:
            self._last = None

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        return width
