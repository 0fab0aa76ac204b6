"""Entry point of the ``nn-playground`` desktop app (also ``python -m playground``)."""

from __future__ import annotations

import os
import sys

USAGE = ("usage: nn-playground [--help] [--version]\n\nOpens the NumPy Neural Playground "
         "window. Train from the command line with: python -m engine train --help")


def display_problem(env: dict | None = None, platform: str | None = None) -> str:
    """Why Qt could not open a window here ("" when it can): on Linux without
    QT_QPA_PLATFORM, a window needs an X or Wayland display."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    if not platform.startswith("linux") or env.get("QT_QPA_PLATFORM"):
        return ""
    if env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"):
        return ""
    return ("nn-playground: no display to open the window on (neither DISPLAY nor "
            "WAYLAND_DISPLAY is set). Run it in a desktop session, under a virtual one "
            "(xvfb-run nn-playground), or without a window: QT_QPA_PLATFORM=offscreen "
            "for scripts.")


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as package_version

    try:
        return package_version("nn-playground")
    except PackageNotFoundError:
        return "unknown (not installed)"


def main(argv: list[str] | None = None) -> int:
    """Open the playground window and run the Qt event loop; returns the exit code.

    PySide6 is imported here, not at module level, so importing ``playground`` (e.g. for
    its paths helper or in a headless script) does not load Qt.
    """
    argv = list(sys.argv if argv is None else argv)
    if any(a in ("-h", "--help") for a in argv[1:]):
        print(USAGE)
        return 0
    if "--version" in argv[1:]:
        print(f"nn-playground {version()}")
        return 0
    problem = display_problem()
    if problem:
        # Checked before Qt starts: without a display its xcb plugin aborts (exit 134)
        # with a message about libxcb-cursor0 that sends users the wrong way.
        print(problem, file=sys.stderr)
        return 1
    from PySide6.QtWidgets import QApplication

    from engine import tune_allocator
    from playground.settings import APPLICATION, ORGANIZATION
    from playground.ui.main_window import MainWindow, setup_pyqtgraph

    tune_allocator()
    app = QApplication.instance() or QApplication(argv)
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    setup_pyqtgraph()
    window = MainWindow()
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
