"""The one-line label that ends in "…" where it is cut (the network graph's caption)."""

from __future__ import annotations

from playground.ui.widgets.elided_label import ElidedLabel

TEXT = "orange −, white 0, blue + (hover here for the scales) and more words after it"


def test_a_narrow_label_shows_the_start_and_an_ellipsis_and_keeps_the_text(qtbot):
    label = ElidedLabel(TEXT)
    qtbot.addWidget(label)
    label.resize(120, 20)
    label.show()
    qtbot.waitExposed(label)
    shown = label.shown_text()
    assert label.text() == TEXT
    assert shown.endswith("…") and TEXT.startswith(shown[:-1]) and len(shown) < len(TEXT)
    assert label.fontMetrics().horizontalAdvance(shown) <= label.contentsRect().width()


def test_a_wide_label_shows_everything_and_new_text_is_elided_again(qtbot):
    label = ElidedLabel(TEXT)
    qtbot.addWidget(label)
    label.resize(label.fontMetrics().horizontalAdvance(TEXT) + 20, 20)
    label.show()
    qtbot.waitExposed(label)
    assert label.shown_text() == TEXT
    longer = TEXT + " " + TEXT
    label.setText(longer)
    assert label.text() == longer and label.shown_text().endswith("…")


def test_a_long_text_does_not_widen_the_layout_it_sits_in(qtbot):
    from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

    box = QWidget()
    qtbot.addWidget(box)
    row = QHBoxLayout(box)
    label = ElidedLabel(TEXT * 4)
    row.addWidget(label, 1)
    row.addWidget(QPushButton("+ layer"))
    assert box.minimumSizeHint().width() < 200  # a QLabel would ask for the whole text
    box.resize(200, 30)
    box.show()
    qtbot.waitExposed(box)
    assert label.width() < 200 and label.shown_text().endswith("…")


def test_a_larger_font_is_elided_again(qtbot):
    label = ElidedLabel(TEXT)
    qtbot.addWidget(label)
    label.resize(200, 30)
    label.show()
    qtbot.waitExposed(label)
    before = label.shown_text()
    label.setStyleSheet("font-size: 24px;")  # same width, twice the letters' size
    shown = label.shown_text()
    assert len(shown) < len(before) and shown.endswith("…")
    assert label.fontMetrics().horizontalAdvance(shown) <= label.contentsRect().width()
