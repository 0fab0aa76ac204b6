"""The decision plot's view box and items: drawing and erasing with the mouse in Draw mode
(and the wheel's value steps), points and an image that let clicks through to it."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPainter

from playground.ui.plots.style import OwnMenuViewBox

#: brush radius for erasing and spraying, in screen pixels.
ERASE_RADIUS_PX = 12


class DrawingViewBox(OwnMenuViewBox):
    """A ViewBox that, in draw mode, turns left clicks/drags into points and right (or
    Shift+left) clicks/drags into erasing, instead of panning; with ``wheel_steps`` also
    the wheel into steps (of the value to draw) instead of zooming."""

    drawAt = Signal(float, float, bool)   # x, y in data units; True = a spray while dragging
    eraseAt = Signal(float, float, float)  # x, y, radius in data units
    wheelStep = Signal(int)               # +1 a notch up, -1 down

    def __init__(self) -> None:
        super().__init__()
        self.draw_mode = False
        self.wheel_steps = False
        self._wheel_rest = 0  # eighths of a degree short of a notch (touchpads send bits)

    def wheelEvent(self, ev, axis=None) -> None:
        if not (self.draw_mode and self.wheel_steps and axis is None):
            super().wheelEvent(ev, axis)
            return
        ev.accept()
        if ev.orientation() != Qt.Orientation.Vertical:
            return
        if (ev.delta() > 0) != (self._wheel_rest > 0):
            self._wheel_rest = 0              # turned back: start a new notch
        self._wheel_rest += ev.delta()
        steps = int(self._wheel_rest / 120)   # towards zero: a notch either way
        self._wheel_rest -= steps * 120
        for _ in range(abs(steps)):
            self.wheelStep.emit(1 if steps > 0 else -1)

    def _erasing(self, ev) -> bool:
        shift = bool(ev.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        return ev.button() == Qt.MouseButton.RightButton or (
            ev.button() == Qt.MouseButton.LeftButton and shift)

    def _handle(self, ev, spray: bool) -> bool:
        if not self.draw_mode or ev.button() not in (Qt.MouseButton.LeftButton,
                                                     Qt.MouseButton.RightButton):
            return False
        ev.accept()
        p = self.mapSceneToView(ev.scenePos())
        if self._erasing(ev):
            self.eraseAt.emit(p.x(), p.y(), ERASE_RADIUS_PX * self.viewPixelSize()[0])
        else:
            self.drawAt.emit(p.x(), p.y(), spray)
        return True

    def mouseClickEvent(self, ev) -> None:
        if not self._handle(ev, spray=False):
            super().mouseClickEvent(ev)

    def mouseDragEvent(self, ev, axis=None) -> None:
        if axis is not None or not self._handle(ev, spray=True):
            super().mouseDragEvent(ev, axis)


class PassiveScatter(pg.ScatterPlotItem):
    """Points that let clicks through to the view box (pyqtgraph's scatter swallows left
    clicks on a point, so drawing on top of a point or erasing it would do nothing)."""

    def mouseClickEvent(self, ev) -> None:
        ev.ignore()


class PassiveImage(pg.ImageItem):
    """The region image without pyqtgraph's own right-click menu (right-click erases),
    scaled smoothly: a grid cell is several screen pixels, and nearest-neighbour scaling
    drew blocks beside the smooth boundary line."""

    def mouseClickEvent(self, ev) -> None:
        ev.ignore()

    def paint(self, p, *args) -> None:
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        super().paint(p, *args)
