"""The MNIST worker's slots for its network as a whole: save and load a model file, copy
the run out (for the Inside window and for sessions) and put a saved session back.

A mixin of ``MnistWorker``, which uses the worker's state and signals. The Qt slots
themselves stay on ``MnistWorker`` as one-line calls of these methods: a slot defined
in a mixin was listed in the worker's meta-object but never called through a queued
connection.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from engine.build import build_model
from engine.build import load as load_model
from engine.errors import EngineError
from engine.serialize import model_state
from engine.serialize import save as save_model
from playground.mnist.run_state import restored_trainer, run_state
from playground.mnist.sources import SOURCES
from playground.runtime import BUILD_ERRORS, quiet


class SavedStateSlots:
    """What ``MnistWorker``'s slots ``saveModel``, ``loadModel``, ``publishSnapshot``,
    ``publishSession`` and ``restoreSession`` do."""

    def save_model_file(self, path: str) -> None:
        if self._model is None:
            self.failed.emit("There is no model to save yet: press Train first.")
            return
        try:
            save_model(self._model, path)
        except OSError as e:
            self.failed.emit(f"Could not save {path}: {e.strerror or e}")
            return
        self.modelSaved.emit(path)

    def load_model_file(self, run_id: int, path: str) -> None:
        """Replace the model by the one saved at ``path`` and measure it on the test set.
        A file that is no usable model is refused with one message; the current model is
        kept and answers under ``run_id`` from now on."""
        problem = self._load_problem(path)
        if isinstance(problem, str):
            self.run_id = run_id  # the kept model answers as the current run
            self.failed.emit(problem)
            return
        model = problem
        self._halt()
        self.run_id = run_id
        self._model, self._trainer = model, None
        self._config = model.config
        self.filter_views.start(model, self._image_shape())
        self._emit_model_ready(loaded=True, path=path)
        self._emit_inside(force=True)
        if self._data is not None:
            self._begin_eval(train_after=False)

    def _load_problem(self, path: str):
        """The model saved at ``path``, or one sentence saying why it cannot be used."""
        name = Path(path).name
        try:
            model = load_model(path)
        except (EngineError, OSError) as e:
            return str(e)
        except (TypeError, KeyError, IndexError, EOFError, MemoryError, zipfile.BadZipFile):
            return f"{name} is not a model file saved by this program."
        arrays = [p for _, p, _ in model.parameters()]
        arrays += [b for layer in model.layers for b in layer.buffers.values()]
        if not all(np.isfinite(a).all() for a in arrays):
            return (f"{name} has weights that are not finite numbers (NaN or infinity), "
                    "so it cannot classify anything; it was not loaded.")
        if self._data is not None:
            try:
                with quiet():
                    model.predict(self._data.x_test[:1])
            except (EngineError, ValueError, TypeError, IndexError) as e:
                return (f"{name} does not fit the loaded data "
                        f"({self._data.input_shape[1]}×{self._data.input_shape[2]}"
                        f" images): {e}")
        return model

    def publish_snapshot(self, seq: int, images: int) -> None:
        """Post copies of the model (description and arrays), its weight trajectory and
        the first ``images`` training images with their labels as answer ``seq`` of
        ``snapshots`` ({} without a model or data). Runs between ticks, so the copy is
        never half-updated."""
        snapshot = {}
        if self._model is not None and self._data is not None:
            spec, weights = model_state(self._model)
            n = max(1, int(images))
            if self._trainer is not None:
                x, y = self._trainer.x_train[:n], self._trainer.y_train[:n]
            else:
                x, y = self._data.x_train[:n], self._data.y_train[:n]
            snapshot = {"spec": spec, "weights": weights, "x": np.array(x),
                        "targets": np.array(y), "name": self._data.name,
                        "trajectory": self.trajectory.snapshots(self._model),
                        "epoch": self._trainer.epoch if self._trainer is not None else 0}
        self.snapshots.post(seq, snapshot)

    def publish_session(self, seq: int) -> None:
        """Post copies of the run for a session (``run_state`` plus "config", "source",
        "path", "n_classes", "input_shape", "n_train", "n_test", "run_id") as answer
        ``seq`` of ``sessions``; {} without data, no "weights" without a network."""
        data, request = self._data, self._data_request
        answer: dict = {}
        if data is not None and request is not None:
            answer = {"source": request.source, "path": request.path,
                      "n_classes": data.n_classes, "input_shape": tuple(data.input_shape),
                      "n_train": len(data.x_train), "n_test": len(data.x_test),
                      "run_id": self.run_id, "config": self._config}
            if self._model is not None and self._config is not None:
                answer.update(run_state(self._model, self._trainer,
                                        self.filter_views.start_weights))
        self.sessions.post(seq, answer)

    def restore_session(self, run_id: int, session) -> None:
        """Put a saved session's network back (``MnistSession``) over the data loaded
        here, which must be the session's; answered by ``sessionRestored`` (after a
        ``modelReady``). A session that does not fit changes nothing."""
        self._halt()
        problem = self._restore(session)
        self.run_id = run_id  # refused: the network kept answers as the current run
        if problem:
            self.sessionRestored.emit({"run_id": run_id, "ok": False, "problem": problem})
            return
        self._emit_model_ready(loaded=False)
        t = self._trainer
        self.sessionRestored.emit({"run_id": run_id, "ok": True, "problem": "",
                                   "history": [dict(m) for m in t.history],
                                   "epoch": t.epoch, "steps": t.steps})
        self._emit_inside(force=True)
        self._begin_eval(train_after=False)

    def _restore(self, session) -> str:
        """Build ``session``'s network and trainer here; the reason it cannot be, or ""."""
        data, request = self._data, self._data_request
        if data is None or request is None or request.source != session.source \
                or (session.source == "files" and request.path != session.path):
            return (f"The session's data ({SOURCES[session.source][0]}"
                    f"{' at ' + session.path if session.path else ''}) is not loaded (a "
                    f"set not downloaded yet: choose it under Data first), so the session "
                    f"was not opened.")
        if tuple(data.input_shape) != tuple(session.input_shape) \
                or data.n_classes != session.n_classes:
            return ("The session's network was trained on other images "
                    f"({'×'.join(map(str, session.input_shape[1:]))}, {session.n_classes} "
                    f"classes) than the data loaded now.")
        if session.weights is None:
            return "The session holds no network."
        config = session.config
        try:
            self._check_memory(config, data)
            model = build_model(config, data.input_shape, data.n_classes,
                                rng=np.random.default_rng(config.seed))
            trainer = restored_trainer(model, session, data, **self._callbacks())
        except BUILD_ERRORS as e:
            return f"The session's network cannot be rebuilt: {e}"
        self._model, self._trainer, self._config = model, trainer, config
        self.trajectory.start(model)
        self.filter_views.start(model, self._image_shape())
        self.filter_views.start_weights.update(
            {int(k): np.array(v) for k, v in session.initial.items()})
        self._probe = None
        return ""
