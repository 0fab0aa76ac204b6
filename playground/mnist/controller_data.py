"""The MNIST controller's data commands: which source to load (the one remembered, one
the user chose, a download declined) and what the worker's replies about data mean
(loaded, a download needed, a load that failed and what to fall back to).

A mixin of ``MnistController``, which holds the state and the signals used here. Its
reply methods are connected to the worker's signals as they are: PySide6 delivers a
plain method of a mixin queued to the receiving object's thread (only a method
decorated with ``@Slot`` in a mixin is called on the sender's thread instead).
"""

from __future__ import annotations

from pathlib import Path

from playground.mnist.sources import SOURCES, DataRequest


class DataCommands:
    """``MnistController``'s data commands and replies; see the module docstring."""

    def restore_source(self, key: str, path: str = "", note: str = "") -> None:
        """Load the source remembered from last time; a missing file or an unknown key
        falls back to the sample, and an uncached set to the sample without asking.
        ``note`` is said once the data is in (instead of "Loaded ...")."""
        self._note = note
        if key == "files" and not (path and Path(path).exists()):
            key, path = "sample", ""
        if key not in SOURCES:
            key = "sample"
        self._prompt_download = False
        self.load_source(key, path)

    def choose_source(self, key: str, path: str = "") -> None:
        """The user chose a source: an uncached set is offered for download."""
        self._prompt_download = True
        self.load_source(key, path)

    def load_source(self, key: str, path: str = "") -> None:
        """Load a SOURCES key ("files" with ``path``) off the GUI thread; refused while
        training (the run's data must not change under it)."""
        if self._training:
            return
        self._loading = key
        self.loadingStarted.emit(key)
        self.statusMessage.emit("Loading data…")
        self._loadData.emit(DataRequest(key, path))

    def download_cancelled(self) -> None:
        """The offered download was declined or failed: the data stays as it was."""
        self._set_pending(False)
        self.sourceShown.emit(self._source or "sample")
        self.statusMessage.emit("Download cancelled; the data stays as it was.")

    # ------------------------------------------------------------------ worker replies

    def _on_data_loaded(self, info: dict) -> None:
        self._data, self._loading = info, ""
        self._network, self._network_values = "none", None  # the worker dropped it
        self._source = info["source"]
        self.sourceShown.emit(self._source)
        self.dataLoaded.emit(info)
        note, self._note = self._note, ""
        self.statusMessage.emit(note or f"Loaded {info['n_train'] + info['n_test']:,} images.")
        if self._restoring is not None:
            return  # the session's network comes next
        if self._train_pending:
            self._set_pending(False)
            self.train()
        else:
            self.preview()

    def _on_download_needed(self, name: str) -> None:
        self._loading = ""
        if self._restoring is not None:  # the session's restore says so; data as it was
            self.sourceShown.emit(self._source or "sample")
            return
        if not self._prompt_download:
            self.load_source("sample")
            self._note = (f"{name} is not downloaded yet; showing the built-in sample "
                          "(choose it again to download it).")
            return
        self.downloadNeeded.emit(name, "mnist" if name == "mnist" else "fashion-mnist")

    def _on_failed(self, text: str) -> None:
        self.errorReported.emit(text)
        if self._loading:  # the data could not be loaded: keep (or fall back to) the old
            failed, self._loading = self._loading, ""
            self._set_pending(False)
            if self._source:
                self.sourceShown.emit(self._source)
            elif failed != "sample":
                self.load_source("sample")
