"""``FilterPanel``: the MNIST page's filter view: any conv layer's filters (or an MLP's
first-layer weight images) as the weights now, at the start, their change since the
start or the last training step's gradient, in their order or most changed first."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from playground.ui.mnist.tiles import fit_columns
from playground.ui.plots.filters import FilterGrid

#: the view's modes: the payload key each one shows.
MODES = {"initial": "initial", "learned": "filters", "change": "change",
         "gradient": "gradient"}
SORTS = (("Order", "order"), ("Most changed first", "changed"))
#: how many input channels a deeper filter's tile shows (``layer_views.MAX_CHANNELS``).
TILE_CHANNELS = 8
LAYER_TIP = (
    "Which layer's filters to show. The first convolution's filters are drawn as "
    "images. A deeper layer's filter has one kernel per input channel: its tile shows "
    f"the kernels of its first {TILE_CHANNELS} input channels, in two rows of four "
    "(channels 1–4 on top). For an MLP: each hidden unit's weights from every pixel, "
    "as an image.")
SORT_TIP = ("Order: filter 1 first. Most changed first: sorted by ||W − W0||, how far "
            "each filter's weights (all its input channels) have moved since the start, "
            "so the filters that learned most come first in every view.")
CHANGE_TIP = ("W − W0: how each weight moved since the run started (grey = not at "
              "all). Learned edges stand out even when the random start is noisy.")
GRADIENT_TIP = ("The weight gradient ∂loss/∂W of the last training step (one "
                "mini-batch), updated live while training. The step moves each weight "
                "against it.")


def _hint(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setStyleSheet("color: #666;")
    label.setWordWrap(True)
    return label


class FilterPanel(QWidget):
    """Shows ``layer_views.filter_view`` payloads (``set_view``) and emits
    ``layerChosen(index)`` when the user picks another layer; the tiles of every mode
    come with each payload, so switching the mode or the order needs no new one."""

    layerChosen = Signal(int)   # a ``filter_layers`` index

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._view: dict | None = None
        self._mode = "learned"
        self.grid = FilterGrid("filterView", symmetric=True, per_tile=True)

        self.layer_combo = QComboBox()
        self.layer_combo.setObjectName("mnistLayerCombo")
        self.layer_combo.setToolTip(LAYER_TIP)
        self.layer_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.layer_combo.setMinimumContentsLength(12)
        self.layer_combo.currentIndexChanged.connect(self._on_layer)
        self.sort_combo = QComboBox()
        self.sort_combo.setObjectName("mnistSortCombo")
        for text, key in SORTS:
            self.sort_combo.addItem(text, key)
        self.sort_combo.setToolTip(SORT_TIP)
        self.sort_combo.currentIndexChanged.connect(lambda _i: self._show())

        self.initial_button = self._mode_button("Initial", "filterInitialButton", "initial",
                                                "The filters the run started from.")
        self.learned_button = self._mode_button("Learned", "filterLearnedButton", "learned",
                                                "The filters as they are now (updated "
                                                "live).")
        self.change_button = self._mode_button("Change since start", "mnistChangeToggle",
                                               "change", CHANGE_TIP)
        self.gradient_button = self._mode_button("Gradient", "mnistGradientToggle",
                                                 "gradient", GRADIENT_TIP)
        self._buttons = {"initial": self.initial_button, "learned": self.learned_button,
                         "change": self.change_button, "gradient": self.gradient_button}
        self._sync_buttons()

        self.scale_check = QCheckBox("One scale for all")
        self.scale_check.setObjectName("filterScaleCheck")
        self.scale_check.setToolTip("Off: each filter uses the whole grey range (its own "
                                    "scale, still centred on 0). On: one scale for all, "
                                    "so strong and weak filters can be compared.")
        self.scale_check.toggled.connect(self._on_scale)
        self.title = QLabel("<b>Filters</b>")
        self.hint = _hint()
        # Two lines, always: a longer or shorter hint never moves the filters.
        self.hint.setFixedHeight(2 * self.hint.fontMetrics().lineSpacing())
        self.hint.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self._layout()

    def _mode_button(self, text: str, name: str, mode: str, tip: str) -> QPushButton:
        b = QPushButton(text)
        b.setObjectName(name)
        b.setCheckable(True)
        b.setAutoDefault(False)
        b.setToolTip(tip)
        b.setMinimumWidth(b.fontMetrics().horizontalAdvance(text) + 16)
        b.clicked.connect(lambda checked, m=mode: self._on_mode_clicked(m, checked))
        return b

    def _layout(self) -> None:
        head = QHBoxLayout()
        head.addWidget(self.title)
        head.addWidget(self.layer_combo, 1)
        head.addWidget(self.sort_combo)
        modes = QHBoxLayout()
        modes.setSpacing(2)
        for b in self._buttons.values():
            modes.addWidget(b)
        modes.addStretch(1)
        foot = QHBoxLayout()
        foot.addWidget(self.hint, 1)
        foot.addWidget(self.scale_check, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(head)
        layout.addLayout(modes)
        layout.addWidget(self.grid, 1)
        layout.addLayout(foot)

    # ------------------------------------------------------------------ state

    @property
    def mode(self) -> str:
        """"initial", "learned", "change" (W - W0) or "gradient"."""
        return self._mode

    @property
    def sort(self) -> str:
        """"order" or "changed" (most changed first)."""
        return self.sort_combo.currentData()

    @property
    def layer(self) -> int:
        """The layer chosen (an index into the model's layers; -1 before a model)."""
        data = self.layer_combo.currentData()
        return -1 if data is None else int(data)

    @property
    def view(self) -> dict | None:
        """The payload shown (None before a model or for one without filters)."""
        return self._view

    def shown_tiles(self) -> np.ndarray | None:
        """The tiles shown, in the order shown (n, h, w), or None."""
        v = self._view
        if v is None:
            return None
        tiles = v[MODES[self._mode]]
        return tiles[v["order"]] if self.sort == "changed" else tiles

    # ------------------------------------------------------------------ feeding

    def set_mode(self, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown filter mode {mode!r}; choose one of {', '.join(MODES)}")
        self._mode = mode
        self._sync_buttons()
        self._show()

    def set_model(self, layers: list[dict], view: dict | None) -> None:
        """A new model: ``layers`` (``layer_views.filter_layers``) fill the layer combo,
        ``view`` (the layer the worker shows, or None) is shown."""
        combo = self.layer_combo
        combo.blockSignals(True)
        combo.clear()
        for entry in layers:
            combo.addItem(entry["label"], entry["index"])
        if not layers:
            combo.addItem("No image-shaped weights")
        if view is not None:
            combo.setCurrentIndex(max(combo.findData(view["layer"]), 0))
        combo.blockSignals(False)
        combo.setEnabled(len(layers) > 1)
        self._view = view
        self._show()

    def set_view(self, view: dict) -> None:
        """New tiles from the worker; those of a layer no longer chosen are dropped."""
        if view["layer"] == self.layer:
            self._view = view
            self._show()

    # ------------------------------------------------------------------ reactions

    def _on_layer(self, _index: int) -> None:
        if self.layer >= 0:
            self.layerChosen.emit(self.layer)

    def _on_mode_clicked(self, mode: str, checked: bool) -> None:
        # One mode at a time; turning a toggle off goes back to the weights now.
        self.set_mode(mode if checked or mode == "learned" else "learned")

    def _sync_buttons(self) -> None:
        for m, b in self._buttons.items():
            b.setChecked(m == self._mode)

    def _on_scale(self, on: bool) -> None:
        self.grid.set_per_tile(not on)
        self._show()

    def _show(self) -> None:
        v, tiles = self._view, self.shown_tiles()
        if v is None or tiles is None or len(tiles) == 0:
            self.grid.clear_tiles()
            self.title.setText("<b>Filters</b>")
            self.hint.setText("This model's first layer has no image-shaped weights."
                              if v is None and self.layer_combo.count() else "")
            return
        n, h, w = tiles.shape
        g = self.grid
        # a deeper filter's kernels 1 pixel apart (see layer_views), the filters 3
        gap = 3 if v["channels"] > 1 else None
        cols = None
        if h != w and g.width() > 50 and g.height() > 50:
            cols = fit_columns(n, h, w, g.width(), g.height(), gap or 1)
        g.set_tiles(tiles, cols=cols, gap=gap)
        self.title.setText("<b>Weights</b>" if v["kind"] == "dense" else "<b>Filters</b>")
        text = self._hint_text(v)
        self.hint.setText(text)
        self.hint.setToolTip(text)

    def _hint_text(self, v: dict) -> str:
        """One or two short lines: what a tile is and what its greys mean."""
        mode = self._mode
        if mode == "change":
            if not np.any(v["change_norms"] > 0):
                return "W − W0: nothing has changed yet (all grey)."
            return "W − W0: grey = unchanged, lighter = grew, darker = shrank."
        if mode == "gradient":
            return ("The last step's gradient: grey = 0, lighter = positive." if v["steps"]
                    else "No training step yet: the gradient is zero.")
        if mode == "initial":
            return "The start: grey = 0, darker = negative, lighter = positive."
        if v["kind"] == "dense":
            return "Each tile: one unit's weights from every pixel. Grey = 0."
        if v["channels"] > 1:
            return (f"Each tile: input channels 1–{v['channels']} of {v['in_channels']}. "
                    "Grey = 0, lighter = positive.")
        return "Grey = 0, darker = negative, lighter = positive weights."
