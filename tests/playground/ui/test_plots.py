"""The plot widgets and the pure colouring/contour functions behind them."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel

from playground.ui.main_window import setup_pyqtgraph
from playground.ui.plots.colors import hex_to_rgb, region_rgba
from playground.ui.plots.contour import class_boundaries, zero_crossings
from playground.ui.plots.curves import TrainingCurves
from playground.ui.plots.decision import DecisionRegionPlot
from playground.ui.plots.style import CLASS_COLORS


def test_region_colours_blend_by_confidence():
    probs = np.array([[[1.0, 0.0], [0.5, 0.5], [0.0, 1.0], [np.nan, np.nan]]], np.float32)
    rgba = region_rgba(probs, strength=1.0)
    assert rgba.shape == (1, 4, 4) and rgba.dtype == np.uint8
    assert tuple(rgba[0, 0, :3]) == hex_to_rgb(CLASS_COLORS[0])
    assert tuple(rgba[0, 1, :3]) == (255, 255, 255)   # unsure: white
    assert tuple(rgba[0, 2, :3]) == hex_to_rgb(CLASS_COLORS[1])
    assert tuple(rgba[0, 3, :3]) == (255, 255, 255)   # NaN (diverged): white
    odd = np.array([[[0.3, np.inf], [np.inf, np.inf], [-np.inf, 0.5], [0.0, 0.0]]], np.float32)
    assert (region_rgba(odd, strength=1.0)[0, :, :3] == 255).all()  # no colour, no error
    faded = region_rgba(probs)  # default strength keeps points readable on their region
    assert all(faded[0, 0, :3] > rgba[0, 0, :3])


def test_discretized_regions_take_the_top_class_colour():
    probs = np.array([[[0.2, 0.3, 0.5], [0.4, 0.35, 0.25]]], np.float32)
    rgba = region_rgba(probs, discretize=True, strength=1.0)
    assert tuple(rgba[0, 0, :3]) == hex_to_rgb(CLASS_COLORS[2])
    assert tuple(rgba[0, 1, :3]) == hex_to_rgb(CLASS_COLORS[0])


def test_zero_crossings_find_a_straight_boundary():
    field = np.tile(np.linspace(-1.0, 1.0, 11), (6, 1))   # zero at column 5
    x, y = zero_crossings(field, (0.0, 11.0, 0.0, 6.0))
    assert len(x) % 2 == 0 and len(x) == 2 * 5
    assert np.allclose(x, 5.5)                            # centre of column 5
    assert y.min() == pytest.approx(0.5) and y.max() == pytest.approx(5.5)


def test_zero_crossings_trace_a_circle():
    ys, xs = np.mgrid[-1:1:101j, -1:1:101j]
    x, y = zero_crossings(np.hypot(xs, ys) - 0.5, (-1.01, 1.01, -1.01, 1.01))
    r = np.hypot(x, y)
    assert len(x) > 100 and np.abs(r - 0.5).max() < 0.02


def test_multiclass_boundaries_separate_every_pair():
    ys, xs = np.mgrid[0:1:50j, 0:1:50j]
    probs = np.stack([xs < 0.3, (xs >= 0.3) & (xs < 0.7), xs >= 0.7], axis=-1)
    x, _ = class_boundaries(probs.astype(np.float32), (0, 1, 0, 1))
    assert np.unique(np.round(x, 1)).tolist() == [0.3, 0.7]


def test_decision_plot_places_the_image_on_the_grid_bounds(qtbot):
    setup_pyqtgraph()
    plot = DecisionRegionPlot()
    qtbot.addWidget(plot)
    probs = np.random.default_rng(0).dirichlet([1, 1], size=(120, 100)).astype(np.float32)
    plot.set_probabilities(probs, (-2.0, 3.0, -1.0, 5.0))
    assert plot.image.image.shape == (120, 100, 4)
    rect = plot.image.mapRectToParent(plot.image.boundingRect())
    assert (rect.left(), rect.right(), rect.top(), rect.bottom()) == pytest.approx(
        (-2.0, 3.0, -1.0, 5.0))
    plot.set_show_test(False)
    assert not plot.test_points.isVisible()


@pytest.fixture
def shown_plot(qtbot):
    """A decision plot on screen at 400x400."""
    setup_pyqtgraph()
    plot = DecisionRegionPlot()
    qtbot.addWidget(plot)
    plot.resize(400, 400)
    plot.show()
    qtbot.waitExposed(plot)
    return plot


def test_decision_plot_reports_view_changes_once_settled(qtbot, shown_plot):
    plot = shown_plot
    with qtbot.waitSignal(plot.viewBoundsChanged, timeout=2000) as blocker:
        for k in range(5):
            plot.show_range((-1 - k, 1 + k, -1 - k, 1 + k))
    xmin, xmax, ymin, ymax = blocker.args[0]
    assert xmin <= -5 and xmax >= 5 and ymin <= -5 and ymax >= 5


def test_curves_record_every_epoch_and_draw_at_refresh(qtbot):
    setup_pyqtgraph()
    curves = TrainingCurves()
    qtbot.addWidget(curves)
    for e in range(1, 251):
        curves.append({"epoch": e, "train_loss": 1.0 / e, "test_loss": None,
                       "train_acc": 0.5, "test_acc": None})
    assert curves.train_loss.getData()[0] is None or len(curves.train_loss.getData()[0]) == 0
    curves.refresh()
    assert len(curves.train_loss.getData()[0]) == 250
    assert curves.loss_plot.getPlotItem().viewRange()[0][1] == pytest.approx(500)
    assert curves.loss_plot.getPlotItem().viewRange()[1] == pytest.approx([0.0, 1.2])
    curves.set_log_y(True)
    assert curves.log_check.isChecked()
    # log10 of the losses 1/250 .. 1 spans the decades 1e-3 .. 1e1
    assert curves.loss_plot.getPlotItem().viewRange()[1] == pytest.approx([-3.0, 1.0])
    curves.clear()
    assert curves.epochs == 0


def test_loss_axis_moves_in_steps_not_with_every_epoch():
    from playground.ui.plots.curves import loss_range

    tops = {loss_range(np.array([0.7, 0.5, x]), log=False) for x in np.linspace(0.01, 0.7, 50)}
    assert tops == {(0.0, 0.8)}                       # the top covers the largest loss
    assert loss_range(np.array([2.3, np.nan]), log=False) == (0.0, 2.5)
    assert loss_range(np.array([np.nan]), log=False) == (0.0, 1.0)
    assert loss_range(np.array([0.02, 0.9]), log=True) == (-2.0, 0.0)
    assert loss_range(np.array([0.0, 0.5]), log=True)[0] == -9.0  # the floor of log-y


_QT_CALLS_SCRIPT = """
import os
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
import numpy as np
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication([])
from playground.ui.main_window import setup_pyqtgraph
from playground.ui.plots.colors import region_rgba
from playground.ui.plots.decision import DecisionRegionPlot
setup_pyqtgraph()
plot, label = DecisionRegionPlot(), QLabel()
probs = np.full((10, 10, 2), 0.5, np.float32)
pts, labels = np.zeros((3, 2)), np.array([0, 1, 0])
for i in range(2500):  # 8 Qt calls a round: 20,000 in all
    plot.image.setImage(region_rgba(probs), levels=(0, 255))
    plot.train_points.setData(pos=pts + i * 1e-3, brush=plot._brushes[labels])
    plot.boundary.setData([0.0, 1.0], [0.0, float(i)])
    label.setText(f"Epoch {i}")
    label.text()
    plot.setToolTip(str(i))
    plot.image.setZValue(-10)
    plot.isVisible()
