"""The Compare tab: 2 to 4 runs of the 2-D page's config, trained round-robin on one
worker, each bit for bit the same config trained alone."""

from __future__ import annotations

import time

import numpy as np
import pytest
from PySide6.QtWidgets import QComboBox

from engine.compare import expand, make_run
from playground.compare.options import VARY_CHOICES
from playground.compare.run import CompareRun
from playground.runtime import BLAS


@pytest.fixture
def compare(window, wait_idle, qtbot):
    """The window's Compare tab, shown, with the 2-D page idle."""
    wait_idle(window)
    window.tabs.setCurrentIndex(2)
    page = window.compare_page
    assert page.objectName() == "compareTab"
    assert window.tabs.tabText(2) == "Compare"
    return page


def _epochs(page) -> list[int]:
    return [len(h["epoch"]) for h in page.history]


def _run(page, qtbot, key: str, values: str, epochs: int) -> None:
    page.vary_combo.setCurrentText(key)
    page.values_edit.setText(values)
    page.epochs_spin.setValue(epochs)
    page.run_button.click()


def test_choosing_a_key_fills_in_its_default_values(compare):
    for key, values in VARY_CHOICES.items():
        compare.vary_combo.setCurrentText(key)
        assert compare.values_edit.text() == values
        assert compare.values_edit.cursorPosition() == 0  # a narrow field shows the start
    assert compare.epochs_spin.value() == 200


def test_the_plots_keys_appear_with_the_runs(compare, qtbot):
    # an empty key is drawn as a blank box in the plot's corner
    legends = (compare.loss_legend, compare.acc_legend)
    assert not any(legend.isVisible() for legend in legends)
    _run(compare, qtbot, "optim.lr", "0.3,0.03", 5)
    qtbot.waitUntil(lambda: not compare.is_running, timeout=20000)
    assert all(legend.isVisible() for legend in legends)
    assert [label.text for _, label in compare.loss_legend.items] == [
        "optim.lr = 0.3", "optim.lr = 0.03"]


def test_two_learning_rates_train_like_each_config_alone(compare, window, qtbot):
    _run(compare, qtbot, "optim.lr", "0.3,0.03", 20)
    assert compare.run_button.text() == "Stop"
    qtbot.waitUntil(lambda: _epochs(compare) == [20, 20] and not compare.is_running,
                    timeout=20000)
    compare.refresh()
    assert compare.run_button.text() == "Run"
    assert compare.table.rowCount() == 2
    assert compare.table.item(0, 0).text() == "optim.lr = 0.3"
    assert compare.table.item(1, 0).text() == "optim.lr = 0.03"
    assert compare.table.item(1, 1).text() == "20"
    assert [r.isVisible() for r in compare.regions] == [True, True, False, False]
    assert compare.regions[0].title == "optim.lr = 0.3"
    qtbot.waitUntil(lambda: all(r.image.image is not None for r in compare.regions[:2]),
                    timeout=5000)
    (a, _), (b, _) = compare.loss_curves
    ya, yb = a.getData()[1], b.getData()[1]
    assert len(ya) == len(yb) == 20
    assert not np.array_equal(ya, yb)

    # each run alone, as the CLI's train builds it: bit for bit the same numbers
    config, data = window.controller.config, window.controller.dataset
    for run in expand(config, [("optim.lr", [0.3, 0.03])]):
        _, trainer = make_run(run.config, data)
        with BLAS.scoped(1):
            alone = [trainer.run_epoch()["train_loss"] for _ in range(20)]
        assert compare.history[run.index]["train_loss"] == alone


def test_the_epochs_of_a_tick_come_in_one_signal(compare, qtbot):
    batches = []
    compare.run.epochsFinished.connect(batches.append)
    _run(compare, qtbot, "optim.name", "sgd, adam", 40)
    qtbot.waitUntil(lambda: _epochs(compare) == [40, 40] and not compare.is_running,
                    timeout=20000)
    epochs = [(m["run"], m["epoch"]) for batch in batches for m in batch]
    assert sorted(epochs) == [(r, e) for r in (0, 1) for e in range(1, 41)]
    assert len(batches) < len(epochs)  # a small net trains several epochs a tick


