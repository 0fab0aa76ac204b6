"""Regression on the plots: the decision plot's heat map of predicted values, its contours,
value-coloured points, colour bar, probe and wheel; and the 1-D curve view."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from playground.ui.main_window import setup_pyqtgraph
from playground.ui.plots.curve_view import CurveView
from playground.ui.plots.decision import DecisionRegionPlot
from playground.ui.plots.plot_overlay import value_probe_text
from playground.ui.plots.value_view import contour_levels, value_scale

BOUNDS = (-1.0, 1.0, -1.0, 1.0)


def ramp(ny: int = 80, nx: int = 100) -> np.ndarray:
    """Values equal to x1 at the cell centres of BOUNDS: -1 on the left, +1 on the right."""
    x = -1.0 + (np.arange(nx) + 0.5) * 2.0 / nx
    return np.tile(x, (ny, 1)).astype(np.float32)


@pytest.fixture
def plot(qtbot):
    """A decision plot on screen at 500x400, in regression mode over (-1, 1)."""
    setup_pyqtgraph()
    p = DecisionRegionPlot()
    qtbot.addWidget(p)
    p.resize(500, 400)
    p.show()
    qtbot.waitExposed(p)
    p.set_task("regression")
    p.set_value_scale(-1.0, 1.0)
    return p


def rgb_at(plot, x: float) -> np.ndarray:
    """The image colour at x1 = ``x`` (any row: the ramp does not vary along x2)."""
    image = plot.image.image
    j = int((x - BOUNDS[0]) / (BOUNDS[1] - BOUNDS[0]) * image.shape[1])
    return image[image.shape[0] // 2, j, :3].astype(int)


def test_the_heat_map_colours_values_continuously_with_contours(plot, qtbot):
    plot.set_values(ramp(), BOUNDS)
    image = plot.image.image
    assert image.shape == (80, 100, 4)
    colours = {tuple(c) for c in image[0, :, :3].tolist()}
    assert len(colours) > 60                       # a smooth scale, not a few classes
    step = np.abs(np.diff(image[0, :, :3].astype(int), axis=0)).max()
    assert step < 12                               # neighbours differ only a little
    blue, orange, white = rgb_at(plot, 0.9), rgb_at(plot, -0.9), rgb_at(plot, 0.0)
    assert blue[2] > blue[0] + 60                  # positive: blue
    assert orange[0] > orange[2] + 60              # negative: orange
    assert white.min() > 240                       # zero: white
    # contours of x1 are vertical lines at the levels; the zero level is its own item
    x, _ = plot.value_layer.contours.getData()
    levels, zero = contour_levels(-1.0, 1.0)
    assert zero >= 0 and len(x) > 0 and np.isfinite(x).all()
    others = sorted(np.delete(levels, zero).round(2))
    assert sorted(set(np.round(x, 2))) == pytest.approx(others, abs=0.02)
    x0, _ = plot.value_layer.zero_contour.getData()
    assert len(x0) > 0 and np.allclose(x0, 0.0, atol=0.02)
    assert not plot.boundary.isVisible()
    # the bar shows the scale, right of the plot, and goes with classification
    qtbot.waitUntil(lambda: plot.color_bar.isVisible(), timeout=2000)
    assert plot.color_bar_levels() == (-1.0, 1.0)
    assert plot.color_bar.axis.labelText == "y"
    vb = plot.getPlotItem().getViewBox()
    assert plot.color_bar.sceneBoundingRect().left() >= vb.sceneBoundingRect().right()
    width_with_bar = vb.sceneBoundingRect().width()
    plot.set_task("classification")
    assert not plot.color_bar.isVisible()
    assert plot.image.image is None and len(plot.value_layer.contours.getData()[0]) == 0
    assert plot.boundary.isVisible()
    qtbot.waitUntil(lambda: vb.sceneBoundingRect().width() > width_with_bar + 30,
                    timeout=2000)                  # the bar's room is given back


def test_the_value_scale_sets_the_bar_and_the_colours(plot):
    plot.set_values(ramp(), BOUNDS)
    strong = rgb_at(plot, 0.9)
    plot.set_value_scale(-3.0, 3.0)
    assert plot.color_bar_levels() == (-3.0, 3.0)
    assert rgb_at(plot, 0.9).min() > strong.min()  # 0.9 of 3 is paler than 0.9 of 1
    plot.set_value_scale(0.5, 0.5)                 # no range: widened, not a division by 0
    lo, hi = plot.color_bar_levels()
    assert lo < 0.5 < hi
    assert value_scale(2.0, -2.0)[0] < value_scale(2.0, -2.0)[1]
    assert value_scale(float("nan"), 1.0) == (-1.0, 1.0)


def test_points_take_the_colour_of_their_value(plot):
    xy = np.array([[-0.5, 0.0], [0.0, 0.0], [0.5, 0.0]])
    plot.set_points(xy, np.array([-1.0, 0.0, 1.0]), xy[:2], np.array([1.0, -1.0]))
    brushes = [b.color().getRgb()[:3] for b in plot.train_points.data["brush"]]
    neg, zero, pos = (np.array(c) for c in brushes)
    assert pos[2] > pos[0] + 60 and neg[0] > neg[2] + 60
    assert zero.min() > 240                        # white-ish near 0 ...
    pen = plot.train_points.opts["pen"]
    assert max(pen.color().getRgb()[:3]) < 100     # ... with a dark outline
    rings = [p.color().getRgb()[:3] for p in plot.test_points.data["pen"]]
    assert rings[0][2] > rings[0][0] + 40 and rings[1][0] > rings[1][2] + 40
    assert plot.test_points.opts["brush"].color().getRgb()[:3] == (255, 255, 255)
    before = plot.train_points.data["brush"][2].color().getRgb()
    plot.set_value_scale(-4.0, 4.0)                # the points are repainted on the new scale
    assert plot.train_points.data["brush"][2].color().getRgb() != before
    plot.set_task("classification")                # back to classes: repainted as labels
    plot.set_points(xy, np.array([0, 1, 1]), xy[:0], np.zeros(0, int))
    assert len({b.color().getRgb() for b in plot.train_points.data["brush"]}) == 2


def test_five_thousand_points_are_coloured_by_a_lookup(plot):
    rng = np.random.default_rng(0)
    xy, values = rng.normal(size=(5000, 2)), rng.uniform(-1.5, 1.5, 5000)
    plot.set_points(xy, values, xy[:100], values[:100])
    brushes = plot.train_points.data["brush"]
    assert len(brushes) == 5000
    assert len({id(b) for b in brushes}) <= 65     # shared, cached brushes


def test_nan_values_do_not_raise(plot):
    values = ramp()
    values[:, :30] = np.nan
    values[10:20] = np.inf
    plot.set_values(values, BOUNDS)
    for item in (plot.value_layer.contours, plot.value_layer.zero_contour):
        x, y = item.getData()
        assert np.isfinite(x).all() and np.isfinite(y).all()
    assert (plot.image.image[40, :30, :3] == 255).all()   # no value: white
    plot.set_values(np.full((50, 50), np.nan, np.float32), BOUNDS)
    assert len(plot.value_layer.contours.getData()[0]) == 0
    plot.set_points(np.zeros((2, 2)), np.array([np.nan, 1.0]), np.zeros((0, 2)), np.zeros(0))
    plot.set_values(None, BOUNDS)
    assert plot.image.image is None
    assert len(plot.value_layer.zero_contour.getData()[0]) == 0


def test_the_baseline_is_dashed_contours_at_the_same_levels(plot):
    plot.set_baseline_values(ramp(), BOUNDS)
    x, y = plot.value_layer.baseline.getData()
    assert len(x) > 0 and len(x) % 2 == 0
    assert sorted(set(np.round(x, 1))) == pytest.approx(contour_levels(-1, 1)[0], abs=0.05)
    full = 2 * (80 - 1) * 5                        # every cell row crossed at five levels
    assert 0.3 * full < len(x) < 0.7 * full        # every other dash left out
    plot.set_baseline_values(None)
    assert len(plot.value_layer.baseline.getData()[0]) == 0


def wheel(plot, notches: float) -> None:
    """A wheel turn of ``notches`` (120 eighths of a degree each) over the plot's centre."""
    vb = plot.getPlotItem().getViewBox()
    pos = QPointF(plot.mapFromScene(vb.sceneBoundingRect().center()))
    event = QWheelEvent(pos, QPointF(plot.mapToGlobal(pos.toPoint())), QPoint(0, 0),
                        QPoint(0, int(120 * notches)), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(plot.viewport(), event)


def test_the_wheel_steps_the_draw_value_in_regression_draw_mode(plot, qtbot):
    plot.show_range(BOUNDS)
    steps = []
    plot.drawValueStep.connect(steps.append)
    plot.set_draw_mode(True)
    before = plot.view_bounds()
    wheel(plot, 1)
    wheel(plot, -1)
    wheel(plot, 2)
    wheel(plot, 0.5)                               # a touchpad's half notch: nothing yet ...
    assert steps == [1, -1, 1, 1]
    wheel(plot, 0.5)                               # ... a whole one now
    assert steps == [1, -1, 1, 1, 1]
    assert plot.view_bounds() == pytest.approx(before)   # no zoom
    plot.set_draw_mode(False)                      # outside Draw mode the wheel zooms
    wheel(plot, 1)
    assert plot.view_bounds() != pytest.approx(before) and len(steps) == 5
    plot.set_task("classification")                # and in classification, also in Draw mode
    plot.set_draw_mode(True)
    zoomed = plot.view_bounds()
    wheel(plot, 1)
    assert plot.view_bounds() != pytest.approx(zoomed) and len(steps) == 5


def test_the_probe_reads_the_predicted_value_and_a_near_points_target(plot):
    plot.show_range(BOUNDS)
    plot.set_values(ramp(), BOUNDS)
    plot.set_points(np.array([[0.5, 0.2]]), np.array([0.4]), np.zeros((0, 2)), np.zeros(0))
    vb = plot.getPlotItem().getViewBox()
    plot._probe_at(vb.mapViewToScene(QPointF(0.5, 0.2)))
    text = plot.probe.text()
    # the value of the cell under the cursor: its centre's x1
    assert "ŷ = 0.51" in text and "point y = 0.40, train" in text
    plot._probe_at(vb.mapViewToScene(QPointF(-0.6, -0.6)))
    assert "ŷ = -0.59" in plot.probe.text() and "point" not in plot.probe.text()
    text = value_probe_text(None, BOUNDS, 0.0, 0.0, [(np.zeros((1, 2)), np.array([-1.5]),
                                                      "test")], radius=0.1)
    assert text == "point y = -1.50, test"


def test_the_unit_view_replaces_the_heat_map_and_goes_back(plot):
    plot.set_values(ramp(), BOUNDS)
    heat = plot.image.image.copy()
    plot.set_unit("showing neuron 1.1", np.full((80, 100), -1.0, np.float32))
    plot.set_values(ramp(), BOUNDS)
    assert not np.array_equal(plot.image.image, heat)
    assert len({tuple(c) for c in plot.image.image[..., :3].reshape(-1, 3).tolist()}) == 1
    assert "the prediction" in plot.unit_label.text()
    plot.set_unit(None)
    assert np.array_equal(plot.image.image, heat)


def test_the_tooltip_follows_the_task(plot):
    assert "predicted value" in plot.toolTip() and "wheel" in plot.toolTip()
    plot.set_task("classification")
    assert "class boundary" in plot.toolTip()
    with pytest.raises(ValueError):
        plot.set_task("ranking")


@pytest.fixture
def curve_view(qtbot):
    setup_pyqtgraph()
    view = CurveView()
    qtbot.addWidget(view)
    view.resize(640, 160)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_the_curve_view_shows_points_curve_and_baseline(curve_view):
    view = curve_view
    assert view.objectName() == "curveViewPlot"
    x1 = np.linspace(-1, 1, 40)
    xy = np.stack([x1, np.full(40, 0.02)], axis=1)
    view.set_points(xy, np.sin(2 * np.pi * x1), xy[:7], np.zeros(7))
    assert len(view.train_points.data) == 40 and len(view.test_points.data) == 7
    assert view.train_points.data["x"] == pytest.approx(x1)        # x1 across ...
    assert view.train_points.data["y"] == pytest.approx(np.sin(2 * np.pi * x1))  # ... y up
    xs = np.linspace(-1, 1, 101)
    ys = np.sin(2 * np.pi * xs)
    ys[50] = np.nan                                 # a diverged value: a gap, no error
    view.set_curve(xs, ys)
    cx, cy = view.curve.getData()
    assert cx == pytest.approx(xs) and np.isnan(cy[50])
    assert cy[np.isfinite(cy)] == pytest.approx(ys[np.isfinite(ys)])
    assert "network" in view.caption_text() and "baseline" not in view.caption_text()
    view.set_baseline_curve(xs, 0.1 * xs)
    assert view.baseline.getData()[1] == pytest.approx(0.1 * xs)
    assert view.baseline.opts["pen"].style() == Qt.PenStyle.DashLine
    assert "linear baseline" in view.caption_text()
    view.set_curve(None, None)
    view.set_baseline_curve(None, None)
    assert len(view.curve.getData()[0]) == 0 and len(view.baseline.getData()[0]) == 0
    assert view.caption_text() == ""
    view.set_points(xy[:0], np.zeros(0), xy[:0], np.zeros(0))
    assert len(view.train_points.data) == 0 and len(view.test_points.data) == 0


def test_the_curve_view_fits_the_points_not_a_diverged_curve(curve_view, qtbot):
    view = curve_view
    x1 = np.linspace(-1, 1, 20)
    view.set_points(np.stack([x1, x1 * 0], 1), np.sin(x1), np.zeros((0, 2)), np.zeros(0))
    view.set_curve(x1, 1e6 * x1)
    qtbot.wait(50)
    (_, _), (ylo, yhi) = view.getPlotItem().getViewBox().viewRange()
    assert -2 < ylo < 0 < yhi < 2
    axis = view.getPlotItem().getAxis
    assert axis("bottom").labelText == "x1" and axis("left").labelText == "y"
    assert view.toolTip() and view.minimumHeight() <= 150