x, y = plot.boundary.getData()
print(label.text(), plot.toolTip(), float(y[-1]), plot.image.image.shape)
del plot, label
app.quit()
"""


def test_twenty_thousand_qt_calls_do_not_crash_the_process():
    """Guards against PySide6 releases that crash after a few thousand calls (6.12.0
    aborted with "Fatal Python error: none_dealloc", exit 134, often only when objects
    are freed): the calls run in a process of their own, which must end cleanly with
    the state the last calls set."""
    out = subprocess.run([sys.executable, "-c", _QT_CALLS_SCRIPT], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "Fatal Python error" not in out.stderr
    assert out.stdout.split() == ["Epoch", "2499", "2499", "2499.0", "(10,", "10,", "4)"]


def test_view_toggles_discretize_test_points_and_baseline(qtbot, open_window, settings):
    w = open_window(settings)
    dp, plot = w.page.data_panel, w.page.decision_plot
    dp.discretize_check.setChecked(True)
    colours = {tuple(c) for c in plot.image.image[..., :3].reshape(-1, 3).tolist()}
    faded = {tuple(region_rgba(np.array([[[1.0, 0.0], [0.0, 1.0]]], np.float32),
                               discretize=True)[0, i, :3].tolist()) for i in range(2)}
    assert colours <= faded
    dp.show_test_check.setChecked(False)
    assert not plot.test_points.isVisible()
    x, _ = plot.baseline.getData()
    assert x is None or len(x) == 0
    dp.baseline_check.setChecked(True)
    x, _ = plot.baseline.getData()
    assert x is not None and len(x) > 10
    assert "train accuracy" in dp.baseline_label.text()
    dp.baseline_check.setChecked(False)
    assert len(plot.baseline.getData()[0]) == 0


def test_the_region_follows_pan_and_zoom(window, qtbot):
    plot = window.page.decision_plot
    plot.show_range((-4.0, 4.0, -3.0, 3.0))
    qtbot.waitUntil(lambda: np.allclose(plot._bounds, plot.view_bounds()), timeout=5000)
    xmin, xmax, ymin, ymax = plot._bounds
    assert xmin <= -4 and xmax >= 4 and ymin <= -3 and ymax >= 3
    ny, nx, _ = plot.image.image.shape
    assert min(nx, ny) >= 100
    rect = plot.image.mapRectToParent(plot.image.boundingRect())
    assert rect.left() == pytest.approx(xmin) and rect.right() == pytest.approx(xmax)


def test_two_class_colour_table_matches_the_direct_blend():
    from playground.ui.plots.colors import _fade_to_white, _general_mix, palette

    rng = np.random.default_rng(0)
    p1 = np.concatenate([rng.random(5000), [0.0, 0.25, 0.5, 0.75, 1.0]]).astype(np.float32)
    probs = np.stack([1 - p1, p1], axis=-1)[None]
    for strength in (1.0, 0.55):
        fast = region_rgba(probs, strength=strength)[0].astype(int)
        mix, conf = _general_mix(probs[0], palette(2), 2, False)
        direct = _fade_to_white(mix, conf, strength).astype(int)
        assert np.abs(fast - direct).max() <= 1
        assert tuple(fast[-3, :3]) == (255, 255, 255)  # p1 = 0.5 exactly: white


def test_zoomed_in_axes_show_plain_numbers_not_an_si_scale(qtbot, shown_plot):
    plot = shown_plot
    plot.show_range((-0.006, 0.006, -0.006, 0.006))
    qtbot.wait(50)
    for name in ("bottom", "left"):
        axis = plot.getPlotItem().getAxis(name)
        assert axis.autoSIPrefixScale == 1.0
        assert "x0.001" not in axis.labelString() and "(m" not in axis.labelString()


def _right_click(qtbot, plot) -> None:
    """A right-click in the middle of ``plot``'s view box, as a user makes it."""
    vb = plot.getPlotItem().getViewBox()
    centre = plot.mapFromScene(vb.mapToScene(vb.boundingRect().center()))
    qtbot.mouseClick(plot.viewport(), Qt.MouseButton.RightButton, pos=centre)


