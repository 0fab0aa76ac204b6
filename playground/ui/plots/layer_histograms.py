"""The "Inside the network" histograms: one small plot per layer of the distribution of
its activations (or of the gradients reaching them), and the gradient norm of every
layer with weights over the training steps (log y).

They are fed the window's payloads (``playground.two_d.inside.stats_payload``: plain
dicts and arrays) and only ever ``setData`` their items; axes move in steps.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from playground.ui.plots.curves import x_limit
from playground.ui.plots.style import curve_plot, read_only

#: fill of the activation and gradient histograms.
ACTIVATION_COLOR = "#1d3557"
GRADIENT_COLOR = "#e76f51"
#: one colour per layer of the gradient-norm plot (then they repeat).
LAYER_COLORS = ("#1d3557", "#e76f51", "#2a9d8f", "#8e44ad", "#e9c46a", "#d6336c",
                "#6c757d", "#0877bd")
#: the histograms' y axis (share of values in a bin) tops at the first of these above
#: the highest bar.
_SHARE_TOPS = (0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0)
#: points kept per line of the gradient-norm plot (older ones are thinned by half).
NORM_POINTS = 2000


def share_top(share: float) -> float:
    """The y range's top for a histogram whose highest bar holds ``share`` of values."""
    return next((t for t in _SHARE_TOPS if share <= t), 1.0)


def percent(share: float | None) -> str:
    """``0.123`` -> ``"12 %"`` (below 1 % one decimal; "–" for None or NaN)."""
    if share is None or not math.isfinite(share):
        return "–"
    value = 100 * share
    if 0 < value < 0.1:
        return "< 0.1 %"
    return f"{value:.1f} %" if 0 < value < 1 else f"{value:.0f} %"


def activation_caption(layer: dict) -> str:
    """The second line of an activation histogram's title: spread, dead and saturated."""
    parts = [f"std {layer['std']:.3g}" if math.isfinite(layer["std"]) else "std –"]
    if layer.get("dead") is not None:
        parts.append(f"dead {percent(layer['dead'])}")
        counts = layer["counts"]
        if counts.sum():
            parts.append(f"first bar {percent(counts[0] / counts.sum())} (cut)")
    if layer.get("saturated") is not None:
        parts.append(f"saturated {percent(layer['saturated'])}")
    return " · ".join(parts)


def log_ticks(low: int, high: int) -> list[list[tuple[float, str]]]:
    """The labelled ticks of a log axis from 10^low to 10^high (exponents): the decades,
    and 2 and 5 times each when the range spans at most two decades."""
    factors = (1, 2, 5) if high - low <= 2 else (1,)
    major = [(k + math.log10(f), f"{f * 10.0 ** k:g}") for k in range(low, high + 1)
             for f in factors if k + math.log10(f) <= high]
    return [major, []]


class _Histogram(QWidget):
    """One layer's histogram: a two-line title and a small read-only step plot."""

    def __init__(self, name: str, color: str) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.title = QLabel()
        self.title.setObjectName(f"{name}Title")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title.setStyleSheet("font-size: 11px;")
        self.plot = curve_plot(name, "", menu=False)
        self.plot.setMinimumSize(120, 110)
        item = self.plot.getPlotItem()
        read_only(item)
        item.setClipToView(False)       # both break a step plot's len(x) == len(y) + 1
        item.setDownsampling(auto=False, ds=1)
        item.showGrid(x=False, y=True, alpha=0.15)
        item.getAxis("left").setWidth(34)
        item.getAxis("left").setStyle(tickFont=_small_font())
        item.getAxis("bottom").setStyle(tickFont=_small_font())
        self.curve = pg.PlotDataItem(stepMode="center", fillLevel=0,
                                     brush=pg.mkBrush(color + "b0"), pen=pg.mkPen(color))
        item.addItem(self.curve)
        self._x: tuple[float, float] | None = None
        self._top = 0.0
        layout.addWidget(self.title)
        layout.addWidget(self.plot, 1)

    def set_histogram(self, title: str, caption: str, edges, counts,
                      cut_first: bool = False) -> None:
        """Show ``counts`` over ``edges`` as shares; ``cut_first``: the y axis leaves the
        first bar out of its range (a ReLU's zeros would flatten the rest), cut at the
        top."""
        self.title.setText(f"<b>{title}</b><br>{caption}")
        if edges is None or counts is None or counts.sum() == 0:
            self.curve.setData([], [])
            return
        shares = counts / max(1, counts.sum())
        self.curve.setData(np.asarray(edges, float), shares)
        x = (float(edges[0]), float(edges[-1]))
        if x != self._x:
            self._x = x
            self.plot.setXRange(*x, padding=0.02)
        rest = shares[1:] if cut_first and len(shares) > 1 else shares
        top = share_top(float(rest.max()) if rest.max() > 0 else float(shares.max()))
        if top != self._top:
            self._top = top
            self.plot.setYRange(0, top, padding=0)

    def data(self) -> tuple[np.ndarray, np.ndarray]:
        """What the plot shows: (edges, shares)."""
        x, y = self.curve.getData()
        return (np.array([]), np.array([])) if x is None else (x, y)


def _small_font():
    from PySide6.QtGui import QFont

    font = QFont()
    font.setPointSize(7)
    return font


