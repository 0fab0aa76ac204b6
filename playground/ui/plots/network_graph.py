"""The network graph: every input feature, hidden unit and output as a map over the plane.

Columns left to right: the input features, each hidden layer, the outputs. A node is one
``ImageItem`` (created once per topology, then only fed with ``setImage``) showing that
unit's value over the visible plane; links between consecutive columns are drawn batched,
a few ``PlotCurveItem`` s for all of them (by sign and width), so that 8 layers of 64 units
still draw. The view's coordinates are the widget's pixels, so thumbnails stay square at
any size; the page lays a header of per-column controls over the same columns.

Hover a node: ``unitHovered((column, unit))`` (None when the mouse leaves it); click it:
``unitPinned``. Hover a link: its weight in a tooltip; click it: ``linkClicked(layer,
row, col, weight)`` (the panel asks for the new value; the worker writes it).
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Signal
from PySide6.QtGui import QCursor, QPainter
from PySide6.QtWidgets import QToolTip

from playground.ui.plots.unit_colors import (
    class_lut,
    dead_units,
    diverging_lut,
    grey_lut,
    unit_levels,
    unit_rgba,
)

#: the first units of a wide layer that get a node; the rest are summed up as "+N".
MAX_SHOWN = 16
MAX_NODE_PX, MIN_NODE_PX = 44, 8
MAX_SUBCOLUMNS = 3
WRAP_BELOW_PX = 22
#: link widths in pixels by |w| relative to the largest |w| shown, and their colours.
LINK_WIDTHS = (0.5, 1.2, 2.2, 3.6)
POSITIVE, NEGATIVE = "#0877bd", "#f59322"
#: how close (pixels) the mouse must come to a link to read or edit it.
LINK_PICK_PX = 4.0


class _Thumbnail(pg.ImageItem):
    """A node's map, scaled smoothly (a 24x24 map drawn at 40 px would show blocks)."""

    def paint(self, p, *args) -> None:
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        super().paint(p, *args)


