"""The Lab's model and controller without a window: paths from the engine's stepper,
caught up when ticked late, stopped when they diverge; contours; remembered settings."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QSettings

from engine.optimizer_paths import BOOK_RATES, SURFACES, optimizer_path
from playground.lab.controller import LabController
from playground.lab.paths import (
    CONTOUR_LEVELS,
    DEFAULT_RATES,
    OPTIMIZER_NAMES,
    LabModel,
    contour_grid,
    default_rate,
)


def test_every_engine_optimiser_has_a_default_rate_on_every_surface():
    for key in SURFACES:
        assert set(DEFAULT_RATES[key]) == set(OPTIMIZER_NAMES)
    for name, lr in BOOK_RATES.items():
        assert default_rate("book", name) == lr


@pytest.mark.parametrize("key", list(SURFACES))
def test_the_default_rates_go_on_for_a_hundred_steps_where_there_is_a_minimum(key):
    model = LabModel(key, enabled=OPTIMIZER_NAMES)
    model.step(100)
    going = set(model.going)
    assert going == set(OPTIMIZER_NAMES) if SURFACES[key].minima else going


def test_a_path_ticked_late_is_the_path_ticked_from_the_start():
    model = LabModel("beale", enabled=["adam"])
    model.step(7)
    model.set_enabled("rmsprop", True)
    assert model.enabled == [n for n in OPTIMIZER_NAMES if n in ("adam", "rmsprop")]
    np.testing.assert_array_equal(model.paths["rmsprop"].points,
                                  optimizer_path("rmsprop", DEFAULT_RATES["beale"]["rmsprop"],
                                                 7, "beale"))
    model.set_enabled("adam", False)
    assert list(model.paths) == ["rmsprop"]


def test_a_diverging_path_stops_and_says_why_the_others_go_on():
    model = LabModel("saddle", {"sgd": 10.0}, enabled=["sgd", "adam"])
    stopped = model.step(5)
    assert [p.name for p in stopped] == ["sgd"]
    sgd = model.paths["sgd"]
    assert sgd.reason.startswith(f"SGD (lr 10) diverged at step {sgd.stopped_at}, far off")
    length = len(sgd.points)
    assert model.step(3) == []
    assert len(sgd.points) == length and len(model.paths["adam"].points) == 9
    assert model.going == ["adam"]


def test_an_overflow_stops_a_path_at_its_last_finite_point():
    model = LabModel("rosenbrock", enabled=["sgd"])
    model.set_start(1e120, 1e120)  # x³ overflows in the first gradient
    assert [p.name for p in model.step(3)] == ["sgd"]
    sgd = model.paths["sgd"]
    assert sgd.stopped_at == 1 and sgd.reason.endswith("its gradient or point overflowed.")
    np.testing.assert_array_equal(sgd.points, [[1e120, 1e120]])


def test_a_start_must_be_finite_and_a_rate_in_range():
    model = LabModel()
    with pytest.raises(ValueError, match="finite"):
        model.set_start(np.nan, 0.0)
    with pytest.raises(ValueError, match="between"):
        model.set_rate("sgd", 0.0)
    assert model.start == (-7.0, 2.0) and model.rates["sgd"] == 0.95


@pytest.mark.parametrize("key", list(SURFACES))
def test_the_contour_grid_is_the_surface_at_cell_centres(key):
    s = SURFACES[key]
    grid = contour_grid(s, 40)
    x0, x1, y0, y1 = s.bounds
    assert grid.z.shape == (40, 40) and grid.bounds == s.bounds
    dx, dy = (x1 - x0) / 40, (y1 - y0) / 40
    assert grid.z[3, 5] == pytest.approx(s.value(x0 + 5.5 * dx, y0 + 3.5 * dy))
    assert len(grid.levels) == CONTOUR_LEVELS and np.all(np.diff(grid.levels) > 0)
    # log-spaced above a minimum (ratios of the gaps constant), evenly without one
    gaps = np.diff(grid.levels)
    if s.minima:
        assert grid.log
        np.testing.assert_allclose(gaps[1:] / gaps[:-1], gaps[1] / gaps[0], rtol=1e-6)
    else:
        assert not grid.log
        np.testing.assert_allclose(gaps, gaps[0], rtol=1e-9)


def test_the_controller_pauses_by_itself_once_every_path_stopped(qtbot):
    c = LabController()
    c.set_surface("saddle")
    for name in OPTIMIZER_NAMES:
        c.set_enabled(name, name == "sgd")
    c.set_rate("sgd", 10.0)
    said = []
    c.message.connect(said.append)
    c.play()
    assert c.playing
    qtbot.waitUntil(lambda: not c.playing, timeout=5000)
    assert said[-1] == f"Paused at step {c.steps}: every path has stopped."
    c.play()  # nothing left to move
    assert not c.playing and said[-1].startswith("Every path has stopped")


def test_settings_round_trip_and_bad_values_fall_back(tmp_path):
    s = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    c = LabController()
    c.set_rate("adam", 0.25)
    c.set_surface("himmelblau")
    c.set_enabled("nesterov", True)
    c.save_settings(s)
    again = LabController()
    again.restore_settings(s)
    assert again.surface_key == "himmelblau"
    assert again.rates_for("book")["adam"] == 0.25
    assert "nesterov" in again.model.paths
    s.setValue("lab/surface", "nowhere")
    s.setValue("lab/rates/book/sgd", "fast")
    s.setValue("lab/rates/book/adam", "1e9")
    again.restore_settings(s)
    assert again.surface_key == "book"
    assert again.rates_for("book")["sgd"] == 0.95
    assert again.rates_for("book")["adam"] == 0.3
