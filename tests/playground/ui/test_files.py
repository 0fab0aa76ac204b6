"""File menu: CSV data in and out, image export; bad files change nothing."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QMessageBox


def shown_boxes(window) -> list[QMessageBox]:
    return [b for b in window.findChildren(QMessageBox) if b.isVisible()]


def test_saved_points_open_again_as_a_drawing(window, tmp_path):
    path = str(tmp_path / "moons.csv")
    X0, y0 = window.controller.all_points()
    assert window.page.files.save_data(path)
    assert (tmp_path / "moons.csv").read_text().splitlines()[0] == "x1,x2,label"
    window.controller.clear_points()
    assert window.page.files.open_data(path)
    c = window.controller
    assert c.config.data.name == "drawn" and len(c.drawn) == len(y0)
    assert np.array_equal(c.drawn.X, X0) and np.array_equal(c.drawn.y, y0)
    assert c.dataset is not None and "Loaded 300 points" in window.statusBar().currentMessage()


def test_a_bad_row_shows_one_message_and_changes_nothing(window, qtbot, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("x1,x2,label\n0.1,0.2,0\n0.3,abc,1\n")
    c = window.controller
    config, X = c.config, c.all_points()[0]
    assert not window.page.files.open_data(str(path))
    assert c.config == config and np.array_equal(c.all_points()[0], X)
    qtbot.waitUntil(lambda: len(shown_boxes(window)) == 1)
    text = shown_boxes(window)[0].text()
    assert "abc" in text and "line 3" in text
    assert window.statusBar().currentMessage() == text


def test_labels_beyond_the_five_drawing_classes_are_refused(window, tmp_path):
    path = tmp_path / "many.csv"
    path.write_text("x1,x2,label\n0,0,0\n1,1,7\n")
    assert not window.page.files.open_data(str(path))
    assert "label 7" in window.last_problem
    assert window.controller.config.data.name == "moons"


def test_export_png_and_svg(window, tmp_path):
    png, svg = tmp_path / "plots.png", tmp_path / "plots.svg"
    assert window.page.files.export_image(str(png))
    image = QImage(str(png))
    plot, curves = window.page.decision_plot, window.page.curves
    loss, acc = curves.loss_plot, curves.acc_plot
    # the plots only (not the log-scale check box above them), and a caption strip
    assert image.width() == plot.width() + max(loss.width(), acc.width())
    body = max(plot.height(), loss.height() + acc.height())
    beside = body - loss.height() - acc.height() >= 160   # the caption under the curves
    assert image.height() == body + (0 if beside else 28)
    assert window.page.files.export_image(str(svg))
    text = svg.read_text()
    assert "<svg" in text[:500] and "moons" in text and "epoch" in text
    assert not window.page.files.export_image(str(tmp_path / "missing-dir" / "x.png"))
    assert "Cannot" in window.statusBar().currentMessage()
