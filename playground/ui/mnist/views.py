"""``MnistViews``: the right side of the MNIST page: filters, curves and the tabs with the
drawing pad, the confusion matrix with the misclassified digits, and feature maps."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from playground.ui.mnist.filter_panel import FilterPanel
from playground.ui.mnist.tiles import fit_columns
from playground.ui.plots.confusion import ConfusionMatrixPlot
from playground.ui.plots.filters import FilterGrid
from playground.ui.plots.probabilities import ProbabilityBars
from playground.ui.plots.step_curves import StepCurves
from playground.ui.widgets.drawing_pad import DrawingPad
from playground.ui.widgets.image_gallery import ImageGallery

WRONG_COLOR = "#c0392b"
#: the one order in which a digit's two classes are shown (captions read "3→5").
TRUE_PREDICTED = "true → predicted"
MISTAKES_PLACEHOLDER = "Train to see the misclassified test digits."
CONFUSION_HINT = "Test split: train or load a model to measure it."


def _title(text: str) -> QLabel:
    label = QLabel(f"<b>{text}</b>")
    label.setTextFormat(Qt.TextFormat.RichText)
    return label


def _hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet("color: #666;")
    label.setWordWrap(True)
    return label


class MnistViews(QWidget):
    """Views only: they are fed copies by the page and emit what the user asks for."""

    featureMapsRequested = Signal(int)   # a test-image index
    drawingChanged = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.class_names = [str(i) for i in range(10)]
        self._trained = False   # the model has learned something (else: fresh weights)

        # filters
        self.filter_panel = FilterPanel()
        self.filter_grid = self.filter_panel.grid
        self.initial_button = self.filter_panel.initial_button
        self.learned_button = self.filter_panel.learned_button
        self.scale_check = self.filter_panel.scale_check

        # curves
        self.curves = StepCurves()
        curves = QWidget()
        cl = QVBoxLayout(curves)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.addWidget(_title("Loss and accuracy"))
        cl.addWidget(self.curves, 1)

        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(self.filter_panel)
        top.addWidget(curves)
        top.setStretchFactor(0, 1)
        top.setStretchFactor(1, 1)
        top.setSizes([500, 420])
        top.setChildrenCollapsible(False)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("mnistViewTabs")
        self.tabs.addTab(self._build_draw_tab(), "Draw a digit")
        self.tabs.addTab(self._build_confusion_tab(), "Confusion matrix && mistakes")
        self.tabs.addTab(self._build_maps_tab(), "Feature maps")
        self.tabs.currentChanged.connect(self._on_tab)

        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(self.tabs)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        split.setSizes([440, 330])
        split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)

    # ------------------------------------------------------------------ tabs

    def _build_draw_tab(self) -> QWidget:
        self.pad = DrawingPad()
        self.pad.drawingChanged.connect(self.drawingChanged)
        clear = QPushButton("Clear")
        clear.setObjectName("drawingClearButton")
        clear.setAutoDefault(False)
        clear.clicked.connect(self.pad.clear)
        pad_col = QVBoxLayout()
        pad_col.addWidget(self.pad, 1)
        pad_col.addWidget(clear)
        self.bars = ProbabilityBars()
        self.drawing_input = ImageGallery("drawingInputView", rows=1, max_tile=84)
        self.drawing_input.setFixedWidth(110)
        self.prediction_label = QLabel("")
        self.prediction_label.setObjectName("drawingPredictionLabel")
        self.prediction_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.prediction_label.setWordWrap(True)
        side = QVBoxLayout()
        side.addWidget(_hint("What the network sees (centred and scaled as MNIST "
                             "digits are):"))
        side.addWidget(self.drawing_input, 1)
        side.addWidget(self.prediction_label)
        side_w = QWidget()
        side_w.setLayout(side)
        side_w.setFixedWidth(130)
        tab = QWidget()
        row = QHBoxLayout(tab)
        row.addLayout(pad_col, 2)
        row.addWidget(side_w)
        row.addWidget(self.bars, 3)
        return tab

    def _build_confusion_tab(self) -> QWidget:
        self.confusion = ConfusionMatrixPlot()
        self.mistakes = ImageGallery("misclassifiedView", rows=0, max_tile=48)
        self.mistakes.set_placeholder(MISTAKES_PLACEHOLDER)
        self.mistakes.tileClicked.connect(self._on_mistake_clicked)
        self.mistakes.setToolTip("True → predicted class; click a digit for its feature maps.")
        self.confusion_hint = _hint(CONFUSION_HINT)
        right = QVBoxLayout()
        right.addWidget(_title(f"Most confident mistakes ({TRUE_PREDICTED})"))
        right.addWidget(self.mistakes, 1)
        left = QVBoxLayout()
        left.addWidget(self.confusion, 1)
        left.addWidget(self.confusion_hint)
        tab = QWidget()
        row = QHBoxLayout(tab)
        row.addLayout(left, 2)
        row.addLayout(right, 3)
        self._mistake_index = np.zeros(0, np.int64)
        return tab

    def _build_maps_tab(self) -> QWidget:
        self.map_spin = QSpinBox()
        self.map_spin.setObjectName("featureMapIndexSpin")
        self.map_spin.setRange(0, 0)
        self.map_spin.setKeyboardTracking(False)
        self.map_spin.valueChanged.connect(self.featureMapsRequested)
        random_button = QPushButton("Random")
        random_button.setAutoDefault(False)
        random_button.clicked.connect(self._random_digit)
        self.map_input = ImageGallery("featureMapInput", rows=1, max_tile=96)
        self.map_input.setToolTip("The test digit: true → predicted class.")
        self.map_order = _hint(TRUE_PREDICTED)
        self.map_order.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.map_grid = FilterGrid("featureMapView", symmetric=False)
        self.map_layer_combo = QComboBox()
        self.map_layer_combo.setObjectName("featureMapLayerCombo")
        self.map_layer_combo.setToolTip(
            "Whose outputs to show: any layer of the network (convolution, activation, "
            "pooling, dense) for the chosen test digit.")
        self.map_layer_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.map_layer_combo.setMinimumContentsLength(8)
        self.map_layer_combo.currentIndexChanged.connect(
            lambda _i: self.featureMapsRequested.emit(self.map_spin.value()))
        picker = QHBoxLayout()
        picker.addWidget(QLabel("Test image"))
        picker.addWidget(self.map_spin, 1)
        left = QVBoxLayout()
        left.addWidget(QLabel("Layer"))
        left.addWidget(self.map_layer_combo)
        left.addLayout(picker)
        left.addWidget(random_button)
        # the digit at its largest, its caption, and right under it what the caption says
        self.map_input.setFixedHeight(96 + self.map_input.fontMetrics().height() + 12)
        left.addWidget(self.map_input)
        left.addWidget(self.map_order)
        left.addStretch(1)
        left_w = QWidget()
        left_w.setLayout(left)
        left_w.setFixedWidth(190)  # the layer combo reads "10: max-pool · 32×8×8"
        self.map_hint = _hint("")
        right = QVBoxLayout()
        right.addWidget(self.map_hint)
        right.addWidget(self.map_grid, 1)
        tab = QWidget()
        row = QHBoxLayout(tab)
        row.addWidget(left_w)
        row.addLayout(right, 1)
        self._rng = np.random.default_rng()
        return tab

    # ------------------------------------------------------------------ feeding

    @property
    def filter_mode(self) -> str:
        """"initial", "learned", "change" or "gradient" (``FilterPanel.mode``)."""
        return self.filter_panel.mode

    def set_filter_mode(self, mode: str) -> None:
        self.filter_panel.set_mode(mode)

    def set_data(self, n_test: int, class_names: list[str]) -> None:
        self.class_names = list(class_names)
        self.bars.set_class_names(self.class_names)
        self.map_spin.setRange(0, max(n_test - 1, 0))
        self.clear_results()

    def clear_results(self) -> None:
        """Forget what a previous run or model showed (a new run, model or data): every
        view shows nothing until the current model gives it something."""
        self.curves.clear()
        k = len(self.class_names)
        self.confusion.set_matrix(np.zeros((k, k), np.int64), self.class_names)
        self.confusion_hint.setText(CONFUSION_HINT)
        self.mistakes.set_images(np.zeros((0, 1, 1)), [])
        self.mistakes.set_placeholder(MISTAKES_PLACEHOLDER)
        self._mistake_index = np.zeros(0, np.int64)
        self.bars.set_probabilities(None)
        self.drawing_input.set_images(np.zeros((0, 1, 1)), [])
        self.prediction_label.setText("")
        self.map_input.set_images(np.zeros((0, 1, 1)), [])
        self.map_grid.clear_tiles()
        self.map_hint.setText("")
        self._trained = False

    def set_trained(self, trained: bool) -> None:
        """Whether the model has learned anything yet (a drawing's guess says so)."""
        self._trained = bool(trained)

    def set_model(self, payload: dict) -> None:
        """A new model (the worker's ``modelReady`` payload): its filter layers and the
        layers whose outputs the feature maps offer; its weights now are the start."""
        self.filter_panel.set_model(payload["filter_layers"], payload["view"])
        self.set_map_layers(payload["map_layers"], payload["map_layer"])

    def set_filters(self, payload: dict) -> None:
        """The worker's ``filtersReady`` payload: the shown layer's tiles now."""
        self.filter_panel.set_view(payload)

    @property
    def map_layer(self) -> int:
        """The layer whose outputs the feature maps show (-1: the model's default)."""
        data = self.map_layer_combo.currentData()
        return -1 if data is None else int(data)

    def set_map_layers(self, layers: list[dict], default: int) -> None:
        """The layers a model offers (``layer_views.map_layers``); the one chosen stays
        if the new model has the same layers, else ``default`` is chosen."""
        combo = self.map_layer_combo
        same = [combo.itemText(i) for i in range(combo.count())] == [
            e["label"] for e in layers]
        if same:
            return
        combo.blockSignals(True)
        combo.clear()
        for entry in layers:
            combo.addItem(entry["label"], entry["index"])
        combo.setCurrentIndex(max(combo.findData(default), 0))
        combo.blockSignals(False)

    def set_evaluation(self, payload: dict) -> None:
        self.confusion.set_matrix(payload["confusion"], self.class_names)
        m = payload["mistakes"]
        names = self.class_names
        captions = [f"{_short(names[t])}→{_short(names[p])}"
                    for t, p in zip(m["true"], m["predicted"])]
        self.mistakes.set_images(m["images"], captions, [WRONG_COLOR] * len(captions))
        if not len(captions):
            self.mistakes.set_placeholder("No mistakes on the test split.")
        self._mistake_index = np.asarray(m["index"])
        acc = payload.get("test_acc")
        n = int(np.asarray(payload["confusion"]).sum())
        when = (f"epoch {payload['epoch']}" if payload.get("epoch") is not None
                else "loaded model")
        self.confusion_hint.setText(
            f"Test split: {n:,} images, {when}"
            + (f", accuracy {100 * acc:.1f} %." if acc is not None else "."))

    def set_feature_maps(self, payload: dict) -> None:
        """The worker's ``featureMapsReady`` payload; one of a layer no longer chosen
        is dropped."""
        if self.map_layer >= 0 and payload["layer"] != self.map_layer:
            return
        names = self.class_names
        truth, pred = names[payload["label"]], names[payload["predicted"]]
        color = "#222222" if truth == pred else WRONG_COLOR
        self.map_input.set_images(payload["image"][None],
                                  [f"{_short(truth)}→{_short(pred)}"], [color])
        maps = payload["maps"]
        g = self.map_grid
        g.symmetric = bool(np.nanmin(maps) < 0) if maps.size else False
        scale = ("grey = 0, white = positive, black = negative" if g.symmetric
                 else "black = 0, white = strong")
        name = self.map_layer_combo.currentText().split(" · ")[0].split(": ", 1)[-1]
        name = f"layer {payload['layer'] + 1} ({name})" if name else "the layer"
        if payload["kind"] == "conv":
            g.set_tiles(maps, cols=fit_columns(len(maps), *maps.shape[1:],
                                               g.width(), g.height()))
            self.map_hint.setText(f"{len(maps)} output maps of {name}, "
                                  f"{maps.shape[1]}×{maps.shape[2]} each: {scale}.")
        else:
            g.set_tiles(maps[:, None, None])
            self.map_hint.setText(f"The {len(maps)} outputs of {name}, one square "
                                  f"each: {scale}.")
        if self.map_spin.value() != payload["index"]:
            self.map_spin.blockSignals(True)
            self.map_spin.setValue(payload["index"])
            self.map_spin.blockSignals(False)

    def set_drawing_result(self, payload: dict) -> None:
        probs = payload["probs"]
        self.bars.set_probabilities(probs)
        if self.pad.is_blank():
            self.drawing_input.set_images(np.zeros((0, 1, 1)), [])
            self.prediction_label.setText("")
            return
        self.drawing_input.set_images(payload["input"][None], [""])
        if probs is None:
            self.prediction_label.setText("No model yet.")
        elif not self._trained:
            best = int(np.argmax(probs))
            self.prediction_label.setText(
                "<span style='color:#666'>Untrained network: a random guess "
                f"({self.class_names[best]}, {100 * probs[best]:.0f} %)</span>")
        else:
            best = int(np.argmax(probs))
            self.prediction_label.setText(
                f"<span style='font-size:20pt'><b>{self.class_names[best]}</b></span>"
                f"<br>{100 * probs[best]:.0f} % sure")

    # ------------------------------------------------------------------ reactions

    def _on_mistake_clicked(self, i: int) -> None:
        if i < len(self._mistake_index):
            self.map_spin.setValue(int(self._mistake_index[i]))
            self.tabs.setCurrentIndex(2)
            self.featureMapsRequested.emit(int(self._mistake_index[i]))

    def _random_digit(self) -> None:
        self.map_spin.setValue(int(self._rng.integers(0, self.map_spin.maximum() + 1)))

    def _on_tab(self, index: int) -> None:
        if index == 2:
            self.featureMapsRequested.emit(self.map_spin.value())


def _short(name: str) -> str:
    return name if len(name) <= 7 else name[:6] + "…"
