"""The MNIST page's pure NumPy helpers: drawing preprocessing, mosaics, confusion matrix."""

import numpy as np
import pytest

from playground.mnist import drawing as mf


def _blob(shape, top, left, h, w, value=1.0):
    img = np.zeros(shape, np.float32)
    img[top:top + h, left:left + w] = value
    return img


# ---------------------------------------------------------------- resizing

def test_area_resize_averages_blocks_exactly():
    img = np.arange(16, dtype=np.float32).reshape(4, 4)
    out = mf.area_resize(img, 2, 2)
    np.testing.assert_allclose(out, [[2.5, 4.5], [10.5, 12.5]])
    assert out.dtype == np.float32


def test_area_resize_keeps_the_mean_for_fractional_factors():
    img = np.random.default_rng(0).random((37, 23))
    out = mf.area_resize(img, 10, 7)
    assert out.shape == (10, 7)
    assert out.mean() == pytest.approx(img.mean(), rel=1e-5)


def test_area_resize_rejects_bad_sizes():
    with pytest.raises(ValueError, match="2-D"):
        mf.area_resize(np.zeros(5), 2, 2)
    with pytest.raises(ValueError, match="at least 1"):
        mf.area_resize(np.zeros((3, 3)), 0, 2)


# ---------------------------------------------------------------- MNIST-style drawing

def test_bounding_box_and_blank_image():
    img = _blob((50, 60), 10, 20, 5, 7)
    assert mf.bounding_box(img) == (10, 15, 20, 27)
    assert mf.bounding_box(np.zeros((5, 5))) is None


def test_center_of_mass():
    img = np.zeros((5, 5))
    img[1, 3] = 3.0
    img[3, 3] = 1.0
    assert mf.center_of_mass(img) == pytest.approx((1.5, 3.0))
    assert mf.center_of_mass(np.zeros((4, 6))) == (1.5, 2.5)


def test_mnist_style_fits_longest_side_to_20_and_centres_mass():
    # A tall stroke far off-centre in a big canvas: 200 px high, 40 px wide.
    img = _blob((280, 280), 30, 200, 200, 40)
    out = mf.mnist_style(img)
    assert out.shape == (28, 28) and out.dtype == np.float32
    top, bottom, left, right = mf.bounding_box(out)
    assert bottom - top == 20                     # longest side scaled to 20 px
    assert right - left == 4                      # aspect ratio kept (200:40 -> 20:4)
    r, c = mf.center_of_mass(out)
    assert abs(r - 13.5) <= 0.5 and abs(c - 13.5) <= 0.5
    assert out.max() == pytest.approx(1.0)


def test_mnist_style_uses_mass_not_box_centre():
    # An "L": most mass in the vertical bar, so the box is shifted right of centre.
    img = _blob((100, 100), 10, 10, 80, 10) + _blob((100, 100), 80, 10, 10, 80)
    out = mf.mnist_style(img)
    r, c = mf.center_of_mass(out)
    assert abs(c - 13.5) <= 0.5
    left, right = mf.bounding_box(out)[2:]
    assert (left + right) / 2 > 14  # the box is not centred: the mass is


def test_mnist_style_of_blank_drawing_is_black():
    assert not mf.mnist_style(np.zeros((50, 50))).any()


def test_mnist_style_validates_arguments():
    with pytest.raises(ValueError, match="center"):
        mf.mnist_style(np.zeros((5, 5)), center="middle")
    with pytest.raises(ValueError, match="box"):
        mf.mnist_style(np.zeros((5, 5)), size=28, box=30)


def test_drawing_to_input_for_8x8_digits_fills_the_square():
    img = _blob((280, 280), 40, 100, 200, 80)
    out = mf.drawing_to_input(img, (8, 8))
    assert out.shape == (8, 8)
    rows = np.flatnonzero(out.max(axis=1) > 0.05)
    assert rows[0] == 0 and rows[-1] == 7  # the digit fills the height, as sklearn's do
    assert mf.drawing_to_input(img, (28, 28)).shape == (28, 28)


# ---------------------------------------------------------------- mosaics and levels

def test_grid_shape_prefers_full_rows():
    assert mf.grid_shape(30) == (5, 6)
    assert mf.grid_shape(100) == (10, 10)
    assert mf.grid_shape(7) == (3, 3)
    assert mf.grid_shape(0) == (0, 0)


def test_fit_columns_uses_the_area_shape():
    assert mf.fit_columns(30, 24, 24, 1000, 250) == 10
    assert mf.fit_columns(30, 24, 24, 300, 300) in (5, 6)


def test_mosaic_places_tiles_with_nan_gaps():
    tiles = np.arange(5 * 2 * 3, dtype=np.float32).reshape(5, 2, 3)
    m = mf.mosaic(tiles, cols=3, gap=1)
    assert m.shape == (2 * 2 + 1, 3 * 3 + 2)
    np.testing.assert_array_equal(m[0:2, 0:3], tiles[0])
    np.testing.assert_array_equal(m[0:2, 4:7], tiles[1])
    np.testing.assert_array_equal(m[3:5, 4:7], tiles[4])
    assert np.isnan(m[2]).all() and np.isnan(m[:, 3]).all()
    assert np.isnan(m[3:5, 8:11]).all()  # the empty sixth cell
    with pytest.raises(ValueError, match="n, h, w"):
        mf.mosaic(np.zeros((2, 2)))


def test_symmetric_levels():
    assert mf.symmetric_levels(np.array([-0.2, 0.5, np.nan])) == (-0.5, 0.5)
    assert mf.symmetric_levels(np.zeros(3)) == (-1.0, 1.0)


# ---------------------------------------------------------------- confusion, mistakes

def test_confusion_matrix_rows_are_true_classes():
    true = np.array([0, 0, 1, 2, 2, 2])
    pred = np.array([0, 1, 1, 2, 0, 2])
    cm = mf.confusion_matrix(true, pred, 3)
    np.testing.assert_array_equal(cm, [[1, 1, 0], [0, 1, 0], [1, 0, 2]])
    assert cm.sum() == len(true) and cm.dtype == np.int64


def test_confusion_matrix_rejects_bad_input():
    with pytest.raises(ValueError, match="true labels"):
        mf.confusion_matrix([0, 1], [0], 2)
    with pytest.raises(ValueError, match="0..1"):
        mf.confusion_matrix([0, 2], [0, 1], 2)


def test_misclassified_most_confident_first():
    true = np.array([0, 1, 2, 3, 4])
    pred = np.array([0, 2, 2, 1, 0])
    conf = np.array([0.9, 0.6, 0.8, 0.95, 0.7])
    np.testing.assert_array_equal(mf.misclassified(true, pred), [1, 3, 4])
    np.testing.assert_array_equal(mf.misclassified(true, pred, confidence=conf), [3, 4, 1])
    np.testing.assert_array_equal(mf.misclassified(true, pred, limit=1, confidence=conf), [3])


def test_smoother_is_bias_corrected():
    s = mf.Smoother(0.9)
    assert s.update(2.0) == pytest.approx(2.0)
    assert s.update(2.0) == pytest.approx(2.0)
    with pytest.raises(ValueError):
        mf.Smoother(1.0)


def test_formatting():
    assert mf.format_duration(75) == "1:15"
    assert mf.format_duration(3725) == "1:02:05"
    assert mf.format_duration(float("nan")) == "–"
    assert mf.format_bytes(500) == "500 B"
    assert mf.format_bytes(11_594_722) == "11.1 MB"
