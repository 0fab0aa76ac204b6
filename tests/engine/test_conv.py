"""Conv2D, pooling and Flatten: gradient checks in float64, forward against direct loops."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from engine.conv import Conv2D
from engine.errors import SpecError
from engine.gradcheck import check_layer
from engine.pooling import AvgPool2D, Flatten, MaxPool2D

TOL = 1e-6


def direct_conv(x, w, b, stride, pad):
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    oh = (h + 2 * pad - kh) // stride + 1
    ow = (wd + 2 * pad - kw) // stride + 1
    y = np.zeros((n, o, oh, ow))
    for i in range(oh):
        for j in range(ow):
            patch = xp[:, :, i * stride : i * stride + kh, j * stride : j * stride + kw]
            y[:, :, i, j] = np.tensordot(patch, w, axes=([1, 2, 3], [1, 2, 3])) + b
    return y


def direct_pool(x, size, stride, reduce):
    n, c, h, w = x.shape
    oh, ow = (h - size) // stride + 1, (w - size) // stride + 1
    y = np.zeros((n, c, oh, ow))
    for i in range(oh):
        for j in range(ow):
            y[:, :, i, j] = reduce(x[:, :, i * stride : i * stride + size,
                                     j * stride : j * stride + size], axis=(2, 3))
    return y


def make_conv(cin, cout, k, stride, pad, seed=0, dtype=np.float64, layout=None):
    rng = np.random.default_rng(seed)
    layer = Conv2D(cin, cout, k, stride=stride, pad=pad, rng=rng, dtype=dtype)
    if layout is not None:  # normally chosen by the column rows and the stride
        if layout == "shifted" and stride != 1:
            pytest.skip("the shifted layout is for stride 1")
        layer._layout = layout
    layer.params["b"][...] = rng.standard_normal(cout)
    return layer


LAYOUTS = ["per-sample", "batch-wide", "shifted"]
CONV_CASES = [  # (in, out, kernel, stride, pad, input H, W)
    (2, 3, 3, 1, 0, 6, 5),
    (2, 3, 3, 2, 1, 7, 6),
    (1, 2, (3, 2), 1, 2, 5, 5),
    (3, 2, 2, 2, 0, 6, 6),
    # the shifted layout shares padding between neighbours: pad = k - 1 (DeepConvNet's
    # fourth layer), pad < k - 1, and pad > k - 1, which needs rows beyond the padding
    (2, 3, 3, 1, 2, 5, 6),
    (2, 2, 5, 1, 1, 7, 6),
    (1, 2, 3, 1, 3, 4, 5),
]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("cin,cout,k,stride,pad,h,w", CONV_CASES)
def test_conv_gradients_match_central_differences(cin, cout, k, stride, pad, h, w, layout):
    layer = make_conv(cin, cout, k, stride, pad, layout=layout)
    x = np.random.default_rng(1).standard_normal((2, cin, h, w))
    # A convolution is linear in x and W, so central differences have no truncation
    # error and a larger step only shrinks rounding noise: at 1e-6, a gradient of 1e-4
    # came out 2.7e-6 off under OpenBLAS's AVX-512 kernels (summation order).
    errors = check_layer(layer, x, eps=1e-5)
    assert set(errors) == {"x", "W", "b"}
    assert max(errors.values()) < TOL, errors


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("cin,cout,k,stride,pad,h,w", CONV_CASES)
def test_conv_forward_matches_direct_convolution(cin, cout, k, stride, pad, h, w, layout):
    layer = make_conv(cin, cout, k, stride, pad, layout=layout)
    x = np.random.default_rng(2).standard_normal((3, cin, h, w))
    y = layer.forward(x)
    expected = direct_conv(x, layer.params["W"], layer.params["b"], stride, pad)
    np.testing.assert_allclose(y, expected, rtol=1e-12, atol=1e-12)
    assert y.shape[1:] == layer.output_shape((cin, h, w))


def test_shifted_layout_across_several_chunks(monkeypatch):
    # chunks of 256 positions over 3 x 11 x 11 = 363 (each 10 x 10 image with one shared
    # row and column of padding): the second chunk's adds overlap the
    # first's by the largest shift, and its GEMMs see a part-filled column buffer
    import engine.shifted_conv as shifted

    monkeypatch.setattr(shifted, "CHUNK_BYTES", 1)
    layer = make_conv(2, 3, 3, 1, 1, layout="shifted")
    x = np.random.default_rng(3).standard_normal((3, 2, 10, 10))
    y = layer.forward(x)
    assert layer._shifted.chunk == 256 and layer._shifted.m == 363
    expected = direct_conv(x, layer.params["W"], layer.params["b"], 1, 1)
    np.testing.assert_allclose(y, expected, rtol=1e-12, atol=1e-12)
    errors = check_layer(layer, x, eps=1e-5)
    assert max(errors.values()) < TOL, errors


@pytest.mark.parametrize("make,shape,mode", [
    (lambda: Conv2D(1, 30, 5), (2, 1, 28, 28), "per-sample"),  # 25 rows: a grey first layer
    (lambda: Conv2D(16, 16, 3, pad=1), (2, 16, 28, 28), "shifted"),  # 144 rows
    (lambda: Conv2D(16, 16, 3, pad=1), (2, 16, 7, 7), "shifted"),  # 8x8 is 1.31 x 7x7
    (lambda: Conv2D(16, 16, 3, pad=1), (2, 16, 4, 4), "batch-wide"),  # 5x5 is 1.56 x 4x4
    (lambda: Conv2D(16, 16, 3, stride=2), (2, 16, 28, 28), "batch-wide"),
])
def test_the_layout_follows_the_column_rows_stride_and_padding(make, shape, mode):
    layer = make()
    layer.forward(np.zeros(shape, dtype=np.float32))
    assert layer._mode == mode


@pytest.mark.parametrize("cls", [MaxPool2D, AvgPool2D])
@pytest.mark.parametrize("size,stride,h,w", [(2, 2, 6, 8), (2, 2, 7, 5), (3, 2, 7, 8),
                                             (2, 1, 5, 5), (3, 3, 6, 7)])
def test_pool_gradients_and_forward(cls, size, stride, h, w):
    layer = cls(size, stride, dtype=np.float64)
    x = np.random.default_rng(3).standard_normal((2, 3, h, w))
    errors = check_layer(layer, x)
    assert errors["x"] < TOL, errors
    reduce = np.max if cls is MaxPool2D else np.mean
    np.testing.assert_allclose(layer.forward(x), direct_pool(x, size, stride, reduce),
                               rtol=1e-12, atol=1e-12)
    assert layer.forward(x).shape[1:] == layer.output_shape((3, h, w))


@pytest.mark.parametrize("size,stride", [(2, 2), (2, 1)])
def test_maxpool_sends_the_gradient_to_the_first_maximum_only(size, stride):
    x = np.zeros((1, 1, 2, 2))  # one window, all four tied
    layer = MaxPool2D(size, stride, dtype=np.float64)
    layer.forward(x)
    dx = layer.backward(np.ones((1, 1, 1, 1)))
    np.testing.assert_array_equal(dx[0, 0], [[1.0, 0.0], [0.0, 0.0]])


def test_flatten_round_trips_shapes_and_gradient():
    layer = Flatten(dtype=np.float64)
    x = np.random.default_rng(4).standard_normal((2, 3, 4, 5))
    assert layer.forward(x).shape == (2, 60)
    assert layer.output_shape((3, 4, 5)) == (60,)
    assert check_layer(layer, x)["x"] < TOL


def test_skip_input_grad_returns_none_and_still_fills_grads():
    layer = make_conv(2, 3, 3, 1, 1)
    x = np.random.default_rng(5).standard_normal((2, 2, 5, 5))
    dy = np.random.default_rng(6).standard_normal(layer.forward(x).shape)
    layer.backward(dy)
    expected = {k: g.copy() for k, g in layer.grads.items()}
    grad_arrays = {k: id(g) for k, g in layer.grads.items()}
    for g in layer.grads.values():
        g[...] = 0.0
    layer.skip_input_grad = True
    assert layer.backward(dy) is None
    for key, g in layer.grads.items():
        assert id(g) == grad_arrays[key]  # overwritten in place, never rebound
        np.testing.assert_allclose(g, expected[key])
    for pool in (MaxPool2D(), AvgPool2D(), Flatten()):
        pool.forward(x.astype(np.float32))
        pool.skip_input_grad = True
        assert pool.backward(pool.forward(x.astype(np.float32))) is None


def test_float32_in_float32_out_and_dy_untouched():
    x = np.random.default_rng(7).random((4, 1, 12, 12), dtype=np.float32)
    layers = [Conv2D(1, 4, 5, rng=np.random.default_rng(0)), MaxPool2D(), AvgPool2D(2, 1),
              Flatten()]
    h = x
    for layer in layers:
        h = layer.forward(h, train=True)
        assert h.dtype == np.float32
    g = np.ones_like(h)
    for layer in reversed(layers):
        before = g.copy()
        new = layer.backward(g)
        np.testing.assert_array_equal(g, before)
        assert new.dtype == np.float32
        g = new
    conv = layers[0]
    assert conv.params["W"].dtype == conv.grads["W"].dtype == np.float32
    assert conv.grads["b"].dtype == np.float32


def test_conv_config_rebuilds_the_same_shapes():
    layer = Conv2D(3, 8, (5, 3), stride=2, pad=1, init="xavier")
    config = layer.config()
    clone = Conv2D(**config)
    assert config["kernel_size"] == [5, 3]
    assert clone.params["W"].shape == (8, 3, 5, 3)
    assert clone.output_shape((3, 28, 28)) == layer.output_shape((3, 28, 28)) == (8, 13, 14)
    assert Conv2D.kind == "conv2d" and MaxPool2D.kind == "max-pool2d"
    assert MaxPool2D(3, 2).config() == {"size": 3, "stride": 2}


def test_he_init_scale_and_zero_bias():
    layer = Conv2D(4, 64, 3, rng=np.random.default_rng(0))
    assert layer.params["W"].std() == pytest.approx(np.sqrt(2 / 36), rel=0.1)
    assert not layer.params["b"].any()


@pytest.mark.parametrize("make,shape", [
    (lambda: Conv2D(1, 2, 3), (2, 3, 8, 8)),   # wrong channel count
    (lambda: Conv2D(1, 2, 3), (2, 64)),        # not images
    (lambda: Conv2D(1, 2, 9), (2, 1, 8, 8)),   # kernel larger than the image
    (lambda: MaxPool2D(4, 4), (2, 1, 3, 3)),   # window larger than the image
])
def test_bad_input_shapes_raise_spec_error(make, shape):
    with pytest.raises(SpecError):
        make().forward(np.zeros(shape, np.float32))


@pytest.mark.parametrize("kwargs", [dict(kernel_size=0), dict(kernel_size=(3, 3, 3)),
                                    dict(stride=0), dict(pad=-1), dict(kernel_size=2.5)])
def test_bad_conv_arguments_raise_spec_error(kwargs):
    args = dict(in_channels=1, out_channels=2, kernel_size=3) | kwargs
    with pytest.raises(SpecError):
        Conv2D(**args)


def loop_maxpool(x, dy, size):
    """Max pooling with stride == size by loops; the gradient goes to the first maximum
    of each window in row-major order (np.argmax's tie rule)."""
    n, c, h, w = x.shape
    oh, ow = h // size, w // size
    y = np.zeros((n, c, oh, ow), x.dtype)
    dx = np.zeros_like(x)
    for b in range(n):
        for ch in range(c):
            for i in range(oh):
                for j in range(ow):
                    win = x[b, ch, i * size:(i + 1) * size, j * size:(j + 1) * size]
                    k = int(np.argmax(win))
                    y[b, ch, i, j] = win.flat[k]
                    dx[b, ch, i * size + k // size, j * size + k % size] = dy[b, ch, i, j]
    return y, dx


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
# Chunks of one window row, of several with a shorter last one, and one chunk for all.
@pytest.mark.parametrize("chunk_bytes", [1, 880, 1 << 20])
def test_maxpool_2x2_fast_path_matches_loops(dtype, chunk_bytes, monkeypatch):
    monkeypatch.setattr("engine.pooling._POOL_CHUNK_BYTES", chunk_bytes)
    rng = np.random.default_rng(8)
    # Few distinct values (and many zeros, as after a ReLU) make ties in most windows.
    x = np.maximum(rng.integers(-3, 3, (3, 4, 6, 10)), 0).astype(dtype)
    dy = rng.standard_normal((3, 4, 3, 5)).astype(dtype)
    layer = MaxPool2D(dtype=dtype)
    y = layer.forward(x)
    dx = layer.backward(dy)
    y_ref, dx_ref = loop_maxpool(x, dy, 2)
    assert y.dtype == dx.dtype == dtype
    np.testing.assert_array_equal(y, y_ref)
    np.testing.assert_array_equal(dx, dx_ref)
    # Same numbers through the general path (a non-contiguous input does not qualify).
    wide = np.zeros((3, 4, 6, 20), dtype)
    wide[..., ::2] = x
    np.testing.assert_array_equal(layer.forward(wide[..., ::2]), y_ref)
    np.testing.assert_array_equal(layer.backward(dy), dx_ref)


def test_maxpool_propagates_nan_like_np_maximum():
    x = np.zeros((1, 1, 4, 4), np.float32)
    x[0, 0, 1, 1] = np.nan
    y = MaxPool2D().forward(x)
    assert np.isnan(y[0, 0, 0, 0]) and not np.isnan(y[0, 0, 1:, 1:]).any()


def test_conv_forward_keeps_earlier_outputs_and_backward_uses_the_last_batch():
    rng = np.random.default_rng(9)
    layer = make_conv(2, 3, 3, 1, 1, dtype=np.float32)
    xa, xb = (rng.standard_normal((4, 2, 6, 6)).astype(np.float32) for _ in range(2))
    ya = layer.forward(xa)
    ya_copy = ya.copy()
    layer.forward(xb)  # same shape: reuses the layer's column buffer
    np.testing.assert_array_equal(ya, ya_copy)  # returned arrays are never overwritten
    dy = rng.standard_normal(ya.shape).astype(np.float32)
    dx = layer.backward(dy)
    fresh = make_conv(2, 3, 3, 1, 1, dtype=np.float32)
    fresh.forward(xb)
    np.testing.assert_array_equal(dx, fresh.backward(dy))
    for key in ("W", "b"):
        np.testing.assert_array_equal(layer.grads[key], fresh.grads[key])
    # A different batch size gets its own buffer.
    small = layer.forward(xa[:2])
    np.testing.assert_allclose(small, ya_copy[:2], rtol=1e-6)
    assert layer.backward(dy[:2]).shape == (2, 2, 6, 6)


def test_conv_float32_gradients_match_float64():
    rng = np.random.default_rng(10)
    x = rng.standard_normal((5, 3, 9, 8))
    dy = rng.standard_normal((5, 4, 7, 6))
    grads = {}
    for dtype in (np.float32, np.float64):
        layer = make_conv(3, 4, 3, 1, 0, seed=3, dtype=dtype)
        layer.forward(x.astype(dtype))
        dx = layer.backward(dy.astype(dtype))
        grads[dtype] = (dx, layer.grads["W"], layer.grads["b"])
    for g32, g64 in zip(grads[np.float32], grads[np.float64]):
        assert g32.dtype == np.float32
        np.testing.assert_allclose(g32, g64, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(grads[np.float64][2], dy.sum(axis=(0, 2, 3)), rtol=1e-12)


def test_tune_allocator_sets_both_thresholds_once(monkeypatch):
    from engine import _malloc

    calls = []

    def mallopt(param, value):
        calls.append((param, value))
        return 1

    monkeypatch.setattr(_malloc, "_done", False)
    monkeypatch.setattr(_malloc.sys, "platform", "linux")
    monkeypatch.setattr(_malloc.platform, "libc_ver", lambda: ("glibc", "2.36"))
    monkeypatch.delenv("GLIBC_TUNABLES", raising=False)
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_", raising=False)
    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    monkeypatch.setattr(_malloc, "_mallopt", lambda: mallopt)
    assert _malloc.tune_allocator() is True
    assert calls == [(_malloc._M_MMAP_THRESHOLD, _malloc.MMAP_THRESHOLD),
                     (_malloc._M_TRIM_THRESHOLD, _malloc.TRIM_THRESHOLD)]
    assert _malloc.tune_allocator() is False  # once per process
    assert len(calls) == 2


def test_tune_allocator_is_a_no_op_elsewhere(monkeypatch):
    from engine import _malloc

    def mallopt(param, value):
        raise AssertionError("mallopt must not be called")

    monkeypatch.setattr(_malloc, "_mallopt", lambda: mallopt)
    monkeypatch.setattr(_malloc, "_done", False)
    monkeypatch.setattr(_malloc.sys, "platform", "darwin")
    assert _malloc.tune_allocator() is False
    monkeypatch.setattr(_malloc, "_done", False)
    monkeypatch.setattr(_malloc.sys, "platform", "linux")
    monkeypatch.setattr(_malloc.platform, "libc_ver", lambda: ("glibc", "2.36"))
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "1000000")
    assert _malloc.tune_allocator() is False  # the user's own settings win


def test_importing_engine_leaves_the_allocator_alone():
    # A fresh process: record every mallopt call made while the engine is imported.
    code = (
        "import ctypes, sys\n"
        "calls = []\n"
        "class Libc:\n"
        "    def __init__(self, real):\n"
        "        self._real = real\n"
        "    def __getattr__(self, name):\n"
        "        if name == 'mallopt':\n"
        "            return lambda *a: calls.append(a) or 1\n"
        "        return getattr(self._real, name)\n"
        "real_cdll = ctypes.CDLL\n"
        "ctypes.CDLL = lambda name, *a, **k: Libc(real_cdll(name, *a, **k))\n"
        "import engine, engine.cli, engine.conv, engine.presets\n"
        "from engine import _malloc\n"
        "assert not _malloc._done and not calls, calls\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parents[2], timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
