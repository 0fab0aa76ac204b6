"""``RunControls``: the 2-D page's run buttons, speed and auto-stop choices, their menu
actions, and the epoch and metrics read-outs (which sit above the curves, in view at
any window width)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from playground.ui.page import make_action

#: (label, epochs per displayed frame); 0 = as fast as the machine goes.
SPEEDS = (("1 epoch/frame", 1), ("2 epochs/frame", 2), ("5 epochs/frame", 5),
          ("10 epochs/frame", 10), ("30 epochs/frame", 30), ("max speed", 0))
#: a pace one can watch, as TensorFlow Playground's: one epoch per frame.
DEFAULT_SPEED = 1
#: (label, (stop at epoch, stop when the test loss has not improved for this many epochs))
AUTO_STOPS = (("never", (0, 0)), ("at epoch 100", (100, 0)), ("at epoch 500", (500, 0)),
              ("at epoch 1,000", (1000, 0)), ("at epoch 5,000", (5000, 0)),
              ("test loss stalls 50 epochs", (0, 50)),
              ("test loss stalls 200 epochs", (0, 200)))




class RunControls:
    """Widgets and actions that drive ``controller`` (a ``PlaygroundController``);
    ``parent`` owns the actions."""

    def __init__(self, controller, parent: QWidget) -> None:
        self.controller = controller
        self._parent = parent
        self._make_run_widgets()
        self.actions = self._make_run_actions()
        self.metrics_box = self._metrics_box()
        c = controller
        self.play_button.clicked.connect(c.toggle)
        self.step_button.clicked.connect(c.step)
        self.reset_button.clicked.connect(c.reset)
        self.speed_combo.currentIndexChanged.connect(
            lambda _i: c.set_speed(int(self.speed_combo.currentData())))
        self.auto_stop_combo.currentIndexChanged.connect(
            lambda _i: c.set_auto_stop(*self.auto_stop_combo.currentData()))
        c.runningChanged.connect(self._on_running)

    def toolbar_widgets(self) -> list[QWidget | None]:
        speed = QLabel("  Speed ")
        speed.setToolTip(self.speed_combo.toolTip())
        stop = QLabel("  Stop ")
        stop.setToolTip(self.auto_stop_combo.toolTip())
        return [self.play_button, self.step_button, self.reset_button, speed,
                self.speed_combo, stop, self.auto_stop_combo]

    def _on_running(self, running: bool) -> None:
        self.play_button.setText("❚❚  Pause" if running else "▶  Play")

    def _make_run_widgets(self) -> None:
        """Play/Step/Reset, read-outs and speed; the window puts them in its toolbar."""
        self.play_button = QPushButton("▶  Play")
        self.play_button.setObjectName("playButton")
        self.play_button.setToolTip("Start or pause training (Space).")
        self.step_button = QPushButton("Step")
        self.step_button.setObjectName("stepButton")
        self.step_button.setToolTip("Train exactly one more epoch, then pause (S).")
        self.reset_button = QPushButton("Reset")
        self.reset_button.setObjectName("resetButton")
        self.reset_button.setToolTip("Start over from fresh initial weights, epoch 0 (R).")
        for b in (self.play_button, self.step_button, self.reset_button):
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.setMinimumWidth(78)
        self.play_button.setMinimumWidth(96)
        self.epoch_label = QLabel("Epoch 0")
        self.epoch_label.setObjectName("epochLabel")
        self.epoch_label.setToolTip("Completed training epochs of this run.")
        self.epoch_label.setMinimumWidth(110)
        self.train_label = QLabel("")
        self.train_label.setObjectName("trainMetricsLabel")
        self.train_label.setToolTip("Loss and accuracy on the training points, last epoch.")
        self.test_label = QLabel("")
        self.test_label.setObjectName("testMetricsLabel")
        self.test_label.setToolTip("Loss and accuracy on the held-out test points.")
        for lab in (self.epoch_label, self.train_label, self.test_label):
            lab.setStyleSheet("font-family: monospace;")
        self.epoch_label.setStyleSheet("font-family: monospace; font-weight: bold;")
        self.speed_combo = QComboBox()
        self.speed_combo.setObjectName("speedCombo")
        for text, value in SPEEDS:
            self.speed_combo.addItem(text, value)
        self.speed_combo.setToolTip("Training speed: epochs trained per displayed frame "
                                    "(up to 40 frames a second), from 1 (watch each epoch) to "
                                    "max (as fast as this machine trains).")
        self.set_speed(DEFAULT_SPEED)
        self.auto_stop_combo = QComboBox()
        self.auto_stop_combo.setObjectName("autoStopCombo")
        for text, value in AUTO_STOPS:
            self.auto_stop_combo.addItem(text, value)
        self.auto_stop_combo.setToolTip(
            "Pause on its own: at a given epoch, or once the test loss has not improved "
            "for that many epochs (the status bar says which). Play trains on.")

    def _metrics_box(self) -> QWidget:
        """The epoch and the last epoch's train/test numbers, above the curves: they stay
        in view at any window width (in the toolbar they folded away at 1024 px)."""
        box = QWidget()
        box.setObjectName("metricsBox")
        lay = QVBoxLayout(box)
        lay.setContentsMargins(4, 2, 4, 2)
        lay.setSpacing(0)
        for lab in (self.epoch_label, self.train_label, self.test_label):
            # text that changes every frame must not re-lay out the plots below it:
            # the labels' size never follows their text
            lab.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            lab.setFixedHeight(lab.fontMetrics().height() + 2)
            lay.addWidget(lab)
        box.setFixedHeight(3 * (self.epoch_label.fontMetrics().height() + 2) + 4)
        return box

    def _make_run_actions(self) -> list[QAction]:
        c = self.controller

        return [make_action(self._parent, "Play / Pause", Qt.Key.Key_Space, c.toggle, "playAction",
                       "Start or pause training"),
                make_action(self._parent, "Step one epoch", Qt.Key.Key_S, c.step, "stepAction",
                       "Train exactly one more epoch"),
                make_action(self._parent, "Reset weights", Qt.Key.Key_R, c.reset, "resetAction",
                       "Fresh initial weights, epoch 0")]

    def set_speed(self, epochs_per_frame: int) -> None:
        i = self.speed_combo.findData(int(epochs_per_frame))
        self.speed_combo.setCurrentIndex(i if i >= 0 else self.speed_combo.count() - 1)
        self.controller.set_speed(int(self.speed_combo.currentData()))

    def show_metrics(self, m: dict | None) -> None:
        if m is None:
            self.epoch_label.setText(f"Epoch {self.controller.epoch:,}")
            self.train_label.setText("Train  –")
            self.test_label.setText("Test  –")
            return
        self.epoch_label.setText(f"Epoch {m['epoch']:,}")
        self.train_label.setText(f"Train  loss {m['train_loss']:.4f}  {_score(m, 'train')}")
        if m.get("test_loss") is None:
            self.test_label.setText("Test  –")
        else:
            self.test_label.setText(f"Test  loss {m['test_loss']:.4f}  {_score(m, 'test')}")


def _score(m: dict, split: str) -> str:
    """"acc 97.5%" for a classifier, "R² 0.953" for a regression (whose metrics have an
    r2 and no accuracy)."""
    acc = m.get(f"{split}_acc")
    if acc is not None:
        return f"acc {acc:6.1%}"
    r2 = m.get(f"{split}_r2")
    return f"R² {r2:6.3f}" if r2 is not None else ""
