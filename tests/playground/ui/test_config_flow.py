"""Every control edits one field of the run config; the controller keeps the only copy."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QLineEdit,
    QPushButton,
    QSpinBox,
)


def combo(window, name: str, value: str) -> None:
    box = window.findChild(QComboBox, name)
    i = box.findData(value)
    assert i >= 0, (name, value)
    box.setCurrentIndex(i)


COMBOS = [
    ("activationCombo", "relu", ("model", "activation")),
    ("initCombo", "he", ("model", "init")),
    ("lossCombo", "sigmoid-bce", ("model", "loss")),
    ("optimizerCombo", "momentum", ("optim", "name")),
    ("scheduleCombo", "cosine", ("schedule", "name")),
    ("datasetCombo", "spiral", ("data", "name")),
]


def test_combo_boxes_edit_their_field(window):
    for name, value, (section, key) in COMBOS:
        combo(window, name, value)
        assert getattr(getattr(window.controller.config, section), key) == value, name
    cfg = window.controller.config
    assert (cfg.model.activation, cfg.optim.name, cfg.data.name) == ("relu", "momentum",
                                                                     "spiral")


def test_optimizer_settings_show_only_when_they_apply(window):
    panel = window.page.network_panel
    form = panel._opt_form

    def shown():
        return {"momentum": form.isRowVisible(panel.momentum_spin),
                "betas": form.isRowVisible(panel._betas_row),
                "rho": form.isRowVisible(panel.rho_spin)}

    assert shown() == {"momentum": False, "betas": True, "rho": False}  # adam
    combo(window, "optimizerCombo", "nesterov")
    assert shown() == {"momentum": True, "betas": False, "rho": False}
    combo(window, "optimizerCombo", "rmsprop")
    assert shown() == {"momentum": False, "betas": False, "rho": True}
    combo(window, "optimizerCombo", "sgd")
    assert shown() == {"momentum": False, "betas": False, "rho": False}
    panel.rho_spin.setValue(0.9)
    assert window.controller.config.optim.rho == 0.9


def test_learning_rate_steps_on_a_log_scale(window, qtbot):
    spin = window.findChild(QDoubleSpinBox, "learningRateSpin")
    assert spin.value() == pytest.approx(0.03)
    spin.stepBy(1)
    assert window.controller.config.optim.lr == pytest.approx(0.1)
    spin.stepBy(-3)
    assert window.controller.config.optim.lr == pytest.approx(0.003)
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), "0.005")
    qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_Return)
    assert window.controller.config.optim.lr == pytest.approx(0.005)
    assert spin.text() == "0.005"


def test_batch_size_lowest_setting_is_full_batch(window):
    spin = window.findChild(QSpinBox, "batchSizeSpin")
    spin.setValue(10)
    assert window.controller.config.batch_size == 10
    spin.setValue(0)
    assert spin.text() == "full batch" and window.controller.config.batch_size == 0


def test_hidden_layers_text_and_buttons(window, qtbot):
    edit = window.findChild(QLineEdit, "hiddenLayersEdit")
    edit.selectAll()
    qtbot.keyClicks(edit, "4, 6, 3")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert window.controller.config.model.hidden == (4, 6, 3)
    assert "2 → 4 → 6 → 3 → 2" in window.page.network_panel.summary_label.text()
    qtbot.mouseClick(window.findChild(QPushButton, "addLayerButton"), Qt.MouseButton.LeftButton)
    assert window.controller.config.model.hidden == (4, 6, 3, 3)
    remove = window.findChild(QPushButton, "removeLayerButton")
    for _ in range(4):
        qtbot.mouseClick(remove, Qt.MouseButton.LeftButton)
    assert window.controller.config.model.hidden == ()
    assert not remove.isEnabled()
    edit.setText("8, 100")
    edit.editingFinished.emit()
    assert window.controller.config.model.hidden == ()
    assert edit.text() == "" and "64" in window.statusBar().currentMessage()
    edit.setText(", ".join(["2"] * 9))
    edit.editingFinished.emit()
    assert "at most 8" in window.statusBar().currentMessage()


def test_input_features_need_at_least_one(window):
    checks = window.page.network_panel.feature_checks
    checks["x1^2"].setChecked(True)
    checks["sin(x2)"].setChecked(True)
    assert window.controller.config.model.features == ("x1", "x2", "x1^2", "sin(x2)")
    for name in ("x1", "x2", "x1^2"):
        checks[name].setChecked(False)
    checks["sin(x2)"].setChecked(False)  # the last one: refused, box ticked again
    assert window.controller.config.model.features == ("sin(x2)",)
    assert checks["sin(x2)"].isChecked()
    assert "feature" in window.statusBar().currentMessage()


def test_regularization_dropout_and_batch_norm(window):
    panel = window.page.network_panel
    assert not panel.reg_rate_spin.isEnabled()
    combo(window, "regularizationCombo", "L2")
    panel.reg_rate_spin.setValue(0.01)
    o = window.controller.config.optim
    assert (o.l1, o.l2) == (0.0, 0.01)
    combo(window, "regularizationCombo", "L1")
    o = window.controller.config.optim
    assert (o.l1, o.l2) == (0.01, 0.0)
    combo(window, "regularizationCombo", "none")
    o = window.controller.config.optim
    assert (o.l1, o.l2) == (0.0, 0.0)
    panel.dropout_spin.setValue(0.25)
    window.findChild(QCheckBox, "batchNormCheck").setChecked(True)
    m = window.controller.config.model
    assert (m.dropout, m.batchnorm) == (0.25, True)


def test_data_controls_regenerate_the_points(window):
    dp = window.page.data_panel
    plot = window.page.decision_plot
    dp.samples_spin.setValue(500)
    assert window.controller.config.data.samples == 500
    assert len(plot.train_points.data) + len(plot.test_points.data) == 500
    dp.test_spin.setValue(50)
    assert window.controller.config.data.test_ratio == 0.5
    assert len(plot.test_points.data) == 250
    dp.noise_spin.setValue(0.3)
    assert window.controller.config.data.noise == 0.3
    assert not dp.classes_spin.isEnabled()
    combo(window, "datasetCombo", "blobs")
    assert dp.classes_spin.isEnabled()
    dp.classes_spin.setValue(4)
    assert set(np.unique(window.controller.dataset.y_train)) == {0, 1, 2, 3}
    assert [b.isVisibleTo(dp) for b in dp.class_buttons] == [True] * 4 + [False]
    before = window.controller.dataset.x_train.copy()
    qtbot_click = window.findChild(QPushButton, "regenerateButton")
    qtbot_click.click()
    assert window.controller.config.seed == 1 and dp.seed_spin.value() == 1
    assert not np.array_equal(before, window.controller.dataset.x_train)


def test_learning_rate_and_optimizer_keep_the_weights_architecture_resets(
        window, qtbot, wait_idle):
    c = window.controller
    for _ in range(3):
        c.step()
    qtbot.waitUntil(lambda: c.epoch == 3, timeout=5000)
    wait_idle(window)
    run = c.run_id
    window.findChild(QDoubleSpinBox, "learningRateSpin").setValue(0.01)
    combo(window, "optimizerCombo", "rmsprop")
    window.findChild(QSpinBox, "batchSizeSpin").setValue(16)
    assert (c.run_id, c.epoch) == (run, 3)
    c.step()
    qtbot.waitUntil(lambda: c.epoch == 4, timeout=5000)
    assert c.run_id == run
    combo(window, "activationCombo", "relu")
    assert c.run_id == run + 1 and c.epoch == 0
    assert window.page.curves.epochs == 0


def test_config_survives_a_json_round_trip(window):
    from engine.spec import RunConfig

    combo(window, "optimizerCombo", "nesterov")
    window.page.network_panel.momentum_spin.setValue(0.8)
    cfg = window.controller.config
    assert RunConfig.from_json(cfg.to_json()) == cfg
    assert cfg.optim.momentum == 0.8
