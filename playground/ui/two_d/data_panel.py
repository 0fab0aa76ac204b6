"""The data panel: generator settings, drawing tools and display toggles.

Edits leave as ``configEdited({"data": {...}})`` / ``configEdited({"seed": n})``; the
panel never keeps a config of its own, it only shows the one it is given.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
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
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from playground.ui.plots.style import CLASS_COLORS
from playground.ui.widgets.spinboxes import report_out_of_range

MAX_CLASSES = len(CLASS_COLORS)
#: the value slider of a regression drawing: -1..1 in steps of 0.05 (the generated sets'
#: targets lie in [-1, 1]); a wheel notch over the plot moves it by WHEEL_STEP.
VALUE_STEPS = 20
WHEEL_STEP = 0.1
PROBLEM_NAMES = {"classification": "Classification", "regression": "Regression"}
LEGENDS = {
    "classification": "● filled: training points<br>○ ringed: test points<br>"
                      "— dark line: the network's class boundary",
    "regression": "colour: value (blue +, orange −)<br>● filled: training points<br>"
                  "○ ringed: test points<br>— lines: contours of the fitted surface",
}


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
        self._datasets = {"classification": list(choices["datasets"]),
                          "regression": list(choices["regression_datasets"])}
        self._task_defaults = dict(choices["task_defaults"])
        self._task = "classification"
        self._updating = False

        self.problem_combo = QComboBox()
        self.problem_combo.setObjectName("problemCombo")
        for task in choices["tasks"]:
            self.problem_combo.addItem(PROBLEM_NAMES.get(task, task), task)
        self.problem_combo.setToolTip(
            "Classification: every point has a class, the network predicts which.\n"
            "Regression: every point has a real value y, the network fits a surface "
            "y(x1, x2); scored by R² (1 = perfect, 0 = no better than the mean).")
        self.dataset_combo = QComboBox()
        self.dataset_combo.setObjectName("datasetCombo")
        self._fill_datasets("classification")
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
        self._form = form = QFormLayout(gen)
        form.addRow("Problem", self.problem_combo)
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
        self.value_slider = QSlider(Qt.Orientation.Horizontal)
        self.value_slider.setObjectName("drawValueSlider")
        self.value_slider.setRange(-VALUE_STEPS, VALUE_STEPS)
        self.value_slider.setValue(VALUE_STEPS // 2)
        self.value_slider.setPageStep(4)
        self.value_slider.setToolTip("The value y of the points you draw (-1 to 1); over "
                                     "the plot in Draw mode the mouse wheel changes it too.")
        self.value_label = QLabel("")
        self.value_label.setObjectName("drawValueLabel")
        self.value_label.setMinimumWidth(64)
        self._value_row = QWidget()
        vrow = QHBoxLayout(self._value_row)
        vrow.setContentsMargins(0, 0, 0, 0)
        vrow.addWidget(self.value_slider, 1)
        vrow.addWidget(self.value_label)
        dl.addWidget(self._value_row)
        self._show_draw_value()
        self._value_row.hide()  # regression only

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
        legend = QLabel(LEGENDS["classification"])
        self.legend_label = legend
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
        self.problem_combo.currentIndexChanged.connect(self._problem_chosen)
        self.value_slider.valueChanged.connect(self._show_draw_value)
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

    def _problem_chosen(self, _index: int) -> None:
        """Another problem: its default generated set (each problem keeps its drawing)."""
        task = self.problem_combo.currentData()
        self._emit({"data": {"task": task, "name": self._task_defaults[task]}})

    def _fill_datasets(self, task: str) -> None:
        names = self._datasets[task]
        self.dataset_combo.clear()
        for name in names:
            self.dataset_combo.addItem(name, name)
        kind = "regression set (values y)" if task == "regression" else "2-D set (classes)"
        self.dataset_combo.setToolTip(
            f"The dataset: a generated {kind}: " + ", ".join(names[:-1])
            + "; or 'drawn', your own points (draw, or File > Open data).")

    def _show_draw_value(self, *_args) -> None:
        self.value_label.setText(f"y = {self.draw_value:+.2f}")

    @property
    def draw_value(self) -> float:
        """The value of the points drawn in a regression drawing."""
        return self.value_slider.value() / VALUE_STEPS

    def step_draw_value(self, notches: int) -> None:
        """Move the draw value by ``notches`` wheel steps (clamped to -1..1)."""
        step = round(WHEEL_STEP * VALUE_STEPS)
        self.value_slider.setValue(self.value_slider.value() + int(notches) * step)

    # ------------------------------------------------------------------ display

    def set_config(self, config: dict) -> None:
        """Show ``config`` (``RunConfig.to_dict()``) without emitting edits."""
        d = config["data"]
        task = d.get("task", "classification")
        self._updating = True
        try:
            if task != self._task:
                self._task = task
                self._fill_datasets(task)
            self.problem_combo.setCurrentIndex(max(self.problem_combo.findData(task), 0))
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
        regression = task == "regression"
        self.classes_spin.setEnabled(d["name"] in self._multiclass and not regression)
        for c, b in enumerate(self.class_buttons):
            b.setVisible(not regression and c < max(self._classes(d), 2))
        self._value_row.setVisible(regression)
        self._form.setRowVisible(self.classes_spin, not regression)  # values have none
        self.discretize_check.setVisible(not regression)
        self.legend_label.setText(LEGENDS[task])
        self.baseline_check.setToolTip(
            "Overlay a linear regression (scikit-learn) as grey dashed contours: the best "
            "plane y = w1·x1 + w2·x2 + b through these points." if regression else
            "Overlay the boundary of a logistic regression (scikit-learn) as a broad grey "
            "line: the best a straight line can do on these points.")
        if regression:
            return
        self.samples_spin.setEnabled(not drawn)
        self.noise_spin.setEnabled(not drawn)
        n = self._classes(d)
        if self.draw_class >= n:
            self.class_buttons[0].setChecked(True)
            self.drawClassChosen.emit(0)

    def _classes(self, d: dict) -> int:
        return int(d["classes"]) if d["name"] in self._multiclass else 2

    @property
    def draw_class(self) -> int:
        return max(self.class_group.checkedId(), 0)

    def set_point_counts(self, n_train: int, n_test: int) -> None:
        self.points_label.setText(f"{n_train + n_test} points: {n_train} train, "
                                  f"{n_test} test")

    def set_baseline_text(self, text: str) -> None:
        self.baseline_label.setText(text)
        self.baseline_label.setVisible(bool(text))
