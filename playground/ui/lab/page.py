"""The Lab tab (a ``playground.ui.page.Page``): optimiser paths over a 2-D surface, as in
"Deep Learning from Scratch" fig. 6-8: pick a surface, tick optimisers and set their
learning rates, click a start point, then Step or Play and watch each path go down."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHBoxLayout, QWidget

from playground.lab.controller import LabController
from playground.lab.paths import CONTOUR_LEVELS, contour_grid, formula
from playground.ui.lab.controls import LabControls
from playground.ui.lab.path_plot import OptimizerPathPlot
from playground.ui.page import make_action

CONTROLS_WIDTH = 290


class LabPage(QWidget):
    """See the module docstring. ``statusMessage(str)`` carries news for the status bar;
    the page's model is ``controller.model`` (``playground.lab.paths.LabModel``)."""

    title = "Lab"
    statusMessage = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("labTab")
        self._status = ""
        self.controller = c = LabController(self)
        self.controls = k = LabControls()
        k.setFixedWidth(CONTROLS_WIDTH)
        self.plot = OptimizerPathPlot(CONTOUR_LEVELS)
        self.plot.setMinimumSize(360, 300)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(10)
        layout.addWidget(k)
        layout.addWidget(self.plot, 1)

        k.surfaceChosen.connect(c.set_surface)
        k.optimizerToggled.connect(c.set_enabled)
        k.rateChanged.connect(self._set_rate)
        k.defaultsClicked.connect(c.default_rates)
        k.stepClicked.connect(c.step)
        k.playClicked.connect(c.toggle)
        k.resetClicked.connect(c.reset)
        k.problem.connect(self._say)
        self.plot.startClicked.connect(c.set_start)
        c.surfaceChanged.connect(self._on_surface)
        c.pathsChanged.connect(self._on_paths)
        c.stepped.connect(self._on_stepped)
        c.pathStopped.connect(lambda name, reason: self._say(reason))
        c.playingChanged.connect(k.show_playing)
        c.message.connect(self._say)
        self._actions = [
            make_action(self, "Play / Pause paths", Qt.Key.Key_Space, c.toggle,
                        "labPlayAction", "Step the optimiser paths a few times a second, "
                                         "or pause"),
            make_action(self, "Step paths", Qt.Key.Key_S, c.step, "labStepAction",
                        "One update of every optimiser path"),
            make_action(self, "Reset paths", Qt.Key.Key_R, c.reset, "labResetAction",
                        "Every optimiser path back at the start, step 0"),
        ]
        self._on_surface(c.surface_key)
        self._on_paths()

    # ------------------------------------------------------------------ Page protocol

    def actions(self) -> dict[str, list[QAction | None]]:
        return {"&Run": self._actions}

    def toolbar_widgets(self) -> list[QWidget]:
        return []

    def activated(self, current: bool) -> None:
        """Paths only move while the tab is shown (Play pauses when it is left)."""
        if current:
            if self._status:
                self.statusMessage.emit(self._status)
        else:
            self.controller.pause()

    def save_settings(self, settings: QSettings) -> None:
        self.controller.save_settings(settings)

    def restore_settings(self, settings: QSettings) -> None:
        self.controller.restore_settings(settings)

    def shutdown(self) -> None:
        self.controller.shutdown()

    # ------------------------------------------------------------------ views

    @property
    def model(self):
        return self.controller.model

    def _set_rate(self, name: str, lr: float) -> None:
        try:
            self.controller.set_rate(name, lr)
        except ValueError as e:
            self._say(f"{e}.")

    def _on_surface(self, key: str) -> None:
        s = self.model.surface
        grid = contour_grid(s)
        self.plot.set_surface(grid.z, grid.bounds, grid.levels, grid.log, formula(s), s.minima)
        self.plot.place_legend(key)
        self.controls.show_surface(key, self.controller.rates_for(key))
        self._say("")

    def _on_paths(self) -> None:
        m = self.model
        self.controls.show_enabled(m.enabled)
        self.controls.show_rates(m.rates)
        self.controls.show_steps(m.steps)
        self.plot.set_start(*m.start)
        self._draw()

    def _on_stepped(self, steps: int) -> None:
        self.controls.show_steps(steps)
        self._draw()

    def _draw(self) -> None:
        paths = list(self.model.paths.values())
        self.plot.set_paths([
            (p.name, p.points, f"{p.label}  lr {p.lr:g}" +
             ("  (stopped)" if p.stopped_at is not None else ""), p.stopped_at is not None)
            for p in paths])
        self.controls.show_stopped([p.reason for p in paths if p.stopped_at is not None])

    def _say(self, text: str) -> None:
        self._status = text
        self.statusMessage.emit(text)
