"""The MNIST page's worker: loads image data and trains on its own ``QThread``.

Same pattern as the 2-D playground's ``TrainingWorker``, on the shared runtime
(``playground.runtime``): ``MnistController`` talks to it only through queued signals
connected to the typed slots below (the work of those for the network as a whole is in
``worker_files``). Loading, training, the end-of-epoch test pass and every inference the
controller asks for (feature maps, the drawing pad's probabilities) run here, in short
ticks (~20 ms, at least one mini-batch) re-armed with a zero-interval single-shot timer,
so Stop lands within one batch. Every outgoing signal carries copies and the ``run_id``
of the run that produced it; the controller drops stale ones.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import numpy as np
from PySide6.QtCore import Signal, Slot

from engine.budget import check_memory
from engine.build import build_model
from engine.datasets.loader import Dataset
from engine.errors import EngineError
from engine.presets import build_optimizer
from engine.spec import RunConfig
from playground.inside_pace import InsidePace
from playground.landscape.trajectory import TrajectoryRecorder
from playground.mnist import inside
from playground.mnist.drawing import drawing_to_input
from playground.mnist.inspection import model_summary, strip_indices
from playground.mnist.layer_views import (
    FilterViews,
    default_map_layer,
    filter_layers,
    layer_output,
    map_layers,
)
from playground.mnist.metrics import RunProgress, test_summary
from playground.mnist.run_state import (
    LiveTrainer,
    continued,
    make_trainer,
)
from playground.mnist.sources import SOURCES, DataRequest, TrainingRequest, class_names, load_source
from playground.mnist.worker_files import SavedStateSlots
from playground.runtime import BUILD_ERRORS, TICK_SECONDS, Mailbox, TickLoop, quiet

#: how often progress / step curves (PROGRESS) and the filter mosaic (FILTERS) are sent.
PROGRESS_SECONDS = 0.1
FILTERS_SECONDS = 0.25
#: test images per inference chunk at the end of an epoch (memory and Stop latency).
EVAL_CHUNK = 100
#: misclassified test digits sent for the gallery, most confident first.
MISTAKES_SHOWN = 40
#: images in the strip that shows what was loaded.
STRIP_SIZE = 16
#: the "Inside the network" statistics are recomputed at most this often while training
#: and take at most 1 / (1 + INSIDE_SHARE) of the worker's time. 9, not the 2-D page's 3:
#: a SimpleConvNet payload costs about a training step, and at 3 the open window made
#: training 30-40 % slower (measured); at 9 it costs at most a tenth.
INSIDE_SECONDS = 0.25
INSIDE_SHARE = 9.0


class MnistWorker(SavedStateSlots, TickLoop):
    """Owns the data, the model and the trainer of the MNIST page; see the module doc.
    ``failed`` and ``closed`` come from ``TickLoop``; the slots for the network as a whole
    (model files, snapshots, sessions) from ``SavedStateSlots``."""

    dataLoaded = Signal(object)      # {"data_id", "name", "title", "n_train", "n_test",
                                     #  "input_shape", "strip_images", "strip_labels",
                                     #  "class_names"}
    downloadNeeded = Signal(str)     # the data set is not cached: offer to fetch it
    # {"run_id", "summary", "loaded", "path", "preset", "total", "filter_layers"
    #  (layer_views.filter_layers), "map_layers" (layer_views.map_layers), "map_layer"
    #  (the one shown first), "kind", "filters" and "view" (as filtersReady's) or "none"}
    modelReady = Signal(object)
    # layer_views.filter_view of the layer shown (showFilterLayer) + "run_id": its tiles
    # now, at the start, W - W0 and the last step's gradient, sent with the filters
    filtersReady = Signal(object)
    progressed = Signal(object)      # {"run_id", "done", "total", "epoch", "speed", "eta"}
    stepsReady = Signal(object)      # {"run_id", "x", "loss", "acc"}: smoothed per step
    epochFinished = Signal(dict)     # the trainer's metrics + test_loss/test_acc + run_id
    evaluated = Signal(object)       # {"run_id", "confusion", "mistakes", "test_acc", ...}
    # {"run_id", "epochs" (completed, all runs), "first_epoch" (where this run began),
    #  "seconds"}: all epochs of the run done
    finished = Signal(object)
    stopped = Signal(int)            # run_id: Stop honoured, the model is kept
    # {"run_id", "index", "image", "label", "predicted", "layer", "maps" (C, h, w) or
    #  (units,), "kind" ("conv" for image-shaped maps, else "dense")}
    featureMapsReady = Signal(object)
    probabilitiesReady = Signal(object)
    modelSaved = Signal(str)
    # playground.mnist.inside.stats_payload plus "run_id", "epoch", "steps" (only while
    # setInsideStats(True)); without a model, inside.empty_payload's "note" says so
    statsReady = Signal(object)
    # {"run_id", "ok", "problem" ("" when ok), "history" (the trainer's metrics dicts),
    #  "epoch", "steps"}: restoreSession's answer, after its modelReady
    sessionRestored = Signal(object)

    def __init__(self, blas_threads: int = 1) -> None:
        """``blas_threads``: BLAS threads while training (0 = the library's default)."""
        super().__init__(blas_threads=max(0, int(blas_threads)))
        self._data: Dataset | None = None
        self._data_id = 0
        self._data_request: DataRequest | None = None
        self._config: RunConfig | None = None
        self._model = None
        self._trainer: LiveTrainer | None = None
        self.filter_views = FilterViews()  # W0 and the layer the filter view shows
        self._phase = "idle"        # idle | training | evaluating
        self._train_after_eval = False
        self._reset_run_stats()
        self.trajectory = TrajectoryRecorder()  # weight snapshots for the loss landscape
        self.snapshots = Mailbox()              # copies for the loss landscape
        self.sessions = Mailbox()               # copies of the run for a session file
        self._stats_on = False
        self._probe: tuple[np.ndarray, np.ndarray] | None = None
        self._inside_pace = InsidePace(INSIDE_SECONDS, INSIDE_SHARE)
        self.stats_computed = 0     # statistics payloads computed (tests read it)

    # ------------------------------------------------------------------ commands

    @Slot(object)
    def loadData(self, request: DataRequest) -> None:
        """Load ``request``'s data set (the model is dropped: its input may not fit)."""
        self._halt()
        try:
            data = load_source(request)
        except (EngineError, OSError, ValueError, MemoryError) as e:
            self.failed.emit(f"Could not load the data: {e}")
            return
        if data is None:
            self.downloadNeeded.emit(SOURCES[request.source][0])
            return
        self._data, self._model, self._trainer = data, None, None
        self._probe = None
        self._data_request = request
        self._data_id += 1
        idx = strip_indices(data.y_test, STRIP_SIZE)
        self.dataLoaded.emit({
            "data_id": self._data_id, "source": request.source, "name": data.name,
            "path": request.path, "n_train": len(data.x_train), "n_test": len(data.x_test),
            "input_shape": data.input_shape,
            "strip_images": np.array(data.x_test[idx, 0]),
            "strip_labels": data.y_test[idx].tolist(),
            "class_names": class_names(data.name),
        })

    @Slot(object)
    def prepare(self, request: TrainingRequest) -> None:
        """Fresh weights for ``request`` (shown as the initial filters); train if asked.
        With ``request.keep`` and a network here, train that one on instead."""
        self._halt()
        self.run_id = request.run_id
        if request.keep and request.train and self._model is not None \
                and self._data is not None and self._config is not None:
            self._continue(request)
            return
        self._model = self._trainer = None
        if self._data is None:
            self.failed.emit("There is no data to train on: choose a data source first.")
            if request.train:
                self.stopped.emit(request.run_id)
            return
        data = self._data
        try:
            request = replace(request, config=self._named_after_data(request.config))
            self._config = request.config
            self._check_memory(request.config, data)
            rng = np.random.default_rng(request.config.seed)
            self._model = build_model(request.config, data.input_shape, data.n_classes, rng=rng)
            self._trainer = make_trainer(self._model, build_optimizer(request.config),
                                         request.config, data, rng, **self._callbacks())
        except BUILD_ERRORS as e:
            self._model = self._trainer = None
            self.report_unbuildable(e)
            self._emit_inside(force=True)
            if request.train:
                self.stopped.emit(request.run_id)
            return
        self.trajectory.start(self._model)
        self.filter_views.start(self._model, self._image_shape())
        self._probe = None
        self._emit_model_ready(loaded=False)
        self._emit_inside(force=True)
        if request.train:
            self._start_training()

    def _callbacks(self) -> dict:
        return {"on_step": self._on_step, "should_stop": lambda: self.stop_requested}

    def _continue(self, request: TrainingRequest) -> None:
        """Train the network held here on for ``request.config.epochs`` more epochs."""
        data = self._data
        try:
            config = self._named_after_data(request.config)
            self._check_memory(config, data)
            self._config, self._trainer = continued(
                self._model, self._trainer, self._config, config, data, **self._callbacks())
        except BUILD_ERRORS as e:
            self.report_unbuildable(e)
            self.stopped.emit(request.run_id)
            return
        self._start_training()

    @staticmethod
    def _check_memory(config: RunConfig, data) -> None:
        """Refuse (``check_memory``'s error) a run on ``data`` that would not fit in
        memory: its batch, at most the training images it uses, and the test chunks."""
        limit = config.data.train_limit or len(data.x_train)
        check_memory(config, data.input_shape, data.n_classes,
                     min(config.batch_size or limit, limit), EVAL_CHUNK)

    def _named_after_data(self, config: RunConfig) -> RunConfig:
        """``config`` naming the data set this worker holds (a request made before other
        data arrived names the old one), so a saved model says what it learned from."""
        r = self._data_request
        if r is None:
            return config
        name, path = SOURCES[r.source][0], r.path
        if config.data.name == name and config.data.path == path:
            return config
        return config.with_changes(data={"name": name, "path": path})

    @Slot()
    def stop(self) -> None:
        """Stop after the current batch; the model is kept for inspection."""
        was = self._phase != "idle"
        self._halt()
        if was and self._model is not None:
            self._emit_filters()
        self.stopped.emit(self.run_id)
        if was:
            self._emit_inside(force=True)  # after the reply: Stop is not kept waiting

    @Slot(int)
    def setBlasThreads(self, n: int) -> None:
        """BLAS threads used while training (0 = the library's default)."""
        self.blas_threads = max(0, int(n))

    @Slot(int, int)
    def requestFeatureMaps(self, index: int, layer: int = -1) -> None:
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

    @Slot(int)
    def showFilterLayer(self, layer: int) -> None:
        """The filter view shows layer ``layer`` (a ``filter_layers`` index) from now on;
        its filters are sent at once."""
        self.filter_views.layer = int(layer)
        if self._model is not None:
            self._emit_filters()

    @Slot(object)
    def predictDrawing(self, image: np.ndarray) -> None:
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

    # The slots for the network as a whole (their work: ``worker_files``).
    @Slot(str)
    def saveModel(self, path: str) -> None:
        self.save_model_file(path)

    @Slot(int, str)
    def loadModel(self, run_id: int, path: str) -> None:
        self.load_model_file(run_id, path)

    @Slot(int, int)
    def publishSnapshot(self, seq: int, images: int) -> None:
        self.publish_snapshot(seq, images)

    @Slot(int)
    def publishSession(self, seq: int) -> None:
        self.publish_session(seq)

    @Slot(int, object)
    def restoreSession(self, run_id: int, session) -> None:
        self.restore_session(run_id, session)

    @Slot(bool)
    def setInsideStats(self, on: bool) -> None:
        """Compute the layer statistics (``statsReady``) from now on (True) or not."""
        self._stats_on = bool(on)
        if self._stats_on:
            self._emit_inside(force=True)

    def on_shutdown(self) -> None:
        """The thread ends: drop the data, the model and the trainer."""
        self._halt()
        self._model = self._trainer = self._data = None

    # ------------------------------------------------------------------ training

    def _reset_run_stats(self, epochs: int = 0) -> None:
        t = self._trainer
        self._progress = RunProgress(epochs, time.perf_counter(),
                                     t.epoch if t is not None else 0,
                                     t.epoch_samples if t is not None else 0)
        self._last_progress = self._last_filters = 0.0
        self._eval_scores: list[np.ndarray] = []
        self._eval_pos = 0

    def _start_training(self) -> None:
        self._reset_run_stats(self._config.epochs)
        self.clear_stop()
        self._phase = "training"
        self._emit_progress(force=True)
        self.arm(0)

    def _halt(self) -> None:
        self._phase = "idle"
        self.disarm()
        self.clear_stop()

    def _on_step(self, info: dict[str, Any]) -> None:
        self._progress.on_step(info, self._trainer.samples_per_epoch)

    def tick(self) -> int | None:
        if self._phase == "idle":
            return None
        t0 = time.perf_counter()
        deadline = t0 + TICK_SECONDS
        if self._phase == "training":
            self._train_until(deadline)
        else:
            self._evaluate_until(deadline)
        if self._phase == "idle" or self.stop_requested:
            return None
        now = time.perf_counter()
        if self._phase == "training":
            self._progress.train_seconds += now - t0
            self._emit_progress()
            if now - self._last_filters >= FILTERS_SECONDS:
                self._emit_filters()
            self._emit_inside(force=False)
        return 0

    def _train_until(self, deadline: float) -> None:
        trainer = self._trainer
        while not self.stop_requested:
            if trainer.step() is not None:
                self.trajectory.record(self._model, trainer.epoch)
                self._progress.epoch_ended()
                self._emit_progress(force=True)
                self._begin_eval(train_after=True)
                return
            if time.perf_counter() >= deadline:
                return

    def _begin_eval(self, train_after: bool) -> None:
        self._eval_scores, self._eval_pos = [], 0
        self._train_after_eval = train_after
        if self._phase == "idle":
            self.clear_stop()
            self.arm(0)
        self._phase = "evaluating"

    def _evaluate_until(self, deadline: float) -> None:
        x = self._data.x_test
        while self._eval_pos < len(x) and not self.stop_requested:
            chunk = x[self._eval_pos:self._eval_pos + EVAL_CHUNK]
            self._eval_scores.append(self._model.predict(chunk))
            self._eval_pos += len(chunk)
            if time.perf_counter() >= deadline:
                break
        if self._eval_pos >= len(x) and not self.stop_requested:
            self._finish_eval()

    def _finish_eval(self) -> None:
        data = self._data
        scores = (np.concatenate(self._eval_scores) if self._eval_scores
                  else np.zeros((0, data.n_classes), np.float32))
        self._eval_scores = []
        test_loss, test_acc, summary = test_summary(
            self._model.loss_fn, scores, data.x_test, data.y_test, data.n_classes,
            MISTAKES_SHOWN)
        trainer = self._trainer
        epoch = trainer.epoch if trainer is not None else None
        self.evaluated.emit(dict(summary, run_id=self.run_id, epoch=epoch))
        if not self._train_after_eval:
            self._phase = "idle"
            return
        metrics = dict(trainer.history[-1], test_loss=test_loss, test_acc=test_acc,
                       run_id=self.run_id)
        trainer.history[-1] = dict(metrics)
        self.epochFinished.emit(metrics)
        self._emit_filters()
        if trainer.epoch >= self._progress.last_epoch:
            self._phase = "idle"
            self._emit_progress(force=True)
            self.finished.emit({"run_id": self.run_id, "epochs": trainer.epoch,
                                "first_epoch": self._progress.first_epoch,
                                "seconds": time.perf_counter() - self._progress.start})
            self._emit_inside(force=True)
        else:
            self._phase = "training"

    def on_failure(self, error: BaseException) -> None:
        """Training or evaluation failed: halt, show the filters as they are, say why."""
        self._halt()
        if self._model is not None:
            self._emit_filters()
        super().on_failure(error)
        self.stopped.emit(self.run_id)

    # ------------------------------------------------------------------ outgoing

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

    def _emit_progress(self, force: bool = False) -> None:
        now = time.perf_counter()
        if not force and now - self._last_progress < PROGRESS_SECONDS:
            return
        self._last_progress = now
        t = self._trainer
        if t is None:
            return
        progress = self._progress.progress(now, t.samples_per_epoch, t.epoch)
        self.progressed.emit(dict(progress, run_id=self.run_id))
        steps = self._progress.take_steps()
        if steps is not None:
            self.stepsReady.emit(dict(steps, run_id=self.run_id))

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
