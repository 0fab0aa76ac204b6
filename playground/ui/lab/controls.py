"""The Lab's controls: the surface, one checkbox and learning rate per optimiser, Step,
Play/Pause, Reset, the step count and what to look for."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from playground.lab.paths import (
    LOOK_FOR,
    MAX_RATE,
    MIN_RATE,
    OPTIMIZER_NAMES,
    SURFACE_NAMES,
)
from playground.ui.lab.path_plot import optimizer_color
from playground.ui.widgets.spinboxes import LogSpinBox, report_out_of_range

ERROR_STYLE = "color: #b03a2e;"
CLICK_HINT = "Click the plot to start every path from that point."


def _swatch(color: str) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(QColor(color))
    return QIcon(pixmap)


class LabControls(QWidget):
    """See the module docstring. Intent goes out as signals: ``surfaceChosen(key)``,
    ``optimizerToggled(name, on)``, ``rateChanged(name, lr)``, ``defaultsClicked``,
    ``stepClicked``, ``playClicked``, ``resetClicked`` and ``problem(text)`` (a rate typed
    out of range)."""

    surfaceChosen = Signal(str)
    optimizerToggled = Signal(str, bool)
    rateChanged = Signal(str, float)
    defaultsClicked = Signal()
    stepClicked = Signal()
    playClicked = Signal()
    resetClicked = Signal()
    problem = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.surface_combo = combo = QComboBox()
        combo.setObjectName("labSurfaceCombo")
        combo.setToolTip("The function of (x, y) the optimisers go down")
        for key, text in SURFACE_NAMES.items():
            combo.addItem(text, key)
        combo.currentIndexChanged.connect(
            lambda i: self.surfaceChosen.emit(self.surface_combo.itemData(i)))

        self.checks: dict[str, QCheckBox] = {}
        self.spins: dict[str, LogSpinBox] = {}
        box = QGroupBox("Optimisers and learning rates")
        grid = QGridLayout(box)
        grid.setContentsMargins(8, 6, 8, 8)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)
        for row, (name, label) in enumerate(OPTIMIZER_NAMES.items()):
            check = QCheckBox(label)
            check.setObjectName(f"labOptimizer{label}Check")
            check.setIcon(_swatch(optimizer_color(name, row)))
            check.setToolTip(f"Show {label}'s path (the engine's {label} optimiser)")
            check.toggled.connect(lambda on, n=name: self.optimizerToggled.emit(n, on))
            spin = LogSpinBox(MIN_RATE, MAX_RATE)
            spin.setObjectName(f"labLr{label}Spin")
            spin.setToolTip(f"{label}'s learning rate on this surface (arrows: ×3 steps); "
                            f"its path is redone to the current step")
            spin.valueChanged.connect(lambda v, n=name: self.rateChanged.emit(n, v))
            report_out_of_range(spin, f"{label}'s learning rate", self.problem.emit)
            grid.addWidget(check, row, 0)
            grid.addWidget(spin, row, 1)
            self.checks[name], self.spins[name] = check, spin
        grid.setColumnStretch(0, 1)
        self.defaults_button = QPushButton("Default rates")
        self.defaults_button.setObjectName("labDefaultRatesButton")
        self.defaults_button.setToolTip("This surface's learning rates as they came "
                                        "(the book's on its own surface)")
        self.defaults_button.clicked.connect(self.defaultsClicked)
        grid.addWidget(self.defaults_button, len(OPTIMIZER_NAMES), 1)

        self.step_button = self._button("Step", "labStepButton",
                                        "One update of every path (S)", self.stepClicked)
        self.play_button = self._button("Play", "labPlayButton",
                                        "Step a few times a second, or pause (Space)",
                                        self.playClicked)
        self.reset_button = self._button("Reset", "labResetButton",
                                         "Every path back at the start, step 0 (R)",
                                         self.resetClicked)
        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        for b in (self.step_button, self.play_button, self.reset_button):
            buttons.addWidget(b)
        self.step_label = QLabel("Step 0")
        self.step_label.setObjectName("labStepLabel")
        font = self.step_label.font()
        font.setBold(True)
        self.step_label.setFont(font)

        self.hint = QLabel()
        self.hint.setObjectName("labHintLabel")
        self.hint.setWordWrap(True)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.message = QLabel()
        self.message.setObjectName("labMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setVisible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        surface_label = QLabel("Surface")
        surface_label.setBuddy(combo)
        layout.addWidget(surface_label)
        layout.addWidget(combo)
        layout.addWidget(box)
        layout.addLayout(buttons)
        layout.addWidget(self.step_label)
        layout.addWidget(self.message)
        layout.addWidget(self.hint)
        layout.addStretch(1)

    def _button(self, text: str, name: str, tip: str, signal) -> QPushButton:
        b = QPushButton(text)
        b.setObjectName(name)
        b.setToolTip(tip)
        b.clicked.connect(signal)
        return b

    # ------------------------------------------------------------------ showing state

    def show_surface(self, key: str, rates: dict[str, float]) -> None:
        """Show surface ``key`` chosen, its rates and what to look for on it."""
        i = self.surface_combo.findData(key)
        if i >= 0 and i != self.surface_combo.currentIndex():
            self.surface_combo.blockSignals(True)
            self.surface_combo.setCurrentIndex(i)
            self.surface_combo.blockSignals(False)
        self.show_rates(rates)
        self.hint.setText(f"{LOOK_FOR.get(key, '')}\n\n{CLICK_HINT}")

    def show_rates(self, rates: dict[str, float]) -> None:
        for name, spin in self.spins.items():
            if name in rates and spin.value() != rates[name]:
                spin.blockSignals(True)
                spin.setValue(rates[name])
                spin.blockSignals(False)

    def show_enabled(self, names) -> None:
        on = set(names)
        for name, check in self.checks.items():
            if check.isChecked() != (name in on):
                check.blockSignals(True)
                check.setChecked(name in on)
                check.blockSignals(False)

    def show_steps(self, steps: int) -> None:
        self.step_label.setText(f"Step {steps}")

    def show_playing(self, playing: bool) -> None:
        self.play_button.setText("Pause" if playing else "Play")

    def show_stopped(self, reasons: list[str]) -> None:
        """The sentences of the paths that stopped (none: the line is hidden)."""
        self.message.setText("\n".join(reasons))
        self.message.setVisible(bool(reasons))
