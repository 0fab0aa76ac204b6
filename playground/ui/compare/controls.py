"""The Compare tab's controls: a book experiment or your own comparison (the data, the
setting to vary and its values), the epochs, and Run/Stop."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from playground.compare.experiments import BOOK_EXPERIMENTS, BookExperiment
from playground.compare.options import MAX_VALUES, VARY_CHOICES

#: the data a comparison of your own trains on: key -> (combo text, tooltip).
DATA_CHOICES = {
    "two-d": ("2-D page", "The 2-D page's current data set and network"),
    "mnist": ("MNIST sample", "The bundled MNIST sample (4,000 training and 1,000 test "
                              "images) with the MNIST page's network"),
}
CUSTOM = ""
TIP = Qt.ItemDataRole.ToolTipRole
DEFAULT_EPOCHS = 200


class CompareControls(QWidget):
    """See the module docstring. ``runClicked`` is Run/Stop (the button or Return in the
    values); ``presetChanged(key)`` says an experiment ("" for your own) was chosen."""

    runClicked = Signal()
    presetChanged = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preset_combo = combo = QComboBox()
        combo.setObjectName("comparePresetCombo")
        combo.addItem("Your own", CUSTOM)
        combo.setItemData(0, "Vary one setting of the network on the data you choose", TIP)
        for key, e in BOOK_EXPERIMENTS.items():
            combo.addItem(e.title, key)
            combo.setItemData(combo.count() - 1, e.look_for, TIP)
        combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(14)  # the titles are in full in the list
        combo.setToolTip("The experiments of \"Deep Learning from Scratch\", ch. 6, on the "
                         "MNIST sample, or a comparison of your own")
        combo.currentIndexChanged.connect(self._on_preset)
        self.data_combo = QComboBox()
        self.data_combo.setObjectName("compareDataCombo")
        for key, (text, tip) in DATA_CHOICES.items():
            self.data_combo.addItem(text, key)
            self.data_combo.setItemData(self.data_combo.count() - 1, tip, TIP)
        self.data_combo.setToolTip("What the runs train on")
        self.vary_combo = QComboBox()
        self.vary_combo.setObjectName("compareVaryCombo")
        self.vary_combo.addItems(list(VARY_CHOICES))
        self.vary_combo.setToolTip("The setting of the network to vary")
        self.values_edit = QLineEdit()
        self.values_edit.setObjectName("compareValuesEdit")
        self.values_edit.setToolTip(f"2 to {MAX_VALUES} values, separated by commas "
                                    "(a list of hidden sizes in brackets: [8, 8])")
        self.values_edit.setMinimumWidth(120)
        self._show_values(VARY_CHOICES[self.vary_combo.currentText()])
        self.vary_combo.currentTextChanged.connect(
            lambda key: self._show_values(VARY_CHOICES.get(key, "")))
        self.values_edit.returnPressed.connect(self.runClicked)
        self.epochs_spin = QSpinBox()
        self.epochs_spin.setObjectName("compareEpochsSpin")
        self.epochs_spin.setRange(1, 100_000)
        self.epochs_spin.setValue(DEFAULT_EPOCHS)
        self.epochs_spin.setToolTip("Epochs each run trains")
        self.run_button = QPushButton("Run")
        self.run_button.setObjectName("compareRunButton")
        self.run_button.setMinimumWidth(70)
        self.run_button.clicked.connect(self.runClicked)
        self.set_running(False)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        for label, widget, stretch in (
                ("Experiment", self.preset_combo, 0), ("Data", self.data_combo, 0),
                ("Vary", self.vary_combo, 0), ("Values", self.values_edit, 1),
                ("Epochs", self.epochs_spin, 0)):
            row.addWidget(QLabel(label))
            row.addWidget(widget, stretch)
        row.addWidget(self.run_button)
        self._custom = (self.vary_combo.currentText(), self.values_edit.text(),
                        DEFAULT_EPOCHS)
        self._data = "two-d"  # your own comparison's data while an experiment is shown

    # ------------------------------------------------------------------ values

    def _show_values(self, text: str) -> None:
        """Set the values from a list the tab chose, shown from their start (a narrow
        field otherwise shows the end of a long list)."""
        self.values_edit.setText(text)
        self.values_edit.setCursorPosition(0)

    @property
    def preset(self) -> BookExperiment | None:
        key = self.preset_combo.currentData()
        return BOOK_EXPERIMENTS.get(key) if key else None

    @property
    def data_source(self) -> str:
        return self.data_combo.currentData()

    def choose_preset(self, key: str) -> None:
        """Show experiment ``key`` ("" for your own comparison)."""
        i = self.preset_combo.findData(key)
        if i >= 0:
            self.preset_combo.setCurrentIndex(i)

    def set_running(self, running: bool) -> None:
        self.run_button.setText("Stop" if running else "Run")
        self.run_button.setToolTip("Stop the runs (Return)" if running else
                                   "Train every run, taking turns (Return in Values)")
        custom = self.preset is None
        self.preset_combo.setEnabled(not running)
        self.data_combo.setEnabled(custom and not running)
        self.vary_combo.setEnabled(custom and not running)
        self.values_edit.setReadOnly(not custom or running)
        self.epochs_spin.setEnabled(not running)

    def _on_preset(self, _index: int) -> None:
        e = self.preset
        if e is None:
            key, values, epochs = self._custom
            self.vary_combo.setCurrentText(key)
            self._show_values(values)
            self.epochs_spin.setValue(epochs)
            self.data_combo.setCurrentIndex(max(self.data_combo.findData(self._data), 0))
        else:
            if not self.values_edit.isReadOnly():  # leaving your own: keep it for later
                self._custom = (self.vary_combo.currentText(), self.values_edit.text(),
                                self.epochs_spin.value())
                self._data = self.data_source
            self._show_values(", ".join(e.labels))
            self.epochs_spin.setValue(e.epochs)
            self.data_combo.setCurrentIndex(self.data_combo.findData("mnist"))
        self.set_running(False)
        self.presetChanged.emit(e.key if e else CUSTOM)

    # ------------------------------------------------------------------ settings

    def save_settings(self, settings: QSettings) -> None:
        if self.preset is None:
            self._custom = (self.vary_combo.currentText(), self.values_edit.text(),
                            self.epochs_spin.value())
        key, values, epochs = self._custom
        settings.setValue("compare/key", key)
        settings.setValue("compare/values", values)
        settings.setValue("compare/epochs", epochs)
        settings.setValue("compare/data", self.data_source if self.preset is None
                          else self._data)
        settings.setValue("compare/preset", self.preset_combo.currentData())

    def restore_settings(self, settings: QSettings) -> None:
        key = str(settings.value("compare/key", ""))
        if key in VARY_CHOICES:
            self.vary_combo.setCurrentText(key)
            self._show_values(str(settings.value("compare/values", VARY_CHOICES[key])))
        try:
            self.epochs_spin.setValue(int(settings.value("compare/epochs", DEFAULT_EPOCHS)))
        except (TypeError, ValueError):
            pass
        i = self.data_combo.findData(str(settings.value("compare/data", "two-d")))
        self.data_combo.setCurrentIndex(max(i, 0))
        self._data = self.data_source
        self._custom = (self.vary_combo.currentText(), self.values_edit.text(),
                        self.epochs_spin.value())
        self.choose_preset(str(settings.value("compare/preset", CUSTOM)))
