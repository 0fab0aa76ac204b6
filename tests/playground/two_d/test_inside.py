"""The "Inside the network" payloads and their plumbing through the 2-D training worker:
computed only when asked, a few times a second while training, never while paused, for
the current run only; the book's initialisation picture (ch. 6.2) in their numbers."""

from __future__ import annotations

import numpy as np
import pytest

from engine.build import build_model
from engine.datasets.loader import load_dataset
from engine.serialize import model_state
from engine.spec import RunConfig
from playground.two_d import inside
from playground.two_d.controller import PlaygroundController

DEEP = {"hidden": (100, 100, 100, 100)}


def model_and_data(config: RunConfig, seed: int = 0):
    data = load_dataset(config)
    model = build_model(config, data.input_shape, data.n_classes,
                        rng=np.random.default_rng(seed))
    return model, data


@pytest.fixture
def controller(qtbot):
    c = PlaygroundController(RunConfig().with_changes(data={"samples": 200}))
    stats: list[dict] = []
    views: list[dict] = []
    c.run.statsReady.connect(stats.append)
    c.run.layerViewReady.connect(views.append)
    c.stats, c.views = stats, views
    with qtbot.waitSignal(c.gridReady, timeout=5000):
        c.start()
    yield c
    assert c.shutdown(2000)
    qtbot.waitUntil(c.host.is_finished, timeout=3000)


def wait_paused(qtbot, c: PlaygroundController) -> None:
    c.pause()
    qtbot.waitUntil(lambda: not c.is_running, timeout=3000)
    last = -1
    while last != c.epoch:
        last = c.epoch
        qtbot.wait(200)


# ---------------------------------------------------------------------- payloads

def test_probe_batch_is_fixed_and_at_most_256_points():
    x = np.random.default_rng(1).standard_normal((1000, 2))
    y = np.arange(1000) % 2
    a, b = inside.probe_batch(x, y), inside.probe_batch(x, y)
    assert len(a[0]) == 256 and np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert len(inside.probe_batch(x[:10], y[:10])[0]) == 10


def test_stats_payload_shows_every_hidden_layer_and_every_weighted_layer_norm():
    model, data = model_and_data(RunConfig())
    p = inside.stats_payload(model, *inside.probe_batch(data.x_train, data.y_train))
    assert [layer["name"] for layer in p["layers"]] == ["layer 2 Tanh", "layer 4 Tanh"]
    assert [g["name"] for g in p["grad_norms"]] == ["layer 1 Dense", "layer 3 Dense",
                                                    "layer 5 Dense"]
    first = p["layers"][0]
    assert first["counts"].sum() == 8 * len(inside.probe_batch(data.x_train, data.y_train)[0])
    assert len(first["edges"]) == len(first["counts"]) + 1 == inside.BINS + 1
    assert first["dead"] is None and 0 <= first["saturated"] <= 1
    assert all(g["norm"] > 0 for g in p["grad_norms"])


def test_relu_units_with_very_negative_biases_are_all_dead():
    config = RunConfig().with_changes(model={"activation": "relu"})
    model, data = model_and_data(config)
    for layer in model.layers[:-1]:
        if "b" in layer.params:
            layer.params["b"][...] = -100.0
    p = inside.stats_payload(model, *inside.probe_batch(data.x_train, data.y_train))
    assert [layer["dead"] for layer in p["layers"]] == [1.0, 1.0]


def test_layer_view_maps_points_and_grid_lines_through_two_units():
    model, data = model_and_data(RunConfig().with_changes(model=DEEP))
    x, y = data.x_train[:50], data.y_train[:50]
    v = inside.layer_view_payload(model, x, y, 2, 3, 7)
    assert [entry["units"] for entry in v["layers"]] == [100] * 4
    assert v["choice"] == 2 and v["units"] == (3, 7)
    assert v["points"].shape == (50, 2) and v["lines"].shape == (2 * inside.GRID_LINES,
                                                                 inside.LINE_POINTS, 2)
    # the same numbers as the network's own forward pass up to that layer
    a = x.astype(model.dtype)
    for layer in model.layers[:v["layers"][2]["index"] + 1]:
        a = layer.forward(a)
    np.testing.assert_allclose(v["points"], a[:, [3, 7]], rtol=1e-5, atol=1e-6)
    clamped = inside.layer_view_payload(model, x, y, 9, 500, -3)
    assert clamped["choice"] == 3 and clamped["units"] == (99, 0)


def test_gradient_check_passes_on_a_fresh_network_and_lists_every_array():
    model, data = model_and_data(RunConfig())
    spec, weights = model_state(model)
    result = inside.gradient_check(spec, weights, *inside.check_samples(data.x_train,
                                                                      data.y_train))
    assert [r["name"] for r in result["rows"]] == [
        f"layer {i} Dense {k}" for i in (1, 3, 5) for k in ("W", "b")]
    assert result["passed"] and "All 6 parameter arrays pass" in result["verdict"]


# ---------------------------------------------------------------------- the worker

def test_no_statistics_are_computed_unless_asked(controller, qtbot):
    c = controller
    c.play()
    qtbot.waitUntil(lambda: c.epoch >= 20, timeout=10000)
    wait_paused(qtbot, c)
    assert c.worker.stats_computed == 0 and c.worker.views_computed == 0
    assert c.stats == [] and c.views == []