class NetworkGraph(pg.PlotWidget):
    """See the module docstring. Feed with ``set_grid(NetworkGrid)``; ``clear_grid()``."""

    unitHovered = Signal(object)        # (column, unit) or None
    unitPinned = Signal(object)         # (column, unit): a click on a node
    linkClicked = Signal(int, int, int, float)  # layer, row, col, current weight

    def __init__(self, parent=None) -> None:
        super().__init__(parent, background="w")
        self.setObjectName("networkGraph")
        item = self.getPlotItem()
        item.hideAxis("left")
        item.hideAxis("bottom")
        item.hideButtons()
        item.setMenuEnabled(False)
        item.setMouseEnabled(False, False)
        item.getViewBox().setDefaultPadding(0)
        item.setContentsMargins(0, 0, 0, 0)
        self.setMinimumHeight(70)
        self._vb = item.getViewBox()
        self._lut, self._grey = diverging_lut(), grey_lut()
        self._class_luts = [class_lut(k) for k in range(5)]
        self.sizes: list[int] = []        # units per column (from the last grid)
        self.kinds: list[str] = []
        self.nodes: list[list[_Thumbnail]] = []
        self.dead: list[np.ndarray] = []
        self._rects: list[list[QRectF]] = []
        self._links = {(sign, w): pg.PlotCurveItem(
            pen=pg.mkPen(pg.mkColor(POSITIVE if sign > 0 else NEGATIVE).lighter(115), width=w),
            connect="pairs",
            antialias=False) for sign in (1, -1) for w in LINK_WIDTHS}
        for curve in self._links.values():
            # as separate lines, no item opacity (the colour has its alpha): a thick,
            # translucent path was most of the graph's paint time
            curve.setSegmentedLineMode("on")
            curve.setZValue(-5)
            item.addItem(curve)
        self._bias = {sign: pg.PlotCurveItem(pen=pg.mkPen(POSITIVE if sign > 0 else NEGATIVE,
                                                            width=3), connect="pairs")
                      for sign in (1, -1)}
        for curve in self._bias.values():
            item.addItem(curve)
        self._dead_marks = pg.ScatterPlotItem(symbol="x", pen=pg.mkPen("#666", width=1.5),
                                              brush=None, pxMode=True)
        self._dead_marks.setZValue(5)
        item.addItem(self._dead_marks)
        self._more: list[pg.TextItem | None] = []
        self._seg_a = self._seg_b = np.zeros((0, 2))
        self._seg_index = np.zeros((0, 3), np.intp)   # layer, row, col per link
        self._weights = np.zeros(0, np.float32)
        self._grid = None
        self._hover: tuple[int, int] | None = None
        self._vb.sigResized.connect(self._relayout)
        self.scene().sigMouseMoved.connect(self._mouse_moved)
        self.scene().sigMouseClicked.connect(self._mouse_clicked)
        self.setToolTip("")

    # ------------------------------------------------------------------ feeding

    def set_grid(self, grid) -> None:
        """Show an ``engine.unit_grid.NetworkGrid``: rebuilds the nodes if the layer sizes
        changed, else only feeds them."""
        sizes = [len(c) for c in grid.columns]
        if sizes != self.sizes or grid.kinds != self.kinds:
            self._build(sizes, list(grid.kinds))
        self._grid = grid
        self.dead = []
        for j, (col, kind) in enumerate(zip(grid.columns, grid.kinds)):
            dead = dead_units(kind, col)
            self.dead.append(dead)
            shown = len(self.nodes[j])
            colours = ([self._class_luts[i % len(self._class_luts)] for i in range(shown)]
                       if kind == "output" else [self._lut] * shown)
            luts = np.stack([self._grey if dead[i] else c for i, c in enumerate(colours)])
            # The layer's maps coloured here in one pass and handed over as RGBA: given
            # values and a colour table, pyqtgraph rebuilt each node's table of 256
            # colours in Python at every paint (~12 % of the window's thread).
            rgba = unit_rgba(np.asarray(col[:shown]), unit_levels(kind, col), luts)
            for i, node in enumerate(self.nodes[j]):
                fresh = node.image is None
                node.setImage(rgba[i], autoLevels=False)
                if fresh:  # an ImageItem can only be placed once it has an image
                    node.setRect(self._rects[j][i])
        self._draw_links()

    def clear_grid(self) -> None:
        """No model: no nodes."""
        self._grid = None
        self._build([], [])

    def node_count(self) -> int:
        return sum(len(c) for c in self.nodes)

    def shown(self, column: int) -> int:
        return min(self.sizes[column], MAX_SHOWN) if column < len(self.sizes) else 0

    def node_center(self, column: int, unit: int):
        """Where node (column, unit) is, in this widget's coordinates (tests, scripts)."""
        c = self._rects[column][unit].center()
        return self.mapFromScene(self._vb.mapViewToScene(c))

    def link_point(self, layer: int, row: int, col: int):
        """The middle of the link from (layer, row) to (layer + 1, col), in widget
        coordinates."""
        k = np.flatnonzero((self._seg_index == (layer, row, col)).all(axis=1))[0]
        mid = (self._seg_a[k] + self._seg_b[k]) / 2
        return self.mapFromScene(self._vb.mapViewToScene(QPointF(*mid)))

    # ------------------------------------------------------------------ layout

    def _build(self, sizes: list[int], kinds: list[str]) -> None:
        item = self.getPlotItem()
        for node in (n for col in self.nodes for n in col):
            item.removeItem(node)
        for text in self._more:
            if text is not None:
                item.removeItem(text)
        self.sizes, self.kinds = sizes, kinds
        self._grid, self.dead = None, []  # set_grid feeds the new nodes next
        self.nodes = [[_Thumbnail(axisOrder="row-major") for _ in range(min(n, MAX_SHOWN))]
                      for n in sizes]
        for node in (n for col in self.nodes for n in col):
            item.addItem(node)
        # "+N" under a column that shows only its first MAX_SHOWN units (None: all shown)
        self._more: list[pg.TextItem | None] = []
        for n in sizes:
            text = None
            if n > MAX_SHOWN:
                text = pg.TextItem(f"+{n - MAX_SHOWN}", color="#555", anchor=(0.5, 0))
                item.addItem(text)
            self._more.append(text)
        self._relayout()

    def _relayout(self, *_args) -> None:
        """Place nodes and links for the current pixel size (on resize and rebuild)."""
        w, h = max(self._vb.width(), 1.0), max(self._vb.height(), 1.0)
        self._vb.setRange(xRange=(0, w), yRange=(0, h), padding=0)
        self._rects = []
        if not self.sizes:
            self._seg_a = self._seg_b = np.zeros((0, 2))
            self._seg_index = np.zeros((0, 3), np.intp)
            self._draw_links()
            return
        col_w = w / len(self.sizes)
        most = max(len(c) for c in self.nodes) or 1
        # A tall column wraps into up to MAX_SUBCOLUMNS side by side when one column of
        # nodes would be smaller than WRAP_BELOW_PX (the graph is wider than tall).
        sizes = [min(MAX_NODE_PX, col_w * 0.8 / (k * 1.25 - 0.25),
                     (h - 24) / (math.ceil(most / k) * 1.25))
                 for k in range(1, MAX_SUBCOLUMNS + 1)]
        size = next((v for v in sizes if v >= min(WRAP_BELOW_PX, max(sizes))), sizes[0])
        self.node_px = size = max(MIN_NODE_PX, size)
        gap = size * 1.25
        rows = max(1, int((h - 24) / gap + 0.2))
        self._bottoms = []
        for j, column in enumerate(self.nodes):
            cx = (j + 0.5) * col_w
            k = max(1, math.ceil(len(column) / rows))
            per = math.ceil(len(column) / k) if column else 0
            rects = []
            for i, node in enumerate(column):
                sub, r = divmod(i, per)
                x = cx + (sub - (k - 1) / 2) * gap
                top = h - 6 - r * gap
                rect = QRectF(x - size / 2, top - size, size, size)
                if node.image is not None:
                    node.setRect(rect)
                rects.append(rect)
            self._rects.append(rects)
            self._bottoms.append(h - 6 - per * gap)
        for j, text in enumerate(self._more):
            if text is not None:
                text.setPos((j + 0.5) * col_w, self._bottoms[j])
        a, b, index = [], [], []
        for j in range(len(self.sizes) - 1):
            left, right = self._rects[j], self._rects[j + 1]
            rows, cols = np.meshgrid(np.arange(len(left)), np.arange(len(right)),
                                     indexing="ij")
            rows, cols = rows.ravel(), cols.ravel()
            ya = np.array([r.center().y() for r in left])[rows]
            yb = np.array([r.center().y() for r in right])[cols]
            xa = np.array([r.right() for r in left])[rows]
            xb = np.array([r.left() for r in right])[cols]
            a.append(np.column_stack([xa, ya]))
            b.append(np.column_stack([xb, yb]))
            index.append(np.column_stack([np.full(len(rows), j), rows, cols]))
        self._seg_a = np.concatenate(a) if a else np.zeros((0, 2))
        self._seg_b = np.concatenate(b) if b else np.zeros((0, 2))
        self._seg_index = np.concatenate(index).astype(np.intp) if index else \
            np.zeros((0, 3), np.intp)
        self._draw_links()

    def _draw_links(self) -> None:
        """Links by sign and width bucket, bias bars and dead marks, from the last grid."""
        grid = self._grid
        empty = grid is None or not len(self._seg_index) or len(grid.weights) < 1
        if not empty:
            idx = self._seg_index
            self._weights = np.concatenate([
                grid.weights[j][:self.shown(j), :self.shown(j + 1)].ravel()
                for j in range(len(self.sizes) - 1)]) if len(self.sizes) > 1 else \
                np.zeros(0, np.float32)
            empty = len(self._weights) != len(idx)
        if empty:
            for curve in list(self._links.values()) + list(self._bias.values()):
                curve.setData([], [])
            self._dead_marks.setData(pos=np.zeros((0, 2)))
            return
        wts = np.nan_to_num(self._weights)
        top = float(np.abs(wts).max()) or 1.0
        bucket = np.minimum((np.abs(wts) / top * len(LINK_WIDTHS)).astype(int),
                            len(LINK_WIDTHS) - 1)
        for (sign, width), curve in self._links.items():
            pick = (np.sign(wts) == sign) & (bucket == LINK_WIDTHS.index(width))
            curve.setData(*_pairs(self._seg_a[pick], self._seg_b[pick]))
        self._draw_biases(grid)
        marks = [self._rects[j][i].center() for j, dead in enumerate(self.dead)
                 for i in np.flatnonzero(dead[:len(self._rects[j])])]
        self._dead_marks.setData(pos=np.array([(p.x(), p.y()) for p in marks]).reshape(-1, 2),
                                 size=max(6.0, self.node_px * 0.6))

    def _draw_biases(self, grid) -> None:
        """A bar left of each node of columns 1.., as long as |b| is large, by sign."""
        ends = {1: ([], []), -1: ([], [])}
        values = [np.nan_to_num(b) for b in grid.biases]
        top = max((float(np.abs(b).max()) for b in values if b.size), default=0.0) or 1.0
        for j, b in enumerate(values, start=1):
            for i, rect in enumerate(self._rects[j] if j < len(self._rects) else []):
                half = rect.height() / 2 * min(abs(float(b[i])) / top, 1.0)
                c = rect.center()
                x = rect.left() - 3
                sign = 1 if b[i] >= 0 else -1
                ends[sign][0].append((x, c.y() - half))
                ends[sign][1].append((x, c.y() + half))
        for sign, (a, b) in ends.items():
            self._bias[sign].setData(*_pairs(np.array(a).reshape(-1, 2),
                                             np.array(b).reshape(-1, 2)))

    # ------------------------------------------------------------------ mouse

    def _node_at(self, x: float, y: float) -> tuple[int, int] | None:
        for j, rects in enumerate(self._rects):
            for i, r in enumerate(rects):
                if r.contains(QPointF(x, y)):
                    return j, i
        return None

    def _link_at(self, x: float, y: float) -> int | None:
        if not len(self._seg_a):
            return None
        a, b = self._seg_a, self._seg_b
        d = b - a
        t = np.clip(((x - a[:, 0]) * d[:, 0] + (y - a[:, 1]) * d[:, 1]) /
                    np.maximum((d * d).sum(1), 1e-9), 0, 1)
        dist = np.hypot(a[:, 0] + t * d[:, 0] - x, a[:, 1] + t * d[:, 1] - y)
        k = int(dist.argmin())
        return k if dist[k] <= LINK_PICK_PX else None

    def _mouse_moved(self, scene_pos) -> None:
        p = self._vb.mapSceneToView(scene_pos)
        node = self._node_at(p.x(), p.y())
        if node != self._hover:
            self._hover = node
            self.unitHovered.emit(node)
        if node is None:
            k = self._link_at(p.x(), p.y())
            if k is not None and k < len(self._weights):
                layer, row, col = (int(v) for v in self._seg_index[k])
                QToolTip.showText(QCursor.pos(), f"weight {unit_name(layer, row)} → "
                                  f"{unit_name(layer + 1, col)}: {self._weights[k]:.4g}\n"
                                  "Click to type a new value.", self)
                return
        QToolTip.hideText()

    def leaveEvent(self, event) -> None:
        super().leaveEvent(event)
        if self._hover is not None:
            self._hover = None
            self.unitHovered.emit(None)

    def _mouse_clicked(self, ev) -> None:
        p = self._vb.mapSceneToView(ev.scenePos())
        node = self._node_at(p.x(), p.y())
        if node is not None:
            self.unitPinned.emit(node)
            return
        k = self._link_at(p.x(), p.y())
        if k is not None and k < len(self._weights):
            layer, row, col = (int(v) for v in self._seg_index[k])
            self.linkClicked.emit(layer, row, col, float(self._weights[k]))


def unit_name(column: int, unit: int) -> str:
    """How the graph names a unit: "2.5" is layer 2's fifth unit (column 0: inputs)."""
    return f"{column}.{unit + 1}"


def _pairs(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x, y for ``connect="pairs"``: segment k from a[k] to b[k]."""
    xy = np.empty((2 * len(a), 2))
    xy[0::2], xy[1::2] = a, b
    return xy[:, 0], xy[:, 1]
