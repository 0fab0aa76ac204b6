"""The main window: tabs, toolbar, menus, status bar and remembered settings."""

from __future__ import annotations

import os
from collections.abc import Callable

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QSettings, QSize, Qt
from PySide6.QtGui import QAction, QCloseEvent, QImage, QKeySequence, QPainter
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from playground import settings as store
from playground.ui.help_text import ABOUT, HOW_TO_USE
from playground.ui.two_d.page import DEFAULT_SPEED, PlaygroundPage
from playground.ui.two_d.session_actions import SessionActions

RUN_KEYS = (Qt.Key.Key_Space, Qt.Key.Key_S, Qt.Key.Key_R)


def setup_pyqtgraph() -> None:
    """Global pyqtgraph options, set before any plot is made (idempotent)."""
    pg.setConfigOptions(imageAxisOrder="row-major")


class _RunKeys(QObject):
    """Lets Space/S/R reach the window's shortcuts while a spin box, combo box or button
    has focus (those widgets would otherwise take the key for themselves)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and event.key() in RUN_KEYS \
                and not (event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier):
            event.ignore()
            return True
        return False


class MainWindow(QMainWindow, SessionActions):
    """The application window. ``settings``: where to remember the configuration and the
    geometry (default: the user's settings; tests pass a private INI file).
    ``data_dir``: the autosave folder (default: the user data folder); ``ask_restore``:
    called with the autosave's path after a run that did not close cleanly, True to
    restore it (default: a question box)."""

    def __init__(self, settings: QSettings | None = None,
                 parent: QWidget | None = None, *, data_dir: str | os.PathLike | None = None,
                 ask_restore: Callable[[str], bool] | None = None) -> None:
        super().__init__(parent)
        setup_pyqtgraph()
        from playground.two_d.controller import PlaygroundController

        self.setObjectName("mainWindow")
        self.setWindowTitle("NumPy Neural Playground")
        self.settings = settings if settings is not None else store.default_settings()
        self.last_problem = ""
        self._dialog: QMessageBox | None = None
        points = store.read_points(self.settings, "playground/points")
        self.controller, note = PlaygroundController.from_saved(
            store.read_text(self.settings, "playground/config"), points, parent=self)
        self.page = PlaygroundPage(self.controller)
        self.page.statusMessage.connect(self._status)
        self.controller.problem.connect(self._remember_problem)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("mainTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.page, "2-D Playground")
        self.mnist_page = self._make_mnist_page()
        self.tabs.addTab(self.mnist_page, "MNIST")
        self.tabs.currentChanged.connect(self._on_tab)
        self.setCentralWidget(self.tabs)

        self._make_actions()
        self._make_toolbar()
        self._make_menus()
        self._key_filter = _RunKeys(self)
        for kind in (QAbstractSpinBox, QComboBox, QAbstractButton):
            for w in self.page.findChildren(kind) + self.toolbar.findChildren(kind):
                w.installEventFilter(self._key_filter)
                if isinstance(w, QAbstractSpinBox):
                    for inner in w.findChildren(QLineEdit):
                        inner.installEventFilter(self._key_filter)
        self.statusBar().setObjectName("statusBar")
        self.statusBar().setSizeGripEnabled(True)
        self._restore()
        self.controller.start()
        self._status(note or "Press Play (Space) to train; turn on Draw to add your own "
                              "points.", 0 if note else 8000)
        self._start_autosave(data_dir, ask_restore)

    # ------------------------------------------------------------------ construction

    def _make_mnist_page(self) -> QWidget:
        try:
            from playground.ui.mnist.page import MnistPage
        except ModuleNotFoundError as e:
            if e.name != f"{__package__}.mnist_page":
                raise
        else:
            page = MnistPage(settings=self.settings)
            status = getattr(page, "statusMessage", None)
            if status is not None:
                status.connect(lambda text: self._page_status(page, text))
            return page
        page = QWidget()
        page.setObjectName("mnistPage")
        lay = QVBoxLayout(page)
        label = QLabel("The MNIST trainer lives on this page: train a convolutional network "
                       "on handwritten digits and watch its first-layer filters.")
        label.setWordWrap(True)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(label)
        return page

    def _make_actions(self) -> None:
        def action(text: str, key, slot, name: str, tip: str) -> QAction:
            a = QAction(text, self)
            a.setObjectName(name)
            if key is not None:
                a.setShortcut(QKeySequence(key))
                a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            a.setToolTip(tip)
            a.setStatusTip(tip)
            a.triggered.connect(slot)
            self.addAction(a)
            return a

        c = self.controller
        self.play_action = action("Play / Pause", Qt.Key.Key_Space, c.toggle, "playAction",
                                  "Start or pause training")
        self.step_action = action("Step one epoch", Qt.Key.Key_S, c.step, "stepAction",
                                  "Train exactly one more epoch")
        self.reset_action = action("Reset weights", Qt.Key.Key_R, c.reset, "resetAction",
                                   "Fresh initial weights, epoch 0")
        self.open_action = action("Open data (CSV)…", QKeySequence.StandardKey.Open,
                                  lambda: self.open_data(), "openDataAction",
                                  "Load points from a CSV file with columns x1,x2,label")
        self.save_action = action("Save data as CSV…", QKeySequence.StandardKey.Save,
                                  lambda: self.save_data(), "saveDataAction",
                                  "Save every point (train and test) as x1,x2,label")
        self.export_action = action("Export image (PNG/SVG)…", "Ctrl+E",
                                    lambda: self.export_image(), "exportImageAction",
                                    "Save the decision plot and curves as a PNG or SVG")
        self.open_session_action = action(
            "Open session…", "Ctrl+Shift+O", lambda: self.open_session(), "openSessionAction",
            "Open a saved session: data, network, weights and loss curves")
        self.save_session_action = action(
            "Save session as…", "Ctrl+Shift+S", lambda: self.save_session_as(),
            "saveSessionAction", "Save data, network, weights and loss curves in one file")
        self.export_model_action = action(
            "Export model (.npz)…", None, lambda: self.export_model(), "exportModelAction",
            "Save the trained network as .npz (python -m engine evaluate reads it)")
        self.export_history_action = action(
            "Export loss history (CSV)…", None, lambda: self.export_history(),
            "exportHistoryAction", "Save the loss and accuracy of every epoch as CSV")
        self.quit_action = action("Quit", "Ctrl+Q", self.close,
                                  "quitAction", "Close the window (stops training)")
        self.help_action = action("How to use", QKeySequence.StandardKey.HelpContents,
                                  lambda: self._info("How to use", HOW_TO_USE),
                                  "helpAction", "A short guide to the playground")
        self.about_action = action("About", None, lambda: self._info("About", ABOUT),
                                   "aboutAction", "About this application")

    def _make_toolbar(self) -> None:
        tb = QToolBar("Run")
        tb.setObjectName("runToolBar")
        tb.setMovable(False)
        tb.setIconSize(QSize(16, 16))
        p = self.page
        for w in (p.play_button, p.step_button, p.reset_button):
            tb.addWidget(w)
        speed = QLabel("  Speed ")
        speed.setToolTip(p.speed_combo.toolTip())
        tb.addWidget(speed)
        tb.addWidget(p.speed_combo)
        tb.addSeparator()
        # read-outs last: in a narrow window they are what folds away, not the controls
        for w in (p.epoch_label, p.train_label, p.test_label):
            tb.addWidget(w)
        self.addToolBar(tb)
        self.toolbar = tb

    def _make_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        for a in (self.open_session_action, self.save_session_action):
            file_menu.addAction(a)
        file_menu.addSeparator()
        for a in (self.open_action, self.save_action):
            file_menu.addAction(a)
        file_menu.addSeparator()
        for a in (self.export_model_action, self.export_history_action, self.export_action):
            file_menu.addAction(a)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        run_menu = bar.addMenu("&Run")
        for a in (self.play_action, self.step_action, self.reset_action):
            run_menu.addAction(a)
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.help_action)
        help_menu.addAction(self.about_action)

    # ------------------------------------------------------------------ commands

    def open_data(self, path: str | None = None) -> bool:
        """Load points from a CSV file into the drawing; a bad file changes nothing."""
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, "Open data", "",
                                                  "CSV files (*.csv);;All files (*)")
            if not path:
                return False
        try:
            n = self.controller.open_csv(path)
        except ValueError as e:  # DataError: one sentence naming the file and the problem
            self._error("Cannot open data", str(e))
            return False
        text = f"Loaded {n} points from {os.path.basename(path)}."
        if self.controller.dataset is None:  # e.g. one class: say what training needs
            self.last_problem = self.controller.data_problem
            self._status(f"{text} {self.controller.data_problem}", 0)
        else:
            self._status(text, 5000)
        return True

    def save_data(self, path: str | None = None) -> bool:
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "Save data as CSV", "points.csv",
                                                  "CSV files (*.csv)")
            if not path:
                return False
        try:
            n = self.controller.save_csv(path)
        except ValueError as e:
            self._error("Cannot save data", str(e))
            return False
        self._status(f"Saved {n} points to {os.path.basename(path)}.", 5000)
        return True

    def export_image(self, path: str | None = None) -> bool:
        """The decision plot and the curves side by side, as PNG or (by extension) SVG."""
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "Export image", "playground.png",
                                                  "PNG image (*.png);;SVG image (*.svg)")
            if not path:
                return False
        widgets = (self.page.decision_plot, self.page.curves)
        w = sum(x.width() for x in widgets)
        h = max(x.height() for x in widgets)
        try:
            if path.lower().endswith(".svg"):
                from PySide6.QtSvg import QSvgGenerator

                target = QSvgGenerator()
                target.setFileName(path)
                target.setSize(QSize(w, h))
                target.setViewBox(QRect(0, 0, w, h))
                target.setTitle("NumPy Neural Playground")
            else:
                target = QImage(w, h, QImage.Format.Format_ARGB32)
                target.fill(Qt.GlobalColor.white)
            painter = QPainter(target)
            try:
                x = 0
                for widget in widgets:
                    for plot in widget.findChildren(pg.PlotWidget) + [widget]:
                        if isinstance(plot, pg.PlotWidget):
                            plot.scene().prepareForPaint()
                    # QWidget's render: QGraphicsView overrides it with a scene-only one
                    QWidget.render(widget, painter, QPoint(x, 0))
                    x += widget.width()
            finally:
                painter.end()
            if isinstance(target, QImage) and not target.save(path):
                raise OSError("the image could not be written")
        except OSError as e:
            self._error("Cannot export image", f"Cannot write {path}: {e}.")
            return False
        if not os.path.exists(path):
            self._error("Cannot export image", f"Cannot write {path}.")
            return False
        self._status(f"Exported {os.path.basename(path)}.", 5000)
        return True

    # ------------------------------------------------------------------ messages

    def _status(self, text: str, timeout_ms: int = 0) -> None:
        self.statusBar().showMessage(text, timeout_ms)

    def _page_status(self, page: QWidget, text: str) -> None:
        """A page's own status text, shown while that page is the current tab."""
        if self.tabs.currentWidget() is page:
            self._status(text, 8000)

    def _remember_problem(self, text: str) -> None:
        self.last_problem = text

    def _error(self, title: str, text: str) -> None:
        """One clear message: in the status bar and a (non-blocking) message box."""
        self.last_problem = text
        self._status(text, 0)
        self._show_box(QMessageBox.Icon.Warning, title, text)

    def _info(self, title: str, html: str) -> None:
        self._show_box(QMessageBox.Icon.NoIcon, title, html)

    def _show_box(self, icon, title: str, text: str) -> None:
        if self._dialog is not None:
            self._dialog.close()
            self._dialog.deleteLater()
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, self)
        box.setObjectName("messageBox")
        box.setTextFormat(Qt.TextFormat.AutoText)
        self._dialog = box
        box.open()

    # ------------------------------------------------------------------ tabs, settings

    def _on_tab(self, index: int) -> None:
        on_2d = self.tabs.widget(index) is self.page
        self.toolbar.setVisible(on_2d)
        for a in (self.play_action, self.step_action, self.reset_action):
            a.setEnabled(on_2d)
        if not on_2d:
            self.controller.pause()
            # The 2-D page's hints mean nothing here; the MNIST page posts its own.
            self.statusBar().showMessage(
                "Pick a data source and a model, then press Train.", 8000)

    def _restore(self) -> None:
        s = self.settings
        geometry = s.value("window/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1280, 800)
        self.page.set_speed(store.read_int(s, "playground/speed", DEFAULT_SPEED))
        self.page.curves.set_log_y(store.read_bool(s, "playground/logY", False))
        dp = self.page.data_panel
        dp.show_test_check.setChecked(store.read_bool(s, "playground/showTest", True))
        dp.discretize_check.setChecked(store.read_bool(s, "playground/discretize", False))
        dp.baseline_check.setChecked(store.read_bool(s, "playground/baseline", False))

    def save_settings(self) -> None:
        s, dp, c = self.settings, self.page.data_panel, self.controller
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("playground/config", c.config.to_json(indent=None))
        drawn = c.drawn
        store.write_points(s, "playground/points", drawn.X, drawn.y, drawn.test_mask)
        s.setValue("playground/speed", int(self.page.speed_combo.currentData()))
        s.setValue("playground/logY", self.page.curves.log_check.isChecked())
        s.setValue("playground/showTest", dp.show_test_check.isChecked())
        s.setValue("playground/discretize", dp.discretize_check.isChecked())
        s.setValue("playground/baseline", dp.baseline_check.isChecked())
        s.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_settings()
        self._finish_autosave()
        for page in (self.mnist_page,):
            stop = getattr(page, "shutdown", None)
            if callable(stop):
                stop()
        self.controller.shutdown()
        super().closeEvent(event)
