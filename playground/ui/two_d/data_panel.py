"""The data panel: generator settings, drawing tools and display toggles.

Edits leave as ``configEdited({"data": {...}})`` / ``configEdited({"seed": n})``; the
panel never keeps a config of its own, it only shows the one it is given.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from playground.ui.plots.style import CLASS_COLORS
from playground.ui.widgets.spinboxes import report_out_of_range

MAX_CLASSES = len(CLASS_COLORS)


def _spin(lo: int, hi: int, step: int, tip: str, name: str) -> QSpinBox:
    s = QSpinBox()
    s.setRange(lo, hi)
    s.setSingleStep(step)
    s.setKeyboardTracking(False)
    s.setToolTip(tip)
    s.setObjectName(name)
    return s


class DataPanel(QWidget):
    """Dataset controls; emits intent only (see the module docstring)."""

    configEdited = Signal(dict)
    regenerateRequested = Signal()
    drawModeToggled = Signal(bool)
    drawClassChosen = Signal(int)
    clearRequested = Signal()
    showTestToggled = Signal(bool)
    discretizeToggled = Signal(bool)
    baselineToggled = Signal(bool)
    invalidInput = Signal(str)       # a typed value was refused: one sentence why

    def __init__(self, choices: dict, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dataPanel")
        self._multiclass = set(choices["multiclass"])
        self._updating = False

        self.dataset_combo = QComboBox()
        self.dataset_combo.setObjectName("datasetCombo")
        for name in choices["datasets"]:
            self.dataset_combo.addItem(name, name)
        self.dataset_combo.setToolTip(
            "The dataset: a generated 2-D set (" + ", ".join(choices["datasets"][:-1])
            + ") or 'drawn', your own points (draw, or File > Open data).")
        self.classes_spin = _spin(2, MAX_CLASSES, 1, "Number of classes (2-5); blobs, spiral "
                                  "and drawn points only: the others always have two.",
                                  "classesSpin")
        self.samples_spin = _spin(10, 5000, 50, "Number of generated points (10-5000), train "
                                  "and test together.", "samplesSpin")
        self.noise_spin = QDoubleSpinBox()
        self.noise_spin.setObjectName("noiseSpin")
        self.noise_spin.setRange(0.0, 2.0)
        self.noise_spin.setSingleStep(0.05)
        self.noise_spin.setDecimals(2)
        self.noise_spin.setKeyboardTracking(False)
        self.noise_spin.setToolTip("Standard deviation of the Gaussian jitter added to every "
                                   "point (0-2, in the data's units; the shapes span about "
                                   "-1..1).")
        self.test_spin = _spin(0, 90, 5, "Share of the points held out as the test set "
                               "(0-90 %); they are drawn ringed and never trained on.",
                               "testRatioSpin")
        self.test_spin.setSuffix(" %")
        self.seed_spin = _spin(0, 2**31 - 1, 1, "Random seed (0-2147483647) of the data, the "
                               "train/test split and the initial weights: the same seed "
                               "gives the same run.", "seedSpin")
        self.regenerate_button = QPushButton("Regenerate")
        self.regenerate_button.setObjectName("regenerateButton")
        self.regenerate_button.setToolTip("New data and new initial weights: moves on to the "
                                          "next seed.")

        gen = QGroupBox("Data")
        form = QFormLayout(gen)
        form.addRow("Dataset", self.dataset_combo)
        form.addRow("Classes", self.classes_spin)
        form.addRow("Samples", self.samples_spin)
        form.addRow("Noise", self.noise_spin)
        form.addRow("Test set", self.test_spin)
        seed_row = QHBoxLayout()
        seed_row.addWidget(self.seed_spin, 1)
        seed_row.addWidget(self.regenerate_button)
        form.addRow("Seed", seed_row)
        self.points_label = QLabel("")
        self.points_label.setObjectName("pointsLabel")
        self.points_label.setStyleSheet("color: #555;")
        form.addRow(self.points_label)

        draw = QGroupBox("Draw points")
        dl = QVBoxLayout(draw)
        self.draw_button = QPushButton("Draw")
        self.draw_button.setObjectName("drawModeButton")
        self.draw_button.setCheckable(True)
        self.draw_button.setStyleSheet("QPushButton:checked { background: #ffe08a; "
                                       "font-weight: bold; }")
        self.draw_button.setToolTip("Draw mode: left-click or drag on the decision plot adds "
                                    "points of the chosen class; right-click or Shift+click "
                                    "erases nearby points. Off: dragging pans the view.")
        self.clear_button = QPushButton("Clear")
        self.clear_button.setObjectName("clearPointsButton")
        self.clear_button.setToolTip("Remove every point (switches to your own drawn data).")
        top = QHBoxLayout()
        top.addWidget(self.draw_button, 1)
        top.addWidget(self.clear_button)
        dl.addLayout(top)
        grid = QGridLayout()
        grid.setHorizontalSpacing(4)
        self.class_group = QButtonGroup(self)
        self.class_group.setExclusive(True)
        self.class_buttons: list[QPushButton] = []
        for c, color in enumerate(CLASS_COLORS):
            b = QPushButton(str(c))
            b.setObjectName(f"classButton{c}")
            b.setCheckable(True)
            b.setToolTip(f"Draw points of class {c}.")
            b.setMinimumWidth(28)
            b.setStyleSheet(
                f"QPushButton {{ background: {color}; color: white; font-weight: bold;"
                f" border: 2px solid {color}; border-radius: 4px; padding: 3px; }}"
                f"QPushButton:checked {{ border: 2px solid #111; }}")
            self.class_group.addButton(b, c)
            self.class_buttons.append(b)
            grid.addWidget(b, 0, c)
        self.class_buttons[0].setChecked(True)
        dl.addLayout(grid)

        view = QGroupBox("Show")
        vl = QVBoxLayout(view)
        self.show_test_check = QCheckBox("Test points")
        self.show_test_check.setObjectName("showTestCheck")
        self.show_test_check.setChecked(True)
        self.show_test_check.setToolTip("Show the held-out test points (ringed) on the plot.")
        self.discretize_check = QCheckBox("Discretize output")
        self.discretize_check.setObjectName("discretizeCheck")
        self.discretize_check.setToolTip("On: each region in its predicted class's colour. "
                                         "Off: colour fades to white where the network is "
                                         "unsure.")
        self.baseline_check = QCheckBox("Linear baseline")
        self.baseline_check.setObjectName("baselineCheck")
        self.baseline_check.setToolTip("Overlay the boundary of a logistic regression "
                                       "(scikit-learn) as a broad grey line: the best a "
                                       "straight line can do on these points.")
        self.baseline_label = QLabel("")
        self.baseline_label.setObjectName("baselineLabel")
        self.baseline_label.setWordWrap(True)
        self.baseline_label.setStyleSheet("color: #555;")
        self.baseline_label.hide()  # shown with the baseline's accuracy
        legend = QLabel("● filled: training points<br>○ ringed: test points<br>"
                        "— dark line: the network's class boundary")
        legend.setObjectName("plotLegendLabel")
        legend.setStyleSheet("color: #555;")
        for w in (self.show_test_check, self.discretize_check, self.baseline_check,
                  self.baseline_label, legend):
            vl.addWidget(w)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for box in (gen, draw, view):
            layout.addWidget(box)
        layout.addStretch(1)
        self._connect()

    def _connect(self) -> None:
        self.dataset_combo.currentIndexChanged.connect(
            lambda _: self._emit({"data": {"name": self.dataset_combo.currentData()}}))
        self.classes_spin.valueChanged.connect(
            lambda v: self._emit({"data": {"classes": int(v)}}))
        self.samples_spin.valueChanged.connect(
            lambda v: self._emit({"data": {"samples": int(v)}}))
        self.noise_spin.valueChanged.connect(
            lambda v: self._emit({"data": {"noise": round(float(v), 4)}}))
        self.test_spin.valueChanged.connect(
            lambda v: self._emit({"data": {"test_ratio": int(v) / 100}}))
        self.seed_spin.valueChanged.connect(lambda v: self._emit({"seed": int(v)}))
        self.regenerate_button.clicked.connect(self.regenerateRequested)
        self.draw_button.toggled.connect(self.drawModeToggled)
        self.clear_button.clicked.connect(self.clearRequested)
        for spin, what in ((self.classes_spin, "The number of classes"),
                           (self.samples_spin, "The number of samples"),
                           (self.noise_spin, "The noise"), (self.test_spin, "The test share"),
                           (self.seed_spin, "The seed")):
            report_out_of_range(spin, what, self.invalidInput.emit)
        self.class_group.idClicked.connect(self.drawClassChosen)
        self.show_test_check.toggled.connect(self.showTestToggled)
        self.discretize_check.toggled.connect(self.discretizeToggled)
        self.baseline_check.toggled.connect(self.baselineToggled)

    def _emit(self, changes: dict) -> None:
        if not self._updating:
            self.configEdited.emit(changes)

    # ------------------------------------------------------------------ display

    def set_config(self, config: dict) -> None:
        """Show ``config`` (``RunConfig.to_dict()``) without emitting edits."""
        d = config["data"]
        self._updating = True
        try:
            i = self.dataset_combo.findData(d["name"])
            if i >= 0:
                self.dataset_combo.setCurrentIndex(i)
            # a two-class generator shows 2, whatever the config remembers for others
            self.classes_spin.setValue(int(d["classes"]) if d["name"] in self._multiclass
                                       else 2)
            self.samples_spin.setValue(int(d["samples"]))
            self.noise_spin.setValue(float(d["noise"]))
            self.test_spin.setValue(round(float(d["test_ratio"]) * 100))
            self.seed_spin.setValue(min(int(config["seed"]), self.seed_spin.maximum()))
        finally:
            self._updating = False
        drawn = d["name"] == "drawn"
        self.classes_spin.setEnabled(d["name"] in self._multiclass)
        self.samples_spin.setEnabled(not drawn)
        self.noise_spin.setEnabled(not drawn)
        n = int(d["classes"]) if d["name"] in self._multiclass else 2
        for c, b in enumerate(self.class_buttons):
            b.setVisible(c < max(n, 2))
        if self.draw_class >= n:
            self.class_buttons[0].setChecked(True)
            self.drawClassChosen.emit(0)

    @property
    def draw_class(self) -> int:
        return max(self.class_group.checkedId(), 0)

    def set_point_counts(self, n_train: int, n_test: int) -> None:
        self.points_label.setText(f"{n_train + n_test} points: {n_train} train, "
                                  f"{n_test} test")

    def set_baseline_text(self, text: str) -> None:
        self.baseline_label.setText(text)
        self.baseline_label.setVisible(bool(text))
