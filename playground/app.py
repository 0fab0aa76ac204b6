"""Entry point of the ``nn-playground`` desktop app (also ``python -m playground``)."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Open the playground window and run the Qt event loop; returns the exit code.

    PySide6 is imported here, not at module level, so importing ``playground`` (e.g. for
    its paths helper or in a headless script) does not load Qt.
    """
    argv = list(sys.argv if argv is None else argv)
    if any(a in ("-h", "--help") for a in argv[1:]):
        print("usage: nn-playground\n\nOpens the NumPy Neural Playground window. "
              "Train from the command line with: python -m engine train --help")
        return 0
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