def test_statistics_arrive_while_training_and_stop_when_paused(controller, qtbot):
    c = controller
    c.run.set_inside_stats(True)
    qtbot.waitUntil(lambda: len(c.stats) == 1, timeout=3000)   # at once, while paused
    assert c.stats[0]["epoch"] == 0 and c.stats[0]["run_id"] == c.run_id
    c.play()
    qtbot.waitUntil(lambda: len(c.stats) >= 4, timeout=10000)
    wait_paused(qtbot, c)
    epochs = [s["epoch"] for s in c.stats]
    assert epochs == sorted(epochs) and epochs[-1] > epochs[0]
    first, last = c.stats[0]["layers"][0], c.stats[-1]["layers"][0]
    assert not np.array_equal(first["counts"], last["counts"])
    computed = c.worker.stats_computed
    qtbot.wait(600)
    assert c.worker.stats_computed == computed and len(c.stats) == computed
    c.run.set_inside_stats(False)
    c.play()
    qtbot.waitUntil(lambda: c.epoch >= epochs[-1] + 20, timeout=10000)
    wait_paused(qtbot, c)
    assert c.worker.stats_computed == computed


def test_statistics_while_training_come_a_few_times_a_second_at_most(controller, qtbot):
    c = controller
    c.run.set_inside_stats(True)
    qtbot.waitUntil(lambda: len(c.stats) == 1, timeout=3000)
    c.play()
    qtbot.wait(2000)
    wait_paused(qtbot, c)
    # 2 s of training at <= 4 a second (+ the first one, + slack for the pause)
    assert 2 <= len(c.stats) <= 1 + 9


def test_layer_view_only_while_asked(controller, qtbot):
    c = controller
    c.run.set_layer_view((1, 0, 1))
    qtbot.waitUntil(lambda: len(c.views) == 1, timeout=3000)
    v = c.views[0]
    assert v["choice"] == 1 and v["units"] == (0, 1) and v["run_id"] == c.run_id
    c.play()
    qtbot.waitUntil(lambda: len(c.views) >= 3, timeout=10000)
    wait_paused(qtbot, c)
    assert not np.array_equal(c.views[0]["points"], c.views[-1]["points"])
    c.run.set_layer_view(None)
    done = c.worker.views_computed
    c.play()
    qtbot.waitUntil(lambda: c.epoch >= 60, timeout=10000)
    wait_paused(qtbot, c)
    assert c.worker.views_computed == done and c.worker.stats_computed == 0


def test_stale_statistics_are_dropped(controller, qtbot):
    c = controller
    c.run.set_inside_stats(True)
    qtbot.waitUntil(lambda: len(c.stats) == 1, timeout=3000)
    old = c.run_id
    c.reset()
    qtbot.waitUntil(lambda: len(c.stats) == 2, timeout=3000)
    assert c.stats[-1]["run_id"] == old + 1
    c.run._on_stats({"run_id": old, "layers": [], "grad_norms": []})
    c.run._on_layer_view({"run_id": old})
    assert len(c.stats) == 2 and c.views == []


def test_a_restored_network_of_dead_relu_units_shows_100_percent_dead(controller, qtbot):
    c = controller
    config = c.config.with_changes(model={"activation": "relu"})
    model, _ = model_and_data(config, seed=config.seed)
    spec, weights = model_state(model)
    for key in weights:
        if key.endswith(".b") and key != "param/5.b":
            weights[key][...] = -100.0
    c.run.set_inside_stats(True)
    qtbot.waitUntil(lambda: len(c.stats) == 1, timeout=3000)
    c.run.new_run(config, c.dataset, (-1.5, 1.5, -1.5, 1.5), weights=weights)
    qtbot.waitUntil(lambda: c.stats[-1]["run_id"] == c.run_id, timeout=3000)
    layers = c.stats[-1]["layers"]
    assert [layer["kind"] for layer in layers] == ["relu", "relu"]
    assert [layer["dead"] for layer in layers] == [1.0, 1.0]


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_the_three_inits_give_the_books_picture(controller, qtbot, activation):
    """Ch. 6.2: with std 0.01 the activations shrink layer by layer towards 0; Xavier
    (tanh) and He (ReLU) keep them spread to the last layer."""
    c = controller
    c.run.set_inside_stats(True)
    qtbot.waitUntil(lambda: len(c.stats) == 1, timeout=3000)
    stds = {}
    for init in ("std", "xavier", "he"):
        assert c.edit({"model": dict(DEEP, activation=activation, init=init)})
        qtbot.waitUntil(lambda: c.stats[-1]["run_id"] == c.run_id, timeout=3000)
        stds[init] = [layer["std"] for layer in c.stats[-1]["layers"]]
    small = stds["std"]
    assert len(small) == 4 and all(b < a for a, b in zip(small, small[1:]))
    keeper = "xavier" if activation == "tanh" else "he"
    assert small[-1] < stds[keeper][-1] / 10
    assert small[-1] < stds["he"][-1] / 10
    assert stds[keeper][-1] > 0.3 * stds[keeper][0]   # spread kept to the last layer
