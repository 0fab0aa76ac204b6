"""``TimelineBar``: the slider under the 2-D page's plots that goes back through the run.

Its range is the run's epochs so far. At the right end it follows training ("live");
dragged back, it asks for the region and graph of the snapshot at or before that epoch
while training goes on, and "Train from here" asks for a run going on from it.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSlider, QWidget

#: drags are passed on at most this often (each one costs the worker a grid).
COALESCE_MS = 30


class TimelineBar(QWidget):
    """See the module docstring; emits intent only."""

    epochShown = Signal(int)          # the epoch to look at; -1: the live run again
    trainFromRequested = Signal(int)  # go on training from the snapshot at this epoch

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("timelineBar")
        title = QLabel("Timeline")
        title.setToolTip("Go back through the run: the region, the network graph and a mark "
                         "on the curves show an earlier epoch while training goes on.")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setObjectName("timelineSlider")
        self.slider.setRange(0, 0)
        self.slider.setToolTip(
            "Drag back to see the network at an earlier epoch (every epoch up to 100 is "
            "kept, later ones spaced out; at most 300 snapshots and 64 MB). At the right "
            "end the view follows training. Arrow keys step, Home/End jump.")
        self.slider.valueChanged.connect(self._on_value)
        self.label = QLabel()
        self.label.setObjectName("timelineLabel")
        self.label.setMinimumWidth(150)
        self.live_button = QPushButton("Live")
        self.live_button.setObjectName("timelineLiveButton")
        self.live_button.setToolTip("Show the network as it trains again (End).")
        self.live_button.clicked.connect(self.go_live)
        self.train_button = QPushButton("Train from here")
        self.train_button.setObjectName("trainFromHereButton")
        self.train_button.setToolTip(
            "Go back to the shown epoch and train on from there: its weights, optimiser "
            "moments and history come back; what came after it is dropped.")
        self.train_button.clicked.connect(
            lambda: self.trainFromRequested.emit(self.slider.value()))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(2, 0, 2, 0)
        layout.addWidget(title)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.label)
        layout.addWidget(self.live_button)
        layout.addWidget(self.train_button)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(COALESCE_MS)
        self._timer.timeout.connect(self._send)
        self._sent: int | None = None   # the epoch last asked for (None: live)
        self._update()

    @property
    def live(self) -> bool:
        """Whether the bar follows training (at the right end)."""
        return self.slider.value() >= self.slider.maximum()

    @property
    def shown_epoch(self) -> int | None:
        """The epoch looked at (None: the live run)."""
        return None if self.live else self.slider.value()

    def set_latest(self, epoch: int) -> None:
        """The run has reached ``epoch``: widen the range (and follow it when live)."""
        follow = self.live
        with QSignalBlocker(self.slider):
            self.slider.setMaximum(max(0, int(epoch)))
            if follow:
                self.slider.setValue(self.slider.maximum())
        self._update()

    def reset(self, epoch: int = 0) -> None:
        """A new run at ``epoch``: live again, nothing asked for."""
        self._timer.stop()
        self._sent = None
        with QSignalBlocker(self.slider):
            self.slider.setRange(0, max(0, int(epoch)))
            self.slider.setValue(self.slider.maximum())
        self._update()

    def go_live(self) -> None:
        self.slider.setValue(self.slider.maximum())

    def _on_value(self, _value: int) -> None:
        self._update()
        if not self._timer.isActive():
            self._timer.start()

    def _send(self) -> None:
        shown = self.shown_epoch
        if shown != self._sent:
            self._sent = shown
            self.epochShown.emit(-1 if shown is None else shown)

    def _update(self) -> None:
        latest = self.slider.maximum()
        if self.live:
            self.label.setText(f"Live · epoch {latest}")
        else:
            self.label.setText(f"Epoch {self.slider.value()} of {latest}")
        self.live_button.setEnabled(not self.live)
        self.train_button.setEnabled(not self.live)
        self.slider.setEnabled(latest > 0)
