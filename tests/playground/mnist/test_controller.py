"""The MNIST controller and its real worker thread, with no window: loading, runs, Stop,
stale replies dropped, bad input refused with the state unchanged."""

from __future__ import annotations

import pytest

from playground.mnist.controller import MnistController

#: a SimpleConvNet small enough for a test: 4 filters of 5x5, 500 training images.
FAST = {"preset": "simple-cnn", "filters": 4, "filter_size": 5, "hidden": 32,
        "epochs": 1, "train_limit": 500, "batch_size": 100}

#: the outward signals that carry a run's payloads (each stamped with its run_id).
RUN_SIGNALS = ("modelReady", "filtersReady", "progressed", "stepsReady", "epochFinished",
               "evaluated", "finished", "featureMapsReady", "probabilitiesReady")


@pytest.fixture
def make(qtbot):
    """Builds controllers on ``values`` and records their messages; every one must shut
    its thread down, and unexpected failures fail the test."""
    made: list[MnistController] = []

    def _make(**values) -> MnistController:
        values = dict(FAST, **values)
        c = MnistController(values=lambda: dict(values))
        c.errors = []
        c.errorReported.connect(c.errors.append)
        made.append(c)
        return c

    yield _make
    for c in made:
        assert c.shutdown(), "the worker thread did not end"
        assert c.host.is_finished()


def loaded(qtbot, c: MnistController, key: str = "sample") -> MnistController:
    """``c`` with ``key`` loaded and its preview weights ready."""
    with qtbot.waitSignals([c.dataLoaded, c.modelReady], timeout=15000,
                           order="strict"):
        c.load_source(key)
    assert c.errors == []
    return c


def record(c: MnistController) -> dict[str, list]:
    """Everything ``c`` emits on its run signals, by signal name."""
    seen: dict[str, list] = {name: [] for name in RUN_SIGNALS}
    for name in RUN_SIGNALS:
        getattr(c, name).connect(seen[name].append)
    return seen


def test_loading_the_sample_reports_it_and_previews_fresh_weights(make, qtbot):
    c = make()
    shown: list[str] = []
    c.sourceShown.connect(shown.append)
    with qtbot.waitSignal(c.modelReady, timeout=15000) as ready:
        c.restore_source("sample")
    info = c.data_info
    assert (info["n_train"], info["n_test"], info["input_shape"]) == (4000, 1000, (1, 28, 28))
    assert c.source == "sample" and c.loading == "" and shown == ["sample"]
    p = ready.args[0]
    assert p["run_id"] == c.run_id == 1 and p["kind"] == "conv"
    assert p["filters"].shape == (4, 5, 5) and p["total"] == 0  # a preview trains nothing
    assert not c.is_training and c.errors == []


def test_train_one_epoch_to_the_end(make, qtbot):
    c = loaded(qtbot, make())
    seen = record(c)
    states: list[tuple[bool, bool]] = []
    c.trainingChanged.connect(lambda *s: states.append(s))
    with qtbot.waitSignal(c.finished, timeout=30000) as done:
        c.train()
        assert c.is_training and c.run_id == 2
    assert done.args[0]["epochs"] == 1
    assert not c.is_training and states == [(True, False), (False, False)]
    assert seen["modelReady"][0]["total"] == 500
    assert seen["epochFinished"] and seen["evaluated"]
    assert {p["run_id"] for name in RUN_SIGNALS for p in seen[name]} == {2}


def test_stop_halts_training_and_keeps_the_model(make, qtbot):
    c = loaded(qtbot, make(epochs=3, train_limit=0, batch_size=50))
    with qtbot.waitSignal(c.progressed, timeout=15000):
        c.train()
    with qtbot.waitSignal(c.stopped, timeout=5000) as stopped:
        c.stop()
        assert c.is_training and c.is_stopping
        c.stop()  # a second Stop while stopping changes nothing
    assert stopped.args == [c.run_id]
    assert not c.is_training and not c.is_stopping and c.errors == []


