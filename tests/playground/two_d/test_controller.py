"""The 2-D page's controller and its real worker thread, with no window: edits, Play,
Pause, Step, stale replies after Reset, and bad input refused with nothing changed."""

from __future__ import annotations

import pytest

from engine.spec import RunConfig
from playground.two_d.controller import PlaygroundController


@pytest.fixture
def controller(qtbot):
    c = PlaygroundController(RunConfig().with_changes(data={"samples": 200}))
    problems: list[str] = []
    c.problem.connect(problems.append)
    c.problems = problems
    with qtbot.waitSignal(c.gridReady, timeout=5000):
        c.start()
    yield c
    assert c.shutdown(2000)
    qtbot.waitUntil(c.host.is_finished, timeout=3000)


def wait_paused(qtbot, c: PlaygroundController) -> None:
    """Pause and let the replies of ticks already running drain."""
    c.pause()
    qtbot.waitUntil(lambda: not c.is_running, timeout=3000)
    last = -1
    while last != c.epoch:
        last = c.epoch
        qtbot.wait(150)


def test_step_trains_exactly_one_epoch(controller, qtbot):
    c = controller
    seen: list[dict] = []
    c.epochFinished.connect(seen.append)
    with qtbot.waitSignal(c.epochFinished, timeout=5000):
        c.step()
    qtbot.wait(100)
    assert [m["epoch"] for m in seen] == [1] and c.epoch == 1 and not c.is_running


def test_play_then_pause_trains_and_stops(controller, qtbot):
    c = controller
    seen: list[dict] = []
    c.epochFinished.connect(seen.append)
    states: list[bool] = []
    c.runningChanged.connect(states.append)
    c.play()
    assert c.is_running
    qtbot.waitUntil(lambda: len(seen) >= 5, timeout=10000)
    wait_paused(qtbot, c)
    n = c.epoch
    qtbot.wait(200)
    assert c.epoch == n >= 5 and states[0] is True and states[-1] is False
    assert [m["epoch"] for m in seen] == list(range(1, n + 1))
    assert seen[-1]["train_loss"] < seen[0]["train_loss"]


def test_replies_of_the_run_before_a_reset_are_dropped(controller, qtbot):
    c = controller
    c.play()
    qtbot.waitUntil(lambda: c.epoch >= 3, timeout=10000)
    old_run = c.run_id
    seen: list[dict] = []
    grids: list[dict] = []
    c.epochFinished.connect(seen.append)
    c.gridReady.connect(grids.append)
    c.reset()      # pauses; the worker may still send what it had for the old run
    assert c.run_id == old_run + 1 and c.epoch == 0
    qtbot.wait(300)
    assert all(m["run_id"] == c.run_id for m in seen)
    assert all(g["run_id"] == c.run_id for g in grids)
    assert c.epoch == 0 and not c.is_running


def test_a_learning_rate_edit_keeps_the_run_an_architecture_edit_starts_one(
        controller, qtbot):
    c = controller
    with qtbot.waitSignal(c.epochFinished, timeout=5000):
        c.step()
    run = c.run_id
    assert c.edit({"optim": {"lr": 0.01}})
    assert c.run_id == run and c.config.optim.lr == 0.01
    resets: list[int] = []
    c.runReset.connect(resets.append)
    assert c.edit({"model": {"hidden": (4,)}})
    assert c.run_id == run + 1 and resets == [run + 1] and c.epoch == 0


def test_bad_edits_are_refused_with_the_state_unchanged(controller, qtbot):
    c = controller
    before, run = c.config, c.run_id
    echoed: list[dict] = []
    c.configChanged.connect(echoed.append)
    assert not c.edit({"optim": {"lr": -1.0}})
    assert not c.edit({"model": {"hidden": (100_000,) * 40}})   # past the memory budget
    assert c.config == before and c.run_id == run
    assert len(c.problems) == 2 and all(p for p in c.problems)
    assert echoed and echoed[-1] == before.to_dict()   # the widgets are put back


def test_play_with_one_class_explains_and_does_not_run(controller, qtbot):
    c = controller
    c.clear_points()
    c.add_points([0.1, 0.2], [0.1, 0.3], 0)
    assert c.dataset is None
    c.problems.clear()
    c.play()
    assert not c.is_running
    assert c.problems and "two classes" in c.problems[-1]


def test_the_first_drawn_point_turns_the_data_into_a_drawing(controller, qtbot):
    c = controller
    c.add_points([0.0], [0.0], 1)
    assert c.config.data.name == "drawn"
    assert len(c.drawn) == 201          # the 200 points on screen, plus the new one


def test_the_first_drawn_point_keeps_the_weights_and_the_epoch(controller, qtbot):
    """The first edit behaves like every later one: the run goes on (same run, same
    epoch count) on the points now called "drawn"."""
    c = controller
    for _ in range(3):
        with qtbot.waitSignal(c.epochFinished, timeout=5000):
            c.step()
    run, epoch = c.run_id, c.epoch
    resets: list[int] = []
    c.runReset.connect(resets.append)
    c.add_points([0.5], [0.25], 0)
    assert c.config.data.name == "drawn"
    assert (c.run_id, c.epoch, resets) == (run, epoch, [])
    with qtbot.waitSignal(c.epochFinished, timeout=5000) as blocker:
        c.step()
    assert blocker.args[0]["epoch"] == epoch + 1 and blocker.args[0]["run_id"] == run


@pytest.mark.parametrize("lr, words", [(3.0, "stuck at chance"), (10.0, "oscillates")])
def test_a_collapse_without_nan_gets_a_word(qtbot, lr, words):
    """SGD at lr 3 with ReLU falls to chance (loss ~ ln 2) and lr 10 oscillates: neither
    makes a NaN, and both are said with what to try."""
    c = PlaygroundController(RunConfig().with_changes(
        model={"activation": "relu"}, optim={"name": "sgd", "lr": lr}))
    problems: list[str] = []
    c.problem.connect(problems.append)
    c.start()
    c.play()
    qtbot.waitUntil(lambda: any(words in p for p in problems), timeout=20000)
    assert c.is_running and c.epoch < 200       # said early; training goes on
    assert "learning rate" in next(p for p in problems if words in p)
    assert c.shutdown(2000)
