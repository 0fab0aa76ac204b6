"""Read-outs laid over the decision plot: which unit it shows (and the way back), and what
the network says under the cursor."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QWidget

from playground.ui.plots.style import CLASS_COLORS

_BOX = ("QLabel { background: rgba(255, 255, 255, 225); border: 1px solid #bbb; "
        "border-radius: 3px; padding: 2px 5px; color: #222; }")


class OverlayLabel(QLabel):
    """A small boxed label floating at a corner of its parent widget."""

    def __init__(self, name: str, parent: QWidget, corner: str) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setStyleSheet(_BOX)
        self.setTextFormat(Qt.TextFormat.RichText)
        self._corner = corner
        self.hide()

    def show_text(self, html: str) -> None:
        self.setText(html)
        self.adjustSize()
        self.place()
        self.show()
        self.raise_()

    def place(self) -> None:
        p = self.parentWidget()
        x = 52 if "left" in self._corner else p.width() - self.width() - 8
        y = 6 if "top" in self._corner else p.height() - self.height() - 34
        self.move(max(0, x), max(0, y))


class UnitViewLabel(OverlayLabel):
    """"showing neuron 2.5 · back to the classes": ``backRequested`` on the link."""

    backRequested = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__("unitViewLabel", parent, "top-left")
        self.linkActivated.connect(lambda _link: self.backRequested.emit())
        self.setToolTip("The plot shows one unit's output instead of the classes. Move off "
                        "its node, click it again or press Esc to go back.")

    def show_unit(self, text: str, back: str = "the classes") -> None:
        self.show_text(f"{text} · <a href='back'>back to {back}</a>")


def _cell(grid: np.ndarray, bounds, x: float, y: float):
    """The value of ``grid`` (ny, nx, ...) in the cell under (x, y), or None off the grid."""
    xmin, xmax, ymin, ymax = bounds
    if not (xmin <= x <= xmax and ymin <= y <= ymax):
        return None
    ny, nx = grid.shape[:2]
    i = min(int((y - ymin) / (ymax - ymin) * ny), ny - 1)
    j = min(int((x - xmin) / (xmax - xmin) * nx), nx - 1)
    return grid[i, j]


def _num(v: float) -> str:
    """A value to two decimals ("0.40", "-1.25"), or three figures when large."""
    return f"{v:.2f}" if abs(v) < 1000 else f"{v:.3g}"


def value_probe_text(values: np.ndarray | None, bounds, x: float, y: float,
                     points: list[tuple[np.ndarray, np.ndarray, str]], radius: float,
                     unit: tuple[str, np.ndarray] | None = None) -> str:
    """The regression read-out at (x, y): the predicted value ŷ (or the shown unit's) in
    the cell under the cursor, and the target of the nearest point within ``radius``."""
    parts = []
    grid = unit[1] if unit is not None else values
    value = _cell(grid, bounds, x, y) if grid is not None else None
    if value is not None:
        parts.append(f"{unit[0] if unit is not None else 'ŷ'} = {_num(float(value))}")
    best = None
    for xy, targets, kind in points:
        if len(xy):
            d = (xy[:, 0] - x) ** 2 + (xy[:, 1] - y) ** 2
            k = int(d.argmin())
            if d[k] <= radius ** 2 and (best is None or d[k] < best[0]):
                best = (float(d[k]), float(targets[k]), kind)
    if best is not None:
        parts.append(f"point y = {_num(best[1])}, {best[2]}")
    return " · ".join(parts)


def probe_text(probs: np.ndarray | None, bounds, x: float, y: float,
               points: list[tuple[np.ndarray, np.ndarray, str]],
               unit: tuple[str, np.ndarray] | None = None) -> str:
    """What the read-out says at (x, y): each class's probability (or the shown unit's
    value) from the grid cell under the cursor, and the nearest point's class."""
    xmin, xmax, ymin, ymax = bounds
    parts = []
    if xmin <= x <= xmax and ymin <= y <= ymax:
        grid = unit[1] if unit is not None else probs
        if grid is not None:
            ny, nx = grid.shape[:2]
            i = min(int((y - ymin) / (ymax - ymin) * ny), ny - 1)
            j = min(int((x - xmin) / (xmax - xmin) * nx), nx - 1)
            if unit is not None:
                parts.append(f"{unit[0]} = {float(grid[i, j]):.3g}")
            else:
                parts.append(" · ".join(
                    f"<span style='color:{CLASS_COLORS[k % len(CLASS_COLORS)]}'>■</span> "
                    f"{float(p):.0%}" for k, p in enumerate(grid[i, j])))
    best = None
    for xy, labels, kind in points:
        if len(xy):
            d = (xy[:, 0] - x) ** 2 + (xy[:, 1] - y) ** 2
            k = int(d.argmin())
            if best is None or d[k] < best[0]:
                best = (float(d[k]), int(labels[k]), kind)
    if best is not None:
        colour = CLASS_COLORS[best[1] % len(CLASS_COLORS)]
        parts.append(f"nearest point: <span style='color:{colour}'>class {best[1]}</span> "
                     f"({best[2]})")
    return " · ".join(parts)
