"""Turning a drawing into a network input: area resize, bounding box, centre of mass."""

import numpy as np
import pytest

from playground.mnist import drawing


def _blob(shape, top, left, h, w, value=1.0):
    img = np.zeros(shape, np.float32)
    img[top:top + h, left:left + w] = value
    return img


# ---------------------------------------------------------------- resizing

def test_area_resize_averages_blocks_exactly():
    img = np.arange(16, dtype=np.float32).reshape(4, 4)
    out = drawing.area_resize(img, 2, 2)
    np.testing.assert_allclose(out, [[2.5, 4.5], [10.5, 12.5]])
    assert out.dtype == np.float32


def test_area_resize_keeps_the_mean_for_fractional_factors():
    img = np.random.default_rng(0).random((37, 23))
    out = drawing.area_resize(img, 10, 7)
    assert out.shape == (10, 7)
    assert out.mean() == pytest.approx(img.mean(), rel=1e-5)


def test_area_resize_rejects_bad_sizes():
    with pytest.raises(ValueError, match="2-D"):
        drawing.area_resize(np.zeros(5), 2, 2)
    with pytest.raises(ValueError, match="at least 1"):
        drawing.area_resize(np.zeros((3, 3)), 0, 2)


# ---------------------------------------------------------------- MNIST-style drawing

def test_bounding_box_and_blank_image():
    img = _blob((50, 60), 10, 20, 5, 7)
    assert drawing.bounding_box(img) == (10, 15, 20, 27)
    assert drawing.bounding_box(np.zeros((5, 5))) is None


def test_center_of_mass():
    img = np.zeros((5, 5))
    img[1, 3] = 3.0
    img[3, 3] = 1.0
    assert drawing.center_of_mass(img) == pytest.approx((1.5, 3.0))
    assert drawing.center_of_mass(np.zeros((4, 6))) == (1.5, 2.5)


def test_mnist_style_fits_longest_side_to_20_and_centres_mass():
    # A tall stroke far off-centre in a big canvas: 200 px high, 40 px wide.
    img = _blob((280, 280), 30, 200, 200, 40)
    out = drawing.mnist_style(img)
    assert out.shape == (28, 28) and out.dtype == np.float32
    top, bottom, left, right = drawing.bounding_box(out)
    assert bottom - top == 20                     # longest side scaled to 20 px
    assert right - left == 4                      # aspect ratio kept (200:40 -> 20:4)
    r, c = drawing.center_of_mass(out)
    assert abs(r - 13.5) <= 0.5 and abs(c - 13.5) <= 0.5
    assert out.max() == pytest.approx(1.0)


def test_mnist_style_uses_mass_not_box_centre():
    # An "L": most mass in the vertical bar, so the box is shifted right of centre.
    img = _blob((100, 100), 10, 10, 80, 10) + _blob((100, 100), 80, 10, 10, 80)
    out = drawing.mnist_style(img)
    r, c = drawing.center_of_mass(out)
    assert abs(c - 13.5) <= 0.5
    left, right = drawing.bounding_box(out)[2:]
    assert (left + right) / 2 > 14  # the box is not centred: the mass is


def test_mnist_style_of_blank_drawing_is_black():
    assert not drawing.mnist_style(np.zeros((50, 50))).any()


def test_mnist_style_validates_arguments():
    with pytest.raises(ValueError, match="center"):
        drawing.mnist_style(np.zeros((5, 5)), center="middle")
    with pytest.raises(ValueError, match="box"):
        drawing.mnist_style(np.zeros((5, 5)), size=28, box=30)


def test_drawing_to_input_for_8x8_digits_fills_the_square():
    img = _blob((280, 280), 40, 100, 200, 80)
    out = drawing.drawing_to_input(img, (8, 8))
    assert out.shape == (8, 8)
    rows = np.flatnonzero(out.max(axis=1) > 0.05)
    assert rows[0] == 0 and rows[-1] == 7  # the digit fills the height, as sklearn's do
    assert drawing.drawing_to_input(img, (28, 28)).shape == (28, 28)
