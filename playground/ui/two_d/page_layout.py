"""The 2-D page's layout, as a mixin of ``PlaygroundPage``: data panel | graph, decision
plot and curve view | network panel over the metrics and curves, the timeline below; and
how the splitters share the space once the page is shown or a curve view appears."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QSplitter, QVBoxLayout, QWidget

from playground.ui.two_d.timeline_bar import TimelineBar


def _scroll(widget: QWidget, width: int) -> QScrollArea:
    area = QScrollArea()
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setMinimumWidth(width)
    return area


class PageLayout:
    """Lays out ``PlaygroundPage``'s widgets (plain methods; the page's panels, plots
    and ``run`` controls must exist before ``_build_layout``)."""

    def _build_layout(self) -> None:
        """The splitters, the page's layout and the timeline bar under them."""
        right = QSplitter(Qt.Orientation.Vertical)
        right.setObjectName("rightSplitter")
        right.addWidget(_scroll(self.network_panel, 330))
        results = QWidget()
        results_layout = QVBoxLayout(results)
        results_layout.setContentsMargins(0, 0, 0, 0)
        results_layout.setSpacing(2)
        results_layout.addWidget(self.run.metrics_box)
        results_layout.addWidget(self.curves, 1)
        right.addWidget(results)
        right.setStretchFactor(0, 0)
        right.setStretchFactor(1, 1)
        self._right = right
        self._fitted = False
        right.setChildrenCollapsible(False)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("pageSplitter")
        self.splitter.addWidget(_scroll(self.data_panel,
                                        self.data_panel.sizeHint().width() + 12))
        centre = QSplitter(Qt.Orientation.Vertical)
        centre.setObjectName("centerSplitter")
        centre.addWidget(self.graph_panel)
        centre.addWidget(self.decision_plot)
        centre.addWidget(self.curve_view)
        centre.setStretchFactor(0, 2)
        centre.setStretchFactor(1, 3)
        centre.setStretchFactor(2, 2)
        centre.setChildrenCollapsible(False)
        self._centre = centre
        self.splitter.addWidget(centre)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 0)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([240, 640, 400])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.splitter, 1)
        self.timeline = TimelineBar()
        layout.addWidget(self.timeline)

    def _fit_curve_view(self, _config=None) -> None:
        """A curve view that just appeared gets a third of the plots' height."""
        sizes = self._centre.sizes()
        if self.curve_view.isHidden() or sizes[2] >= self.curve_view.minimumHeight():
            return
        share = max(self.curve_view.minimumHeight(), sizes[1] // 3)
        self._centre.setSizes([sizes[0], max(sizes[1] - share, 1), share])

    def _fit_network_panel(self) -> None:
        """Give the network panel the height it needs and the curves the rest."""
        need = self.network_panel.sizeHint().height() + 4
        total = max(sum(self._right.sizes()), need + 200)
        self._right.setSizes([need, total - need])
        # the decision plot keeps most of the centre; the graph gets the rest (>= its
        # minimum), so at 1280x800 the plot is ~460 px tall and the graph ~240
        centre = sum(self._centre.sizes())
        graph_min = self.graph_panel.minimumSizeHint().height()
        plot = max(min(460, centre - graph_min), int(centre * 0.6))
        # the plot keeps its aspect: taller than it is wide is wasted on it
        plot = max(min(plot, self._centre.width() + 40), min(320, centre - graph_min))
        self._centre.setSizes([centre - plot, plot, 0])
        self._fit_curve_view()
