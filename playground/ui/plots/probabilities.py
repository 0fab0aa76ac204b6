"""``ProbabilityBars``: the network's probability for each class as a bar chart."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QWidget

from playground.ui.plots.style import read_only

BAR_COLOR = "#9db4c8"
TOP_COLOR = "#e76f51"


class ProbabilityBars(pg.PlotWidget):
    """Ten (or ``n_classes``) bars, the most probable class highlighted; one
    ``BarGraphItem`` created once and then fed new heights."""

    def __init__(self, parent: QWidget | None = None, n_classes: int = 10) -> None:
        super().__init__(parent, background="w")
        self.setObjectName("drawingProbabilities")
        item = self.getPlotItem()
        read_only(item)
        item.setLabel("left", "probability")
        item.showGrid(y=True, alpha=0.15)
        for axis in ("bottom", "left"):
            item.getAxis(axis).setTextPen("#333")
            item.getAxis(axis).setPen("#999")
        self.setYRange(0, 1, padding=0.02)
        self._n = n_classes
        self._probs = np.zeros(n_classes)
        self.bars = pg.BarGraphItem(x=np.arange(n_classes), height=self._probs, width=0.7,
                                    brush=BAR_COLOR, pen=None)
        self.addItem(self.bars)
        self.set_class_names([str(i) for i in range(n_classes)])

    @property
    def probabilities(self) -> np.ndarray:
        return self._probs.copy()

    def set_class_names(self, names: list[str]) -> None:
        names = list(names)
        if len(names) != self._n:
            self._n = len(names)
            self._probs = np.zeros(self._n)
        short = [n if len(n) <= 3 else n[:6] for n in names]
        self.getPlotItem().getAxis("bottom").setTicks([list(enumerate(short))])
        self.setXRange(-0.6, self._n - 0.4, padding=0)
        self.set_probabilities(None)

    def set_probabilities(self, probs: np.ndarray | None) -> None:
        """Bar heights ``probs`` (K,); None empties the chart."""
        p = np.zeros(self._n) if probs is None else np.asarray(probs, np.float64)[:self._n]
        self._probs = p.copy()
        brushes = [BAR_COLOR] * self._n
        if probs is not None and len(p):
            brushes[int(np.argmax(p))] = TOP_COLOR
        self.bars.setOpts(x=np.arange(self._n), height=p, brushes=brushes)
