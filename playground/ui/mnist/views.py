"""``MnistViews``: the right side of the MNIST page: filters, curves and the tabs with the
drawing pad, the confusion matrix with the misclassified digits, and feature maps."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

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
        self._initial: np.ndarray | None = None
        self._learned: np.ndarray | None = None
        self._kind = "conv"
        self._trained = False   # the model has learned something (else: fresh weights)

        # filters
        self.filter_grid = FilterGrid("filterView", symmetric=True, per_tile=True)
        self.scale_check = QCheckBox("One scale for all")
        self.scale_check.setObjectName("filterScaleCheck")
        self.scale_check.setToolTip("Off: each filter uses the whole grey range (its own "
                                    "scale, still centred on 0). On: one scale for all, "
                                    "so strong and weak filters can be compared.")
        self.scale_check.toggled.connect(self._on_scale)
        self.filter_title = _title("First-layer filters")
        # Its text changes with the model; it must not resize the panes when it does:
        # its size hint is ignored, and its one minimum width fits the longest text.
        self.filter_title.setSizePolicy(QSizePolicy.Policy.Ignored,
                                        QSizePolicy.Policy.Preferred)
        bold = self.filter_title.font()
        bold.setBold(True)
        self.filter_title.setMinimumWidth(QFontMetrics(bold).horizontalAdvance(
            "First-layer filters · 64 × 9×9") + 4)
        self.initial_button = QPushButton("Initial")
        self.initial_button.setObjectName("filterInitialButton")
        self.learned_button = QPushButton("Learned")
        self.learned_button.setObjectName("filterLearnedButton")
        self._mode = QButtonGroup(self)
        for i, b in enumerate((self.initial_button, self.learned_button)):
            b.setCheckable(True)
            b.setAutoDefault(False)
            self._mode.addButton(b, i)
        self.learned_button.setChecked(True)
        self.initial_button.setToolTip("The random filters the run started from.")
        self.learned_button.setToolTip("The filters as they are now (updated live).")
        self._mode.idClicked.connect(lambda _id: self._show_filters())
        head = QHBoxLayout()
        head.addWidget(self.filter_title, 1)  # what is left of the row, clipped if short
        head.addWidget(self.scale_check)
        head.addSpacing(8)
        head.addWidget(self.initial_button)
        head.addWidget(self.learned_button)
        filters = QWidget()
        fl = QVBoxLayout(filters)
        fl.setContentsMargins(0, 0, 0, 0)
        fl.addLayout(head)
        fl.addWidget(self.filter_grid, 1)
        self.filter_hint = _hint("")
        # Two lines kept for it, so a longer hint does not shrink the filters.
        self.filter_hint.setMinimumHeight(2 * self.filter_hint.fontMetrics().lineSpacing())
        self.filter_hint.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        fl.addWidget(self.filter_hint)

        # curves
        self.curves = StepCurves()
        curves = QWidget()
        cl = QVBoxLayout(curves)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.addWidget(_title("Loss and accuracy"))
        cl.addWidget(self.curves, 1)

        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(filters)
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
        picker = QHBoxLayout()
        picker.addWidget(QLabel("Test image"))
        picker.addWidget(self.map_spin, 1)
        left = QVBoxLayout()
        left.addLayout(picker)
        left.addWidget(random_button)
        # the digit at its largest, its caption, and right under it what the caption says
        self.map_input.setFixedHeight(96 + self.map_input.fontMetrics().height() + 12)
        left.addWidget(self.map_input)
        left.addWidget(self.map_order)
        left.addStretch(1)
        left_w = QWidget()
        left_w.setLayout(left)
        left_w.setFixedWidth(170)
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
        return "initial" if self.initial_button.isChecked() else "learned"

    def set_filter_mode(self, mode: str) -> None:
        (self.initial_button if mode == "initial" else self.learned_button).setChecked(True)
        self._show_filters()

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

    def set_model(self, kind: str, initial: np.ndarray) -> None:
        """A new model: its first-layer weights now are the run's initial filters."""
        self._kind = kind
        self._initial = np.array(initial, dtype=np.float32)
        self._learned = self._initial
        n = len(initial)
        if kind == "conv":
            h, w = initial.shape[1:]
            self.filter_title.setText(f"<b>First-layer filters</b> · {n} × {h}×{w}")
            self.filter_hint.setText("Grey = 0, darker = negative, lighter = positive "
                                     "weights.")
        elif kind == "dense":
            self.filter_title.setText(f"<b>First-layer weights</b> · {n} units")
            self.filter_hint.setText("Each tile: the weights from every pixel to one "
                                     "hidden unit, as an image. Grey = 0.")
        else:
            self.filter_title.setText("<b>First-layer filters</b>")
            self.filter_hint.setText("This model's first layer has no image-shaped weights.")
        self._show_filters()

    def _on_scale(self, on: bool) -> None:
        self.filter_grid.set_per_tile(not on)
        self._show_filters()

    def set_filters(self, filters: np.ndarray) -> None:
        self._learned = np.array(filters, dtype=np.float32)
        if self.filter_mode == "learned":
            self._show_filters()

    def _show_filters(self) -> None:
        tiles = self._initial if self.filter_mode == "initial" else self._learned
        if tiles is None or len(tiles) == 0:
            self.filter_grid.clear_tiles()
        else:
            self.filter_grid.set_tiles(tiles)

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
        names = self.class_names
        truth, pred = names[payload["label"]], names[payload["predicted"]]
        color = "#222222" if truth == pred else WRONG_COLOR
        self.map_input.set_images(payload["image"][None],
                                  [f"{_short(truth)}→{_short(pred)}"], [color])
        maps = payload["maps"]
        if payload["kind"] == "conv":
            g = self.map_grid
            self.map_grid.set_tiles(maps, cols=fit_columns(len(maps), *maps.shape[1:],
                                                           g.width(), g.height()))
            self.map_hint.setText(f"{len(maps)} activation maps of the first layer "
                                  f"(after ReLU), {maps.shape[1]}×{maps.shape[2]} each: "
                                  "white = strong response.")
        else:
            self.map_grid.set_tiles(maps[:, None, None])
            self.map_hint.setText(f"Activations of the {len(maps)} first-layer hidden "
                                  "units (an MLP has no maps): white = strong.")
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