@pytest.mark.qt_log_ignore("This plugin does not support (raise|grabbing the keyboard)")
def test_right_click_opens_our_menu_not_pyqtgraphs(window, qtbot):
    from PySide6.QtWidgets import QMenu

    for plot in (window.page.decision_plot, window.page.curves.loss_plot,
                 window.page.curves.acc_plot):
        _right_click(qtbot, plot)
        menu = plot.getPlotItem().getViewBox().own_menu
        qtbot.waitUntil(menu.isVisible, timeout=2000)
        assert [a.text() for a in menu.actions()] == ["Fit to data", "Export image…"]
        shown = [m for m in QApplication.topLevelWidgets()
                 if isinstance(m, QMenu) and m.isVisible()]
        assert shown == [menu]            # no "Plot Options", "Mouse Mode", "View All"
        menu.hide()


def test_fit_to_data_shows_every_point(window, qtbot):
    plot = window.page.decision_plot
    plot.show_range((10.0, 20.0, 10.0, 20.0))     # far from the moons
    plot.fit_to_data()
    xmin, xmax, ymin, ymax = plot.view_bounds()
    pts = np.concatenate([window.controller.dataset.x_train, window.controller.dataset.x_test])
    assert xmin <= pts[:, 0].min() and pts[:, 0].max() <= xmax
    assert ymin <= pts[:, 1].min() and pts[:, 1].max() <= ymax


