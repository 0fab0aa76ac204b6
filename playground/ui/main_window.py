"""The main window: tabs, toolbar, menus, status bar and remembered settings."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QSettings, QSignalBlocker, QSize, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QTabWidget,
    QToolBar,
    QWidget,
)

from playground import settings as store
from playground.ui.help_text import HOW_TO_USE, about_html
from playground.ui.page import MENU_ORDER, Page, make_action

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


class MainWindow(QMainWindow):
    """The application window: a shell of tabs over ``Page``s (``playground.ui.page``),
    with their menus and toolbar widgets, a status bar and the remembered geometry.
    ``settings``: where to remember the configuration and the geometry (default: the
    user's settings; tests pass a private INI file). ``data_dir``: the autosave folder
    (default: the user data folder); ``ask_restore``: called with the autosave's path
    after a run that did not close cleanly, True to restore it (default: a question)."""

    def __init__(self, settings: QSettings | None = None,
                 parent: QWidget | None = None, *, data_dir: str | os.PathLike | None = None,
                 ask_restore: Callable[[str], bool] | None = None) -> None:
        super().__init__(parent)
        setup_pyqtgraph()
        from playground.ui.two_d.page import PlaygroundPage

        self.setObjectName("mainWindow")
        self.setWindowTitle("NumPy Neural Playground")
        self.settings = settings if settings is not None else store.default_settings()
        self.last_problem = ""
        self._data_dir = data_dir
        self._dialog: QMessageBox | None = None
        self._closed = False
        self.tabs = QTabWidget()
        self.tabs.setObjectName("mainTabs")
        self.tabs.setDocumentMode(True)
        self.setCentralWidget(self.tabs)
        self._make_window_actions()
        self._make_toolbar()
        self._make_menus()
        self.statusBar().setObjectName("statusBar")
        self.statusBar().setSizeGripEnabled(True)
        self._key_filter = _RunKeys(self)
        #: the built pages, in tab order; a tab whose page is not built yet holds a
        #: placeholder until it is first shown (or asked for), which keeps start-up short
        self.pages: list[Page] = []
        self._lazy: dict[int, Callable[[], QWidget]] = {}
        #: the 2-D page and its controller (the first tab)
        self.page = self._add_page(PlaygroundPage(self.settings))
        self.controller = self.page.controller
        self._let_run_keys_through(self.page)
        self._let_run_keys_through(self.toolbar)
        self._add_lazy_page("MNIST", self._make_mnist_page)
        self._add_lazy_page("Compare", self._make_compare_page)
        self._add_lazy_page("Lab", self._make_lab_page)
        self._add_lazy_page("Sweep", self._make_sweep_page)
        self._restore()
        self.tabs.currentChanged.connect(self._on_tab)
        self._on_tab(self.tabs.currentIndex())
        self.page.start(data_dir, ask_restore)

    @property
    def mnist_page(self):
        """The MNIST page (built now if its tab has not been shown yet)."""
        return self._page_at(1)

    @property
    def compare_page(self):
        """The Compare page (built now if its tab has not been shown yet)."""
        return self._page_at(2)

    @property
    def lab_page(self):
        """The Lab page (built now if its tab has not been shown yet)."""
        return self._page_at(self._tab_index("Lab"))

    @property
    def sweep_page(self):
        """The Sweep page (built now if its tab has not been shown yet)."""
        return self._page_at(self._tab_index("Sweep"))

    def _tab_index(self, title: str) -> int:
        return next(i for i in range(self.tabs.count()) if self.tabs.tabText(i) == title)

    # ------------------------------------------------------------------ construction

    def _listen(self, page: QWidget) -> None:
        """Show a page's messages while it is the current tab."""
        page.statusMessage.connect(lambda text, ms=8000: self._page_status(page, text, ms))
        problem = getattr(page, "problemRaised", None)
        if problem is not None:
            problem.connect(lambda text: self._page_problem(page, text))
        error = getattr(page, "errorRaised", None)
        if error is not None:
            error.connect(self._error)

    def _make_window_actions(self) -> None:
        action = functools.partial(make_action, self)
        self.quit_action = action("Quit", "Ctrl+Q", self.close,
                                  "quitAction", "Close the window (stops training)")
        self.help_action = action("How to use", QKeySequence.StandardKey.HelpContents,
                                  lambda: self._info("How to use", HOW_TO_USE),
                                  "helpAction", "A short guide to the playground")
        self.about_action = action("About", None, lambda: self._info("About", about_html()),
                                   "aboutAction", "About this application")

    def _make_mnist_page(self) -> QWidget:
        from playground.ui.mnist.page import MnistPage

        return MnistPage(settings=self.settings, data_dir=self._data_dir)

    def _make_compare_page(self) -> QWidget:
        from playground.ui.compare.page import ComparePage

        page = ComparePage(lambda: (self.controller.config, self.controller.dataset),
                           self._mnist_sample_config)
        page.openRequested.connect(self._open_compared_run)
        return page

    def _make_lab_page(self) -> QWidget:
        from playground.ui.lab.page import LabPage

        page = LabPage()
        self._let_run_keys_through(page)
        return page

    def _make_sweep_page(self) -> QWidget:
        from playground.ui.sweep.page import SweepPage

        page = SweepPage(lambda: (self.controller.config, self.controller.dataset))
        page.openRequested.connect(self._open_compared_run)
        return page

    def _mnist_sample_config(self):
        """The MNIST page's network on the bundled sample (what Compare trains on it)."""
        from playground.mnist.sources import make_config

        return make_config(source="sample", **self.mnist_page.controls.values())

    def _open_compared_run(self, session, title: str) -> None:
        """Put a compared run on the 2-D page, as a saved session opens, and show it."""
        from playground.two_d.session_file import SessionError

        try:
            note = self.controller.sessions.restore(session)
        except SessionError as e:
            self.compare_page.show_error(f"Cannot open {title}: {e}")
            return
        self.tabs.setCurrentIndex(0)
        text = f"Opened {title} at epoch {session.epoch}."
        self._page_status(self.page, f"{text} {note}".strip(), 8000)

    def _make_toolbar(self) -> None:
        """One toolbar; each page's widgets are shown only while the page is current."""
        tb = QToolBar("Run")
        tb.setObjectName("runToolBar")
        tb.setMovable(False)
        tb.setIconSize(QSize(16, 16))
        self._toolbar_actions: dict[int, list[QAction]] = {}
        self.addToolBar(tb)
        self.toolbar = tb

    def _make_menus(self) -> None:
        """The menus pages contribute to (empty ones hidden), Quit and Help."""
        bar = self.menuBar()
        self._menus = {title: bar.addMenu(title) for title in MENU_ORDER}
        self._quit_separator = self._menus["&File"].addSeparator()
        self._menus["&File"].addAction(self.quit_action)
        self._menus["&Help"].addAction(self.help_action)
        self._menus["&Help"].addAction(self.about_action)
        self.addAction(self.quit_action)
        self._page_actions: dict[int, list[QAction]] = {}
        self._show_used_menus()

    def _show_used_menus(self) -> None:
        for menu in self._menus.values():
            menu.menuAction().setVisible(not menu.isEmpty())

    def _add_page(self, page: QWidget, index: int | None = None) -> QWidget:
        """Put a built page in its tab and give it the toolbar, menus and status bar."""
        if index is None:
            self.tabs.addTab(page, page.title)
            self.pages.append(page)
        else:
            self.pages.insert(sum(1 for i in range(index) if i not in self._lazy), page)
        self._listen(page)
        acts = [self.toolbar.addSeparator() if w is None else self.toolbar.addWidget(w)
                for w in page.toolbar_widgets()]
        self._toolbar_actions[id(page)] = acts
        self._page_actions[id(page)] = []
        for title, actions in page.actions().items():
            menu = self._menus[title]
            before = self._quit_separator if title == "&File" else None
            if not menu.isEmpty() and before is None:
                menu.addSeparator()
            for a in actions:
                if a is None:
                    if before is None:
                        menu.addSeparator()
                    else:
                        menu.insertSeparator(before)
                    continue
                if before is None:
                    menu.addAction(a)
                else:
                    menu.insertAction(before, a)
                self.addAction(a)  # shortcuts work from anywhere in the window
                self._page_actions[id(page)].append(a)
        self._show_used_menus()
        return page

    def _let_run_keys_through(self, widget: QWidget) -> None:
        """Space/S/R reach the window's shortcuts from the controls in ``widget``."""
        for kind in (QAbstractSpinBox, QComboBox, QAbstractButton):
            for w in widget.findChildren(kind):
                w.installEventFilter(self._key_filter)
                if isinstance(w, QAbstractSpinBox):
                    for inner in w.findChildren(QLineEdit):
                        inner.installEventFilter(self._key_filter)

    def _add_lazy_page(self, title: str, factory: Callable[[], QWidget]) -> None:
        placeholder = QWidget()
        placeholder.setObjectName("pagePlaceholder")
        self._lazy[self.tabs.addTab(placeholder, title)] = factory

    def _page_at(self, index: int) -> QWidget:
        """The page of tab ``index``, built (and its settings restored) on first use."""
        factory = self._lazy.pop(index, None)
        if factory is None:
            return self.tabs.widget(index)
        page = factory()
        current = self.tabs.currentIndex()
        with QSignalBlocker(self.tabs):
            placeholder = self.tabs.widget(index)
            self.tabs.removeTab(index)
            self.tabs.insertTab(index, page, page.title)
            self.tabs.setCurrentIndex(current)
        placeholder.deleteLater()
        self._add_page(page, index)
        page.restore_settings(self.settings)
        page_on = current == index
        for a in self._toolbar_actions[id(page)]:
            a.setVisible(page_on)
        for a in self._page_actions[id(page)]:
            a.setVisible(page_on)
        return page

    # ------------------------------------------------------------------ messages

    def _status(self, text: str, timeout_ms: int = 0) -> None:
        self.statusBar().showMessage(text, timeout_ms)

    def _page_status(self, page: QWidget, text: str, timeout_ms: int = 8000) -> None:
        """A page's own status text, shown while that page is the current tab."""
        if self.tabs.currentWidget() is page:
            self._status(text, timeout_ms)

    def _page_problem(self, page: QWidget, text: str) -> None:
        """Something the user must read: kept until replaced (and remembered)."""
        self.last_problem = text
        self._page_status(page, text, 0)

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
        current = self._page_at(index)
        # another page's progress is no news here; the page coming up posts its own
        self.statusBar().clearMessage()
        for page in self.pages:
            on = page is current
            for a in self._toolbar_actions[id(page)]:
                a.setVisible(on)
            for a in self._page_actions[id(page)]:
                a.setVisible(on)  # hidden: out of the menus, shortcuts off; its own
                # enabled state (Undo with nothing to undo) stays the page's
            page.activated(on)
        self.toolbar.setVisible(any(self._toolbar_actions[id(current)]))

    def _restore(self) -> None:
        s = self.settings
        geometry = s.value("window/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            self._fit_to_screen(1280, 800)
        for page in self.pages:
            page.restore_settings(s)

    def _fit_to_screen(self, width: int, height: int) -> None:
        """``width`` x ``height``, or less so the whole frame (title bar, status bar) fits
        the screen's available area, centred on it."""
        screen = self.screen() or QApplication.primaryScreen()
        if screen is None:
            self.resize(width, height)
            return
        area = screen.availableGeometry()
        frame_w, frame_h = 16, 48  # window-manager borders and title bar, roughly
        w = max(min(width, area.width() - frame_w), self.minimumSizeHint().width())
        h = max(min(height, area.height() - frame_h), 480)
        self.resize(w, h)
        self.move(area.x() + max(0, (area.width() - w - frame_w) // 2),
                  area.y() + max(0, (area.height() - h - frame_h) // 2))

    def save_settings(self) -> None:
        s = self.settings
        s.setValue("window/geometry", self.saveGeometry())
        for page in self.pages:
            page.save_settings(s)
        s.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._closed:
            self._closed = True
            self.save_settings()
            for page in self.pages:
                page.shutdown()
        super().closeEvent(event)
