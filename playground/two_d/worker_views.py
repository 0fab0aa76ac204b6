"""The 2-D worker's views of its network: the decision grid with the network graph's
unit maps and the regression curve (``gridReady``), and the "Inside the network" layer
statistics and layer view (``statsReady``, ``layerViewReady``).

A mixin of ``TrainingWorker``, which owns the state and signals used here. Its Qt slots
and signals stay on ``TrainingWorker`` itself: a slot defined in a mixin was listed in
the worker's meta-object but never called through a queued connection.
"""

from __future__ import annotations

import time

import numpy as np

from engine.grid import prediction_grid
from engine.unit_grid import network_grid
from playground.runtime import quiet
from playground.two_d import inside

#: points of the regression curve y(x1) sent with every grid.
CURVE_POINTS = 400

#: the "Inside the network" views are recomputed at most this often while training (4/s)
#: and take at most 1 / (1 + INSIDE_SHARE) of the worker's time.
INSIDE_SECONDS = 0.25
INSIDE_SHARE = 3.0


class ViewPayloads:
    """What ``TrainingWorker`` sends to draw its network: the grids (``_emit_grid``,
    after a tick, a step or a changed view) and the open inside views' payloads."""

    def _emit_grid(self) -> None:
        if self._model is None:
            return
        self._last_grid = time.perf_counter()
        graph = None
        model, shown = self.timeline.shown_model(self._model)
        with quiet():  # a diverged model's NaNs are shown, not raised
            regression = model.task == "regression"
            if self._graph_size or self._focus is not None:
                graph = network_grid(model, self._bounds, self._resolution,
                                     max(2, self._graph_size), self._focus)
                grid = graph.probs[..., 0] if regression else graph.probs
            else:
                grid = prediction_grid(model, self._bounds, self._resolution)
            payload = {"run_id": self.run_id, "bounds": self._bounds, "graph": graph}
            if regression:
                payload.update(probs=None, values=grid, curve=self._curve(model))
            else:
                payload["probs"] = grid
        if shown is None:
            self._grid_dirty = False
            self._grid_cost = time.perf_counter() - self._last_grid
        live = self._trainer.epoch if self._trainer is not None else 0
        payload["epoch"] = live if shown is None else shown
        payload["snapshot"] = shown is not None   # an earlier epoch, not the live network
        self.gridReady.emit(payload)
        self._emit_inside(force=not self._running)

    def _emit_inside(self, force: bool, stats: bool = True, view: bool = True) -> None:
        """The open inside views' payloads: at once when ``force`` (paused, a new run, a
        view just opened), else when INSIDE_SECONDS (or INSIDE_SHARE times their cost)
        have passed since the last ones."""
        stats, view = stats and self._stats_on, view and self._view is not None
        if self._trainer is None or not (stats or view):
            return
        start = self._inside_pace.start(force)
        if start is None:
            return
        t = self._trainer
        with quiet():
            if stats:
                if self._probe is None:
                    self._probe = inside.probe_batch(t.x_train, t.y_train)
                payload = inside.stats_payload(self._model, *self._probe)
                self.stats_computed += 1
                self.statsReady.emit(dict(payload, run_id=self.run_id, epoch=t.epoch,
                                          steps=t.steps))
            if view:
                if self._view_points is None:
                    self._view_points = inside.probe_batch(t.x_train, t.y_train,
                                                           inside.VIEW_POINTS)
                payload = inside.layer_view_payload(self._model, *self._view_points,
                                                    *self._view)
                self.views_computed += 1
                self.layerViewReady.emit(dict(payload, run_id=self.run_id, epoch=t.epoch))
        self._inside_pace.done(start)

    def _curve(self, model) -> tuple[np.ndarray, np.ndarray]:
        """The regression ``model`` along x1 at x2 = 0 over the view: (xs, ys) float64,
        the 1-D curve view's fitted line."""
        xs = np.linspace(self._bounds[0], self._bounds[1], CURVE_POINTS)
        pts = np.column_stack([xs, np.zeros_like(xs)]).astype(model.dtype)
        return xs, np.asarray(model.predict(pts), np.float64).reshape(-1)
