"""The network graph with its column headers: +/- neurons, one activation per layer,
add/remove a layer, and a caption for the colours, dead units and what is not shown.

Edits leave as ``configEdited`` (the same ``RunConfig.with_changes`` dicts as the network
panel's), a typed weight as ``weightEdited(layer, row, col, value)``, and the unit the
decision plot should show as ``focusChanged((column, unit) or None)``: the hovered node,
or the one pinned by a click (click it again, or press Esc, to go back to the classes).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from playground.two_d.options import join_activations, layer_activations
from playground.ui.plots.network_graph import MAX_SHOWN, NetworkGraph, unit_name
from playground.ui.plots.unit_colors import SCALE_NOTE, SCALE_TIP
from playground.ui.two_d.network_panel import MAX_LAYERS, MAX_NEURONS
from playground.ui.widgets.elided_label import ElidedLabel

SHORT_NAMES = {"leaky-relu": "leaky", "sigmoid": "sigm."}


def _tool(text: str, name: str, tip: str) -> QToolButton:
    b = QToolButton()
    b.setText(text)
    b.setObjectName(name)
    b.setToolTip(tip)
    b.setAutoRaise(True)
    return b


class GraphPanel(QWidget):
    """See the module docstring."""

    configEdited = Signal(dict)
    weightEdited = Signal(int, int, int, float)
    focusChanged = Signal(object)

    def __init__(self, activations: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("networkGraphPanel")
        self._activations = list(activations)
        self._hidden: tuple[int, ...] = ()
        self._layer_acts: tuple[str, ...] = ()
        self._features: tuple[str, ...] = ()
        self._hover = self._pinned = None
        self.graph = NetworkGraph()
        self.header = QWidget()
        self.header.setObjectName("graphHeader")
        self._header_layout = QHBoxLayout(self.header)
        self._header_layout.setContentsMargins(0, 0, 0, 0)
        self._header_layout.setSpacing(0)
        # one line, ending in "…" where the panel is too narrow (the whole text is in
        # the tooltip)
        self.caption = ElidedLabel("")
        self.caption.setObjectName("graphCaption")
        self.caption.setStyleSheet("color: #555; font-size: 11px;")
        self.caption.setToolTip(SCALE_TIP)
        self.add_layer_button = _tool("+ layer", "graphAddLayerButton",
                                      f"Add a hidden layer (at most {MAX_LAYERS}).")
        self.remove_layer_button = _tool("− layer", "graphRemoveLayerButton",
                                         "Remove the last hidden layer.")
        self.add_layer_button.clicked.connect(lambda: self._change_layers(+1))
        self.remove_layer_button.clicked.connect(lambda: self._change_layers(-1))
        self.neuron_buttons: dict[tuple[int, int], QToolButton] = {}
        self.activation_combos: list[QComboBox] = []
        self.layer_labels: list[QLabel] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.header)
        layout.addWidget(self.graph, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.caption, 1)
        bottom.addWidget(self.remove_layer_button)
        bottom.addWidget(self.add_layer_button)
        layout.addLayout(bottom)
        self.graph.unitHovered.connect(self._on_hover)
        self.graph.unitPinned.connect(self._on_pin)
        self.graph.linkClicked.connect(self._edit_weight)
        self.graph.setToolTip(
            "Each square is one unit's output over the visible plane (the inputs on the "
            "left, the outputs on the right).\nHover a square to show it on the decision "
            "plot, click it to keep it there; hover a line to read its weight, click it "
            "to type a new one.\nLines: blue positive, orange negative, thicker = larger "
            "|weight|; the bar left of a square is its bias. A grey square with × is a "
            "dead ReLU unit (zero everywhere).")

    # ------------------------------------------------------------------ feeding

    def set_config(self, config: dict) -> None:
        """Headers for ``config`` (``RunConfig.to_dict()``)."""
        m = config["model"]
        hidden, feats = tuple(m["hidden"]), tuple(m["features"])
        acts = layer_activations(m)
        if (hidden, acts, feats) == (self._hidden, self._layer_acts, self._features):
            return
        rebuild = len(hidden) != len(self._hidden)
        self._hidden, self._layer_acts, self._features = hidden, acts, feats
        if rebuild or not self.layer_labels:
            self._build_header()
        for j, combo in enumerate(self.activation_combos):
            combo.blockSignals(True)
            combo.setCurrentIndex(max(0, combo.findData(acts[j])))
            combo.blockSignals(False)
        self._update_header()

    def set_grid(self, grid) -> None:
        """Feed the graph a ``NetworkGrid`` (None: no model)."""
        if grid is None:
            self.graph.clear_grid()
        else:
            self.graph.set_grid(grid)
        self._update_header()

    def unit_label(self, unit: tuple[int, int]) -> str:
        """What the decision plot says it shows for ``unit``."""
        column, i = unit
        if column == 0:
            name = self._features[i] if i < len(self._features) else unit_name(0, i)
            return f"showing input {name}"
        if column == len(self.graph.sizes) - 1:
            if self.unit_kind(unit) == "value":  # a regression network's one output
                return "showing the output (the predicted value)"
            return f"showing output {i + 1} (class {i} probability)"
        return f"showing neuron {unit_name(column, i)}"

    def unit_kind(self, unit: tuple[int, int]) -> str:
        kinds = self.graph.kinds
        return kinds[unit[0]] if unit[0] < len(kinds) else "output"

    def clear_pin(self) -> None:
        if self._pinned is not None:
            self._pinned = None
            self._emit_focus()

    @property
    def focus(self) -> tuple[int, int] | None:
        return self._pinned if self._pinned is not None else self._hover

    # ------------------------------------------------------------------ header

    def _build_header(self) -> None:
        lay = self._header_layout
        while lay.count():
            w = lay.takeAt(0).widget()
            if w is not None:
                w.hide()  # gone now, not at the next pass of the event loop
                w.deleteLater()
        self.neuron_buttons, self.activation_combos, self.layer_labels = {}, [], []
        lay.addWidget(self._column_box("Inputs", None), 1)
        for j in range(1, len(self._hidden) + 1):
            lay.addWidget(self._column_box(f"Layer {j}", j), 1)
        lay.addWidget(self._column_box("Output", None), 1)

    def _column_box(self, title: str, layer: int | None) -> QWidget:
        box = QWidget()
        v = QVBoxLayout(box)
        v.setContentsMargins(1, 0, 1, 0)
        v.setSpacing(0)
        label = QLabel(title)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setStyleSheet("font-size: 11px; color: #333;")
        self.layer_labels.append(label)
        if layer is None:
            v.addStretch(1)
            v.addWidget(label)
            return box
        row = QHBoxLayout()
        row.setSpacing(0)
        minus = _tool("−", f"graphRemoveNeuron:{layer}", f"One neuron less in layer {layer}.")
        plus = _tool("+", f"graphAddNeuron:{layer}",
                     f"One neuron more in layer {layer} (at most {MAX_NEURONS}).")
        minus.clicked.connect(lambda: self._change_neurons(layer, -1))
        plus.clicked.connect(lambda: self._change_neurons(layer, +1))
        self.neuron_buttons[(layer, -1)], self.neuron_buttons[(layer, +1)] = minus, plus
        row.addStretch(1)
        row.addWidget(minus)
        row.addWidget(label)
        row.addWidget(plus)
        row.addStretch(1)
        v.addLayout(row)
        combo = QComboBox()
        combo.setObjectName(f"graphActivation:{layer}")
        combo.setToolTip(f"Activation of layer {layer} (the network panel's Activation sets "
                         f"every layer).")
        for name in self._activations:
            combo.addItem(SHORT_NAMES.get(name, name), name)
        combo.setStyleSheet("font-size: 11px;")
        combo.setMaximumWidth(84)
        combo.currentIndexChanged.connect(lambda _i, j=layer: self._change_activation(j))
        self.activation_combos.append(combo)
        v.addWidget(combo, 0, Qt.AlignmentFlag.AlignHCenter)
        return box

    def _update_header(self) -> None:
        dead = self.graph.dead
        for j, label in enumerate(self.layer_labels):
            if j == 0 or j == len(self.layer_labels) - 1:
                continue
            n = self._hidden[j - 1] if j - 1 < len(self._hidden) else 0
            text = f"{n}"
            if j < len(dead) and dead[j].any():
                text += f" ({int(dead[j].sum())} dead)"
            label.setText(text)
            label.setToolTip(f"Layer {j}: {n} neurons" + (
                f", of which {int(dead[j].sum())} are dead (zero everywhere on the plane)"
                if j < len(dead) and dead[j].any() else ""))
        for (layer, delta), b in self.neuron_buttons.items():
            n = self._hidden[layer - 1] if layer - 1 < len(self._hidden) else 0
            b.setEnabled(1 <= n + delta <= MAX_NEURONS)
        self.add_layer_button.setEnabled(len(self._hidden) < MAX_LAYERS)
        self.remove_layer_button.setEnabled(len(self._hidden) > 0)
        cut = [j for j, n in enumerate(self.graph.sizes) if n > MAX_SHOWN]
        note = SCALE_NOTE
        if cut:
            note += (f" Wide layers show their first {MAX_SHOWN} units (+N are not drawn): "
                     + ", ".join(f"layer {j} has {self.graph.sizes[j]}" for j in cut) + ".")
        total_dead = sum(int(d.sum()) for d in dead)
        if total_dead:
            note += f" {total_dead} dead unit{'s' if total_dead > 1 else ''} (grey ×)."
        self.caption.setText(note)
        self.caption.setToolTip(note.replace(SCALE_NOTE, SCALE_TIP))

    # ------------------------------------------------------------------ edits

    def _change_neurons(self, layer: int, delta: int) -> None:
        sizes = list(self._hidden)
        n = sizes[layer - 1] + delta
        if 1 <= n <= MAX_NEURONS:
            sizes[layer - 1] = n
            self.configEdited.emit({"model": {"hidden": tuple(sizes)}})

    def _change_layers(self, delta: int) -> None:
        sizes, acts = list(self._hidden), list(self._layer_acts)
        if delta > 0 and len(sizes) < MAX_LAYERS:
            sizes.append(sizes[-1] if sizes else 4)
            acts.append(acts[-1] if acts else "tanh")
        elif delta < 0 and sizes:
            sizes.pop()
            acts.pop()
        else:
            return
        changes = {"hidden": tuple(sizes)}
        if acts:
            changes["activation"] = join_activations(acts)
        self.configEdited.emit({"model": changes})

    def _change_activation(self, layer: int) -> None:
        acts = [c.currentData() for c in self.activation_combos]
        if tuple(acts) != self._layer_acts:
            self.configEdited.emit({"model": {"activation": join_activations(acts)}})

    def _edit_weight(self, layer: int, row: int, col: int, weight: float) -> None:
        value, ok = QInputDialog.getDouble(
            self, "Edit weight", f"Weight from {unit_name(layer, row)} to "
            f"{unit_name(layer + 1, col)}:", weight, -100.0, 100.0, 4)
        if ok:
            self.weightEdited.emit(layer, row, col, float(value))

    # ------------------------------------------------------------------ focus

    def _on_hover(self, unit) -> None:
        self._hover = unit
        if self._pinned is None:
            self._emit_focus()

    def _on_pin(self, unit) -> None:
        self._pinned = None if unit == self._pinned else unit
        self._emit_focus()

    def _emit_focus(self) -> None:
        self.focusChanged.emit(self.focus)

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape and self._pinned is not None:
            self.clear_pin()
            return
        super().keyPressEvent(event)
