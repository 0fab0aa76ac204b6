"""The MNIST page on its own: training on the built-in sample, Stop, the views, the pad."""

from __future__ import annotations

import os
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import pyqtgraph as pg  # noqa: E402
import pytest  # noqa: E402
from PySide6.QtCore import QPointF, QSettings, Qt  # noqa: E402
from PySide6.QtGui import QMouseEvent  # noqa: E402
from PySide6.QtWidgets import (  # noqa: E402
    QApplication,
    QComboBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
)

from playground.ui.mnist.page import MnistPage  # noqa: E402

pg.setConfigOptions(imageAxisOrder="row-major")

#: a SimpleConvNet small enough for a test: 4 filters of 5x5, 500 training images.
FAST = {"model": "simple-cnn", "filters": 4, "filter_size": 5, "hidden": 32,
        "epochs": 1, "train_limit": 500, "batch_size": 100}


@pytest.fixture
def mnist_settings(tmp_path):
    def _make(**values) -> QSettings:
        s = QSettings(str(tmp_path / "mnist.ini"), QSettings.Format.IniFormat)
        for key, value in values.items():
            s.setValue(f"mnist/{key}", value)
        s.sync()
        return s
    return _make


@pytest.fixture
def open_page(qtbot):
    """Shows a page on the given settings and waits for the sample and first weights."""
    pages: list[MnistPage] = []
    errors: list[str] = []

    def _open(settings: QSettings) -> MnistPage:
        page = MnistPage(settings=settings)
        qtbot.addWidget(page)
        page.ask_discard = lambda _question: True  # a test that asks answers itself
        page.controller.worker.failed.connect(errors.append)
        page.resize(1280, 800)
        page.show()
        qtbot.waitExposed(page)
        qtbot.waitUntil(lambda: page.data_info is not None and page.run_id > 0
                        and page.views.filter_grid.mosaic.size > 0, timeout=10000)
        pages.append(page)
        return page

    _open.errors = errors
    yield _open
    for page in pages:
        assert page.shutdown(), "the worker thread did not end"
    assert not errors, errors


def widget(page, cls, name):
    w = page.findChild(cls, name)
    assert w is not None, name
    return w


def train(qtbot, page, timeout=20000):
    qtbot.mouseClick(widget(page, QPushButton, "mnistTrainButton"), Qt.MouseButton.LeftButton)
    assert page.is_training
    qtbot.waitUntil(lambda: not page.is_training, timeout=timeout)


def test_page_has_the_named_controls_and_loads_the_sample(open_page, mnist_settings):
    page = open_page(mnist_settings(**FAST))
    source = widget(page, QComboBox, "mnistSourceCombo")
    assert source.currentData() == "sample" and "offline" in source.currentText()
    assert [source.itemData(i) for i in range(source.count())] == [
        "sample", "mnist", "fashion-mnist", "files", "digits"]
    model = widget(page, QComboBox, "mnistModelCombo")
    assert {model.itemData(i) for i in range(model.count())} == {"mlp", "simple-cnn",
                                                                   "deep-cnn"}
    assert widget(page, QSpinBox, "mnistEpochsSpin").value() == 1
    assert isinstance(page.findChild(pg.GraphicsView, "filterView"), pg.GraphicsView)
    info = page.data_info
    assert (info["n_train"], info["n_test"], info["input_shape"]) == (4000, 1000, (1, 28, 28))
    strip = page.controls.strip
    assert strip.count == 16 and strip.captions[:10] == [str(d) for d in range(10)]
    # the initial filters are shown before training: 4 tiles of 5x5 in a 2x2 grid
    assert page.views.filter_grid.mosaic.shape == (11, 11)


