"""The 2-D page's painting at the display rate, as a mixin of ``PlaygroundPage``.

Worker results only leave the newest grid and metrics pending; one single-shot frame
timer (at most 40 frames a second) pushes them to the screen, the decision region and
the curves taking turns, and a second timer feeds the network graph at its own slower
rate. The state lives on the page itself (tests and the UI benchmark read ``frames``,
``_pending_grid`` and the like there).
"""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer

from playground.ui.plots.unit_colors import class_lut, unit_levels

#: the display rate's cap: 40 frames a second (the worker's grids follow FRAME_SECONDS).
FRAME_MS = 25
#: the curves move less than the decision region; redrawing them (and their axes) ten
#: times a second keeps them smooth and leaves the frame budget to the region.
CURVES_MS = 100
#: how soon after a decision-region frame the curves may have theirs.
CURVES_GAP_MS = 6
#: the network graph's nodes are fed at most this often (20 a second), from the newest
#: grid; the worker computes their maps on a GRAPH_GRID x GRAPH_GRID grid.
GRAPH_MS = 50
GRAPH_GRID = 24
#: up to this many thumbnails the graph is fed every GRAPH_MS; more stretch the interval.
GRAPH_NODES = 48


class FramePainting:
    """Frame scheduling and painting for ``PlaygroundPage``: plain methods only (Qt
    signals and slots belong on the page); uses the page's ``curves``, ``problem_view``,
    ``decision_plot``, ``graph_panel`` and ``run``."""

    def _init_painting(self) -> None:
        """The painting state and its two timers (call once the widgets exist)."""
        self._pending_grid: dict | None = None
        self._last_metrics: dict | None = None
        self._metrics_dirty = False
        self._last_frame = 0.0
        self._last_curves = 0.0
        self._last_graph = 0.0
        self._graph_shown = True
        self.graph_frames = 0     # network-graph updates (read by the UI benchmark)
        self._pending_graph = None
        self._graph_timer = QTimer(self)
        self._graph_timer.setSingleShot(True)
        self._graph_timer.timeout.connect(self._flush_graph)
        self._region_went_last = False  # which of region / curves the last frame drew
        self.frames = 0           # decision images drawn (read by the UI benchmark)
        self._frame = QTimer(self)
        self._frame.setSingleShot(True)
        self._frame.timeout.connect(self.render_frame)

    def _schedule_frame(self, wait_ms: float | None = None) -> None:
        """Render at the next frame slot (or in ``wait_ms``), unless one comes sooner."""
        if wait_ms is None:
            wait_ms = FRAME_MS - (time.perf_counter() - self._last_frame) * 1000
        wait = max(0, int(wait_ms))
        if self._frame.isActive() and self._frame.remainingTime() <= wait:
            return
        self._frame.start(wait)

    def render_frame(self) -> None:
        """Push what changed since the last frame to the screen: the newest decision grid
        or, when they are due, the curves. The two take turns rather than share a frame:
        painting both plots (and a re-laid-out axis) at once made the event loop's longest
        stalls while training."""
        self._last_frame = time.perf_counter()
        since_curves = (self._last_frame - self._last_curves) * 1000
        curves_due = self.curves.dirty and since_curves >= CURVES_MS
        grid = self._pending_grid
        if grid is not None and not (curves_due and self._region_went_last):
            self._pending_grid = None
            self._show_graph_of(grid)
            self.problem_view.show_grid(grid)
            self.frames += 1
            self._region_went_last = True
            if self.curves.dirty:
                self._schedule_frame(max(CURVES_MS - since_curves, CURVES_GAP_MS))
        else:
            self._last_curves = self._last_frame
            self._region_went_last = False
            self.curves.refresh()
            if grid is not None:
                self._schedule_frame(CURVES_GAP_MS)
        if self._metrics_dirty:
            self._metrics_dirty = False
            self.run.show_metrics(self._last_metrics)

    def _show_graph_of(self, payload: dict) -> None:
        """Feed the graph (at most every GRAPH_MS) and the unit view from a grid."""
        graph = payload.get("graph")
        if payload.get("probs") is None and payload.get("values") is None:
            self.graph_panel.set_grid(None)
            self.decision_plot.set_unit(None)
            return
        if graph is None:
            return
        unit = self.graph_panel.focus
        if unit is not None and graph.focus is not None and unit[0] < len(graph.columns):
            kind = graph.kinds[unit[0]]
            self.decision_plot.set_unit(
                self.graph_panel.unit_label(unit), graph.focus,
                unit_levels(kind, graph.columns[unit[0]]),
                class_lut(unit[1]) if kind == "output" else None)
        elif unit is None:
            self.decision_plot.set_unit(None)
        self._pending_graph = graph
        # A frame of its own, a few ms after the region's (as the curves get): painting
        # both views in one turn of the event loop made its longest stalls. Big graphs
        # (many thumbnails to paint) are fed less often.
        interval = GRAPH_MS * max(1.0, self.graph_panel.graph.node_count() / GRAPH_NODES)
        wait = max(CURVES_GAP_MS, interval - (time.perf_counter() - self._last_graph) * 1000)
        if not self._graph_timer.isActive():
            self._graph_timer.start(int(wait))  # the newest grid gets there, even paused

    def _flush_graph(self) -> None:
        graph, self._pending_graph = self._pending_graph, None
        if graph is None or not self._graph_shown:
            return
        self._last_graph = time.perf_counter()
        self.graph_panel.set_grid(graph)
        self.graph_frames += 1
