"""Spin boxes for values that live on a log scale (learning and regularisation rates)."""

from __future__ import annotations

import bisect
from collections.abc import Callable

from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QAbstractSpinBox, QDoubleSpinBox, QSpinBox, QWidget

#: the ladder the arrows step through: 1-3-10, like the TensorFlow Playground's menu.
RATE_LADDER = (1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)


class LogSpinBox(QDoubleSpinBox):
    """A rate spin box: arrows and PageUp/Down move along ``RATE_LADDER`` (x3 / x3.3 per
    step) and typed values are kept as typed (e.g. 0.005)."""

    def __init__(self, minimum: float = 1e-5, maximum: float = 10.0,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDecimals(10)
        self.setRange(minimum, maximum)
        self.setKeyboardTracking(False)
        self.ladder = tuple(v for v in RATE_LADDER if minimum <= v <= maximum)

    def stepBy(self, steps: int) -> None:
        v = self.value()
        if steps > 0:
            i = bisect.bisect_right(self.ladder, v * (1 + 1e-9))
            target = self.ladder[min(i + steps - 1, len(self.ladder) - 1)]
        else:
            i = bisect.bisect_left(self.ladder, v * (1 - 1e-9))
            target = self.ladder[max(i + steps, 0)]
        self.setValue(target)

    def textFromValue(self, value: float) -> str:
        return f"{value:.6g}"

    def valueFromText(self, text: str) -> float:
        try:
            return float(text.strip())
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int):
        t = text.strip()
        try:
            v = float(t)
        except ValueError:
            ok = t in ("", ".", "-") or t.lower().endswith("e") or t.endswith(("e-", "e+"))
            state = QValidator.State.Intermediate if ok else QValidator.State.Invalid
            return state, text, pos
        if self.minimum() <= v <= self.maximum():
            return QValidator.State.Acceptable, text, pos
        return QValidator.State.Intermediate, text, pos


def _number(value: float) -> str:
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:.10f}".rstrip("0")


def report_out_of_range(spin: QSpinBox | QDoubleSpinBox, what: str,
                        report: Callable[[str], None]) -> None:
    """Call ``report`` with one sentence when a value typed into ``spin`` lies outside
    its range: Qt then puts the previous value back without a word."""
    typed: list[str] = []  # the last text typed since the value was last applied

    def edited(text: str) -> None:
        typed[:] = [text]

    def finished() -> None:
        if not typed:
            return
        text = typed.pop().strip()
        core = text.removeprefix(spin.prefix().strip()).removesuffix(spin.suffix().strip())
        try:
            value = float(core.strip().replace(",", ""))
        except ValueError:
            return
        if not spin.minimum() <= value <= spin.maximum():
            report(f"{what} must be between {_number(spin.minimum())} and "
                   f"{_number(spin.maximum())}; {core.strip()} was not applied.")

    spin.lineEdit().textEdited.connect(edited)
    spin.editingFinished.connect(finished)
    spin.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToPreviousValue)