def test_training_one_epoch_fills_progress_learns_filters_and_evaluates(
        open_page, mnist_settings, qtbot):
    page = open_page(mnist_settings(**FAST))
    initial = page.views.filter_grid.mosaic
    statuses: list[str] = []
    page.statusMessage.connect(statuses.append)
    train(qtbot, page)
    bar = widget(page, QProgressBar, "mnistProgress")
    assert bar.maximum() == 500 and bar.value() == bar.maximum()
    assert widget(page, QPushButton, "mnistTrainButton").text() == "Train"
    assert any("samples/s" in s and "ETA" in s for s in statuses)
    # learned filters differ from the initial ones; the toggle shows the initial again
    learned = page.views.filter_grid.mosaic
    assert learned.shape == initial.shape
    assert not np.allclose(np.nan_to_num(learned), np.nan_to_num(initial))
    qtbot.mouseClick(widget(page, QPushButton, "filterInitialButton"),
                     Qt.MouseButton.LeftButton)
    np.testing.assert_array_equal(page.views.filter_grid.mosaic, initial)
    qtbot.mouseClick(widget(page, QPushButton, "filterLearnedButton"),
                     Qt.MouseButton.LeftButton)
    np.testing.assert_array_equal(page.views.filter_grid.mosaic, learned)
    # confusion matrix over the whole test split, mistakes with their labels
    qtbot.waitUntil(lambda: page.views.confusion.counts.sum() > 0, timeout=5000)
    counts = page.views.confusion.counts
    assert counts.shape == (10, 10) and counts.sum() == page.data_info["n_test"] == 1000
    wrong = counts.sum() - np.trace(counts)
    assert page.views.mistakes.count == min(40, wrong)
    assert all("→" in c for c in page.views.mistakes.captions)
    # curves: smoothed train values per step (5 steps), one test point
    curves = page.views.curves
    assert len(curves.column("steps", "loss")) == 5
    np.testing.assert_allclose(curves.column("epochs", "x"), [1.0])
    assert 0.1 < curves.column("epochs", "acc")[0] <= 1.0


def stroke(pad, points) -> None:
    """Press, drag through ``points`` (fractions of the pad's side) and release."""
    side = min(pad.width(), pad.height())
    x0, y0 = (pad.width() - side) / 2, (pad.height() - side) / 2
    pos = [QPointF(x0 + fx * side, y0 + fy * side) for fx, fy in points]
    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    events = [(QMouseEvent.Type.MouseButtonPress, pos[0], left, left)]
    events += [(QMouseEvent.Type.MouseMove, p, none, left) for p in pos[1:]]
    events += [(QMouseEvent.Type.MouseButtonRelease, pos[-1], left, none)]
    for kind, p, button, buttons in events:
        event = QMouseEvent(kind, p, pad.mapToGlobal(p), button, buttons,
                            Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(pad, event)


def test_a_stroke_on_the_pad_gives_ten_probabilities(open_page, mnist_settings, qtbot):
    page = open_page(mnist_settings(**FAST))
    train(qtbot, page)
    pad = page.views.pad
    assert pad.is_blank()
    stroke(pad, [(0.5, 0.15), (0.52, 0.4), (0.5, 0.65), (0.5, 0.85)])  # a "1"
    assert not pad.is_blank()
    bars = page.views.bars
    qtbot.waitUntil(lambda: bars.probabilities.sum() > 0.5, timeout=5000)
    probs = bars.probabilities
    assert probs.shape == (10,) and np.all(probs >= 0)
    assert probs.sum() == pytest.approx(1.0, abs=1e-5)
    # the network saw an MNIST-style 28x28 digit
    assert page.views.drawing_input.count == 1
    qtbot.mouseClick(widget(page, QPushButton, "drawingClearButton"),
                     Qt.MouseButton.LeftButton)
    assert pad.is_blank() and not pad.image().any()
    qtbot.waitUntil(lambda: bars.probabilities.sum() == 0, timeout=5000)


def test_stop_mid_epoch_ends_within_a_second(open_page, mnist_settings, qtbot):
    page = open_page(mnist_settings(**dict(FAST, filters=8, train_limit=0, batch_size=50,
                                            epochs=3)))
    bar = widget(page, QProgressBar, "mnistProgress")
    button = widget(page, QPushButton, "mnistTrainButton")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert button.text() == "Stop"
    qtbot.waitUntil(lambda: 0 < bar.value() and bar.maximum() == 12000, timeout=10000)
    started = time.perf_counter()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.is_training, timeout=1000)
    assert time.perf_counter() - started < 1.0
    assert button.text() == "Train" and button.isEnabled()
    done = bar.value()
    assert 0 < done < 4000  # mid-epoch: the first epoch had not finished
    qtbot.wait(300)
    assert bar.value() == done  # nothing trains after Stop