def test_stop_stops_and_run_starts_afresh(compare, qtbot):
    _run(compare, qtbot, "optim.name", "sgd, adam", 100_000)
    qtbot.waitUntil(lambda: min(_epochs(compare) or [0]) >= 3, timeout=10000)
    compare.run_button.click()
    qtbot.waitUntil(lambda: not compare.is_running, timeout=3000)
    assert compare.run_button.text() == "Run"
    qtbot.wait(200)
    stopped = _epochs(compare)
    qtbot.wait(400)
    assert _epochs(compare) == stopped
    compare.run_button.click()
    assert compare.is_running
    qtbot.waitUntil(lambda: min(_epochs(compare)) >= 1, timeout=10000)
    assert max(_epochs(compare)) < max(stopped) + 1000  # a new comparison, from epoch 1
    assert compare.history[0]["epoch"][0] == 1.0


@pytest.mark.parametrize(("key", "values", "expected"), [
    ("optim.lr", "fast, 0.1", "must be a finite number, got \"fast\""),
    ("optim.lr", "0.1", "compare 2 to 4 values"),
    ("optim.lr", "0.1, 0.2, 0.3, 0.4, 0.5", "got 5"),
    ("optim.name", "sgd, , adam", "is empty"),
    ("model.init", "he, nope", "unknown initialiser"),
    ("optim.lr", "", "type 2 to 4 values"),
])
def test_bad_values_say_why_and_start_nothing(compare, window, qtbot, key, values, expected):
    _run(compare, qtbot, key, values, 20)
    assert not compare.is_running
    assert compare.run_button.text() == "Run"
    assert expected in compare.message.text()
    assert compare.message.text().endswith(".")
    assert expected in window.statusBar().currentMessage()
    qtbot.wait(200)
    assert compare.history == [] and compare.run.run_id == 0


def test_no_data_on_the_2d_page_is_said(qtbot):
    run = CompareRun()
    try:
        assert "no data" in run.start(None, None, "optim.lr", "0.1, 0.2", 5)
        assert not run.running and run.run_id == 0
    finally:
        assert run.shutdown()


def test_closing_the_window_while_comparing_does_not_hang(compare, window, qtbot):
    _run(compare, qtbot, "model.hidden", "[4], [8, 8], [16, 16], [32]", 100_000)
    qtbot.waitUntil(lambda: min(_epochs(compare) or [0]) >= 1, timeout=10000)
    assert len(compare.history) == 4
    assert all(r.isVisible() for r in compare.regions)
    t0 = time.perf_counter()
    window.close()
    assert time.perf_counter() - t0 < 3
    assert compare.run.host.is_finished()


def test_regression_shows_r2(window, wait_idle, qtbot):
    ctl = window.controller
    wait_idle(window)
    combo = window.findChild(QComboBox, "problemCombo")
    combo.setCurrentIndex(combo.findData("regression"))
    qtbot.waitUntil(lambda: ctl.dataset is not None and ctl.dataset.task == "regression",
                    timeout=5000)
    wait_idle(window)
    window.tabs.setCurrentIndex(2)
    page = window.compare_page
    _run(page, qtbot, "optim.lr", "0.03, 0.01", 5)
    qtbot.waitUntil(lambda: _epochs(page) == [5, 5] and not page.is_running, timeout=20000)
    page.refresh()
    assert page.score[0] == "train_r2"
    assert page.table.horizontalHeaderItem(4).text() == "Train R²"
    assert page.acc_curves[0][0].getData()[1].shape == (5,)
    assert np.isfinite(page.acc_curves[0][0].getData()[1]).all()
