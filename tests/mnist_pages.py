"""The MNIST page opened for a test: settings in a temporary file, the sample loaded
and the first network built, worker failures collected, every page shut down after."""

from __future__ import annotations

from collections.abc import Iterator

from PySide6.QtCore import QSettings


def open_pages(qtbot, tmp_path, defaults: dict | None = None,
               wait_filters: bool = True) -> Iterator:
    """Body of an ``open_page`` fixture (``yield from open_pages(...)``): ``_open(**values)``
    shows a page on ``defaults`` updated with ``values``. The discard question is
    answered by ``page.answer`` (True) and recorded in ``page.questions``; the page's
    error boxes land in ``page.file_errors``; ``_open.errors`` are worker failures,
    which fail the test at teardown."""
    from playground.ui.mnist.page import MnistPage

    pages: list[MnistPage] = []
    errors: list[str] = []

    def _open(**values) -> MnistPage:
        s = QSettings(str(tmp_path / f"mnist{len(pages)}.ini"), QSettings.Format.IniFormat)
        for key, value in dict(defaults or {}, **values).items():
            s.setValue(f"mnist/{key}", value)
        page = MnistPage(settings=s)
        qtbot.addWidget(page)
        page.questions, page.answer, page.file_errors = [], True, []

        def ask(question: str, page=page) -> bool:
            page.questions.append(question)
            return page.answer
        page.ask_discard = ask
        page.errorRaised.connect(lambda _title, text, p=page: p.file_errors.append(text))
        page.controller.worker.failed.connect(errors.append)
        page.resize(1024, 700)
        page.show()
        qtbot.waitExposed(page)
        qtbot.waitUntil(lambda: page.data_info is not None and page.run_id > 0
                        and (not wait_filters or page.views.filter_grid.mosaic.size > 0),
                        timeout=15000)
        pages.append(page)
        return page

    _open.errors = errors
    yield _open
    for page in pages:
        assert page.shutdown(), "the worker thread did not end"
    assert not errors, errors


def find(page, cls, name):
    w = page.findChild(cls, name)
    assert w is not None, name
    return w