def test_the_accuracy_axis_follows_the_run_down_to_a_floor(qtbot):
    from playground.ui.plots.curves import accuracy_range

    assert accuracy_range(np.array([])) == (0.0, 1.0)
    assert accuracy_range(np.array([0.93, 0.97, np.nan])) == (0.9, 1.0)
    assert accuracy_range(np.array([0.991, 0.999])) == (0.9, 1.0)   # never narrower
    assert accuracy_range(np.array([0.48, 0.9])) == (0.4, 1.0)
    curves = TrainingCurves()
    qtbot.addWidget(curves)
    for e in range(1, 30):
        curves.append({"epoch": e, "train_loss": 0.1, "test_loss": 0.1,
                       "train_acc": 0.95 + e / 1000, "test_acc": 0.94})
    curves.refresh()
    lo, hi = curves.acc_plot.getPlotItem().getViewBox().viewRange()[1]
    assert 0.88 < lo < 0.9 and 1.0 < hi < 1.01
    assert curves.loss_plot.getPlotItem().legend is None   # the key is beside the title


def test_the_mnist_curves_key_is_above_the_plots_not_on_them(qtbot):
    from playground.ui.plots.step_curves import StepCurves

    curves = StepCurves()
    qtbot.addWidget(curves)
    assert curves.loss_plot.getPlotItem().legend is None
    assert curves.acc_plot.getPlotItem().legend is None
    assert "train" in curves.findChild(QLabel, "mnistCurvesLegend").text()


def test_the_gradient_norm_axis_labels_decades_and_2_5_over_a_short_range():
    from playground.ui.plots.layer_histograms import log_ticks

    short, minor = log_ticks(-1, 1)
    assert [t for _, t in short] == ["0.1", "0.2", "0.5", "1", "2", "5", "10"]
    assert minor == [] and short[1][0] == pytest.approx(-1 + np.log10(2))
    wide, _ = log_ticks(-6, 0)
    assert [t for _, t in wide] == ["1e-06", "1e-05", "0.0001", "0.001", "0.01", "0.1", "1"]


def test_the_gradient_norm_plot_spans_the_steps_it_has_seen(qtbot):
    # opened mid-run: the x axis starts at the first step shown, not at 0, and its width
    # steps 10, 20, 50, ...; the key above the plot names each layer in its colour
    from playground.ui.plots.layer_histograms import GradientNormPlot

    plot = GradientNormPlot()
    qtbot.addWidget(plot)
    norms = [{"index": 0, "name": "layer 1 Dense", "norm": 0.5},
             {"index": 2, "name": "layer 3 Dense", "norm": 0.05}]
    for step in (900, 930, 960):
        plot.append(step, norms)
    (x0, x1), _ = plot.plot.getPlotItem().viewRange()
    assert (x0, x1) == pytest.approx((900, 1000))
    plot.append(1120, norms)
    (x0, x1), _ = plot.plot.getPlotItem().viewRange()
    assert (x0, x1) == pytest.approx((900, 1400))  # 220 steps seen: a width of 500
    assert plot.key.text().count("━━") == 2 and "layer 3 Dense" in plot.key.text()
    plot.clear()
    assert plot.key.text() == "" and plot.lines == {}
