"""What keeps the live plots cheap to paint, held so a later change cannot quietly undo it:
one brush object per colour in the Compare tab's point clouds (pyqtgraph's symbol atlas
draws a symbol per distinct brush object) and 1 px pens on every curve that grows while
a run trains (Qt strokes wider lines as outlines, many times slower)."""

from __future__ import annotations

import numpy as np
import pytest

from playground.ui.compare.region_view import RegionView
from playground.ui.plots.curves import TrainingCurves
from playground.ui.plots.step_curves import StepCurves


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_a_region_shares_one_brush_per_colour_among_its_points(qtbot, task):
    view = RegionView(0)
    qtbot.addWidget(view)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1000, 2))
    y = rng.integers(0, 3, 1000) if task == "classification" else rng.standard_normal(1000)
    view.set_points(x, y, task, (-3.0, 3.0, -3.0, 3.0))
    brushes = view.points.data["brush"]
    assert len(brushes) == 1000
    distinct = {id(b) for b in brushes}
    colours = {b.color().rgba() for b in brushes}
    assert len(distinct) == len(colours)  # no two objects of one colour
    assert len(distinct) <= (3 if task == "classification" else 256)
    # and each point still has its own colour: the class (or value) decides it
    by_class = {}
    if task == "classification":
        for b, label in zip(brushes, y):
            by_class.setdefault(int(label), set()).add(b.color().rgba())
        assert all(len(c) == 1 for c in by_class.values()) and len(by_class) == 3


def _curve_pens(plot) -> list:
    return [item.opts["pen"] for item in plot.getPlotItem().listDataItems()]


def test_the_growing_curves_are_drawn_with_one_pixel_pens(qtbot):
    curves, steps = TrainingCurves(), StepCurves()
    qtbot.addWidget(curves)
    qtbot.addWidget(steps)
    pens = [p for w in (curves, steps) for plot in (w.loss_plot, w.acc_plot)
            for p in _curve_pens(plot)]
    assert len(pens) >= 8
    assert all(p.widthF() <= 1.0 for p in pens), [p.widthF() for p in pens]


def test_the_compare_tabs_curves_are_drawn_with_one_pixel_pens(window, wait_idle, qtbot):
    wait_idle(window)
    window.tabs.setCurrentIndex(2)
    page = window.compare_page
    page.vary_combo.setCurrentText("optim.name")
    page.values_edit.setText("sgd, momentum, adagrad, adam")
    page.epochs_spin.setValue(3)
    page.run_button.click()
    qtbot.waitUntil(lambda: not page.is_running and len(page.history) == 4, timeout=20000)
    pens = [p for plot in (page.loss_plot, page.acc_plot) for p in _curve_pens(plot)]
    assert len(pens) == 16
    assert all(p.widthF() <= 1.0 for p in pens)
    styles = {p.style() for p in pens}
    assert len(styles) == 2  # train solid, test dashed: told apart without width