class LayerHistograms(QWidget):
    """A row (or two, past ``per_row`` layers) of per-layer histograms, named
    ``name`` with plots ``name0``, ``name1``, ... of activations or of gradients."""

    def __init__(self, name: str, gradients: bool, per_row: int = 5,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self._name = name
        self._gradients = gradients
        self._per_row = per_row
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(6)
        self.plots: list[_Histogram] = []
        self._empty = QLabel("Open this window with a network to see its layers.")
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._grid.addWidget(self._empty, 0, 0)

    def set_layers(self, layers: list[dict]) -> None:
        """Show ``layers`` (``stats_payload``'s "layers"), one plot each."""
        self._ensure(len(layers))
        for plot, layer in zip(self.plots, layers):
            if self._gradients:
                caption = "no gradient" if layer["grad_counts"] is None else \
                    f"d loss / d output, {layer['units']} units"
                plot.set_histogram(layer["name"], caption, layer["grad_edges"],
                                   layer["grad_counts"])
            else:
                # ReLU-like layers: the bar at 0 (every unit off) is cut, the rest shown
                cut = layer.get("dead") is not None
                plot.set_histogram(layer["name"], activation_caption(layer), layer["edges"],
                                   layer["counts"], cut_first=cut)

    def _ensure(self, n: int) -> None:
        if n == len(self.plots):
            return
        for plot in self.plots:
            self._grid.removeWidget(plot)
            plot.deleteLater()
        self.plots = []
        self._empty.setVisible(n == 0)
        color = GRADIENT_COLOR if self._gradients else ACTIVATION_COLOR
        for i in range(n):
            plot = _Histogram(f"{self._name[:-1]}{i}", color)
            self.plots.append(plot)
            self._grid.addWidget(plot, i // self._per_row, i % self._per_row)


class GradientNormPlot(QWidget):
    """The gradient norm of every layer with weights against the training step, log y:
    lines that fall apart show vanishing (or exploding) gradients."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = curve_plot("gradientNormPlot", "‖∂L/∂W‖ per layer")
        item = self.plot.getPlotItem()
        item.setLabel("bottom", "step")
        item.setLogMode(x=False, y=True)
        item.setMouseEnabled(False, False)
        # the key above the plot: a legend inside it sat on the latest steps' lines,
        # where the norms are read
        self.key = QLabel("")
        self.key.setObjectName("gradientNormKey")
        self.key.setStyleSheet("color: #444; font-size: 11px;")
        self.key.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.key)
        layout.addWidget(self.plot)
        self.lines: dict[int, pg.PlotDataItem] = {}
        self.steps: dict[int, list[float]] = {}
        self.norms: dict[int, list[float]] = {}
        self._x_range = (0.0, 0.0)
        self._y = (0, 0)

    def clear(self) -> None:
        """A new run: no history."""
        for line in self.lines.values():
            self.plot.getPlotItem().removeItem(line)
        self.key.setText("")
        self.lines, self.steps, self.norms = {}, {}, {}
        self._x_range, self._y = (0.0, 0.0), (0, 0)

    def append(self, steps: float, grad_norms: list[dict]) -> None:
        """Add one payload's norms (``stats_payload``'s "grad_norms") at ``steps``."""
        if {g["index"] for g in grad_norms} != set(self.lines):
            self.clear()
            names = []
            for k, g in enumerate(grad_norms):
                color = LAYER_COLORS[k % len(LAYER_COLORS)]
                line = self.plot.plot([], [], pen=pg.mkPen(color, width=2))
                self.lines[g["index"]] = line
                self.steps[g["index"]], self.norms[g["index"]] = [], []
                names.append(f'<span style="color:{color}">━━</span>&nbsp;{g["name"]}')
            self.key.setText("&nbsp;&nbsp;&nbsp; ".join(names))
        for g in grad_norms:
            i = g["index"]
            xs, ys = self.steps[i], self.norms[i]
            if xs and steps < xs[-1]:
                continue
            xs.append(float(steps))
            ys.append(max(float(g["norm"]), 1e-30) if math.isfinite(g["norm"]) else 1e-30)
            if len(xs) > NORM_POINTS:
                del xs[1::2], ys[1::2]
        self.refresh()

    def refresh(self) -> None:
        for i, line in self.lines.items():
            line.setData(np.array(self.steps[i]), np.array(self.norms[i]))
        values = [v for ys in self.norms.values() for v in ys]
        if not values:
            return
        # from the first step recorded (a window opened mid-run has no earlier ones),
        # over a width that steps 10, 20, 50, ... so the axis is rarely laid out again
        first = min(xs[0] for xs in self.steps.values() if xs)
        last = max(xs[-1] for xs in self.steps.values() if xs)
        x_range = (first, first + x_limit(max(last - first, 1.0)))
        if x_range != self._x_range:
            self._x_range = x_range
            self.plot.setXRange(*x_range, padding=0)
        y = (math.floor(math.log10(min(values))), math.ceil(math.log10(max(values))))
        if y[1] <= y[0]:
            y = (y[0], y[0] + 1)
        if y != self._y:
            self._y = y
            self.plot.setYRange(*y, padding=0.02)
            # labels on whole decades only: over one or two decades pyqtgraph would
            # label every minor tick of the log axis, and they overlap
            self.plot.getPlotItem().getAxis("left").setTicks(log_ticks(*y))
