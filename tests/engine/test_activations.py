"""The ReLU fast paths against plain NumPy (gradients are checked in test_layers.py)."""

import numpy as np
import pytest

from engine.activations import ReLU, relu

ROW = 16384  # engine.activations._ZERO_ROW


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("size", [5, 2 * ROW - 1, 2 * ROW, 3 * ROW + 7])
def test_relu_matches_np_maximum_including_nan(dtype, size):
    x = np.random.default_rng(0).standard_normal(size).astype(dtype)
    x[::97] = np.nan
    x[1::89] = -0.0
    y = relu(x)
    assert y.dtype == dtype and y.shape == x.shape
    np.testing.assert_array_equal(y, np.maximum(x, 0))
    out = np.full_like(x, 5.0)
    assert relu(x, out=out) is out
    np.testing.assert_array_equal(out, np.maximum(x, 0))


def test_relu_of_non_contiguous_images():
    x = np.random.default_rng(1).standard_normal((8, 6, 40, 40)).astype(np.float32)
    view = x.transpose(1, 0, 3, 2)[:, ::2]
    np.testing.assert_array_equal(relu(view), np.maximum(view, 0))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_relu_layer_passes_the_gradient_where_the_output_is_positive(dtype):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((10, 3, 40, 40)).astype(dtype)  # large enough for the fast path
    layer = ReLU(dtype=dtype)
    y = layer.forward(x, train=True)
    dy = rng.standard_normal(x.shape).astype(dtype)
    before = dy.copy()
    dx = layer.backward(dy)
    np.testing.assert_array_equal(dy, before)  # dy untouched
    assert dx.dtype == dtype
    np.testing.assert_array_equal(dx, np.where(x > 0, dy, 0))
    y2 = layer.forward(-x)  # a later forward does not overwrite the earlier output
    np.testing.assert_array_equal(y, np.maximum(x, 0))
    np.testing.assert_array_equal(layer.backward(dy), np.where(-x > 0, dy, 0))
    assert not np.shares_memory(y, y2)
