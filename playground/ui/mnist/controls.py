"""``MnistControls``: the left column of the MNIST page (data, model, training)."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from playground.mnist.sources import (
    AUGMENT_LABELS,
    MODELS,
    PAGE_DEFAULTS,
    optimizer_names,
    source_label,
    switched_defaults,
)
from playground.ui.widgets.image_gallery import ImageGallery

MODEL_LABELS = {"simple-cnn": "SimpleConvNet (1 conv layer)",
                "mlp": "MLP (1 hidden layer)",
                "deep-cnn": "DeepConvNet (6 conv layers)"}
MODEL_TIPS = {"simple-cnn": "The book's SimpleConvNet: conv → ReLU → 2×2 max-pool → "
                            "dense → ReLU → dense → softmax.",
              "mlp": "A multi-layer perceptron: every pixel feeds every hidden unit.",
              "deep-cnn": "The book's DeepConvNet: six 3×3 conv layers with fixed widths "
                          "(16, 16, 32, 32, 64, 64), pooling, dense 50, dropout, dense."}
#: He: these are ReLU networks (what ``init: auto`` gives them in the engine); σ = 0.01
#: leaves DeepConvNet at chance, and W - W0 shows the learned edges under He's noise.
DEFAULT_INIT = "he"
INIT_LABELS = {"std": "Small (σ = 0.01)", "he": "He (σ = √(2/n))",
               "xavier": "Xavier (σ = √(1/n))"}
AUGMENT_TIP = ("Change every training batch at random, so the network sees each image a "
               "little differently each epoch: shifted by up to 2 pixels each way, or "
               "shifted and turned by up to 10°. Test images are never changed. Helps most "
               "when there are few training images; on the 8×8 digits 2 pixels is a "
               "quarter of the image and costs accuracy.")
DEFAULTS_TIP = ("Values still at the previous data's defaults were set to this data "
                "set's; values you had changed were kept.")
TRAIN_TIP = ("Train the network for the chosen number of epochs; press again to stop. "
             "After a run, Train goes on with the same network (its weights, optimiser "
             "state, epochs and curves carry on).")
NEW_TIP = ("Start again from fresh weights: the trained network, its curves and its "
           "epoch count are thrown away.")
SOURCE_ORDER = ("sample", "mnist", "fashion-mnist", "files", "digits")
_SPINS = {  # key -> (label, minimum, maximum, default, step, tooltip)
    "filters": ("Filters", 1, 64, PAGE_DEFAULTS["filters"], 1,
                "Number of first-layer convolution filters."),
    "filter_size": ("Filter size", 1, 9, PAGE_DEFAULTS["filter_size"], 2,
                    "Side of the square filters, in pixels."),
    "hidden": ("Hidden units", 1, 1024, PAGE_DEFAULTS["hidden"], 10,
               "Units of the hidden fully-connected layer."),
    "batch_size": ("Batch size", 1, 1000, PAGE_DEFAULTS["batch_size"], 10,
                   "Images per gradient step."),
    "epochs": ("Epochs", 1, 100, PAGE_DEFAULTS["epochs"], 1,
               "Passes over the training images per Train."),
    "train_limit": ("Training images", 0, 60000, 0, 500,
                    "Train on only the first N training images (all: every one). Fewer "
                    "images make an epoch quicker."),
    "threads": ("BLAS threads", 0, 64, 1, 1,
                "Threads the linear-algebra library may use while training. 1 keeps the "
                "window responsive on small machines; 0 lets the library decide."),
}
#: how ``defaults_note`` names a value
_SHORT = {"filters": "{v} filters", "filter_size": "{v}×{v} filters",
          "hidden": "{v} hidden units", "batch_size": "batch {v}", "epochs": "{v} epochs"}
_OBJECT_NAMES = {"epochs": "mnistEpochsSpin", "filters": "mnistFiltersSpin",
                 "filter_size": "mnistFilterSizeSpin", "hidden": "mnistHiddenSpin",
                 "batch_size": "mnistBatchSpin", "train_limit": "mnistTrainLimitSpin",
                 "threads": "mnistThreadsSpin"}


class MnistControls(QWidget):
    """Data source, model, optimiser and run controls; emits intent, holds no state
    beyond its widgets (and their values in ``settings``)."""

    sourceChosen = Signal(str)      # a SOURCES key
    modelEdited = Signal()          # architecture changed: fresh weights to show
    trainClicked = Signal()
    newClicked = Signal()
    saveClicked = Signal()
    loadClicked = Signal()
    threadsChanged = Signal(int)

    def __init__(self, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
        #: the source whose defaults the values started from (see use_source_defaults)
        self._defaults_source = str(settings.value("mnist/defaults_source", "sample"))
        self.spins: dict[str, QSpinBox] = {}
        for key, (_, lo, hi, default, step, tip) in _SPINS.items():
            spin = QSpinBox()
            spin.setObjectName(_OBJECT_NAMES[key])
            spin.setRange(lo, hi)
            spin.setSingleStep(step)
            spin.setToolTip(tip)
            spin.setValue(_int(settings.value(f"mnist/{key}", default), default, lo, hi))
            spin.setKeyboardTracking(False)
            self.spins[key] = spin
        self.spins["train_limit"].setSpecialValueText("all")
        self.spins["threads"].setSpecialValueText("auto")
        self.spins["filter_size"].setStepType(QAbstractSpinBox.StepType.DefaultStepType)

        self.source_combo = QComboBox()
        self.source_combo.setObjectName("mnistSourceCombo")
        for key in SOURCE_ORDER:
            self.source_combo.addItem(source_label(key), key)
        self.source_combo.setToolTip("Where the digits come from. The built-in sample "
                                     "works offline; full sets are downloaded once.")
        self.strip = ImageGallery("mnistSampleStrip", rows=2, max_tile=32)
        self.strip.setMinimumHeight(88)
        self.strip.set_placeholder("loading…")
        self.data_label = QLabel("")
        self.data_label.setObjectName("mnistDataLabel")
        self.data_label.setWordWrap(True)
        self.data_label.setMinimumWidth(250)  # its size hint: two lines, not four

        self.model_combo = QComboBox()
        self.model_combo.setObjectName("mnistModelCombo")
        for key in MODELS:
            self.model_combo.addItem(MODEL_LABELS[key], key)
        _select(self.model_combo, settings.value("mnist/model", "simple-cnn"))
        self.init_combo = QComboBox()
        self.init_combo.setObjectName("mnistInitCombo")
        for key, label in INIT_LABELS.items():
            self.init_combo.addItem(label, key)
        _select(self.init_combo, settings.value("mnist/init", DEFAULT_INIT))
        self.init_combo.setToolTip(
            "How the weights start. He (the default) learns fastest and is what "
            "DeepConvNet needs to learn at all; its filters start noisy, so \"Change "
            "since start\" shows what was learned. Small random weights (the book's "
            "filter pictures) leave the filters themselves to learning.")
        self.summary_label = QLabel("")
        self.summary_label.setObjectName("mnistModelSummary")
        self.summary_label.setStyleSheet("color: #555;")

        self.optimizer_combo = QComboBox()
        self.optimizer_combo.setObjectName("mnistOptimizerCombo")
        for name in optimizer_names():
            self.optimizer_combo.addItem(name, name)
        _select(self.optimizer_combo, settings.value("mnist/optimizer", "adam"))
        self.lr_spin = QDoubleSpinBox()
        self.lr_spin.setObjectName("mnistLearningRateSpin")
        self.lr_spin.setDecimals(5)
        self.lr_spin.setRange(1e-5, 1.0)
        self.lr_spin.setStepType(QAbstractSpinBox.StepType.AdaptiveDecimalStepType)
        self.lr_spin.setValue(_float(settings.value("mnist/lr", 1e-3), 1e-3))
        self.lr_spin.setKeyboardTracking(False)
        self.lr_spin.setToolTip("Step size of the optimiser (Adam: about 0.001; SGD: 0.01–0.1).")

        self.augment_combo = QComboBox()
        self.augment_combo.setObjectName("mnistAugmentCombo")
        for key, label in AUGMENT_LABELS.items():
            self.augment_combo.addItem(label, key)
        _select(self.augment_combo, settings.value("mnist/augment", "none"))
        self.augment_combo.setToolTip(AUGMENT_TIP)

        self.train_button = QPushButton("Train")
        self.train_button.setObjectName("mnistTrainButton")
        self.train_button.setMinimumHeight(32)
        self.train_button.setToolTip(TRAIN_TIP)
        self.new_button = QPushButton("New network")
        self.new_button.setObjectName("mnistNewButton")
        self.new_button.setMinimumHeight(32)
        self.new_button.setToolTip(NEW_TIP)
        self.progress = QProgressBar()
        self.progress.setObjectName("mnistProgress")
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setFormat("%p%")
        self.run_label = QLabel("")
        self.run_label.setObjectName("mnistRunLabel")
        self.run_label.setWordWrap(True)
        self.run_label.setVisible(False)  # shown with the first result or error
        self.save_button = QPushButton("Save model…")
        self.save_button.setObjectName("mnistSaveButton")
        self.load_button = QPushButton("Load model…")
        self.load_button.setObjectName("mnistLoadButton")

        for combo in (self.source_combo, self.model_combo, self.init_combo,
                      self.optimizer_combo, self.augment_combo):
            # Long item texts show in the popup; they never widen the column.
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(10)
        self._build_layout()
        self.source_combo.activated.connect(self._on_source_activated)
        self.model_combo.currentIndexChanged.connect(self._on_model_changed)
        self.init_combo.currentIndexChanged.connect(self._on_model_changed)
        for key in ("filters", "filter_size", "hidden"):
            self.spins[key].valueChanged.connect(self._on_arch_spin)
        for key in ("batch_size", "epochs", "train_limit"):
            self.spins[key].valueChanged.connect(self._save_values)
        self.spins["threads"].valueChanged.connect(self._on_threads)
        self.optimizer_combo.currentIndexChanged.connect(self._save_values)
        self.augment_combo.currentIndexChanged.connect(self._save_values)
        self.lr_spin.valueChanged.connect(self._save_values)
        self.train_button.clicked.connect(self.trainClicked)
        self.new_button.clicked.connect(self.newClicked)
        self.save_button.clicked.connect(self.saveClicked)
        self.load_button.clicked.connect(self.loadClicked)
        self._update_rows()

    def _build_layout(self) -> None:
        data_box = QGroupBox("Data")
        data = QVBoxLayout(data_box)
        data.addWidget(self.source_combo)
        data.addWidget(self.strip)
        data.addWidget(self.data_label)
        limit = QFormLayout()
        limit.addRow(_SPINS["train_limit"][0], self.spins["train_limit"])
        limit.addRow("Augmentation", self.augment_combo)
        data.addLayout(limit)

        model_box = QGroupBox("Model")
        self._model_form = QFormLayout(model_box)
        self._model_form.addRow(self.model_combo)
        for key in ("filters", "filter_size", "hidden"):
            self._model_form.addRow(_SPINS[key][0], self.spins[key])
        self._model_form.addRow("Initial weights", self.init_combo)
        self._model_form.addRow(self.summary_label)

        train_box = QGroupBox("Training")
        form = QFormLayout()
        form.addRow("Optimiser", self.optimizer_combo)
        form.addRow("Learning rate", self.lr_spin)
        # Batch size and epochs share a row: the column must fit a 1024x700 window.
        steps = QHBoxLayout()
        steps.setContentsMargins(0, 0, 0, 0)
        steps.addWidget(self.spins["batch_size"], 1)
        epochs_label = QLabel(_SPINS["epochs"][0])
        epochs_label.setBuddy(self.spins["epochs"])
        steps.addWidget(epochs_label)
        steps.addWidget(self.spins["epochs"], 1)
        form.addRow(_SPINS["batch_size"][0], steps)
        form.addRow(_SPINS["threads"][0], self.spins["threads"])
        files = QHBoxLayout()
        files.addWidget(self.save_button)
        files.addWidget(self.load_button)
        train = QVBoxLayout(train_box)
        train.addLayout(form)
        run = QHBoxLayout()
        run.addWidget(self.train_button, 3)
        run.addWidget(self.new_button, 2)
        train.addLayout(run)
        train.addWidget(self.progress)
        train.addWidget(self.run_label)
        train.addLayout(files)

        # Tight rows: the whole column should fit a 1024x700 window without scrolling.
        for lay in (data, limit, self._model_form, form, train):
            lay.setSpacing(3)
            lay.setContentsMargins(8, 4, 8, 4)
        limit.setContentsMargins(0, 0, 0, 0)
        form.setContentsMargins(0, 0, 0, 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(data_box)
        layout.addWidget(model_box)
        layout.addWidget(train_box)
        layout.addStretch(1)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)

    # ------------------------------------------------------------------ values

    @property
    def source(self) -> str:
        return self.source_combo.currentData()

    def set_source(self, key: str) -> None:
        """Show ``key`` as the chosen source without emitting ``sourceChosen``."""
        _select(self.source_combo, key)
        self._settings.setValue("mnist/source", key)

    def values(self) -> dict:
        """The keyword arguments of ``make_config`` (without source and path)."""
        v = {key: self.spins[key].value() for key in
             ("filters", "filter_size", "hidden", "batch_size", "epochs", "train_limit")}
        v.update(preset=self.model_combo.currentData(), init=self.init_combo.currentData(),
                 optimizer=self.optimizer_combo.currentData(), lr=self.lr_spin.value(),
                 augment=self.augment_combo.currentData())
        return v

    def use_source_defaults(self, key: str) -> dict[str, int]:
        """Data from the SOURCES key ``key`` is in: the values still at the previous
        source's defaults take ``key``'s (``sources.SOURCE_DEFAULTS``: the 8×8 digits
        want smaller filters and batches); values the user changed stay. Returns what
        changed, set without emitting ``modelEdited`` (the page previews new data)."""
        changes = switched_defaults(self.values(), self._defaults_source, key)
        for name, value in changes.items():
            spin = self.spins[name]
            spin.blockSignals(True)
            spin.setValue(value)
            spin.blockSignals(False)
        self._defaults_source = key
        self._save_values()
        self.data_label.setToolTip(DEFAULTS_TIP if changes else "")
        return changes

    @staticmethod
    def defaults_note(changes: dict[str, int]) -> str:
        """A line saying which values ``use_source_defaults`` switched ("" if none)."""
        if not changes:
            return ""
        said = ", ".join(_SHORT[k].format(v=v) for k, v in changes.items())
        return f"\nDefaults: {said}"

    def set_values(self, values: dict) -> None:
        """Show ``values`` (``values()``'s keys, any subset) without emitting
        ``modelEdited``: a saved run's settings, or the network's after a change was
        declined. Values the controls cannot show are clamped or left as they are."""
        widgets = [self.model_combo, self.init_combo, self.optimizer_combo, self.lr_spin,
                   self.augment_combo, *self.spins.values()]
        for w in widgets:
            w.blockSignals(True)
        try:
            for key, value in values.items():
                if key in self.spins:
                    self.spins[key].setValue(int(value))
                elif key == "preset":
                    _select(self.model_combo, value)
                elif key == "init":
                    _select(self.init_combo, value)
                elif key == "optimizer":
                    _select(self.optimizer_combo, value)
                elif key == "augment":
                    _select(self.augment_combo, value)
                elif key == "lr":
                    self.lr_spin.setValue(float(value))
        finally:
            for w in widgets:
                w.blockSignals(False)
        self._update_rows()
        self._save_values()

    def set_training(self, training: bool, stopping: bool = False) -> None:
        """Lock what a run depends on while it trains; the button becomes Stop."""
        for w in (self.source_combo, self.model_combo, self.init_combo,
                  self.optimizer_combo, self.lr_spin, self.augment_combo, self.new_button,
                  self.load_button, *(self.spins[k] for k in self.spins if k != "threads")):
            w.setEnabled(not training)
        if stopping:
            self.train_button.setText("Stopping…")
            self.train_button.setEnabled(False)
        else:
            self.train_button.setText("Stop" if training else "Train")
            self.train_button.setEnabled(True)
        if not training:
            self._update_rows()

    def set_pending(self, pending: bool) -> None:
        """A Train click waits for the data: the button says so (pressing it cancels)."""
        if pending:
            self.train_button.setText("Loading… (press to cancel)")
            self.train_button.setToolTip("Training starts when the data is in.")
        else:
            self.train_button.setText("Train")
            self.train_button.setToolTip(TRAIN_TIP)

    def _update_rows(self) -> None:
        """Rows the chosen model does not use stay in place, disabled, so the column
        keeps its geometry (the Train button does not move) when the model changes."""
        preset = self.model_combo.currentData()
        used = {"filters": preset == "simple-cnn", "filter_size": preset == "simple-cnn",
                "hidden": preset != "deep-cnn"}
        for key, on in used.items():
            spin = self.spins[key]
            spin.setEnabled(on)
            label = self._model_form.labelForField(spin)
            if label is not None:
                label.setEnabled(on)
            spin.setToolTip(_SPINS[key][5] if on else
                            f"{_SPINS[key][5]} Not used by {MODELS[preset]}.")
        self.model_combo.setToolTip(MODEL_TIPS.get(preset, ""))

    # ------------------------------------------------------------------ reactions

    def _on_source_activated(self, _index: int) -> None:
        self.sourceChosen.emit(self.source_combo.currentData())

    def _on_model_changed(self, _index: int) -> None:
        self._update_rows()
        self._save_values()
        self.modelEdited.emit()

    def _on_arch_spin(self, _value: int) -> None:
        self._save_values()
        self.modelEdited.emit()

    def _on_threads(self, value: int) -> None:
        self._settings.setValue("mnist/threads", value)
        self.threadsChanged.emit(value)

    def _save_values(self, *_args) -> None:
        self._write_values(self._settings)

    # ------------------------------------------------------------------ settings

    def save_settings(self, settings: QSettings) -> None:
        """Write the chosen source and every value under ``mnist/`` keys."""
        self._write_values(settings)
        settings.setValue("mnist/source", self.source)

    def restore_settings(self, settings: QSettings) -> None:
        """Show the values ``save_settings`` wrote (missing or bad ones: the defaults);
        loading the source is the page's job."""
        # read before any widget changes: each change writes every value to our settings
        augment = settings.value("mnist/augment", "none")
        defaults_source = str(settings.value("mnist/defaults_source", "sample"))
        for key, (_, lo, hi, default, _, _) in _SPINS.items():
            self.spins[key].setValue(_int(settings.value(f"mnist/{key}", default),
                                          default, lo, hi))
        _select(self.model_combo, settings.value("mnist/model", "simple-cnn"))
        _select(self.init_combo, settings.value("mnist/init", DEFAULT_INIT))
        _select(self.optimizer_combo, settings.value("mnist/optimizer", "adam"))
        self.lr_spin.setValue(_float(settings.value("mnist/lr", 1e-3), 1e-3))
        _select(self.augment_combo, augment)
        self._defaults_source = defaults_source
        self._update_rows()
        self.modelEdited.emit()  # the combos were set silently

    def _write_values(self, s: QSettings) -> None:
        for key, spin in self.spins.items():
            s.setValue(f"mnist/{key}", spin.value())
        s.setValue("mnist/model", self.model_combo.currentData())
        s.setValue("mnist/init", self.init_combo.currentData())
        s.setValue("mnist/optimizer", self.optimizer_combo.currentData())
        s.setValue("mnist/lr", self.lr_spin.value())
        s.setValue("mnist/augment", self.augment_combo.currentData())
        s.setValue("mnist/defaults_source", self._defaults_source)


def _select(combo: QComboBox, key) -> None:
    i = combo.findData(key)
    if i >= 0:
        combo.blockSignals(True)
        combo.setCurrentIndex(i)
        combo.blockSignals(False)


def _int(value, default: int, lo: int, hi: int) -> int:
    try:
        return min(max(int(value), lo), hi)
    except (TypeError, ValueError):
        return default


def _float(value, default: float) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default