def test_feature_maps_of_a_test_digit(open_page, mnist_settings, qtbot):
    page = open_page(mnist_settings(**FAST))
    train(qtbot, page)
    page.views.tabs.setCurrentIndex(2)
    widget(page, QSpinBox, "featureMapIndexSpin").setValue(7)
    grid = page.views.map_grid
    qtbot.waitUntil(lambda: page.views.map_input.count == 1 and grid.mosaic.size > 0,
                    timeout=5000)
    qtbot.waitUntil(lambda: "→" in page.views.map_input.captions[0], timeout=5000)
    mosaic = grid.mosaic
    tiles = np.isfinite(mosaic).sum()
    assert tiles == 4 * 24 * 24          # four 24x24 maps of the 5x5 filters
    assert np.nanmin(mosaic) >= 0        # after ReLU
    assert grid.levels[0] == 0


def test_save_and_load_a_trained_model(open_page, mnist_settings, qtbot, tmp_path):
    page = open_page(mnist_settings(**FAST))
    train(qtbot, page)
    qtbot.waitUntil(lambda: page.views.confusion.counts.sum() == 1000, timeout=5000)
    trained = page.views.confusion.counts
    path = tmp_path / "model.npz"
    messages: list[str] = []
    page.statusMessage.connect(messages.append)
    page.save_model(str(tmp_path / "model"))  # ".npz" is added
    qtbot.waitUntil(lambda: any("Saved the model" in m for m in messages), timeout=5000)
    assert path.is_file()
    # a fresh preview replaces the trained network, then loading brings it back
    widget(page, QSpinBox, "mnistFiltersSpin").setValue(5)
    qtbot.waitUntil(lambda: page.views.filter_grid.mosaic.shape == (11, 17), timeout=5000)
    page.load_model(str(path))
    qtbot.waitUntil(lambda: page.views.confusion.counts.sum() == 1000, timeout=5000)
    np.testing.assert_array_equal(page.views.confusion.counts, trained)
    assert page.views.filter_grid.mosaic.shape == (11, 11)
    assert "Loaded model.npz" in page.controls.summary_label.text()


def test_eight_by_eight_digits_with_an_mlp(open_page, mnist_settings, qtbot):
    page = open_page(mnist_settings(**dict(FAST, model="mlp", hidden=16)))
    page.load_source("digits")
    qtbot.waitUntil(lambda: page.data_info["input_shape"] == (1, 8, 8), timeout=10000)
    qtbot.waitUntil(lambda: page.views.filter_grid.mosaic.shape == (4 * 8 + 3, 4 * 8 + 3),
                    timeout=5000)  # 16 weight vectors as 8x8 images, 1 px gaps
    assert widget(page, QComboBox, "mnistSourceCombo").currentData() == "digits"
    train(qtbot, page)
    n_test = page.data_info["n_test"]
    qtbot.waitUntil(lambda: page.views.confusion.counts.sum() == n_test, timeout=5000)


def test_bad_settings_are_reported_not_raised(open_page, mnist_settings, qtbot):
    page = open_page(mnist_settings(**FAST))
    page.load_source("digits")
    qtbot.waitUntil(lambda: page.data_info["input_shape"] == (1, 8, 8), timeout=10000)
    messages: list[str] = []
    page.statusMessage.connect(messages.append)
    widget(page, QSpinBox, "mnistFilterSizeSpin").setValue(9)  # larger than 8x8 images
    qtbot.waitUntil(lambda: any("larger than the 8×8" in m for m in messages), timeout=5000)
    assert "larger" in page.controls.run_label.text()
    assert all("larger" in e for e in open_page.errors)
    open_page.errors.clear()  # the one expected failure


