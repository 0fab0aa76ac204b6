"""The MNIST worker's views of its network: the feature maps of a test image, the drawing
pad's probabilities, the filter view (``modelReady``, ``filtersReady``) and the "Inside
the network" layer statistics (``statsReady``).

A mixin of ``MnistWorker``, which uses the worker's state and signals. The Qt slots
themselves stay on ``MnistWorker`` as one-line calls of these methods: a slot defined
in a mixin was listed in the worker's meta-object but never called through a queued
connection.
"""

from __future__ import annotations

import time

import numpy as np

from engine.errors import EngineError
from playground.mnist import inside
from playground.mnist.drawing import drawing_to_input
from playground.mnist.inspection import model_summary
from playground.mnist.layer_views import (
    default_map_layer,
    filter_layers,
    layer_output,
    map_layers,
)
from playground.runtime import quiet

#: the "Inside the network" statistics are recomputed at most this often while training
#: and take at most 1 / (1 + INSIDE_SHARE) of the worker's time. 9, not the 2-D page's 3:
#: a SimpleConvNet payload costs about a training step, and at 3 the open window made
#: training 30-40 % slower (measured); at 9 it costs at most a tenth.
INSIDE_SECONDS = 0.25
INSIDE_SHARE = 9.0


class NetworkViewSlots:
    """What ``MnistWorker``'s slots ``requestFeatureMaps``, ``showFilterLayer``,
    ``predictDrawing`` and ``setInsideStats`` do, and the signals that show the network
    (``modelReady``, ``filtersReady``, ``statsReady``)."""

    def send_feature_maps(self, index: int, layer: int = -1) -> None:
        """The output of layer ``layer`` (-1 or an index out of range: the first
        weighted layer's after its activation) for test image ``index``."""
        if self._model is None or self._data is None or len(self._data.x_test) == 0:
            return
        index = int(np.clip(index, 0, len(self._data.x_test) - 1))
        if not 0 <= layer < len(self._model.layers):
            layer = default_map_layer(self._model)
        x = self._data.x_test[index:index + 1]
        try:
            with quiet():
                maps = layer_output(self._model, x, layer)
                probs = self._model.predict_proba(x)[0]
        except (EngineError, ValueError) as e:
            self.failed.emit(f"Cannot compute feature maps: {e}")
            return
        self.featureMapsReady.emit({
            "run_id": self.run_id, "index": index, "image": np.array(x[0, 0]),
            "label": int(self._data.y_test[index]), "predicted": int(np.argmax(probs)),
            "layer": layer, "maps": maps, "kind": "conv" if maps.ndim == 3 else "dense"})

    def show_filter_layer(self, layer: int) -> None:
        """The filter view shows layer ``layer`` (a ``filter_layers`` index) from now on;
        its filters are sent at once."""
        self.filter_views.layer = int(layer)
        if self._model is not None:
            self._emit_filters()

    def predict_drawing(self, image: np.ndarray) -> None:
        """Class probabilities of a drawing (H, W) in [0, 1], prepared as MNIST digits."""
        shape = self._data.input_shape[1:] if self._data is not None else (28, 28)
        prepared = drawing_to_input(image, shape)
        probs = None
        if self._model is not None and prepared.max() > 0:
            try:
                with quiet():
                    probs = np.array(self._model.predict_proba(prepared[None, None])[0],
                                     dtype=np.float64)
            except (EngineError, ValueError) as e:
                self.failed.emit(f"Cannot classify the drawing: {e}")
        self.probabilitiesReady.emit({"run_id": self.run_id, "input": prepared,
                                      "probs": probs})

    def set_inside_stats(self, on: bool) -> None:
        """Compute the layer statistics (``statsReady``) from now on (True) or not."""
        self._stats_on = bool(on)
        if self._stats_on:
            self._emit_inside(force=True)

    def _emit_model_ready(self, loaded: bool, path: str = "") -> None:
        model = self._model
        view = self._filter_view()
        config = model.config
        preset = config.model.preset if config is not None else ""
        input_shape = (self._data.input_shape if self._data is not None
                       else (1, *self._image_shape()))
        try:
            maps = map_layers(model, input_shape)
        except (EngineError, ValueError):
            maps = []  # a loaded model that does not fit the data: no maps to offer
        self.modelReady.emit({
            "run_id": self.run_id, "loaded": loaded, "path": path, "preset": preset,
            "summary": model_summary(model, preset),
            "filter_layers": filter_layers(model, self._image_shape()),
            "map_layers": maps, "map_layer": default_map_layer(model),
            "kind": view["kind"] if view else "none",
            "filters": view["filters"] if view else np.zeros((0, 1, 1), np.float32),
            "view": view,
            "total": (self._trainer.samples_per_epoch * self._config.epochs
                      if self._trainer is not None else 0),
            "epoch": self._trainer.epoch if self._trainer is not None else 0})

    def _filter_view(self) -> dict | None:
        steps = self._trainer.steps if self._trainer is not None else 0
        return self.filter_views.view(self._model, self._image_shape(), steps)

    def _emit_filters(self) -> None:
        view = self._filter_view()
        self._last_filters = time.perf_counter()
        if view is not None:
            self.filtersReady.emit(dict(view, run_id=self.run_id))

    def _emit_inside(self, force: bool) -> None:
        """The open window's statistics: at once when ``force`` (a new model, Stop, the
        window just opened), else when INSIDE_SECONDS (or INSIDE_SHARE times their cost)
        have passed since the last ones. Nothing while the window is closed."""
        if not self._stats_on:
            return
        if self._model is None or self._data is None:
            self.statsReady.emit(dict(inside.empty_payload(), run_id=self.run_id,
                                      epoch=0, steps=0))
            return
        start = self._inside_pace.start(force)
        if start is None:
            return
        t = self._trainer
        if self._probe is None:
            x, y = (t.x_train, t.y_train) if t is not None else \
                (self._data.x_train, self._data.y_train)
            self._probe = inside.probe_batch(x, y, inside.probe_size(self._model))
        try:
            with quiet():
                payload = inside.stats_payload(self._model, *self._probe)
        except (EngineError, ValueError) as e:
            payload = inside.empty_payload(f"Cannot look inside this network: {e}")
        self.stats_computed += 1
        self.statsReady.emit(dict(payload, run_id=self.run_id,
                                  epoch=t.epoch if t is not None else 0,
                                  steps=t.steps if t is not None else 0))
        self._inside_pace.done(start)

    def _image_shape(self) -> tuple[int, int]:
        if self._data is not None:
            return tuple(self._data.input_shape[1:])
        return 28, 28
