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


def test_a_layers_maps_coloured_in_one_pass_match_each_map_on_its_own_table():
    from playground.ui.plots.unit_colors import class_lut, diverging_lut, grey_lut, unit_rgba

    rng = np.random.default_rng(1)
    maps = rng.uniform(-1.5, 1.5, (3, 5, 7)).astype(np.float32)
    maps[1, 2, 3] = np.nan
    luts = np.stack([diverging_lut(), class_lut(1), grey_lut()])
    together = unit_rgba(maps, (-1.0, 1.0), luts)
    assert together.shape == (3, 5, 7, 4) and together.dtype == np.uint8
    for i in range(3):
        assert np.array_equal(together[i], unit_rgba(maps[i], (-1.0, 1.0), luts[i]))
    # the ends of the scale and the middle, on the diverging table
    lut = diverging_lut()
    edge = unit_rgba(np.array([[-2.0, 0.0, 2.0]]), (-1.0, 1.0))
    assert [tuple(c) for c in edge[0, :, :3]] == [tuple(lut[0]), tuple(lut[128]),
                                                  tuple(lut[-1])]
    assert tuple(together[1, 2, 3, :3]) == tuple(luts[1][128])  # NaN: the middle colour


def test_the_graphs_nodes_are_given_colours_not_values(window, qtbot):
    """A node holding RGBA needs no colour table at paint time (see network_graph)."""
    from playground.ui.plots.network_graph import NetworkGraph

    graph = window.findChild(NetworkGraph, "networkGraph")
    qtbot.waitUntil(lambda: graph._grid is not None and graph.nodes and all(
        n.image is not None for col in graph.nodes for n in col), timeout=5000)
    for col in graph.nodes:
        for node in col:
            assert node.image.dtype == np.uint8 and node.image.shape[-1] == 4
            assert node.lut is None
