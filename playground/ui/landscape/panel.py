"""``LandscapePanel``: the loss landscape around a network's current weights, as a
self-contained widget over a ``source`` (a callable returning a copy to compute on, or a
sentence saying why there is none), so any window or tab can hold it.

Choose the directions (two filter-normalised random ones, or the top two principal
components of the weight trajectory), the grid's resolution and span, press Compute: the
rows fill in as the panel's worker finishes them, and Cancel stops it between two cells.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from playground.landscape.controller import LandscapeController
from playground.landscape.plane import DEFAULT_RESOLUTION, DEFAULT_SPAN, MAX_RESOLUTION
from playground.ui.plots.landscape import LossLandscapePlot

ERROR_STYLE = "color: #b03a2e;"
LEGEND = ("Colour: log10 of the loss (dark: low, yellow: high), white lines its contours; "
          "★ the current weights (the origin); in PCA mode the red line is the path the "
          "training took, □ where it started.")
SPAN_TIPS = {
    "random": "Half-width of the grid in direction units: 1 moves every neuron's or "
              "filter's weights by their own norm.",
    "pca": "Half-width of the grid as a multiple of the path's farthest point from the "
           "current weights (1: the path just fits).",
}


class LandscapePanel(QWidget):
    """See the module docstring. ``state``: "idle", "computing", "done", "cancelled" or
    "failed"; ``statusMessage`` repeats the status line for a status bar."""

    statusMessage = Signal(str)

    def __init__(self, source: Callable[[], object], parent: QWidget | None = None,
                 blas_threads: int | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("landscapePanel")
        self.controller = c = LandscapeController(source, self, blas_threads)
        self.state = "idle"
        self.directions_combo = QComboBox()
        self.directions_combo.setObjectName("landscapeDirectionsCombo")
        for key, text in c.directions().items():
            self.directions_combo.addItem(text, key)
        self.directions_combo.setToolTip(
            "Random: two Gaussian directions scaled per neuron and filter to its weights' "
            "norm (Li et al. 2018). PCA: the plane the training's weights moved in most.")
        self.resolution_spin = QSpinBox()
        self.resolution_spin.setObjectName("landscapeResolutionSpin")
        self.resolution_spin.setRange(3, MAX_RESOLUTION)
        self.resolution_spin.setValue(DEFAULT_RESOLUTION)
        self.resolution_spin.setSingleStep(2)
        self.resolution_spin.setSuffix(" × same")
        self.resolution_spin.setToolTip("Points along each axis (an odd number puts one at "
                                        "the current weights); each point is one pass "
                                        "over the data.")
        self.span_spin = QDoubleSpinBox()
        self.span_spin.setObjectName("landscapeSpanSpin")
        self.span_spin.setRange(0.01, 20.0)
        self.span_spin.setDecimals(2)
        self.span_spin.setSingleStep(0.25)
        self.span_spin.setValue(DEFAULT_SPAN)
        self.span_spin.setPrefix("± ")
        self.seed_spin = QSpinBox()
        self.seed_spin.setObjectName("landscapeSeedSpin")
        self.seed_spin.setRange(0, 2**31 - 1)
        self.seed_spin.setToolTip("Seed of the random directions (same seed, same "
                                  "directions for the same network).")
        self.compute_button = QPushButton("Compute")
        self.compute_button.setObjectName("landscapeComputeButton")
        self.compute_button.setToolTip("Copy the network as it is now and compute the loss "
                                       "over the grid (training goes on meanwhile).")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("landscapeCancelButton")
        self.cancel_button.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setObjectName("landscapeProgress")
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setFormat("%p%")
        self.plot = LossLandscapePlot()
        self.status_label = QLabel("Press Compute to measure the loss around the current "
                                   "weights.")
        self.status_label.setObjectName("landscapeStatusLabel")
        self.status_label.setWordWrap(True)
        self.legend_label = QLabel(LEGEND)
        self.legend_label.setObjectName("landscapeLegendLabel")
        self.legend_label.setWordWrap(True)
        self.legend_label.setStyleSheet("color: #555;")

        row = QHBoxLayout()
        row.setSpacing(6)
        for text, widget in (("Directions", self.directions_combo),
                             ("Resolution", self.resolution_spin),
                             ("Span", self.span_spin), ("Seed", self.seed_spin)):
            label = QLabel(text)
            label.setBuddy(widget)
            row.addWidget(label)
            row.addWidget(widget)
        row.addStretch(1)
        run_row = QHBoxLayout()
        run_row.setSpacing(6)
        run_row.addWidget(self.progress, 1)
        run_row.addWidget(self.compute_button)
        run_row.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(row)
        layout.addLayout(run_row)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.status_label)
        layout.addWidget(self.legend_label)

        self.directions_combo.currentIndexChanged.connect(self._on_directions)
        self._on_directions()
        self.compute_button.clicked.connect(self.compute)
        self.cancel_button.clicked.connect(self.cancel)
        c.started.connect(self._on_started)
        c.rowReady.connect(self._on_row)
        c.progressed.connect(self._on_progress)
        c.finished.connect(self._on_finished)
        c.cancelled.connect(self._on_cancelled)
        c.problem.connect(self._on_problem)
        c.runningChanged.connect(self._on_running)
        self._title = ""
        self._rows = DEFAULT_RESOLUTION

    # ------------------------------------------------------------------ intent

    def compute(self) -> bool:
        """Compute the landscape of a fresh copy from the source with the chosen
        settings; False (with the reason shown) when the source has nothing to give."""
        self.state = "computing"
        self._say("Copying the network…")
        self._rows = self.resolution_spin.value()
        return self.controller.compute(self.directions_combo.currentData(),
                                       self.resolution_spin.value(), self.span_spin.value(),
                                       self.seed_spin.value())

    def cancel(self) -> None:
        self.controller.cancel()

    def shutdown(self, timeout_ms: int = 2000) -> bool:
        """End the panel's worker thread (its window is closing); safe to call twice."""
        return self.controller.shutdown(timeout_ms)

    def values(self) -> np.ndarray:
        """The losses received so far (ny, nx), NaN where not computed (yet)."""
        return self.plot.values()

    # ------------------------------------------------------------------ replies

    def _on_directions(self) -> None:
        self.span_spin.setToolTip(SPAN_TIPS[self.directions_combo.currentData()])

    def _on_running(self, on: bool) -> None:
        self.compute_button.setEnabled(not on)
        self.cancel_button.setEnabled(on)

    def _on_started(self, p: dict) -> None:
        self.state = "computing"
        self._title = p["title"]
        self.plot.start(p["alphas"], p["betas"], p["path"], p["labels"])
        self.progress.setRange(0, len(p["alphas"]) * len(p["betas"]))
        self.progress.setValue(0)
        what = "random directions" if p["path"] is None else "the trajectory's plane"
        self._say(f"Computing the loss of {self._title} over {len(p['alphas'])}×"
                  f"{len(p['betas'])} points in {what}…")

    def _on_row(self, p: dict) -> None:
        self.plot.set_row(p["index"], p["row"])
        self.progress.setValue(p["done"])

    def _on_progress(self, p: dict) -> None:
        self.progress.setValue(p["done"])

    def _on_finished(self, p: dict) -> None:
        self.state = "done"
        self.plot.flush()
        self.progress.setValue(self.progress.maximum())
        grid = self.plot.values()
        ny, nx = grid.shape
        finite = grid[np.isfinite(grid)]
        parts = [f"{nx}×{ny} losses of {self._title} in {p['seconds']:.1f} s."]
        if nx % 2 and ny % 2:
            parts.append(f"At the current weights {grid[ny // 2, nx // 2]:.4g};")
        if len(finite):
            parts.append(f"lowest {finite.min():.4g}, highest {finite.max():.4g}.")
        self._say(" ".join(parts))

    def _on_cancelled(self, p: dict) -> None:
        self.state = "cancelled"
        self.plot.flush()
        self._say(f"Cancelled after {p['rows']} of {self._rows} rows.")

    def _on_problem(self, text: str) -> None:
        self.state = "failed"
        self.status_label.setStyleSheet(ERROR_STYLE)
        self.status_label.setText(text)
        self.statusMessage.emit(text)

    def _say(self, text: str) -> None:
        self.status_label.setStyleSheet("")
        self.status_label.setText(text)
        self.statusMessage.emit(text)
