"""``MnistPage``: train networks on MNIST-style digits and watch what they learn.

A view: it builds the controls and views, sends the user's intent to its
``MnistController`` (which owns the worker thread, the run state and the stale-reply
filtering) and shows what the controller emits. It never touches the model or the data.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QMessageBox, QScrollArea, QWidget

from playground.landscape.sources import mnist_source
from playground.mnist.autosave import MnistAutosaver
from playground.mnist.controller import MnistController
from playground.mnist.download import DownloadJob
from playground.mnist.sources import ARCHITECTURE_KEYS
from playground.session_archive import SessionError
from playground.two_d.autosave import default_data_dir
from playground.ui.landscape.window import LandscapeLauncher
from playground.ui.mnist.controls import MnistControls
from playground.ui.mnist.download_dialog import DownloadDialog
from playground.ui.mnist.file_commands import MnistFileCommands
from playground.ui.mnist.views import MnistViews
from playground.ui.page import make_action

ERROR_STYLE = "color: #b03a2e;"


class MnistPage(QWidget):
    """The MNIST tab (a ``playground.ui.page.Page``). ``settings`` (a ``QSettings``)
    keeps the chosen source, model and training values (default: the application's
    ``QSettings()``). ``statusMessage(str)`` carries progress and results for a status
    bar; call ``shutdown()`` before the page goes away (``closeEvent`` does)."""

    title = "MNIST"
    statusMessage = Signal(str)
    errorRaised = Signal(str, str)   # title, one sentence: the window shows a message box

    def __init__(self, parent: QWidget | None = None, settings: QSettings | None = None,
                 autoload: bool = True, data_dir: str | os.PathLike | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mnistPage")
        self._settings = settings if settings is not None else QSettings()
        self.download_dialog: DownloadDialog | None = None
        self._status = ""   # the page's last status message, shown again on return
        #: builds the download job for a data set name (tests point it at a local server).
        self.download_job_factory = DownloadJob
        #: asked (with the question) before a trained network is thrown away; True to
        #: go ahead (tests answer it themselves)
        self.ask_discard: Callable[[str], bool] = self._ask_discard

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

        self.controller = ctl = MnistController(self.controls.spins["threads"].value(),
                                                values=self.controls.values, parent=self)
        self._connect_controller(ctl)
        c = self.controls
        c.sourceChosen.connect(self._on_source_chosen)
        c.modelEdited.connect(self._on_model_edited)
        c.trainClicked.connect(ctl.toggle_training)
        c.newClicked.connect(ctl.new_network)
        c.saveClicked.connect(self._ask_save)
        c.loadClicked.connect(self._ask_load)
        c.threadsChanged.connect(ctl.set_threads)
        self.views.featureMapsRequested.connect(self._request_maps)
        self.views.filter_panel.layerChosen.connect(ctl.show_filter_layer)
        self.views.drawingChanged.connect(self._request_prediction)
        self.landscape = LandscapeLauncher(
            self, lambda: mnist_source(self.controller), action_name="mnistLandscapeAction",
            window_name="mnistLandscapeWindow", title="Loss landscape (MNIST)")
        self.inside_action = make_action(
            self, "&Inside the Network…", "Ctrl+I", self.show_inside, "mnistInsideAction",
            "Open a window with each layer's activations and gradients on a fixed batch "
            "of training images, and a gradient check of the current network.")
        self.inside_window = None   # made when first opened
        self.files = MnistFileCommands(ctl, self)
        self.files.status.connect(self._say)
        self.files.error.connect(self._on_file_error)
        self._file_actions = self.files.make_actions()
        self.autosaver = MnistAutosaver(ctl, data_dir if data_dir is not None
                                        else default_data_dir(), parent=self)
        self.autosaver.failed.connect(self._say)
        if autoload:
            self._start()

    def _start(self) -> None:
        """Put last time's network back (the autosave), else load the remembered data."""
        session, note = self.autosaver.take()
        if session is not None:
            try:
                self.controller.restore_session(session)
                return
            except SessionError as e:
                note = f"The autosaved MNIST network could not be restored: {e}"
        self._restore_source(note)

    def _connect_controller(self, ctl: MnistController) -> None:
        v, c = self.views, self.controls
        ctl.statusMessage.connect(self._say)
        ctl.runTextChanged.connect(self._set_run_text)
        ctl.errorReported.connect(self._show_error)
        ctl.loadingStarted.connect(self._on_loading)
        ctl.sourceShown.connect(c.set_source)
        ctl.dataLoaded.connect(self._on_data_loaded)
        ctl.downloadNeeded.connect(self._on_download_needed)
        ctl.trainingChanged.connect(c.set_training)
        ctl.trainPending.connect(c.set_pending)
        ctl.resultsCleared.connect(v.clear_results)
        ctl.runStarted.connect(self._on_run_started)
        ctl.modelReady.connect(self._on_model_ready)
        ctl.filtersReady.connect(v.set_filters)
        ctl.progressed.connect(self._on_progress)
        ctl.stepsReady.connect(lambda p: v.curves.append_steps(p["x"], p["loss"], p["acc"]))
        ctl.epochFinished.connect(
            lambda m: v.curves.append_epoch(m["epoch"], m["test_loss"], m["test_acc"]))
        ctl.evaluated.connect(self._on_evaluated)
        ctl.finished.connect(lambda _p: c.progress.setValue(c.progress.maximum()))
        ctl.featureMapsReady.connect(v.set_feature_maps)
        ctl.probabilitiesReady.connect(v.set_drawing_result)
        ctl.predictionStale.connect(self._repredict)
        ctl.sessionRestored.connect(self._on_session_restored)

    # ------------------------------------------------------------------ Page protocol

    def actions(self) -> dict[str, list[QAction | None]]:
        """The File menu saves and opens sessions and exports ONNX; the View menu opens
        the window inside the network and the loss landscape."""
        return {"&File": list(self._file_actions),
                "&View": [self.inside_action, self.landscape.action]}

    def toolbar_widgets(self) -> list[QWidget]:
        return []

    def activated(self, current: bool) -> None:
        """A run trains on in the background; back on the tab, the page's last status
        message is shown again (another page's is not left in the status bar)."""
        if current and self._status:
            self.statusMessage.emit(self._status)

    def save_settings(self, settings: QSettings) -> None:
        """The chosen source, its file and the controls' values (``mnist/...`` keys)."""
        self.controls.save_settings(settings)
        path = self._settings.value("mnist/path", "")  # until the data has loaded
        if self.data_info is not None:
            path = self.data_info.get("path", "")
        settings.setValue("mnist/path", path)

    def restore_settings(self, settings: QSettings) -> None:
        """The controls' values from ``settings``; the data source is read at start-up."""
        self.controls.restore_settings(settings)

    def shutdown(self, timeout_ms: int = 2000) -> bool:
        """End the worker's thread (and a download); True if it ended within
        ``timeout_ms``. Safe to call twice."""
        if self.download_dialog is not None:
            self.download_dialog.abort()
        self.autosaver.finish()
        self.landscape.shutdown()
        if self.inside_window is not None:
            self.inside_window.shutdown()
        return self.controller.shutdown(timeout_ms)

    def show_inside(self) -> None:
        """Open (or bring up) the non-modal "Inside the network" window."""
        if self.inside_window is None:
            from playground.mnist.inside import gradient_check
            from playground.ui.two_d.inside_window import InsideWindow

            ctl = self.controller
            self.inside_window = InsideWindow(
                ctl, self.window(), run=ctl, layer_view=False, name="mnistInsideWindow",
                title="Inside the network (MNIST)",
                check_inputs=ctl.gradient_check_inputs, check=gradient_check,
                probe="a fixed batch of {n} training images",
                activations_heading="Activations of each activation layer and of the "
                "output on a fixed batch of training images (a convolution's: all its "
                "values)")
        self.inside_window.show()
        self.inside_window.activateWindow()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt's naming)
        self.shutdown()
        super().closeEvent(event)

    # ------------------------------------------------------------------ state

    @property
    def status(self) -> str:
        """The last status message the page gave ("" before any)."""
        return self._status

    @property
    def run_id(self) -> int:
        return self.controller.run_id

    @property
    def is_training(self) -> bool:
        return self.controller.is_training

    @property
    def data_info(self) -> dict | None:
        """What the worker reported about the loaded data (None before it is loaded)."""
        return self.controller.data_info

    # ------------------------------------------------------------------ intent

    def load_source(self, key: str, path: str = "") -> None:
        """Load a data source ("sample", "mnist", "fashion-mnist", "digits", or "files"
        with ``path``); the worker reads it off the GUI thread."""
        self.controller.load_source(key, path)

    def toggle_training(self) -> None:
        self.controller.toggle_training()

    def start_training(self) -> None:
        self.controller.train()

    def stop_training(self) -> None:
        """Stop after the current mini-batch; the network is kept."""
        self.controller.stop()

    def save_model(self, path: str) -> None:
        self.controller.save_model(path)

    def load_model(self, path: str) -> None:
        self.controller.load_model(path)

    def _restore_source(self, note: str = "") -> None:
        self.controller.restore_source(str(self._settings.value("mnist/source", "sample")),
                                       str(self._settings.value("mnist/path", "")), note)

    def _ask_discard(self, question: str) -> bool:
        answer = QMessageBox.question(
            self, "Throw the trained network away?", question,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def _may_discard(self, what: str) -> bool:
        """True when there is no trained network to lose, or the user lets it go."""
        if not self.controller.has_trained_network:
            return True
        return self.ask_discard(
            f"{what} needs a new network: the trained one, its curves and its epoch count "
            f"would be thrown away (save the session first to keep them). Go ahead?")

    def _on_model_edited(self) -> None:
        if self._may_discard("Changing the architecture"):
            self.controller.preview()
            return
        values = self.controller.network_values  # "No": show the network's own again
        if values is not None:
            self.controls.set_values({k: values[k] for k in ARCHITECTURE_KEYS})
        self._say("The network was kept; its architecture is shown again.")

    def _on_source_chosen(self, key: str) -> None:
        if not self._may_discard("Changing the data"):
            self.controls.set_source(self.controller.source or "sample")
            self._say("The network was kept, and the data it trains on.")
            return
        path = ""
        if key == "files":
            path, _ = QFileDialog.getOpenFileName(
                self, "Open MNIST files", str(self._settings.value("mnist/path", "")),
                "MNIST files (*.npz *.pkl.gz *.pkl *-ubyte *-ubyte.gz *.idx*);;All files (*)")
            if not path:
                self.controls.set_source(self.controller.source or "sample")
                return
        self.controller.choose_source(key, path)

    def _ask_save(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save model", "mnist-model.npz",
                                              "Models (*.npz)")
        if path:
            self.save_model(path)

    def _ask_load(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Load model", "", "Models (*.npz)")
        if path:
            self.load_model(path)

    def _request_maps(self, index: int) -> None:
        self.controller.request_feature_maps(index, self.views.map_layer)

    def _request_prediction(self) -> None:
        self.controller.predict(self.views.pad.image())

    def _repredict(self) -> None:
        if not self.views.pad.is_blank():
            self._request_prediction()

    # ------------------------------------------------------------------ showing

    def _on_loading(self, key: str) -> None:
        self.controls.set_source(key)
        self.controls.strip.set_placeholder("loading…")

    def _on_data_loaded(self, info: dict) -> None:
        self._settings.setValue("mnist/path", info.get("path", ""))
        names = info["class_names"]
        self.controls.strip.set_images(info["strip_images"],
                                       [names[i] for i in info["strip_labels"]])
        h, w = info["input_shape"][1:]
        switched = self.controls.use_source_defaults(info["source"])  # before the preview
        self.controls.data_label.setText(f"{info['n_train']:,} train, {info['n_test']:,} "
                                         f"test images, {h}×{w}"
                                         + self.controls.defaults_note(switched))
        self.controls.spins["train_limit"].setMaximum(info["n_train"])
        self.views.set_data(info["n_test"], names)

    def _on_download_needed(self, name: str, key: str) -> None:
        factory = self.download_job_factory
        dialog = DownloadDialog(factory(name), self, job_factory=lambda: factory(name))
        self.download_dialog = dialog
        dialog.downloaded.connect(lambda _folder: self.controller.load_source(key))
        dialog.finished.connect(self._on_dialog_closed)
        dialog.open()

    def _on_dialog_closed(self, result: int) -> None:
        dialog, self.download_dialog = self.download_dialog, None
        if result != DownloadDialog.DialogCode.Accepted:
            self.controller.download_cancelled()
        if dialog is not None:
            dialog.deleteLater()

    def _on_run_started(self, train: bool) -> None:
        self.controls.progress.setRange(0, 1)
        self.controls.progress.setValue(0)
        if train and self.views.filter_mode == "initial":  # the start stays as it is
            self.views.set_filter_mode("learned")

    def _on_model_ready(self, p: dict) -> None:
        self.views.set_model(p)
        self.views.set_trained(p["loaded"])
        if self.views.tabs.currentIndex() == 2:  # the maps of the current model
            self._request_maps(self.views.map_spin.value())
        self.controls.summary_label.setText(p["summary"])
        if p["total"]:
            self.controls.progress.setRange(0, p["total"])

    def _on_progress(self, p: dict) -> None:
        if p["done"] > 0:
            self.views.set_trained(True)
        bar = self.controls.progress
        if bar.maximum() != p["total"]:
            bar.setRange(0, p["total"])
        bar.setValue(p["done"])

    def _on_evaluated(self, p: dict) -> None:
        self.views.set_evaluation(p)
        if self.views.tabs.currentIndex() == 2:
            self._request_maps(self.views.map_spin.value())

    def _on_session_restored(self, p: dict) -> None:
        """A saved session is back: its settings in the controls, its curves (one
        point per epoch: the steps were not saved), the progress bar full."""
        self.controls.set_values(p["values"])
        self.views.set_trained(p["steps"] > 0)
        curves = self.views.curves
        rows = [m for m in p["history"] if m.get("train_loss") is not None]
        if rows:
            curves.append_steps(np.array([m["epoch"] for m in rows], float),
                                np.array([m["train_loss"] for m in rows], float),
                                np.array([m.get("train_acc") or 0.0 for m in rows], float))
        for m in p["history"]:
            curves.append_epoch(m["epoch"], m.get("test_loss"), m.get("test_acc"))
        self.controls.progress.setRange(0, 1)
        self.controls.progress.setValue(1 if p["epoch"] else 0)
        last = p["history"][-1] if p["history"] else {}
        acc = last.get("test_acc")
        text = f"Restored the session at epoch {p['epoch']}" + (
            f", test accuracy {100 * acc:.1f} %." if acc is not None else ".")
        self._set_run_text(text)
        self._say(" ".join([text, *p["notes"]]))

    def _on_file_error(self, title: str, text: str) -> None:
        self._show_error(text)
        self.errorRaised.emit(title, text)

    def _set_run_text(self, text: str) -> None:
        self.controls.run_label.setStyleSheet("")
        self.controls.run_label.setText(text)
        self.controls.run_label.setVisible(bool(text))  # no empty gap in a full column

    def _show_error(self, text: str) -> None:
        self.controls.run_label.setStyleSheet(ERROR_STYLE)
        self.controls.run_label.setText(text)
        self.controls.run_label.setVisible(True)
        self._say(text)

    def _say(self, text: str) -> None:
        self._status = text
        self.statusMessage.emit(text)