def test_an_unreadable_file_is_reported_and_the_data_kept(open_page, mnist_settings, qtbot,
                                                          tmp_path):
    page = open_page(mnist_settings(**FAST))
    bad = tmp_path / "mnist.npz"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    page.load_source("files", str(bad))
    label = page.controls.run_label
    qtbot.waitUntil(lambda: "mnist.npz" in label.text(), timeout=5000)
    assert "Could not load the data" in label.text()
    assert widget(page, QComboBox, "mnistSourceCombo").currentData() == "sample"
    assert page.data_info["source"] == "sample"
    assert len(open_page.errors) == 1
    open_page.errors.clear()  # the one expected failure


def test_open_files_reads_a_keras_npz(open_page, mnist_settings, qtbot, tmp_path):
    page = open_page(mnist_settings(**FAST))
    rng = np.random.default_rng(0)
    path = tmp_path / "digits.npz"
    np.savez(path, x_train=rng.integers(0, 256, (30, 28, 28), dtype=np.uint8),
             y_train=np.arange(30, dtype=np.uint8) % 10,
             x_test=rng.integers(0, 256, (12, 28, 28), dtype=np.uint8),
             y_test=np.arange(12, dtype=np.uint8) % 10)
    page.load_source("files", str(path))
    qtbot.waitUntil(lambda: page.data_info["source"] == "files", timeout=5000)
    assert (page.data_info["n_train"], page.data_info["n_test"]) == (30, 12)
    assert page.controls.strip.count == 12


def test_the_page_keeps_its_values_through_save_and_restore_settings(
        open_page, mnist_settings, tmp_path):
    page = open_page(mnist_settings(**FAST))
    assert [a.objectName() for a in page.actions()["&View"]] == ["mnistInsideAction",
                                                                 "mnistLandscapeAction"]
    assert page.toolbar_widgets() == []
    page.activated(False)
    page.activated(True)
    saved = QSettings(str(tmp_path / "saved.ini"), QSettings.Format.IniFormat)
    page.save_settings(saved)
    assert saved.value("mnist/source") == "sample" and int(saved.value("mnist/epochs")) == 1
    epochs = widget(page, QSpinBox, "mnistEpochsSpin")
    epochs.setValue(7)
    widget(page, QComboBox, "mnistModelCombo").setCurrentIndex(
        widget(page, QComboBox, "mnistModelCombo").findData("mlp"))
    page.restore_settings(saved)
    assert epochs.value() == 1
    assert widget(page, QComboBox, "mnistModelCombo").currentData() == "simple-cnn"


def test_train_clicked_right_after_opening_trains_once_the_data_is_in(
        mnist_settings, qtbot):
    page = MnistPage(settings=mnist_settings(**FAST))
    qtbot.addWidget(page)
    page.show()
    button = widget(page, QPushButton, "mnistTrainButton")
    # recorded as it happens: on a fast machine the short run can start and end between
    # two looks at page.is_training
    started: list[bool] = []
    page.controller.trainingChanged.connect(lambda training, _stopping: started.append(training))
    assert page.data_info is None  # still loading
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert button.text().startswith("Loading…") and button.isEnabled()
    assert "training starts when the data is in" in page.controls.run_label.text()
    qtbot.waitUntil(lambda: True in started, timeout=15000)
    qtbot.waitUntil(lambda: not page.is_training, timeout=30000)
    assert button.text() == "Train"
    assert page.controls.progress.value() == page.controls.progress.maximum() == 500
    assert page.shutdown()


