"""``MnistPage``: train networks on MNIST-style digits and watch what they learn.

The page owns an ``MnistWorker`` on its own ``QThread`` through an ``MnistSession``
(the 2-D page's pattern): it sends commands through queued signals and gets copies
back, each tagged with the ``run_id`` it belongs to, so replies from a run the user has
since replaced are dropped.
Nothing here touches the model or the data arrays the worker trains on.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QScrollArea, QWidget

from playground.formatting import format_duration
from playground.mnist.controller import MnistSession
from playground.mnist.download import DownloadJob
from playground.mnist.sources import DataRequest, TrainingRequest, make_config
from playground.ui.mnist.controls import MnistControls
from playground.ui.mnist.download_dialog import DownloadDialog
from playground.ui.mnist.views import MnistViews

ERROR_STYLE = "color: #b03a2e;"


class MnistPage(QWidget):
    """The MNIST tab. ``MnistPage(parent=None, settings=None)``; ``settings`` (a
    ``QSettings``) keeps the chosen source, model and training values (default: the
    application's ``QSettings()``). ``statusMessage(str)`` carries progress and results
    for a status bar; call ``shutdown()`` before the page goes away (``closeEvent`` does).
    """

    statusMessage = Signal(str)

    def __init__(self, parent: QWidget | None = None, settings: QSettings | None = None,
                 autoload: bool = True) -> None:
        super().__init__(parent)
        self.setObjectName("mnistPage")
        self._settings = settings if settings is not None else QSettings()
        self._run_id = 0
        self._training = False
        self._stopping = False
        self._data: dict | None = None
        self._source = ""
        self._loading = ""      # the source being loaded, until it arrives or fails
        self._prompt_download = True
        self._note = ""         # said once the data has loaded (instead of "Loaded ...")
        self._predict_pending = False
        self._predict_dirty = False
        self.download_dialog: DownloadDialog | None = None
        #: builds the download job for a data set name (tests point it at a local server).
        self.download_job_factory = DownloadJob

        self.controls = MnistControls(self._settings)
        self.views = MnistViews()
        scroll = QScrollArea()
        scroll.setWidget(self.controls)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setFixedWidth(300)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(scroll)
        layout.addWidget(self.views, 1)

        self.session = MnistSession(self.controls.spins["threads"].value(), self)
        self.worker = self.session.worker
        w = self.worker
        self.session.listen([
            (w.dataLoaded, self._on_data_loaded), (w.downloadNeeded, self._on_download_needed),
            (w.modelReady, self._on_model_ready), (w.filtersReady, self._on_filters),
            (w.progressed, self._on_progress), (w.stepsReady, self._on_steps),
            (w.epochFinished, self._on_epoch), (w.evaluated, self._on_evaluated),
            (w.finished, self._on_finished), (w.stopped, self._on_stopped),
            (w.featureMapsReady, self._on_feature_maps),
            (w.probabilitiesReady, self._on_probabilities),
            (w.modelSaved, self._on_model_saved), (w.failed, self._on_failed)])
        c = self.controls
        c.sourceChosen.connect(self._on_source_chosen)
        c.modelEdited.connect(self._prepare_preview)
        c.trainClicked.connect(self.toggle_training)
        c.saveClicked.connect(self._ask_save)
        c.loadClicked.connect(self._ask_load)
        c.threadsChanged.connect(self.session.set_threads)
        self.views.featureMapsRequested.connect(self._request_feature_maps)
        self.views.drawingChanged.connect(self._request_prediction)
        if autoload:
            self._restore_source()

    def shutdown(self, timeout_ms: int = 2000) -> bool:
        """Stop the worker and join its thread; True if it ended within ``timeout_ms``."""
        if self.download_dialog is not None:
            self.download_dialog.abort()
        return self.session.shutdown(timeout_ms)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt's naming)
        self.shutdown()
        super().closeEvent(event)

    # ------------------------------------------------------------------ state

    @property
    def run_id(self) -> int:
        return self._run_id

    @property
    def is_training(self) -> bool:
        return self._training

    @property
    def data_info(self) -> dict | None:
        """What the worker reported about the loaded data (None before it is loaded)."""
        return self._data

    # ------------------------------------------------------------------ data

    def _restore_source(self) -> None:
        key = str(self._settings.value("mnist/source", "sample"))
        path = str(self._settings.value("mnist/path", ""))
        if key == "files" and not (path and Path(path).exists()):
            key, path = "sample", ""
        if key not in ("sample", "mnist", "fashion-mnist", "files", "digits"):
            key = "sample"
        self._prompt_download = False  # at start-up an uncached set falls back, no dialog
        self.load_source(key, path)

    def load_source(self, key: str, path: str = "") -> None:
        """Load a data source ("sample", "mnist", "fashion-mnist", "digits", or "files"
        with ``path``); the worker reads it off the GUI thread."""
        if self._training:
            return
        self._loading = key
        self.controls.set_source(key)
        self.controls.strip.set_placeholder("loading…")
        self.statusMessage.emit("Loading data…")
        self.session.load(DataRequest(key, path))

    def _on_source_chosen(self, key: str) -> None:
        self._prompt_download = True
        if key == "files":
            path, _ = QFileDialog.getOpenFileName(
                self, "Open MNIST files", str(self._settings.value("mnist/path", "")),
                "MNIST files (*.npz *.pkl.gz *.pkl *-ubyte *-ubyte.gz *.idx*);;All files (*)")
            if not path:
                self.controls.set_source(self._source or "sample")
                return
            self.load_source("files", path)
        else:
            self.load_source(key)

    def _on_data_loaded(self, info: dict) -> None:
        self._data, self._loading = info, ""
        self._source = info["source"]
        self.controls.set_source(self._source)
        self._settings.setValue("mnist/path", info.get("path", ""))
        names = info["class_names"]
        self.controls.strip.set_images(info["strip_images"],
                                       [names[i] for i in info["strip_labels"]])
        h, w = info["input_shape"][1:]
        self.controls.data_label.setText(f"{info['n_train']:,} training and "
                                         f"{info['n_test']:,} test images, {h}×{w}")
        self.controls.spins["train_limit"].setMaximum(info["n_train"])
        self.views.set_data(info["n_test"], names)
        note, self._note = self._note, ""
        self.statusMessage.emit(note or f"Loaded {info['n_train'] + info['n_test']:,} images.")
        self._prepare_preview()

    def _on_download_needed(self, name: str) -> None:
        self._loading = ""
        if not self._prompt_download:
            self.load_source("sample")
            self._note = (f"{name} is not downloaded yet; showing the built-in sample "
                          "(choose it again to download it).")
            return
        factory = self.download_job_factory
        dialog = DownloadDialog(factory(name), self, job_factory=lambda: factory(name))
        self.download_dialog = dialog
        key = "mnist" if name == "mnist" else "fashion-mnist"
        dialog.downloaded.connect(lambda _folder: self.load_source(key))
        dialog.finished.connect(self._on_dialog_closed)
        dialog.open()

    def _on_dialog_closed(self, result: int) -> None:
        dialog, self.download_dialog = self.download_dialog, None
        if result != DownloadDialog.DialogCode.Accepted:
            self.controls.set_source(self._source or "sample")
            self.statusMessage.emit("Download cancelled; the data stays as it was.")
        if dialog is not None:
            dialog.deleteLater()

    # ------------------------------------------------------------------ runs

    def _config(self):
        kw = self.controls.values()
        return make_config(source=self._source or "sample", path=(self._data or {}).get(
            "path", ""), **kw)

    def _new_plan(self, train: bool) -> TrainingRequest | None:
        try:
            config = self._config()
        except ValueError as e:
            self._show_error(str(e))
            return None
        self._run_id += 1
        self.views.clear_results()
        self._set_run_text("")
        return TrainingRequest(self._run_id, config, train)

    def _prepare_preview(self) -> None:
        """Fresh weights for the current settings: the filters a run would start from."""
        if self._training or self._data is None or self.session.closed:
            return
        plan = self._new_plan(train=False)
        if plan is not None:
            self.controls.progress.setRange(0, 1)
            self.controls.progress.setValue(0)
            self.session.prepare(plan)

    def toggle_training(self) -> None:
        """Train (a fresh network for the chosen epochs) or, while training, stop."""
        if self._training:
            self.stop_training()
        else:
            self.start_training()

    def start_training(self) -> None:
        if self._training or self._data is None:
            if self._data is None:
                self._show_error("The data is not loaded yet.")
            return
        plan = self._new_plan(train=True)
        if plan is None:
            return
        self._training, self._stopping = True, False
        self.controls.set_training(True)
        self.controls.progress.setRange(0, 1)
        self.controls.progress.setValue(0)
        self.views.set_filter_mode("learned")
        self.statusMessage.emit("Training…")
        self.session.prepare(plan)

    def stop_training(self) -> None:
        """Stop after the current mini-batch; the network is kept."""
        if not self._training or self._stopping:
            return
        self._stopping = True
        self.controls.set_training(True, stopping=True)
        self.session.stop()

    def _end_training(self) -> None:
        self._training = self._stopping = False
        self.controls.set_training(False)

    # ------------------------------------------------------------------ worker replies

    def _current(self, payload: dict) -> bool:
        return payload.get("run_id") == self._run_id

    def _on_model_ready(self, p: dict) -> None:
        if not self._current(p):
            return
        self.views.set_model(p["kind"], p["filters"])
        summary = p["summary"]
        if p["loaded"]:
            summary = f"Loaded {Path(p['path']).name}: {summary}"
            self.statusMessage.emit(summary)
        self.controls.summary_label.setText(summary)
        if p["total"] and self._training:
            self.controls.progress.setRange(0, p["total"])
        self._repredict()

    def _on_filters(self, p: dict) -> None:
        if self._current(p):
            self.views.set_filters(p["filters"])
            self._repredict()

    def _on_progress(self, p: dict) -> None:
        if not self._current(p):
            return
        bar = self.controls.progress
        if bar.maximum() != p["total"]:
            bar.setRange(0, p["total"])
        bar.setValue(p["done"])
        epoch = min(p["epoch"] + 1, p["epochs"])
        text = (f"Epoch {epoch}/{p['epochs']} · {p['speed']:,.0f} samples/s · "
                f"ETA {format_duration(p['eta'])}")
        self.statusMessage.emit(text)

    def _on_steps(self, p: dict) -> None:
        if self._current(p):
            self.views.curves.append_steps(p["x"], p["loss"], p["acc"])

    def _on_epoch(self, m: dict) -> None:
        if not self._current(m):
            return
        self.views.curves.append_epoch(m["epoch"], m["test_loss"], m["test_acc"])
        test = m.get("test_acc")
        self._set_run_text(f"Epoch {m['epoch']}: train accuracy {100 * m['train_acc']:.1f} %"
                           + (f", test {100 * test:.1f} %" if test is not None else ""))

    def _on_evaluated(self, p: dict) -> None:
        if not self._current(p):
            return
        self.views.set_evaluation(p)
        if self.views.tabs.currentIndex() == 2:
            self._request_feature_maps(self.views.map_spin.value())

    def _on_finished(self, p: dict) -> None:
        if not self._current(p):
            return
        self._end_training()
        bar = self.controls.progress
        bar.setValue(bar.maximum())
        acc = self.views.curves.column("epochs", "acc")
        tail = f", test accuracy {100 * acc[-1]:.1f} %" if len(acc) else ""
        self.statusMessage.emit(f"Trained {p['epochs']} epochs in "
                                f"{format_duration(p['seconds'])}{tail}.")

    def _on_stopped(self, run_id: int) -> None:
        if run_id != self._run_id or not self._training:
            return
        self._end_training()
        self.statusMessage.emit("Training stopped; the network is kept as it is.")
        self._repredict()

    def _on_failed(self, text: str) -> None:
        self._show_error(text)
        if self._loading:  # the data could not be loaded: keep (or fall back to) the old
            failed, self._loading = self._loading, ""
            if self._source:
                self.controls.set_source(self._source)
            elif failed != "sample":
                self.load_source("sample")

    def _on_feature_maps(self, p: dict) -> None:
        if self._current(p):
            self.views.set_feature_maps(p)

    def _on_probabilities(self, p: dict) -> None:
        self._predict_pending = False
        if self._current(p):
            self.views.set_drawing_result(p)
        if self._predict_dirty:
            self._request_prediction()

    def _on_model_saved(self, path: str) -> None:
        self.statusMessage.emit(f"Saved the model to {path}.")

    # ------------------------------------------------------------------ requests

    def _request_feature_maps(self, index: int) -> None:
        if not self.session.closed:
            self.session.feature_maps(index)

    def _request_prediction(self) -> None:
        """Ask for the drawing's probabilities; at most one request is in flight."""
        if self.session.closed:
            return
        if self._predict_pending:
            self._predict_dirty = True
            return
        self._predict_pending, self._predict_dirty = True, False
        self.session.predict(self.views.pad.image())

    def _repredict(self) -> None:
        if not self.views.pad.is_blank():
            self._request_prediction()

    def save_model(self, path: str) -> None:
        if not path.lower().endswith(".npz"):
            path += ".npz"
        self.session.save_model(path)

    def load_model(self, path: str) -> None:
        if self._training:
            return
        self._run_id += 1
        self.views.clear_results()
        self.session.load_model(self._run_id, path)

    def _ask_save(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save model", "mnist-model.npz",
                                              "Models (*.npz)")
        if path:
            self.save_model(path)

    def _ask_load(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Load model", "", "Models (*.npz)")
        if path:
            self.load_model(path)

    # ------------------------------------------------------------------ text

    def _set_run_text(self, text: str) -> None:
        self.controls.run_label.setStyleSheet("")
        self.controls.run_label.setText(text)

    def _show_error(self, text: str) -> None:
        self.controls.run_label.setStyleSheet(ERROR_STYLE)
        self.controls.run_label.setText(text)
        self.statusMessage.emit(text)
