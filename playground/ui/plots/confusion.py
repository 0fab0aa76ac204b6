"""``ConfusionMatrixPlot``: true class (rows) against predicted class (columns)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QWidget

from playground.ui.plots.style import read_only

pg.setConfigOptions(imageAxisOrder="row-major")

#: white -> deep blue, the shade of a cell is the share of its row (true class).
_LOW, _HIGH = np.array([255, 255, 255]), np.array([8, 69, 148])


def _lut(n: int = 256) -> np.ndarray:
    t = np.linspace(0.0, 1.0, n)[:, None] ** 0.6  # lift small shares so they show
    return (_LOW + (_HIGH - _LOW) * t).astype(np.uint8)


class ConfusionMatrixPlot(pg.PlotWidget):
    """One ``ImageItem`` (cell shade = count / row total) plus one text item per cell
    with the count; all items are created once per number of classes."""

    def __init__(self, parent: QWidget | None = None, n_classes: int = 10) -> None:
        super().__init__(parent, background="w")
        self.setObjectName("confusionView")
        item = self.getPlotItem()
        read_only(item)
        item.getViewBox().invertY(True)
        item.getViewBox().setAspectLocked(True)
        item.setLabel("left", "true class")
        item.setLabel("bottom", "predicted class")
        for axis in ("bottom", "left"):
            item.getAxis(axis).setTextPen("#333")
            item.getAxis(axis).setPen("#999")
        self.image_item = pg.ImageItem(lut=_lut())
        self.addItem(self.image_item)
        self._texts: list[pg.TextItem] = []
        self._counts = np.zeros((n_classes, n_classes), np.int64)
        self._names: list[str] = []
        self.set_matrix(self._counts, [str(i) for i in range(n_classes)])
        item.getViewBox().sigResized.connect(self._fit_text)

    @property
    def counts(self) -> np.ndarray:
        return self._counts.copy()

    def set_matrix(self, counts: np.ndarray, class_names: list[str] | None = None) -> None:
        """Show ``counts`` (K, K) int: row = true class, column = predicted class."""
        counts = np.asarray(counts, dtype=np.int64)
        k = counts.shape[0]
        names = list(class_names) if class_names else [str(i) for i in range(k)]
        if k * k != len(self._texts) or names != self._names:
            self._build(k, names)
        rows = counts.sum(axis=1, keepdims=True)
        share = np.divide(counts, rows, out=np.zeros(counts.shape), where=rows > 0)
        self.image_item.setImage(share, levels=(0.0, 1.0), autoLevels=False)
        self.image_item.setRect(0, 0, k, k)
        for i in range(k):
            for j in range(k):
                text = self._texts[i * k + j]
                text.setText(str(counts[i, j]) if counts[i, j] else "")
                text.setColor("w" if share[i, j] > 0.5 else "#222")
        self._counts = counts.copy()

    def _fit_text(self, *_args) -> None:
        """Counts in a font that fits the cells; none when cells are too small to read."""
        k = max(int(round(len(self._texts) ** 0.5)), 1)
        rect = self.getPlotItem().getViewBox().sceneBoundingRect()
        cell = min(rect.width(), rect.height()) / k
        font = QFont()
        font.setPixelSize(int(max(7, min(13, cell * 0.42))))
        for text in self._texts:
            text.setFont(font)
            text.setVisible(cell >= 14)

    def _build(self, k: int, names: list[str]) -> None:
        for text in self._texts:
            self.removeItem(text)
        self._texts = []
        for i in range(k):
            for j in range(k):
                text = pg.TextItem("", anchor=(0.5, 0.5))
                text.setPos(j + 0.5, i + 0.5)
                self.addItem(text)
                self._texts.append(text)
        self._names = names
        ticks = [(i + 0.5, name) for i, name in enumerate(names)]
        short = [(i + 0.5, str(i)) for i in range(k)]
        item = self.getPlotItem()
        item.getAxis("left").setTicks([ticks])
        item.getAxis("bottom").setTicks([short if max(map(len, names)) > 2 else ticks])
        self.setRange(xRange=(0, k), yRange=(0, k), padding=0.01)
        self._fit_text()
