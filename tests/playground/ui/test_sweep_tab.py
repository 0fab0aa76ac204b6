"""The Sweep tab: a sweep of the 2-D page's network on a real LocalCluster, the scatter
filling in, cancel, a trial opened in the playground, results saved and reopened, and
the cluster shut down with the window."""

from __future__ import annotations

import json
import os
import time

import numpy as np
import pytest

pytest.importorskip("distributed")


@pytest.fixture
def sweep(window, wait_idle):
    wait_idle(window)
    window.tabs.setCurrentIndex(window._tab_index("Sweep"))
    page = window.sweep_page
    assert page.objectName() == "sweepTab"
    return page


def _children() -> set[int]:
    me = os.getpid()
    out = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == me and fields[0] != "Z":
                out.add(int(entry))
    return out


def test_before_a_sweep_the_table_and_bar_say_what_will_come(sweep):
    headers = [sweep.results.horizontalHeaderItem(i).text()
               for i in range(sweep.results.columnCount())]
    assert headers == ["Trial", "Metric", "Epoch", "Train loss", "Test loss", "Seconds"]
    # not "0 / 100 trials" beside a Trials box that says 12
    assert sweep.progress.text() == "no trials run"


def test_a_six_trial_sweep_fills_the_scatter_and_opens_a_trial(sweep, window, qtbot,
                                                               tmp_path):
    sweep.set_space([("optim.lr", "log-uniform:1e-3:3e-1"), ("model.activation",
                                                             "grid:tanh|relu")])
    sweep.trials_spin.setValue(3)
    sweep.epochs_spin.setValue(20)
    sweep.run_button.click()
    assert sweep.run_button.text() == "Cancel"
    qtbot.waitUntil(lambda: len(sweep.controller.lines) >= 1, timeout=60000)
    assert 1 <= len(sweep.scatter.data) <= 6
    qtbot.waitUntil(lambda: not sweep.is_running, timeout=60000)
    assert sweep.run_button.text() == "Run"
    assert sweep.progress.value() == sweep.progress.maximum() == 6
    assert sweep.progress.text() == "6 / 6 trials"
    assert len(sweep.scatter.data) == 6 and sweep.results.rowCount() == 6
    assert "Sweep finished: 6 of 6" in sweep.message.text()
    lrs = sorted(x["changes"]["optim.lr"] for x in sweep.controller.lines)
    assert len(set(lrs)) == 6 and all(1e-3 <= v <= 3e-1 for v in lrs)

    # the best trial opens on the 2-D page with its trained weights
    best = max(sweep.controller.lines, key=lambda x: x["test_acc"])
    row = next(r for r in range(6) if int(sweep.results.item(r, 0).text()) == best["trial"])
    sweep.results.selectRow(row)
    sweep.open_button.click()
    qtbot.waitUntil(lambda: window.tabs.currentIndex() == 0, timeout=5000)
    ctl = window.controller
    assert ctl.config.optim.lr == best["changes"]["optim.lr"]
    assert ctl.config.model.activation == best["changes"]["model.activation"]
    assert ctl.epoch == 20
    state = ctl.request_state(2.0)
    saved = sweep.controller.states[best["trial"]]["weights"]
    assert all(np.array_equal(state.weights[k], v) for k, v in saved.items())

    # saved and reopened as JSON lines
    path = tmp_path / "sweep.jsonl"
    assert sweep.save_results(str(path))
    lines = [json.loads(x) for x in path.read_text().splitlines()]
    assert sorted(x["trial"] for x in lines) == list(range(6))
    sweep.results.setRowCount(0)
    assert sweep.load_results(str(path))
    assert sweep.results.rowCount() == 6 and len(sweep.scatter.data) == 6


def test_cancel_stops_the_sweep_and_its_workers(sweep, qtbot):
    before = _children()
    sweep.set_space([("optim.lr", "log-uniform:1e-3:1e-1")])
    sweep.trials_spin.setValue(30)
    sweep.epochs_spin.setValue(100_000)
    sweep.run_button.click()
    qtbot.waitUntil(lambda: len(_children() - before) >= 2, timeout=60000)
    qtbot.wait(2000)
    t0 = time.monotonic()
    sweep.run_button.click()
    qtbot.waitUntil(lambda: not sweep.is_running, timeout=20000)
    assert time.monotonic() - t0 < 15
    assert "Sweep cancelled" in sweep.message.text()
    qtbot.waitUntil(lambda: not (_children() - before), timeout=15000)


def test_a_bad_range_is_one_sentence_and_starts_nothing(sweep, qtbot):
    sweep.set_space([("optim.lr", "log-uniform:0:1")])
    sweep.run_button.click()
    assert not sweep.is_running and sweep.run_button.text() == "Run"
    assert "LO > 0" in sweep.message.text() and sweep.message.text().endswith(".")


def test_closing_the_window_mid_sweep_shuts_the_cluster_down(sweep, window, qtbot):
    before = _children()
    sweep.set_space([("optim.lr", "log-uniform:1e-3:1e-1")])
    sweep.trials_spin.setValue(30)
    sweep.epochs_spin.setValue(100_000)
    sweep.run_button.click()
    qtbot.waitUntil(lambda: len(_children() - before) >= 2, timeout=60000)
    window.close()
    assert sweep.controller.host.is_finished()
    qtbot.waitUntil(lambda: not (_children() - before), timeout=15000)


def test_a_scheduler_that_does_not_answer_is_said_and_the_window_stays_usable(sweep, qtbot):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sweep.scheduler_edit.setText(f"tcp://127.0.0.1:{port}")
    sweep.run_button.click()
    assert sweep.progress.maximum() == 0  # busy while it connects
    qtbot.waitUntil(lambda: not sweep.is_running, timeout=30000)
    assert f"No Dask scheduler answers at tcp://127.0.0.1:{port}" in sweep.message.text()
    assert sweep.run_button.text() == "Run" and sweep.progress.maximum() == 1
