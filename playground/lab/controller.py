"""The Lab tab's controller: a ``LabModel`` (``playground.lab.paths``), Step, Play/Pause
on a timer, Reset, and the settings it remembers (keys under ``lab/``).

No worker: a step of all six optimisers on a 2-D point costs well under a millisecond
(``LabModel.step``: a gradient of two numbers and one engine update per path), so Play
runs on the GUI thread, from a QTimer firing a few times a second.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QSettings, QTimer, Signal

from playground.lab.paths import (
    BOOK_OPTIMIZERS,
    MAX_RATE,
    MIN_RATE,
    OPTIMIZER_NAMES,
    SURFACE_NAMES,
    LabModel,
    default_rate,
)

#: Play's pace: one step every STEP_MS (about 8 a second, so a path can be followed).
STEP_MS = 125
#: Play pauses by itself every MAX_STEPS steps (the paths have long settled or left).
MAX_STEPS = 2000


class LabController(QObject):
    """See the module docstring. Signals: ``surfaceChanged(key)`` (new contours; the
    paths were reset too), ``pathsChanged()`` (paths added, removed, redone or reset),
    ``stepped(steps)``, ``pathStopped(name, reason)``, ``playingChanged(bool)`` and
    ``message(text)`` (a sentence for the status bar)."""

    surfaceChanged = Signal(str)
    pathsChanged = Signal()
    stepped = Signal(int)
    pathStopped = Signal(str, str)
    playingChanged = Signal(bool)
    message = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model = LabModel()
        #: surface key -> optimiser -> the learning rate chosen there (so a rate set for
        #: Rosenbrock does not carry over to the book's surface, where it would crawl)
        self.rates: dict[str, dict[str, float]] = {}
        self._timer = QTimer(self)
        self._timer.setInterval(STEP_MS)
        self._timer.timeout.connect(self._tick)

    # ------------------------------------------------------------------ reading

    @property
    def surface_key(self) -> str:
        return self.model.surface.key

    @property
    def steps(self) -> int:
        return self.model.steps

    @property
    def playing(self) -> bool:
        return self._timer.isActive()

    def rates_for(self, key: str) -> dict[str, float]:
        """Every optimiser's learning rate on the surface ``key``."""
        chosen = self.rates.get(key, {})
        return {n: chosen.get(n, default_rate(key, n)) for n in OPTIMIZER_NAMES}

    # ------------------------------------------------------------------ commands

    def step(self) -> None:
        """One update of every path still going."""
        for path in self.model.step(1):
            self.pathStopped.emit(path.name, path.reason)
        self.stepped.emit(self.model.steps)

    def play(self) -> None:
        if self.playing:
            return
        if not self.model.going:
            self.message.emit("No path is going: tick an optimiser, or Reset." if
                              not self.model.paths else
                              "Every path has stopped: Reset, or click another start.")
            return
        self._timer.start()
        self.playingChanged.emit(True)

    def pause(self) -> None:
        if self.playing:
            self._timer.stop()
            self.playingChanged.emit(False)

    def toggle(self) -> None:
        """Play or Pause."""
        if self.playing:
            self.pause()
        else:
            self.play()

    def reset(self) -> None:
        """Every path back at the start, step 0 (still playing if it was)."""
        self.model.reset()
        self.pathsChanged.emit()
        self.stepped.emit(0)

    def set_surface(self, key: str) -> None:
        """Another surface (from its start, at the rates chosen for it); step 0."""
        if key not in SURFACE_NAMES:
            raise ValueError(f"unknown surface {key!r}; choose one of "
                             f"{', '.join(SURFACE_NAMES)}")
        self.model.set_surface(key, self.rates_for(key))
        self.surfaceChanged.emit(key)
        self.pathsChanged.emit()
        self.stepped.emit(0)

    def set_start(self, x: float, y: float) -> None:
        """Start the paths at (x, y); step 0."""
        self.model.set_start(x, y)
        self.pathsChanged.emit()
        self.stepped.emit(0)
        self.message.emit(f"Paths start at ({x:.3g}, {y:.3g}).")

    def set_rate(self, name: str, lr: float) -> None:
        """``name``'s learning rate on this surface (its path redone to this step)."""
        self.model.set_rate(name, lr)
        self.rates.setdefault(self.surface_key, {})[name] = float(lr)
        self.pathsChanged.emit()
        self._report_stopped(name)

    def default_rates(self) -> None:
        """This surface's default learning rates back (the paths redone)."""
        self.rates.pop(self.surface_key, None)
        for name, lr in self.rates_for(self.surface_key).items():
            self.model.set_rate(name, lr)
        self.pathsChanged.emit()
        for name in self.model.paths:
            self._report_stopped(name)

    def set_enabled(self, name: str, on: bool) -> None:
        """Show (caught up to this step) or remove ``name``'s path."""
        self.model.set_enabled(name, on)
        self.pathsChanged.emit()
        if on:
            self._report_stopped(name)

    def shutdown(self) -> None:
        self._timer.stop()

    # ------------------------------------------------------------------ settings

    def save_settings(self, s: QSettings) -> None:
        s.setValue("lab/surface", self.surface_key)
        s.setValue("lab/optimizers", ",".join(self.model.enabled))
        for key in SURFACE_NAMES:
            for name, lr in self.rates_for(key).items():
                s.setValue(f"lab/rates/{key}/{name}", repr(float(lr)))

    def restore_settings(self, s: QSettings) -> None:
        """What ``save_settings`` wrote; a missing or unreadable value: the default."""
        self.rates = {}
        for key in SURFACE_NAMES:
            for name in OPTIMIZER_NAMES:
                lr = _rate(s.value(f"lab/rates/{key}/{name}"))
                if lr is not None and lr != default_rate(key, name):
                    self.rates.setdefault(key, {})[name] = lr
        ticked = s.value("lab/optimizers")
        enabled = BOOK_OPTIMIZERS if ticked is None else \
            [n for n in str(ticked).split(",") if n in OPTIMIZER_NAMES]
        key = str(s.value("lab/surface", "book"))
        key = key if key in SURFACE_NAMES else "book"
        self.pause()
        self.model = LabModel(key, self.rates_for(key), enabled)
        self.surfaceChanged.emit(key)
        self.pathsChanged.emit()
        self.stepped.emit(0)

    # ------------------------------------------------------------------ inside

    def _tick(self) -> None:
        self.step()
        if not self.model.going:
            self.pause()
            self.message.emit(f"Paused at step {self.steps}: every path has stopped.")
        elif self.steps % MAX_STEPS == 0:
            self.pause()
            self.message.emit(f"Paused at step {self.steps} (Play goes on from here).")

    def _report_stopped(self, name: str) -> None:
        path = self.model.paths.get(name)
        if path is not None and path.stopped_at is not None:
            self.pathStopped.emit(name, path.reason)


def _rate(value) -> float | None:
    try:
        lr = float(value)
    except (TypeError, ValueError):
        return None
    return lr if MIN_RATE <= lr <= MAX_RATE else None
