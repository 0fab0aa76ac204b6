"""im2col/col2im against direct loops, and col2im as the adjoint of im2col."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.errors import SpecError
from engine.im2col import col2im, conv_output_size, im2col


def naive_im2col(x, kh, kw, stride, pad):
    n, c, h, w = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    oh = (h + 2 * pad - kh) // stride + 1
    ow = (w + 2 * pad - kw) // stride + 1
    cols = np.zeros((n, c * kh * kw, oh * ow), dtype=x.dtype)
    for b in range(n):
        for i in range(oh):
            for j in range(ow):
                patch = xp[b, :, i * stride : i * stride + kh, j * stride : j * stride + kw]
                cols[b, :, i * ow + j] = patch.reshape(-1)
    return cols


def naive_col2im(cols, x_shape, kh, kw, stride, pad):
    n, c, h, w = x_shape
    oh = (h + 2 * pad - kh) // stride + 1
    ow = (w + 2 * pad - kw) // stride + 1
    dxp = np.zeros((n, c, h + 2 * pad, w + 2 * pad), dtype=cols.dtype)
    for b in range(n):
        for i in range(oh):
            for j in range(ow):
                patch = cols[b, :, i * ow + j].reshape(c, kh, kw)
                dxp[b, :, i * stride : i * stride + kh, j * stride : j * stride + kw] += patch
    return dxp[:, :, pad : pad + h, pad : pad + w]


CASES = [
    # (N, C, H, W, kh, kw, stride, pad)
    (2, 1, 5, 5, 3, 3, 1, 0),
    (2, 3, 6, 7, 3, 2, 2, 1),
    (1, 2, 7, 5, 5, 5, 1, 2),
    (3, 2, 8, 8, 2, 2, 2, 0),
    (2, 1, 4, 6, 1, 1, 1, 0),
    (1, 2, 5, 6, 4, 3, 2, 2),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", CASES)
def test_im2col_and_col2im_match_loops(case, dtype):
    n, c, h, w, kh, kw, stride, pad = case
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, c, h, w)).astype(dtype)
    cols = im2col(x, kh, kw, stride, pad)
    assert cols.dtype == dtype and cols.flags.c_contiguous
    np.testing.assert_array_equal(cols, naive_im2col(x, kh, kw, stride, pad))
    g = rng.standard_normal(cols.shape).astype(dtype)
    dx = col2im(g, x.shape, kh, kw, stride, pad)
    assert dx.dtype == dtype and dx.shape == x.shape
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(dx, naive_col2im(g, x.shape, kh, kw, stride, pad), rtol=tol,
                               atol=tol)


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 3), c=st.integers(1, 3), h=st.integers(1, 9), w=st.integers(1, 9),
    kh=st.integers(1, 4), kw=st.integers(1, 4), stride=st.sampled_from([1, 2]),
    pad=st.sampled_from([0, 1, 2]), seed=st.integers(0, 2**16),
)
def test_col2im_is_the_adjoint_of_im2col(n, c, h, w, kh, kw, stride, pad, seed):
    if h + 2 * pad < kh or w + 2 * pad < kw:
        return  # window does not fit; covered by test_window_larger_than_input_is_refused
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, c, h, w))
    cols = im2col(x, kh, kw, stride, pad)
    np.testing.assert_array_equal(cols, naive_im2col(x, kh, kw, stride, pad))
    g = rng.standard_normal(cols.shape)
    lhs = np.vdot(cols, g)
    rhs = np.vdot(x, col2im(g, x.shape, kh, kw, stride, pad))
    assert lhs == pytest.approx(rhs, rel=1e-10, abs=1e-10)


def test_layout_is_channel_kernel_major_by_output_pixel():
    x = np.arange(2 * 2 * 3 * 3, dtype=np.float64).reshape(2, 2, 3, 3)
    cols = im2col(x, 2, 2, 1, 0)
    assert cols.shape == (2, 2 * 2 * 2, 2 * 2)
    # row (c=1, ki=1, kj=0), output pixel (i=0, j=1) of sample 1 is x[1, 1, 1, 1]
    assert cols[1, 1 * 4 + 1 * 2 + 0, 0 * 2 + 1] == x[1, 1, 1, 1]


def test_window_larger_than_input_is_refused():
    with pytest.raises(SpecError, match="does not fit"):
        im2col(np.zeros((1, 1, 3, 3), np.float32), 5, 5, 1, 0)
    assert conv_output_size(3, 5, 1, 1) == 1


@pytest.mark.parametrize("case", CASES)
def test_im2col_writes_into_a_slice_of_a_wider_buffer(case):
    n, c, h, w, kh, kw, stride, pad = case
    x = np.random.default_rng(1).standard_normal((n, c, h, w)).astype(np.float32)
    expected = naive_im2col(x, kh, kw, stride, pad)
    k = expected.shape[1]
    buf = np.full((n, k + 1, expected.shape[2]), 7.0, dtype=np.float32)  # extra row kept
    out = im2col(x, kh, kw, stride, pad, out=buf[:, :k])
    assert np.shares_memory(out, buf)
    np.testing.assert_array_equal(buf[:, :k], expected)
    assert (buf[:, k] == 7.0).all()
    strided = np.zeros((n, expected.shape[2], k), np.float32).transpose(0, 2, 1)
    im2col(x, kh, kw, stride, pad, out=strided)  # a non-contiguous out is filled in place
    np.testing.assert_array_equal(strided, expected)


@pytest.mark.parametrize("bad", [
    np.empty((2, 9, 9), np.float32),       # wrong shape
    np.empty((2, 9, 16), np.float64),      # wrong dtype
])
def test_im2col_refuses_an_out_array_of_the_wrong_shape_or_dtype(bad):
    x = np.zeros((2, 1, 6, 6), np.float32)  # 3x3 kernel: cols (2, 9, 16)
    with pytest.raises(ValueError):
        im2col(x, 3, 3, out=bad)