def hostile_model_files(folder, good) -> dict[str, object]:
    """Broken copies of the saved model ``good``: name -> path."""
    raw = good.read_bytes()
    with np.load(good, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    first = next(k for k in arrays if k.startswith("param/") and k.endswith(".W"))
    files = {"truncated": folder / "truncated.npz", "text": folder / "text.npz",
             "nan": folder / "nan.npz", "shapes": folder / "shapes.npz"}
    files["truncated"].write_bytes(raw[:len(raw) // 2])
    files["text"].write_text("These are not the weights you are looking for.\n")
    np.savez(files["nan"], **dict(arrays, **{first: np.full_like(arrays[first], np.nan)}))
    np.savez(files["shapes"], **dict(arrays, **{first: np.zeros((3, 3), np.float32)}))
    return files


def test_a_hostile_model_file_is_refused_with_a_message(open_page, mnist_settings, qtbot,
                                                        tmp_path):
    page = open_page(mnist_settings(**FAST))
    train(qtbot, page)
    qtbot.waitUntil(lambda: page.views.confusion.counts.sum() == 1000, timeout=5000)
    good = tmp_path / "good.npz"
    saved: list[str] = []
    page.statusMessage.connect(saved.append)
    page.save_model(str(good))
    qtbot.waitUntil(lambda: any("Saved the model" in m for m in saved), timeout=5000)
    counts = page.views.confusion.counts
    mosaic = page.views.filter_grid.mosaic
    summary = page.controls.summary_label.text()
    for name, path in hostile_model_files(tmp_path, good).items():
        messages: list[str] = []
        page.statusMessage.connect(messages.append)
        page.load_model(str(path))
        qtbot.waitUntil(lambda m=messages: m != [], timeout=5000)
        page.statusMessage.disconnect(messages.append)
        assert path.name in messages[0], (name, messages)
        assert page.controls.run_label.text() == messages[0]
        # the trained network and its results are kept, and it still answers
        np.testing.assert_array_equal(page.views.confusion.counts, counts)
        np.testing.assert_array_equal(page.views.filter_grid.mosaic, mosaic)
        assert page.controls.summary_label.text() == summary
    assert len(open_page.errors) == 4
    open_page.errors.clear()  # the four expected refusals
    stroke(page.views.pad, [(0.5, 0.15), (0.52, 0.4), (0.5, 0.65), (0.5, 0.85)])
    qtbot.waitUntil(lambda: page.views.bars.probabilities.sum() > 0.5, timeout=5000)


def test_a_mistake_and_its_feature_maps_name_true_then_predicted_alike(
        open_page, mnist_settings, qtbot):
    page = open_page(mnist_settings(**FAST))
    train(qtbot, page)
    views = page.views
    qtbot.waitUntil(lambda: views.mistakes.count > 0, timeout=5000)
    first = views.mistakes.captions[0]
    views.mistakes.tileClicked.emit(0)
    assert views.tabs.currentIndex() == 2
    qtbot.waitUntil(lambda: views.map_input.captions == [first], timeout=5000)
    true_name, predicted = first.split("→")
    counts = views.confusion.counts  # rows: true class, columns: predicted
    assert counts[views.class_names.index(true_name), views.class_names.index(predicted)] > 0
    assert "true → predicted" in views.mistakes.toolTip().lower()
    assert views.map_order.text() == "true → predicted"


def test_after_a_source_change_no_view_shows_the_old_results(open_page, mnist_settings,
                                                             qtbot):
    page = open_page(mnist_settings(**dict(FAST, model="mlp", hidden=16)))
    train(qtbot, page)
    views = page.views
    qtbot.waitUntil(lambda: views.confusion.counts.sum() == 1000, timeout=5000)
    stroke(views.pad, [(0.5, 0.15), (0.52, 0.4), (0.5, 0.65), (0.5, 0.85)])
    qtbot.waitUntil(lambda: "sure" in views.prediction_label.text(), timeout=5000)
    views.tabs.setCurrentIndex(2)
    qtbot.waitUntil(lambda: views.map_input.count == 1, timeout=5000)
    assert "epoch 1" in views.confusion_hint.text()
    page.load_source("digits")
    qtbot.waitUntil(lambda: page.data_info["input_shape"] == (1, 8, 8), timeout=10000)
    qtbot.waitUntil(lambda: views.filter_grid.mosaic.shape == (35, 35), timeout=5000)
    qtbot.waitUntil(lambda: np.isfinite(views.map_grid.mosaic).sum() == 16,  # re-asked
                    timeout=5000)
    assert "epoch" not in views.confusion_hint.text()
    assert views.confusion.counts.sum() == 0 and views.mistakes.count == 0
    assert views.map_input.count == 1 and views.map_input.captions[0] != ""
    # the drawing is asked again of the fresh network: a guess, said as one
    qtbot.waitUntil(lambda: "Untrained" in views.prediction_label.text(), timeout=5000)
    assert "<b>" not in views.prediction_label.text()
    assert "sure" not in views.prediction_label.text()


def test_the_status_bar_keeps_the_page_s_message_on_return_to_the_tab(window, qtbot):
    from PySide6.QtWidgets import QTabWidget

    tabs = window.findChild(QTabWidget, "mainTabs")
    tabs.setCurrentIndex(1)
    page = window.mnist_page
    qtbot.waitUntil(lambda: page.data_info is not None, timeout=10000)
    bar = window.statusBar()
    qtbot.waitUntil(lambda: bar.currentMessage() == "Loaded 5,000 images.", timeout=5000)
    for _ in range(2):
        tabs.setCurrentIndex(0)
        bar.showMessage("a message of the 2-D page")
        tabs.setCurrentIndex(1)
        assert bar.currentMessage() == page.status == "Loaded 5,000 images."
    page.activated(False)  # leaving the tab says nothing
    assert bar.currentMessage() == "Loaded 5,000 images."


@pytest.mark.parametrize("size", [(1280, 800), (1024, 700)])
def test_the_controls_keep_their_place_when_the_model_changes(open_page, mnist_settings,
                                                              qtbot, size):
    page = open_page(mnist_settings(**FAST))
    page.resize(*size)
    button = widget(page, QPushButton, "mnistTrainButton")
    combo = widget(page, QComboBox, "mnistModelCombo")
    filters = widget(page, QSpinBox, "mnistFiltersSpin")
    hidden = widget(page, QSpinBox, "mnistHiddenSpin")

    filters_view = page.views.filter_grid

    def place():
        QApplication.processEvents()
        return (button.mapTo(page, button.rect().topLeft()), button.size(),
                filters_view.mapTo(page, filters_view.rect().topLeft()), filters_view.size())

    start = place()
    for preset, uses_filters, uses_hidden in (("mlp", False, True),
                                              ("deep-cnn", False, False),
                                              ("simple-cnn", True, True)):
        combo.setCurrentIndex(combo.findData(preset))
        name = {"mlp": "MLP ·", "deep-cnn": "DeepConvNet", "simple-cnn": "SimpleConvNet"}
        qtbot.waitUntil(lambda n=name[preset]: n in page.controls.summary_label.text(),
                        timeout=10000)  # the new model is shown
        assert place() == start, preset
        assert filters.isVisible() and hidden.isVisible()
        assert (filters.isEnabled(), hidden.isEnabled()) == (uses_filters, uses_hidden)


def test_after_a_model_change_no_view_shows_the_old_results(open_page, mnist_settings,
                                                            qtbot):
    page = open_page(mnist_settings(**FAST))
    train(qtbot, page)
    views = page.views
    qtbot.waitUntil(lambda: views.confusion.counts.sum() == 1000, timeout=5000)
    stroke(views.pad, [(0.5, 0.15), (0.52, 0.4), (0.5, 0.65), (0.5, 0.85)])
    qtbot.waitUntil(lambda: "sure" in views.prediction_label.text(), timeout=5000)
    combo = widget(page, QComboBox, "mnistModelCombo")
    combo.setCurrentIndex(combo.findData("mlp"))
    qtbot.waitUntil(lambda: "MLP ·" in page.controls.summary_label.text(), timeout=5000)
    assert "epoch" not in views.confusion_hint.text() and views.mistakes.count == 0
    qtbot.waitUntil(lambda: "Untrained" in views.prediction_label.text(), timeout=5000)
    assert "sure" not in views.prediction_label.text()
