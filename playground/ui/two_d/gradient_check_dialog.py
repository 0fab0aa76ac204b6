"""The gradient check's result: one row per parameter array (name, shape, largest
relative error against central differences, pass or fail) under a one-line verdict."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

PASS_COLOR = "#d8f3dc"
FAIL_COLOR = "#ffd6d6"
COLUMNS = ("Parameter array", "Shape", "Max relative error", "Checked", "Result")


class GradientCheckDialog(QDialog):
    """``gradientCheckDialog``: shows ``result`` (``playground.two_d.inside.
    gradient_check``'s dict) in ``gradientCheckTable`` under ``gradientCheckVerdict``."""

    def __init__(self, result: dict, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("gradientCheckDialog")
        self.setWindowTitle("Gradient check")
        self.result = result
        verdict = QLabel(result["verdict"])
        verdict.setObjectName("gradientCheckVerdict")
        verdict.setWordWrap(True)
        color = "#1b7f3b" if result["passed"] else "#b00020"
        verdict.setStyleSheet(f"font-weight: bold; color: {color};")
        note = QLabel("Back-propagated gradients of the loss on a few training samples "
                      "against central differences, on a float64 copy of the current "
                      f"network; an array passes when its error is at most "
                      f"{result['tolerance']:.0e}.")
        note.setWordWrap(True)
        note.setStyleSheet("color: #555;")
        rows = result["rows"]
        table = QTableWidget(len(rows), len(COLUMNS))
        table.setObjectName("gradientCheckTable")
        table.setHorizontalHeaderLabels(COLUMNS)
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        for r, row in enumerate(rows):
            checked = f"{row['checked']}" + (f" ({row['at_kinks']} at kinks)"
                                             if row["at_kinks"] else "")
            cells = (row["name"], " × ".join(map(str, row["shape"])),
                     f"{row['max_rel_err']:.2e}", checked,
                     "pass" if row["passed"] else "FAIL")
            brush = QBrush(QColor(PASS_COLOR if row["passed"] else FAIL_COLOR))
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c >= 1:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                item.setBackground(brush)
                table.setItem(r, c, item)
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for c in range(1, len(COLUMNS)):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        self.table = table
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(verdict)
        layout.addWidget(note)
        layout.addWidget(table, 1)
        layout.addWidget(buttons)
        self.resize(620, min(560, 170 + 30 * len(rows)))