def test_replies_of_a_replaced_run_never_reach_the_views(make, qtbot):
    c = loaded(qtbot, make())
    seen = record(c)
    first = c.run_id + 1
    c.preview()
    c.preview()  # replaces the first before any of its replies has arrived
    assert c.run_id == first + 1
    qtbot.waitUntil(lambda: len(seen["modelReady"]) == 1, timeout=5000)
    qtbot.wait(100)
    assert [p["run_id"] for p in seen["modelReady"]] == [first + 1]
    # late replies of an old run, as the worker would send them, are dropped too
    w = c.worker
    stale = {"run_id": first, "done": 1, "total": 2, "epoch": 0, "epochs": 1,
             "speed": 1.0, "eta": 1.0}
    w.progressed.emit(stale)
    w.stepsReady.emit(stale)
    w.filtersReady.emit(stale)
    w.evaluated.emit(stale)
    w.finished.emit(dict(stale, seconds=1.0))
    w.stopped.emit(first)
    qtbot.wait(100)
    assert all(seen[name] == [] for name in RUN_SIGNALS if name != "modelReady")
    assert c.errors == []


def test_train_without_data_is_refused_with_one_message(make, qtbot):
    c = make()
    states: list = []
    c.trainingChanged.connect(lambda *s: states.append(s))
    c.train()
    assert c.errors == ["The data is not loaded yet."]
    assert (c.is_training, c.run_id, states) == (False, 0, [])


def test_an_invalid_config_is_refused_before_any_run(make, qtbot):
    c = loaded(qtbot, make())
    c.values = lambda: dict(FAST, lr=-1.0)
    before = c.run_id
    c.train()
    assert c.errors == ["learning rate must be in (0, 10], got -1.0"]
    assert (c.is_training, c.is_stopping, c.run_id) == (False, False, before)
    c.preview()  # the same refusal for the fresh-weights preview
    assert len(c.errors) == 2 and c.run_id == before


def test_an_unbuildable_network_ends_the_run_it_started(make, qtbot):
    c = make(preset="simple-cnn", filter_size=9)  # larger than the 8x8 images
    with qtbot.waitSignal(c.dataLoaded, timeout=15000):
        c.load_source("digits")
    qtbot.waitUntil(lambda: len(c.errors) == 1, timeout=5000)  # the preview's
    with qtbot.waitSignal(c.stopped, timeout=5000):
        c.train()
        assert c.is_training
    assert not c.is_training and not c.is_stopping
    assert len(c.errors) == 2 and all("larger than the 8×8" in e for e in c.errors)


def test_a_source_cannot_change_while_training(make, qtbot):
    c = loaded(qtbot, make(epochs=3, train_limit=0, batch_size=50))
    started: list[str] = []
    c.loadingStarted.connect(started.append)
    with qtbot.waitSignal(c.progressed, timeout=15000):
        c.train()
    c.load_source("digits")
    c.choose_source("digits")
    c.load_model("model.npz")
    assert started == [] and c.loading == "" and c.source == "sample"
    with qtbot.waitSignal(c.stopped, timeout=5000):
        c.stop()
    assert c.data_info["source"] == "sample" and c.errors == []


def test_train_clicked_while_the_data_loads_starts_when_it_is_in(make, qtbot):
    c = make()
    pending: list[bool] = []
    texts: list[str] = []
    c.trainPending.connect(pending.append)
    c.runTextChanged.connect(texts.append)
    c.restore_source("sample")
    c.train()  # the data is still loading: the click is kept, not dropped
    assert c.train_pending and not c.is_training and c.errors == []
    assert texts == ["Loading… training starts when the data is in."]
    with qtbot.waitSignal(c.finished, timeout=30000):
        pass
    assert pending == [True, False] and not c.train_pending
    assert c.errors == [] and c.data_info["source"] == "sample"


def test_a_second_click_cancels_the_waiting_train(make, qtbot):
    c = make()
    started: list[bool] = []
    c.runStarted.connect(started.append)
    c.restore_source("sample")
    c.toggle_training()
    c.toggle_training()
    assert not c.train_pending
    with qtbot.waitSignal(c.modelReady, timeout=15000):
        pass
    assert started == [False] and not c.is_training  # only the preview ran


def test_train_clicked_while_other_data_loads_names_that_data(make, qtbot, tmp_path):
    from engine.build import load

    c = loaded(qtbot, make(preset="mlp", hidden=16))
    c.load_source("digits")
    c.train()  # trains on the 8x8 digits, which arrive first
    with qtbot.waitSignal(c.finished, timeout=30000):
        pass
    assert c.data_info["source"] == "digits"
    saved: list[str] = []
    c.worker.modelSaved.connect(saved.append)
    c.save_model(str(tmp_path / "m.npz"))
    qtbot.waitUntil(lambda: saved != [], timeout=5000)
    assert load(tmp_path / "m.npz").config.data.name == "digits"
    assert c.errors == []
