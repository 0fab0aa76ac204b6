"""The network graph: one thumbnail per unit, fed live; hover, click, per-layer edits."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QComboBox, QInputDialog, QToolButton

from playground.ui.plots.network_graph import MAX_SHOWN, NetworkGraph


def graph_of(window) -> NetworkGraph:
    graph = window.findChild(NetworkGraph, "networkGraph")
    assert graph is not None
    return graph


def wait_for_topology(qtbot, window, sizes) -> NetworkGraph:
    graph = graph_of(window)
    qtbot.waitUntil(lambda: graph.sizes == list(sizes), timeout=5000)
    return graph


def thumbnails(graph: NetworkGraph) -> list[np.ndarray]:
    return [np.array(node.image, copy=True) for col in graph.nodes for node in col]


def _middle(graph, layer, row, col):
    k = np.flatnonzero((graph._seg_index == (layer, row, col)).all(axis=1))[0]
    return (graph._seg_a[k] + graph._seg_b[k]) / 2


@pytest.fixture
def small_net(window, qtbot):
    """Hidden layers 4, 3 on inputs x1, x2, x1*x2 (two classes)."""
    window.controller.edit({"model": {"hidden": (4, 3), "features": ("x1", "x2", "x1*x2")}})
    wait_for_topology(qtbot, window, [3, 4, 3, 2])
    return window


def test_every_unit_has_an_image_that_changes_while_training_and_after_reset(
        small_net, qtbot, wait_idle):
    window = small_net
    graph = graph_of(window)
    assert graph.node_count() >= 3 + 4 + 3
    assert [len(c) for c in graph.nodes] == [3, 4, 3, 2]
    first_items = [node for col in graph.nodes for node in col]
    qtbot.waitUntil(lambda: all(n.image is not None for n in first_items), timeout=5000)
    before = thumbnails(graph)
    window.controller.play()
    qtbot.waitUntil(lambda: window.controller.epoch >= 30, timeout=20000)
    wait_idle(window)
    qtbot.wait(120)  # the graph's own frame (at most every 50 ms)
    window.page.render_frame()
    during = thumbnails(graph)
    # the inputs never change; the hidden units and outputs learn
    assert all(np.array_equal(a, b) for a, b in zip(before[:3], during[:3]))
    assert sum(not np.allclose(a, b) for a, b in zip(before[3:], during[3:])) >= 6
    # the same ImageItems were fed, not rebuilt
    assert [node for col in graph.nodes for node in col] == first_items
    # Reset: fresh weights, shown in the same nodes
    trained = [w.copy() for w in graph._grid.weights]
    window.controller.reset()

    def shows_fresh_weights():
        window.page.render_frame()
        g = graph._grid
        return g is not None and not np.allclose(g.weights[0], trained[0])

    qtbot.waitUntil(shows_fresh_weights, timeout=5000)
    assert not np.allclose(thumbnails(graph)[3], during[3])
    assert [node for col in graph.nodes for node in col] == first_items


def test_changing_the_hidden_layers_rebuilds_the_nodes(small_net, qtbot):
    graph = graph_of(small_net)
    old = [node for col in graph.nodes for node in col]
    small_net.controller.edit({"model": {"hidden": (5,)}})
    wait_for_topology(qtbot, small_net, [3, 5, 2])
    new = [node for col in graph.nodes for node in col]
    assert len(new) == 10 and not set(map(id, new)) & set(map(id, old))
    assert all(node.scene() is None for node in old)  # removed from the view
    # the header shows the new columns only, at once: before the event loop has run and
    # deleted the old ones (they were drawn over the new ones meanwhile)
    panel = small_net.page.graph_panel
    lay = panel._header_layout
    old_boxes = [lay.itemAt(i).widget() for i in range(lay.count())]
    config = small_net.controller.config.to_dict()
    config["model"]["hidden"] = [6, 6, 6]
    panel.set_config(config)
    assert lay.count() == 5  # Inputs, three layers, Output
    assert len(old_boxes) == 3 and all(w.isHidden() for w in old_boxes)


def test_hovering_a_node_shows_that_unit_on_the_decision_plot_and_leaving_returns(
        small_net, qtbot):
    window = small_net
    graph, plot = graph_of(window), window.page.decision_plot
    qtbot.waitUntil(lambda: graph.nodes[1][0].image is not None, timeout=5000)
    region = np.array(plot.image.image, copy=True)
    qtbot.mouseMove(graph, graph.node_center(1, 2))
    qtbot.waitUntil(lambda: plot.shown_unit == "showing neuron 1.3", timeout=5000)
    qtbot.waitUntil(lambda: not np.array_equal(plot.image.image, region), timeout=5000)
    label = window.findChild(type(plot.unit_label), "unitViewLabel")
    assert label.isVisible() and "neuron 1.3" in label.text()
    # the plot shows the unit's own values: tanh of its input, at full resolution
    payload_unit = plot._unit[1]
    assert payload_unit.shape == plot._probs.shape[:2]
    assert -1 <= payload_unit.min() and payload_unit.max() <= 1
    qtbot.mouseMove(graph, QPoint(2, 2))
    qtbot.waitUntil(lambda: plot.shown_unit is None, timeout=5000)
    assert not label.isVisible()


def test_a_clicked_node_stays_until_the_way_back(small_net, qtbot):
    window = small_net
    graph, plot = graph_of(window), window.page.decision_plot
    qtbot.waitUntil(lambda: graph.nodes[2][1].image is not None, timeout=5000)
    qtbot.mouseClick(graph.viewport(), Qt.MouseButton.LeftButton, pos=graph.node_center(2, 1))
    qtbot.waitUntil(lambda: plot.shown_unit == "showing neuron 2.2", timeout=5000)
    qtbot.mouseMove(graph, QPoint(2, 2))
    qtbot.wait(200)
    assert plot.shown_unit == "showing neuron 2.2"  # pinned
    plot.unit_label.linkActivated.emit("back")
    qtbot.waitUntil(lambda: plot.shown_unit is None, timeout=5000)


def test_clicking_a_link_and_typing_a_value_sets_the_workers_weight(
        small_net, qtbot, monkeypatch, wait_idle):
    window = small_net
    graph = graph_of(window)
    qtbot.waitUntil(lambda: len(graph._weights) == 3 * 4 + 4 * 3 + 3 * 2, timeout=5000)
    asked = []

    def answer(parent, title, label, value, *args):
        asked.append((title, label, value))
        return 0.5, True

    monkeypatch.setattr(QInputDialog, "getDouble", staticmethod(answer))
    # a link of layer 1 whose middle no other link crosses (wrapped columns overlap some)
    # and no unit's map covers
    row, col = next((r, c) for r in range(4) for c in range(3)
                    if tuple(graph._seg_index[graph._link_at(*_middle(graph, 1, r, c))])
                    == (1, r, c) and graph._node_at(*_middle(graph, 1, r, c)) is None)
    qtbot.mouseClick(graph.viewport(), Qt.MouseButton.LeftButton,
                     pos=graph.link_point(1, row, col))
    assert asked and f"from 1.{row + 1} to 2.{col + 1}" in asked[0][1]
    state = None

    def weight_is_half():
        nonlocal state
        state = window.controller.request_state(2.0)
        dense = [k for k in state.weights if k.endswith(".W")]
        return state is not None and np.isclose(state.weights[dense[1]][row, col], 0.5)

    qtbot.waitUntil(weight_is_half, timeout=5000)
    # a copy: changing it does not reach the worker
    key = [k for k in state.weights if k.endswith(".W")][1]
    state.weights[key][row, col] = 9.0
    assert np.isclose(window.controller.request_state(2.0).weights[key][row, col], 0.5)
    # the next step starts from it (the link shows the new value first)
    qtbot.waitUntil(lambda: np.isclose(graph._grid.weights[1][row, col], 0.5), timeout=5000)


def test_layer_buttons_and_activations_edit_the_same_config(small_net, qtbot):
    window = small_net
    c = window.controller
    qtbot.mouseClick(window.findChild(QToolButton, "graphAddNeuron:1"), Qt.MouseButton.LeftButton)
    assert c.config.model.hidden == (5, 3)
    assert window.page.network_panel.hidden_edit.text() == "5, 3"
    qtbot.mouseClick(window.findChild(QToolButton, "graphRemoveNeuron:2"),
                     Qt.MouseButton.LeftButton)
    assert c.config.model.hidden == (5, 2)
    combo = window.findChild(QComboBox, "graphActivation:2")
    combo.setCurrentIndex(combo.findData("relu"))
    assert c.config.model.layer_activations() == ("tanh", "relu")
    qtbot.mouseClick(window.findChild(QToolButton, "graphAddLayerButton"),
                     Qt.MouseButton.LeftButton)
    assert c.config.model.hidden == (5, 2, 2)
    assert c.config.model.layer_activations() == ("tanh", "relu", "relu")
    wait_for_topology(qtbot, window, [3, 5, 2, 2, 2])
    assert graph_of(window).kinds == ["features", "tanh", "relu", "relu", "output"]
    qtbot.mouseClick(window.findChild(QToolButton, "graphRemoveLayerButton"),
                     Qt.MouseButton.LeftButton)
    assert c.config.model.hidden == (5, 2)
    # the network panel's Activation still sets every layer
    panel_combo = window.findChild(QComboBox, "activationCombo")
    panel_combo.setCurrentIndex(panel_combo.findData("sigmoid"))
    assert c.config.model.layer_activations() == ("sigmoid", "sigmoid")


def test_a_wide_deep_network_is_summarised_and_says_so(window, qtbot):
    window.controller.edit({"model": {"hidden": (64,) * 8, "activation": "relu"}})
    graph = wait_for_topology(qtbot, window, [2] + [64] * 8 + [2])
    assert all(len(col) <= MAX_SHOWN for col in graph.nodes)
    caption = window.page.graph_panel.caption.text()
    assert f"first {MAX_SHOWN} units" in caption and "layer 1 has 64" in caption
    assert sum(1 for t in graph._more if t is not None) == 8


def test_dead_relu_units_are_greyed_and_counted(window, qtbot):
    c = window.controller
    c.edit({"model": {"hidden": (4,), "activation": "relu"}})
    graph = wait_for_topology(qtbot, window, [2, 4, 2])
    qtbot.waitUntil(lambda: graph._grid is not None, timeout=5000)
    # kill unit 3 of layer 1: its incoming weights and bias drive it below zero everywhere
    for row in range(2):
        c.run.set_weight(0, row, 2, 0.0)
    qtbot.waitUntil(lambda: graph._grid is not None and graph._grid.weights[0][1, 2] == 0.0,
                    timeout=5000)
    # with zero weights the unit outputs relu(b) = relu(0) = 0 (biases start at zero)
    qtbot.waitUntil(lambda: len(graph.dead) > 1 and graph.dead[1][2], timeout=5000)
    assert "1 dead" in window.page.graph_panel.layer_labels[1].text()
    grey = graph._grey[0]
    assert (graph.nodes[1][2].image[..., :3] == grey).all()      # the dead unit: flat grey
    assert not (graph.nodes[1][0].image[..., :3] == grey).all()  # a live one: its map


def test_hiding_the_graph_is_remembered_and_stops_the_unit_maps(open_window, settings, qtbot):
    window = open_window(settings)
    action = window.findChild(type(window.page.graph_action), "showGraphAction")
    assert action.isChecked() and window.page.graph_panel.isVisible()
    action.trigger()
    assert not window.page.graph_panel.isVisible()
    qtbot.waitUntil(lambda: window.controller.worker._graph_size == 0, timeout=3000)
    window.close()
    again = open_window(settings)
    assert not again.page.graph_action.isChecked()
    assert not again.page.graph_panel.isVisible()


def test_the_decision_plot_reads_out_the_probabilities_and_the_nearest_point(window, qtbot):
    plot = window.page.decision_plot
    x, y = plot._points[0][0][0]
    label = plot._points[0][1][0]
    qtbot.mouseMove(plot, plot.data_to_widget(x, y))
    qtbot.waitUntil(lambda: plot.probe.isVisible(), timeout=3000)
    text = plot.probe.text()
    assert "nearest point: " in text and f"class {label}" in text and "%" in text
