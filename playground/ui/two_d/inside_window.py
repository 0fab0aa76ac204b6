"""``InsideWindow``: a page's non-modal "Inside the network" window (the 2-D page's,
and without the layer view the MNIST page's).

Tabs (``insideTabs``): the per-layer histograms of activations and gradients with the
gradient norm per layer over time, and the layer view (the data and a grid of the input
plane in the space of two units of a hidden layer). A gradient check of the current
network sits on the top row. ``add_tab`` takes further views.

The training worker computes the statistics only while this window is shown, and the
layer view only while its tab is current; both arrive a few times a second while
training (``playground.two_d.inside``) and are drawn at most every ``DRAW_MS``.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from playground.two_d.gradient_check import GradientCheck
from playground.ui.plots.layer_histograms import GradientNormPlot, LayerHistograms
from playground.ui.plots.layer_view import LayerViewPlot
from playground.ui.two_d.gradient_check_dialog import GradientCheckDialog

#: payloads are drawn at most this often (the worker sends at most four a second while
#: training, but one per edit while paused).
DRAW_MS = 100
HISTOGRAMS_TAB = "Histograms"
LAYER_VIEW_TAB = "Layer view"


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("font-weight: bold; color: #333;")
    return label


class InsideWindow(QDialog):
    """``insideWindow``: see the module docstring. ``controller`` is the 2-D page's
    ``PlaygroundController``; the window talks to its run only through commands.

    Another page passes ``run`` (an object with ``statsReady`` and ``runReset`` signals,
    ``set_inside_stats(on)``, and ``layerViewReady`` / ``set_layer_view`` when
    ``layer_view``), ``check_inputs`` and ``check`` (see ``GradientCheck``), its own
    object ``name``, ``title`` and ``probe`` (what the statistics are measured on; "{n}"
    in it stands for the payload's "probe_size")."""

    def __init__(self, controller, parent: QWidget | None = None, *, run=None,
                 layer_view: bool = True, name: str = "insideWindow",
                 title: str = "Inside the network", check_inputs=None, check=None,
                 probe: str = "a fixed batch of up to 256 training points",
                 activations_heading: str = "Activations: what each hidden layer "
                 "outputs on a fixed batch of training points") -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setWindowTitle(title)
        self.setModal(False)
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self._controller = controller
        self._run = run if run is not None else controller.run
        self._has_layer_view = layer_view
        self._probe = probe
        extra = {"check": check} if check is not None else {}
        self.check = GradientCheck(controller, self, inputs=check_inputs, **extra)
        self.check_dialog: GradientCheckDialog | None = None
        self.stats_drawn = 0        # payloads drawn (tests read them)
        self.views_drawn = 0
        self.last_stats: dict | None = None
        self.last_view: dict | None = None
        self._pending_stats: dict | None = None
        self._pending_view: dict | None = None

        self.check_button = QPushButton("Gradient check")
        self.check_button.setObjectName("gradientCheckButton")
        self.check_button.setToolTip("Compare the back-propagated gradients of the current "
                                     "network with central differences (on a copy).")
        self.check_button.clicked.connect(self.run_gradient_check)
        self.status = QLabel("")
        self.status.setObjectName("insideStatus")
        self.status.setStyleSheet("color: #555;")
        self.status.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.check_button)
        top.addWidget(self.status, 1)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("insideTabs")
        self.activations = LayerHistograms("activationHistograms", gradients=False)
        self.gradients = LayerHistograms("gradientHistograms", gradients=True)
        self.norms = GradientNormPlot()
        hist = QWidget()
        h = QVBoxLayout(hist)
        h.setContentsMargins(6, 6, 6, 6)
        h.addWidget(_heading(activations_heading))
        h.addWidget(self.activations, 3)
        h.addWidget(_heading("Gradients reaching each layer's output (∂ loss / ∂ output)"))
        h.addWidget(self.gradients, 3)
        h.addWidget(_heading("Gradient norm of each layer's weights over the steps"))
        h.addWidget(self.norms, 3)
        self.add_tab(hist, HISTOGRAMS_TAB)
        if layer_view:
            self._build_layer_view()

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        self.resize(980, 680)

        self._draw_timer = QTimer(self)
        self._draw_timer.setSingleShot(True)
        self._draw_timer.timeout.connect(self._draw)
        self._run.statsReady.connect(self._on_stats)
        self._run.runReset.connect(self._on_run_reset)
        self.check.finished.connect(self._on_check)
        self.check.failed.connect(self._on_check_failed)
        if layer_view:
            self._run.layerViewReady.connect(self._on_view)
            self.tabs.currentChanged.connect(lambda _i: self._sync_layer_view())
            self.layer_combo.activated.connect(lambda _i: self._sync_layer_view())
            self.unit_x.valueChanged.connect(lambda _v: self._sync_layer_view())
            self.unit_y.valueChanged.connect(lambda _v: self._sync_layer_view())

    def _build_layer_view(self) -> None:
        self.layer_combo = QComboBox()
        self.layer_combo.setObjectName("layerViewLayerCombo")
        self.layer_combo.setMinimumContentsLength(18)
        self.unit_x = QSpinBox()
        self.unit_x.setObjectName("layerViewUnitXSpin")
        self.unit_y = QSpinBox()
        self.unit_y.setObjectName("layerViewUnitYSpin")
        self.unit_y.setValue(1)
        self.unit_y.setMaximum(1)
        self.layer_plot = LayerViewPlot()
        view = QWidget()
        v = QVBoxLayout(view)
        v.setContentsMargins(6, 6, 6, 6)
        row = QHBoxLayout()
        row.addWidget(QLabel("Layer"))
        row.addWidget(self.layer_combo)
        row.addSpacing(12)
        row.addWidget(QLabel("Unit on x"))
        row.addWidget(self.unit_x)
        row.addWidget(QLabel("Unit on y"))
        row.addWidget(self.unit_y)
        row.addStretch(1)
        v.addLayout(row)
        v.addWidget(QLabel("The training points and a grid over the input plane, as the "
                           "chosen layer sees them: two of its units' activations."))
        v.addWidget(self.layer_plot, 1)
        self.add_tab(view, LAYER_VIEW_TAB)

    # ------------------------------------------------------------------ public

    def add_tab(self, widget: QWidget, title: str) -> int:
        """Add a view as a tab of its own; its index."""
        return self.tabs.addTab(widget, title)

    def run_gradient_check(self) -> None:
        """Check the current network's gradients on a thread of its own."""
        if self.check.start():
            self.check_button.setEnabled(False)
            self.check_button.setText("Checking…")

    # ------------------------------------------------------------------ visibility

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._controller.closed:
            self._run.set_inside_stats(True)
        self._sync_layer_view()

    def hideEvent(self, event) -> None:
        super().hideEvent(event)
        if not self._controller.closed:
            self._run.set_inside_stats(False)
            if self._has_layer_view:
                self._run.set_layer_view(None)

    def _layer_view_shown(self) -> bool:
        return self.isVisible() and self.tabs.tabText(self.tabs.currentIndex()) == \
            LAYER_VIEW_TAB

    def _sync_layer_view(self) -> None:
        if self._controller.closed or not self._has_layer_view:
            return
        if self._layer_view_shown():
            choice = max(0, self.layer_combo.currentIndex())
            self._run.set_layer_view((choice, self.unit_x.value(), self.unit_y.value()))
        else:
            self._run.set_layer_view(None)

    # ------------------------------------------------------------------ replies

    def _on_stats(self, payload: dict) -> None:
        self._pending_stats = payload
        self._schedule()

    def _on_view(self, payload: dict) -> None:
        self._pending_view = payload
        self._schedule()

    def _on_run_reset(self, _run_id: int) -> None:
        self.norms.clear()

    def _schedule(self) -> None:
        if not self._draw_timer.isActive():
            self._draw_timer.start(DRAW_MS if self.stats_drawn or self.views_drawn else 0)

    def _draw(self) -> None:
        stats, self._pending_stats = self._pending_stats, None
        view, self._pending_view = self._pending_view, None
        if stats is not None:
            self.last_stats = stats
            self.activations.set_layers(stats["layers"])
            self.gradients.set_layers(stats["layers"])
            if stats.get("note"):       # no network (yet): say so instead of the plots
                self.norms.clear()
                self.status.setText(stats["note"])
            else:
                self.norms.append(stats["steps"], stats["grad_norms"])
                self.status.setText(f"Epoch {stats['epoch']:,} · step {stats['steps']:,} "
                                    f"· statistics on {self._probe_text(stats)}, updated "
                                    "up to four "
                                    "times a second while training")
            self.stats_drawn += 1
        if view is not None:
            self.last_view = view
            self._show_layer_choices(view)
            layer = view["layers"][view["choice"]]
            self.layer_plot.set_view(view, layer["name"])
            self.views_drawn += 1

    def _probe_text(self, stats: dict) -> str:
        """``probe`` with "{n}" replaced by the payload's "probe_size" (when it has one)."""
        n = stats.get("probe_size")
        return self._probe.replace("{n}", f"{n:,}") if n is not None else self._probe

    def _show_layer_choices(self, view: dict) -> None:
        """The combo and spins follow the network the worker has (its hidden layers)."""
        texts = [f"{entry['name']} ({entry['units']} units)" for entry in view["layers"]]
        if texts != [self.layer_combo.itemText(i) for i in range(self.layer_combo.count())]:
            with QSignalBlocker(self.layer_combo):
                self.layer_combo.clear()
                self.layer_combo.addItems(texts)
                self.layer_combo.setCurrentIndex(view["choice"])
        width = view["layers"][view["choice"]]["units"]
        for spin, unit in ((self.unit_x, view["units"][0]), (self.unit_y, view["units"][1])):
            with QSignalBlocker(spin):
                spin.setMaximum(max(0, width - 1))
                if spin.value() != unit and self.layer_combo.currentIndex() == view["choice"]:
                    spin.setValue(unit)

    # ------------------------------------------------------------------ gradient check

    def _on_check(self, result: dict) -> None:
        self._check_done()
        if self.check_dialog is not None:
            self.check_dialog.close()
            self.check_dialog.deleteLater()
        self.check_dialog = GradientCheckDialog(result, self)
        self.check_dialog.show()

    def _on_check_failed(self, text: str) -> None:
        self._check_done()
        self.status.setText(text)

    def _check_done(self) -> None:
        self.check_button.setEnabled(True)
        self.check_button.setText("Gradient check")

    def shutdown(self) -> None:
        """The page is closing: no more replies, the check's thread joined."""
        self.check.shutdown()
        self.close()
