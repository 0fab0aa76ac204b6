"""The values of the MNIST page's controls as a mixin of ``MnistControls``: the spin
boxes' table, reading and showing the values (``make_config``'s keyword arguments),
switching to a data set's defaults, and saving and restoring them in ``QSettings``."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QLabel, QSpinBox

from playground.mnist.sources import PAGE_DEFAULTS, switched_defaults

#: He: these are ReLU networks (what ``init: auto`` gives them in the engine); σ = 0.01
#: leaves DeepConvNet at chance, and W - W0 shows the learned edges under He's noise.
DEFAULT_INIT = "he"
DEFAULTS_TIP = ("Values still at the previous data's defaults were set to this data "
                "set's; values you had changed were kept.")
SPIN_FIELDS = {  # key -> (label, minimum, maximum, default, step, tooltip)
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


class ControlValuesMixin:
    """Plain methods of ``MnistControls`` (no signals or slots here): they read and set
    the widgets it builds and its ``source``, call its ``_update_rows`` and emit its
    ``modelEdited``."""

    _settings: QSettings
    _defaults_source: str
    spins: dict[str, QSpinBox]
    model_combo: QComboBox
    init_combo: QComboBox
    optimizer_combo: QComboBox
    augment_combo: QComboBox
    lr_spin: QDoubleSpinBox
    data_label: QLabel

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
                    select_data(self.model_combo, value)
                elif key == "init":
                    select_data(self.init_combo, value)
                elif key == "optimizer":
                    select_data(self.optimizer_combo, value)
                elif key == "augment":
                    select_data(self.augment_combo, value)
                elif key == "lr":
                    self.lr_spin.setValue(float(value))
        finally:
            for w in widgets:
                w.blockSignals(False)
        self._update_rows()
        self._save_values()

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
        for key, (_, lo, hi, default, _, _) in SPIN_FIELDS.items():
            self.spins[key].setValue(setting_int(settings.value(f"mnist/{key}", default),
                                                 default, lo, hi))
        select_data(self.model_combo, settings.value("mnist/model", "simple-cnn"))
        select_data(self.init_combo, settings.value("mnist/init", DEFAULT_INIT))
        select_data(self.optimizer_combo, settings.value("mnist/optimizer", "adam"))
        self.lr_spin.setValue(setting_float(settings.value("mnist/lr", 1e-3), 1e-3))
        select_data(self.augment_combo, augment)
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


def select_data(combo: QComboBox, key) -> None:
    """Choose the item whose data is ``key``, silently (unknown keys: no change)."""
    i = combo.findData(key)
    if i >= 0:
        combo.blockSignals(True)
        combo.setCurrentIndex(i)
        combo.blockSignals(False)


def setting_int(value, default: int, lo: int, hi: int) -> int:
    """A stored setting as an int clamped to ``lo..hi`` (unreadable: ``default``)."""
    try:
        return min(max(int(value), lo), hi)
    except (TypeError, ValueError):
        return default


def setting_float(value, default: float) -> float:
    """A stored setting as a float (unreadable: ``default``)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return default
