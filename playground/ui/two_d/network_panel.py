"""The network panel: architecture, features, optimiser and regularisation.

Each control maps to one field of the run config and leaves as ``configEdited`` with a
``RunConfig.with_changes`` dict, e.g. the learning rate as ``{"optim": {"lr": 0.1}}``.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from playground.ui.widgets.spinboxes import LogSpinBox, report_out_of_range

MAX_LAYERS = 8
MAX_NEURONS = 64
#: which optimiser shows which of its own settings.
OPTIMIZER_PARAMS = {"momentum": ("momentum",), "nesterov": ("momentum",),
                    "adam": ("beta1", "beta2"), "rmsprop": ("rho",)}
REGULARIZATION = ("none", "L1", "L2")


def parse_hidden(text: str) -> tuple[int, ...]:
    """``"8, 8"`` -> (8, 8); empty means no hidden layer. ``ValueError`` names the problem."""
    parts = [p for p in re.split(r"[\s,;x×]+", text.strip()) if p]
    try:
        sizes = tuple(int(p) for p in parts)
    except ValueError:
        raise ValueError(f"hidden layers must be whole numbers separated by commas, got "
                         f"{text!r}") from None
    if len(sizes) > MAX_LAYERS:
        raise ValueError(f"at most {MAX_LAYERS} hidden layers, got {len(sizes)}")
    for s in sizes:
        if not 1 <= s <= MAX_NEURONS:
            raise ValueError(f"each hidden layer needs 1 to {MAX_NEURONS} neurons, got {s}")
    return sizes


def format_hidden(sizes) -> str:
    return ", ".join(str(int(s)) for s in sizes)


LOSS_TIPS = {
    "classification": "Loss: softmax-ce (softmax + cross-entropy), sigmoid-bce (sigmoid + "
                      "binary cross-entropy), mse (squared error).",
    "regression": "Loss: mse (mean squared error) or huber (squared near the target, "
                  "linear beyond delta = 1: big errors pull less). The network ends in one "
                  "linear output, the predicted value.",
}


def _combo(items, name: str, tip: str) -> QComboBox:
    c = QComboBox()
    c.setObjectName(name)
    for item in items:
        c.addItem(item, item)
    c.setToolTip(tip)
    return c


def _dspin(lo: float, hi: float, step: float, decimals: int, name: str, tip: str
           ) -> QDoubleSpinBox:
    s = QDoubleSpinBox()
    s.setObjectName(name)
    s.setRange(lo, hi)
    s.setSingleStep(step)
    s.setDecimals(decimals)
    s.setKeyboardTracking(False)
    s.setToolTip(tip)
    return s


def _form(parent: QWidget) -> QFormLayout:
    f = QFormLayout(parent)
    f.setVerticalSpacing(5)
    f.setHorizontalSpacing(8)
    f.setContentsMargins(8, 6, 8, 6)
    return f


def _pair(first: QWidget, label: str, second: QWidget) -> QHBoxLayout:
    """Two controls on one form row, the second with a short label of its own."""
    row = QHBoxLayout()
    row.setSpacing(6)
    row.addWidget(first, 1)
    if label:
        row.addWidget(QLabel(label))
    row.addWidget(second, 1)
    return row


class NetworkPanel(QWidget):
    """Model and optimiser controls; emits intent only (see the module docstring)."""

    configEdited = Signal(dict)
    invalidInput = Signal(str)

    def __init__(self, choices: dict, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("networkPanel")
        self._updating = False
        self._config: dict | None = None

        self.hidden_edit = QLineEdit()
        self.hidden_edit.setObjectName("hiddenLayersEdit")
        self.hidden_edit.setToolTip(f"Neurons per hidden layer, separated by commas, e.g. "
                                    f"'8, 8' (up to {MAX_LAYERS} layers of 1-{MAX_NEURONS}; "
                                    f"empty: no hidden layer). Press Enter to apply; changing "
                                    f"the architecture resets the weights.")
        self.add_layer_button = QPushButton("+")
        self.add_layer_button.setObjectName("addLayerButton")
        self.add_layer_button.setToolTip(f"Add a hidden layer (at most {MAX_LAYERS}) as wide "
                                         f"as the last one.")
        self.remove_layer_button = QPushButton("−")
        self.remove_layer_button.setObjectName("removeLayerButton")
        self.remove_layer_button.setToolTip("Remove the last hidden layer.")
        for b in (self.add_layer_button, self.remove_layer_button):
            b.setFixedWidth(28)
        self.summary_label = QLabel("")
        self.summary_label.setObjectName("networkSummaryLabel")
        self.summary_label.setStyleSheet("color: #555;")
        self.summary_label.setToolTip("Layer widths from the input features to the outputs, "
                                      "and the number of trained parameters.")

        self.feature_checks: dict[str, QCheckBox] = {}
        features = QGridLayout()
        features.setHorizontalSpacing(6)
        features.setVerticalSpacing(0)
        for i, name in enumerate(choices["features"]):
            label = name.replace("^2", "²").replace("*", "·")
            cb = QCheckBox(label)
            cb.setObjectName(f"featureCheck:{name}")
            cb.setToolTip(f"Feed {label} to the network as an input (at least one input).")
            self.feature_checks[name] = cb
            features.addWidget(cb, i // 4, i % 4)

        self.activation_combo = _combo(choices["activations"], "activationCombo",
                                       "Activation of every hidden layer.")
        self.init_combo = _combo(choices["initializers"], "initCombo",
                                 "Initial weights: auto (He for ReLU-like activations, "
                                 "Xavier otherwise), std (N(0, 0.01²)), xavier, he.")
        self.loss_combo = _combo(choices["losses"], "lossCombo", LOSS_TIPS["classification"])
        self._losses = {"classification": list(choices["losses"]),
                        "regression": list(choices["regression_losses"])}
        self._loss_task = "classification"
        self.optimizer_combo = _combo(choices["optimizers"], "optimizerCombo",
                                      "Optimiser; applies from the next step, keeping the "
                                      "weights.")
        self.lr_spin = LogSpinBox(1e-5, 10.0)
        self.lr_spin.setObjectName("learningRateSpin")
        self.lr_spin.setToolTip("Learning rate (0.00001-10). The arrows step 1-3-10 on a log "
                                "scale; any value can be typed. Applies from the next step.")
        self.momentum_spin = _dspin(0.0, 0.999, 0.05, 3, "momentumSpin",
                                    "Momentum of the velocity (0-0.999).")
        self.beta1_spin = _dspin(0.0, 0.999, 0.01, 3, "beta1Spin",
                                 "Adam's beta1: decay of the mean gradient (0-0.999).")
        self.beta2_spin = _dspin(0.0, 0.9999, 0.001, 4, "beta2Spin",
                                 "Adam's beta2: decay of the squared gradient (0-0.9999).")
        self.rho_spin = _dspin(0.01, 0.999, 0.01, 3, "rhoSpin",
                               "RMSProp's decay of the squared gradient (0.01-0.999).")
        self.schedule_combo = _combo(choices["schedules"], "scheduleCombo",
                                     "Learning-rate schedule over epochs: constant, "
                                     "inverse-time, step (halve every 50), exponential, "
                                     "cosine (period 200).")
        self.batch_spin = QSpinBox()
        self.batch_spin.setObjectName("batchSizeSpin")
        self.batch_spin.setRange(0, 4096)
        self.batch_spin.setSpecialValueText("full batch")
        self.batch_spin.setKeyboardTracking(False)
        self.batch_spin.setToolTip("Mini-batch size (1-4096); the lowest setting, 'full "
                                   "batch', trains on all training points at once.")
        self.reg_combo = _combo(REGULARIZATION, "regularizationCombo",
                                "Weight penalty: none, L1 (sparse weights) or L2 (weight "
                                "decay).")
        self.reg_rate_spin = LogSpinBox(1e-5, 10.0)
        self.reg_rate_spin.setObjectName("regularizationRateSpin")
        self.reg_rate_spin.setValue(0.001)
        self.reg_rate_spin.setToolTip("Regularisation rate (0.00001-10), log-scale steps.")
        self.dropout_spin = _dspin(0.0, 0.9, 0.05, 2, "dropoutSpin",
                                   "Dropout rate after each hidden layer while training "
                                   "(0-0.9; 0 = off).")
        self.batchnorm_check = QCheckBox("Batch norm")
        self.batchnorm_check.setObjectName("batchNormCheck")
        self.batchnorm_check.setToolTip("Batch normalisation after every hidden layer.")

        arch = QGroupBox("Network")
        af = _form(arch)
        row = QHBoxLayout()
        row.addWidget(self.hidden_edit, 1)
        row.addWidget(self.remove_layer_button)
        row.addWidget(self.add_layer_button)
        af.addRow("Hidden", row)
        af.addRow("", self.summary_label)
        af.addRow("Inputs", features)
        af.addRow("Activation", self.activation_combo)
        af.addRow("Init", _pair(self.init_combo, "Loss", self.loss_combo))
        af.addRow("Dropout", _pair(self.dropout_spin, "", self.batchnorm_check))

        opt = QGroupBox("Training")
        self._opt_form = of = _form(opt)
        of.addRow("Optimizer", _pair(self.optimizer_combo, "Rate", self.lr_spin))
        of.addRow("Momentum", self.momentum_spin)
        self._betas_row = _pair(self.beta1_spin, "", self.beta2_spin)
        of.addRow("Betas", self._betas_row)
        of.addRow("Rho", self.rho_spin)
        of.addRow("Schedule", _pair(self.schedule_combo, "Batch", self.batch_spin))
        of.addRow("Regularize", _pair(self.reg_combo, "Rate", self.reg_rate_spin))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(arch)
        layout.addWidget(opt)
        layout.addStretch(1)
        self._connect()
        for spin, what in ((self.lr_spin, "The learning rate"),
                           (self.momentum_spin, "Momentum"), (self.beta1_spin, "Beta1"),
                           (self.beta2_spin, "Beta2"), (self.rho_spin, "Rho"),
                           (self.batch_spin, "The batch size"),
                           (self.reg_rate_spin, "The regularisation rate"),
                           (self.dropout_spin, "The dropout rate")):
            report_out_of_range(spin, what, self.invalidInput.emit)

    # ------------------------------------------------------------------ edits

    def _connect(self) -> None:
        self.hidden_edit.editingFinished.connect(self._hidden_edited)
        self.add_layer_button.clicked.connect(lambda: self._change_layers(+1))
        self.remove_layer_button.clicked.connect(lambda: self._change_layers(-1))
        for name, cb in self.feature_checks.items():
            cb.toggled.connect(lambda _on, n=name: self._features_edited())
        for combo, key in ((self.activation_combo, "activation"), (self.init_combo, "init"),
                           (self.loss_combo, "loss")):
            combo.currentIndexChanged.connect(
                lambda _i, c=combo, k=key: self._emit({"model": {k: c.currentData()}}))
        self.optimizer_combo.currentIndexChanged.connect(
            lambda _i: self._emit({"optim": {"name": self.optimizer_combo.currentData()}}))
        for spin, key in ((self.lr_spin, "lr"), (self.momentum_spin, "momentum"),
                          (self.beta1_spin, "beta1"), (self.beta2_spin, "beta2"),
                          (self.rho_spin, "rho")):
            spin.valueChanged.connect(
                lambda v, k=key: self._emit({"optim": {k: float(v)}}))
        self.schedule_combo.currentIndexChanged.connect(
            lambda _i: self._emit({"schedule": {"name": self.schedule_combo.currentData()}}))
        self.batch_spin.valueChanged.connect(lambda v: self._emit({"batch_size": int(v)}))
        self.reg_combo.currentIndexChanged.connect(lambda _i: self._regularization_edited())
        self.reg_rate_spin.valueChanged.connect(lambda _v: self._regularization_edited())
        self.dropout_spin.valueChanged.connect(
            lambda v: self._emit({"model": {"dropout": round(float(v), 4)}}))
        self.batchnorm_check.toggled.connect(
            lambda on: self._emit({"model": {"batchnorm": bool(on)}}))

    def _emit(self, changes: dict) -> None:
        if not self._updating:
            self.configEdited.emit(changes)

    def _hidden_edited(self) -> None:
        try:
            sizes = parse_hidden(self.hidden_edit.text())
        except ValueError as e:
            self.invalidInput.emit(str(e))
            if self._config is not None:
                self.hidden_edit.setText(format_hidden(self._config["model"]["hidden"]))
            return
        self._emit({"model": {"hidden": sizes}})

    def _change_layers(self, delta: int) -> None:
        if self._config is None:
            return
        sizes = list(self._config["model"]["hidden"])
        if delta > 0 and len(sizes) < MAX_LAYERS:
            sizes.append(sizes[-1] if sizes else 4)
        elif delta < 0 and sizes:
            sizes.pop()
        self._emit({"model": {"hidden": tuple(sizes)}})

    def _features_edited(self) -> None:
        chosen = tuple(n for n, cb in self.feature_checks.items() if cb.isChecked())
        self._emit({"model": {"features": chosen}})

    def _regularization_edited(self) -> None:
        kind = self.reg_combo.currentData()
        rate = float(self.reg_rate_spin.value())
        self.reg_rate_spin.setEnabled(kind != "none")
        self._emit({"optim": {"l1": rate if kind == "L1" else 0.0,
                              "l2": rate if kind == "L2" else 0.0}})

    # ------------------------------------------------------------------ display

    def set_config(self, config: dict) -> None:
        """Show ``config`` (``RunConfig.to_dict()``) without emitting edits."""
        self._config = config
        m, o = config["model"], config["optim"]
        self._updating = True
        try:
            task = config["data"].get("task", "classification")
            if task != self._loss_task:  # each problem has its own losses
                self._loss_task = task
                self.loss_combo.clear()
                for name in self._losses[task]:
                    self.loss_combo.addItem(name, name)
                self.loss_combo.setToolTip(LOSS_TIPS[task])
            if self.hidden_edit.text() != format_hidden(m["hidden"]):
                self.hidden_edit.setText(format_hidden(m["hidden"]))
            for name, cb in self.feature_checks.items():
                cb.setChecked(name in m["features"])
            for combo, value in ((self.activation_combo, m["activation"]),
                                 (self.init_combo, m["init"]), (self.loss_combo, m["loss"]),
                                 (self.optimizer_combo, o["name"]),
                                 (self.schedule_combo, config["schedule"]["name"])):
                i = combo.findData(value)
                if i >= 0:
                    combo.setCurrentIndex(i)
            self.lr_spin.setValue(float(o["lr"]))
            self.momentum_spin.setValue(float(o["momentum"]))
            self.beta1_spin.setValue(float(o["beta1"]))
            self.beta2_spin.setValue(float(o["beta2"]))
            self.rho_spin.setValue(float(o["rho"]))
            self.batch_spin.setValue(int(config["batch_size"]))
            kind = "L1" if o["l1"] > 0 else "L2" if o["l2"] > 0 else "none"
            self.reg_combo.setCurrentIndex(REGULARIZATION.index(kind))
            if kind != "none":
                self.reg_rate_spin.setValue(float(o["l1"] or o["l2"]))
            self.reg_rate_spin.setEnabled(kind != "none")
            self.dropout_spin.setValue(float(m["dropout"]))
            self.batchnorm_check.setChecked(bool(m["batchnorm"]))
        finally:
            self._updating = False
        self.add_layer_button.setEnabled(len(m["hidden"]) < MAX_LAYERS)
        self.remove_layer_button.setEnabled(len(m["hidden"]) > 0)
        shown = OPTIMIZER_PARAMS.get(o["name"], ())
        self._opt_form.setRowVisible(self.momentum_spin, "momentum" in shown)
        self._opt_form.setRowVisible(self._betas_row, "beta1" in shown)
        self._opt_form.setRowVisible(self.rho_spin, "rho" in shown)

    def set_summary(self, text: str) -> None:
        self.summary_label.setText(text)
