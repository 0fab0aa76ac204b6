"""Convolution, pooling and flatten layers for (N, C, H, W) images, built on ``im2col``."""

from __future__ import annotations

from typing import Any

import numpy as np

from .base import Layer
from .errors import SpecError
from .im2col import col2im, col2im_batch, conv_output_size, im2col, im2col_batch
from .init import init_weights
from .shifted_conv import ShiftedConv, padded_block

# Input bytes per chunk in the 2x2 max-pool fast path: small enough that a chunk's
# temporaries stay in cache, large enough to amortise the per-call overhead (1 MiB measured
# best, 128 KiB and 8 MiB each ~30% slower, on a 512 KiB-L2 machine).
_POOL_CHUNK_BYTES = 1024 * 1024

# Conv2D columns with at least this many rows (C*kh*kw) are multiplied batch-wide: a
# 1-channel 5x5 or 3x3 first layer (25 or 9 rows) measured faster per sample, 16x3x3 and
# more (144 rows) 25-40 % faster batch-wide (forward + backward, batch 100, 2 threads).
BATCH_WIDE_MIN_ROWS = 64
# ... and at stride 1 by shifted slices (shifted_conv.py) while the padded layout is at
# most this many times the output: with a full border per image 28x28 (1.15) and 14x14
# (1.31) measured faster that way and 7x7 in 9x9 (1.65) slower; with the border shared
# between neighbours 8x8 in 9x9 (1.27) runs forward 20-26 % faster than batch-wide
# (forward + backward 9-11 %; DeepConvNet's fifth and sixth layers, one thread).
SHIFTED_MAX_WASTE = 1.4


def _positive_int(value: Any, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise SpecError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _kernel_pair(kernel_size: Any) -> tuple[int, int]:
    if isinstance(kernel_size, (tuple, list)):
        if len(kernel_size) != 2:
            raise SpecError(f"kernel_size must be an int or a (kh, kw) pair, got {kernel_size!r}")
        return (
            _positive_int(kernel_size[0], "kernel_size"),
            _positive_int(kernel_size[1], "kernel_size"),
        )
    k = _positive_int(kernel_size, "kernel_size")
    return k, k


def _check_images(layer: Layer, x: np.ndarray, channels: int | None = None) -> np.ndarray:
    """``x`` as an (N, C, H, W) array of the layer's dtype (no copy when it already is)."""
    if x.ndim != 4 or (channels is not None and x.shape[1] != channels):
        want = f"(N, {channels}, H, W)" if channels is not None else "(N, C, H, W)"
        raise SpecError(f"{type(layer).__name__} expects images of shape {want}, got {x.shape}")
    return x.astype(layer.dtype, copy=False)


class Conv2D(Layer):
    """2-D convolution (cross-correlation): (N, C, H, W) -> (N, out_channels, OH, OW).

    ``params["W"]`` is (out_channels, in_channels, kh, kw), ``params["b"]`` is (out_channels,).
    Forward is one GEMM ``[W2 | b] @ [cols; 1]`` over the batch's im2col columns with a row
    of ones appended, so the bias costs no extra pass over the output and its gradient
    comes out of the weight-gradient GEMM. The columns live in a buffer private to the
    layer, reused while the batch shape stays the same, and are kept for the backward pass.
    """

    kind = "conv2d"

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int],
        stride: int = 1,
        pad: int = 0,
        init: str = "he",
        std: float = 0.01,
        rng: np.random.Generator | None = None,
        dtype=np.float32,
    ):
        super().__init__(dtype)
        self.in_channels = _positive_int(in_channels, "in_channels")
        self.out_channels = _positive_int(out_channels, "out_channels")
        self.kh, self.kw = _kernel_pair(kernel_size)
        self.stride = _positive_int(stride, "stride")
        self.pad = _positive_int(pad, "pad", minimum=0)
        self.init = init
        self.std = std
        shape = (self.out_channels, self.in_channels, self.kh, self.kw)
        fan_in = self.in_channels * self.kh * self.kw
        self.params = {
            "W": init_weights(shape, fan_in, method=init, rng=rng, dtype=self.dtype, std=std),
            "b": np.zeros(self.out_channels, dtype=self.dtype),
        }
        self._new_grads()
        # im2col columns of the last forward with a row of ones, K = C*kh*kw rows per
        # position. Three layouts, chosen by K and the stride: with few rows (a first
        # layer on grey images) per-sample GEMMs (O, K+1) @ (K+1, OH*OW) run at speed and
        # write the output in place, so the columns are (N, K+1, P); with many rows the
        # per-sample GEMMs are too small for BLAS and one GEMM over the batch is much
        # faster even with the transposing copies it needs: at stride 1 by shifted slices
        # in cache-sized chunks (shifted_conv.py), otherwise on (K+1, N, P) columns.
        self._cols: np.ndarray | None = None
        self._x_shape: tuple[int, int, int, int] | None = None
        k = fan_in
        # "wide" picks "shifted" or "batch-wide" per input size; tests may force either.
        self._layout = "per-sample" if k < BATCH_WIDE_MIN_ROWS else "wide"
        self._mode = self._layout
        self._shifted = ShiftedConv(self.dtype)
        self._wb = np.empty((self.out_channels, k + 1), dtype=self.dtype)  # [W2 | b]
        self._gwb = np.empty((self.out_channels, k + 1), dtype=self.dtype)  # [dW2 | db]

    def config(self) -> dict[str, Any]:
        kernel: int | list[int] = self.kh if self.kh == self.kw else [self.kh, self.kw]
        return {
            "in_channels": self.in_channels,
            "out_channels": self.out_channels,
            "kernel_size": kernel,
            "stride": self.stride,
            "pad": self.pad,
            "init": self.init,
            "std": self.std,
        }

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        if len(input_shape) != 3 or input_shape[0] != self.in_channels:
            raise SpecError(
                f"Conv2D expects one sample of shape ({self.in_channels}, H, W), "
                f"got {tuple(input_shape)}"
            )
        _, h, w = input_shape
        oh = conv_output_size(h, self.kh, self.stride, self.pad)
        ow = conv_output_size(w, self.kw, self.stride, self.pad)
        return (self.out_channels, oh, ow)

    def _cols_buffer(self, shape: tuple[int, int, int], ones_row: tuple) -> np.ndarray:
        cols = self._cols
        if cols is None or cols.shape != shape:
            cols = np.empty(shape, dtype=self.dtype)
            cols[ones_row] = 1
        return cols

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        """``x`` (N, C, H, W) -> (N, out_channels, OH, OW), both of the layer's dtype."""
        x = _check_images(self, x, self.in_channels)
        n, _, h, w = x.shape
        oh = conv_output_size(h, self.kh, self.stride, self.pad)
        ow = conv_output_size(w, self.kw, self.stride, self.pad)
        k = self._wb.shape[1] - 1
        p, o = oh * ow, self.out_channels
        wb = self._wb
        wb[:, :k] = self.params["W"].reshape(o, k)
        wb[:, k] = self.params["b"]
        self._x_shape = x.shape
        mode = self._layout
        if mode == "wide":
            # Shifted slices compute every position of the padded layout: worth it unless
            # the padding is a large share of the image.
            padded = padded_block(h, self.kh, self.pad) * padded_block(w, self.kw, self.pad)
            mode = "shifted" if self.stride == 1 and padded <= SHIFTED_MAX_WASTE * p else (
                "batch-wide")
        self._mode = mode
        if mode == "shifted":
            return self._shifted.forward(x, wb, self.kh, self.kw, self.pad)
        if mode == "per-sample":
            # One GEMM per sample, (O, K+1) @ (K+1, OH*OW), straight into the output.
            cols = self._cols = self._cols_buffer((n, k + 1, p), (slice(None), k))
            im2col(x, self.kh, self.kw, self.stride, self.pad, out=cols[:, :k])
            return np.matmul(wb, cols).reshape(n, o, oh, ow)
        # One GEMM over the whole batch, (O, K+1) @ (K+1, N*P), then (O, N, P) -> (N, O, P).
        cols = self._cols = self._cols_buffer((k + 1, n, p), (k,))
        im2col_batch(x, self.kh, self.kw, self.stride, self.pad, out=cols[:k])
        y = np.matmul(wb, cols.reshape(k + 1, n * p))
        out = np.empty((n, o, oh, ow), dtype=self.dtype)
        out.reshape(n, o, p)[...] = y.reshape(o, n, p).transpose(1, 0, 2)
        return out

    def _store_grads(self) -> None:
        k = self._gwb.shape[1] - 1
        self.grads["W"].reshape(self.out_channels, k)[...] = self._gwb[:, :k]
        self.grads["b"][...] = self._gwb[:, k]

    def backward(self, dy: np.ndarray) -> np.ndarray | None:
        """``dy`` (N, O, OH, OW) -> ``dx`` (N, C, H, W); fills ``grads["W"]``, ``grads["b"]``."""
        if self._x_shape is None:
            raise RuntimeError("Conv2D.backward called before forward")
        cols, o = self._cols, self.out_channels
        k = self._wb.shape[1] - 1
        n = self._x_shape[0]
        if self._mode == "shifted":
            dx = self._shifted.backward(dy.astype(self.dtype, copy=False),
                                        self.params["W"].reshape(o, k), self._gwb, self.pad,
                                        input_grad=not self.skip_input_grad)
            self._store_grads()
            return dx
        p = cols.size // (n * (k + 1))
        dy = dy.astype(self.dtype, copy=False).reshape(n, o, p)
        if self._mode == "batch-wide":
            dyt = np.empty((o, n, p), dtype=self.dtype)
            dyt[...] = dy.transpose(1, 0, 2)
            dy2 = dyt.reshape(o, n * p)
            # [dW2 | db]^T = [cols; 1] @ dy^T: one GEMM whose inner dimension is the batch
            # (in this orientation OpenBLAS runs it 1.3-1.7x faster than dy @ [cols; 1]^T)
            self._gwb[...] = np.matmul(cols.reshape(k + 1, n * p), dy2.T).T
        else:
            # Per-sample [dW2 | db] = dy_n @ [cols_n; 1]^T, then the sum over the batch.
            np.sum(np.matmul(dy, cols.transpose(0, 2, 1)), axis=0, out=self._gwb)
        self._store_grads()
        if self.skip_input_grad:
            return None
        w2t = self.params["W"].reshape(o, k).T
        if self._mode == "batch-wide":
            dcols = np.matmul(w2t, dy2)  # (C*kh*kw, N*OH*OW)
            return col2im_batch(dcols, self._x_shape, self.kh, self.kw, self.stride, self.pad)
        dcols = np.matmul(w2t, dy)  # (N, C*kh*kw, OH*OW)
        return col2im(dcols, self._x_shape, self.kh, self.kw, self.stride, self.pad)


class _Pool2D(Layer):
    """Shared shape logic of the pooling layers (no params)."""

    def __init__(self, size: int = 2, stride: int = 2, dtype=np.float32):
        super().__init__(dtype)
        self.size = _positive_int(size, "size")
        self.stride = _positive_int(stride, "stride")
        self._x_shape: tuple[int, int, int, int] | None = None

    def config(self) -> dict[str, Any]:
        return {"size": self.size, "stride": self.stride}

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        if len(input_shape) != 3:
            raise SpecError(
                f"{type(self).__name__} expects one sample of shape (C, H, W), "
                f"got {tuple(input_shape)}"
            )
        c, h, w = input_shape
        return (c, self._out(h), self._out(w))

    def _out(self, size: int) -> int:
        return conv_output_size(size, self.size, self.stride, 0)

    def _offsets(self, oh: int, ow: int):
        """Yield (k, row slice, col slice) for each in-window offset, when size == stride."""
        s = self.size
        for a in range(s):
            for b in range(s):
                yield a * s + b, slice(a, a + s * oh, s), slice(b, b + s * ow, s)

    def _start(self, x: np.ndarray) -> tuple[np.ndarray, int, int]:
        x = _check_images(self, x)
        self._x_shape = x.shape
        return x, self._out(x.shape[2]), self._out(x.shape[3])

    def _dx_buffer(self, oh: int, ow: int) -> np.ndarray:
        n, c, h, w = self._x_shape
        covered = self.size * oh == h and self.size * ow == w
        # Rows/columns past the last window get no gradient; only then must they be zeroed.
        return (np.empty if covered else np.zeros)((n, c, h, w), dtype=self.dtype)


class MaxPool2D(_Pool2D):
    """Max over each ``size`` x ``size`` window: (N, C, H, W) -> (N, C, OH, OW).

    The gradient goes to the first maximum of each window (row-major order).
    """

    kind = "max-pool2d"

    def __init__(self, size: int = 2, stride: int = 2, dtype=np.float32):
        super().__init__(size, stride, dtype)
        self._argmax: np.ndarray | None = None
        # 2x2 fast path, where each window's first maximum is: (right, lower) with right
        # (N*C*OH, 2, OW) "right column beats left" for both rows of the window and lower
        # (N*C*OH, OW) "lower row's max beats the upper row's".
        self._choice: tuple[np.ndarray, np.ndarray] | None = None
        self._scratch: dict[str, np.ndarray] = {}

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        x, oh, ow = self._start(x)
        if self._fits_2x2(x, oh, ow):
            return self._forward_2x2(x, oh, ow)
        self._choice = None
        if self.size == self.stride:
            # Non-overlapping windows: s*s strided passes over x, no im2col copy.
            y = idx = None
            for k, rows, cols in self._offsets(oh, ow):
                v = x[:, :, rows, cols]
                if y is None:
                    y = v.copy()
                    small = self.size * self.size <= 256
                    idx = np.zeros(y.shape, dtype=np.uint8 if small else np.int32)
                    continue
                better = v > y  # strict: ties keep the earlier offset
                np.maximum(y, v, out=y)
                # Branch-free "idx[better] = k" (masked writes are ~20x slower here); the
                # unsigned wrap-around of k - idx cancels out in the sum.
                idx += better * (idx.dtype.type(k) - idx)
            self._argmax = idx
            return y
        n, c = x.shape[:2]
        cols = im2col(x.reshape(n * c, 1, *x.shape[2:]), self.size, self.size, self.stride, 0)
        idx = cols.argmax(axis=1)[:, None, :]  # (N*C, 1, OH*OW)
        self._argmax = idx
        return np.take_along_axis(cols, idx, axis=1).reshape(n, c, oh, ow)

    def backward(self, dy: np.ndarray) -> np.ndarray | None:
        if self._x_shape is None:
            raise RuntimeError("MaxPool2D.backward called before forward")
        if self.skip_input_grad:
            return None
        dy = dy.astype(self.dtype, copy=False)
        n, c, oh, ow = dy.shape
        if self._choice is not None:
            return self._backward_2x2(dy)
        if self.size == self.stride:
            dx = self._dx_buffer(oh, ow)
            for k, rows, cols in self._offsets(oh, ow):
                np.multiply(dy, self._argmax == k, out=dx[:, :, rows, cols])
            return dx
        dcols = np.zeros((n * c, self.size * self.size, oh * ow), dtype=self.dtype)
        np.put_along_axis(dcols, self._argmax, dy.reshape(n * c, 1, oh * ow), axis=1)
        x_shape = (n * c, 1, *self._x_shape[2:])
        dx = col2im(dcols, x_shape, self.size, self.size, self.stride, 0)
        return dx.reshape(self._x_shape)

    # --- 2x2 windows, stride 2, exactly covering a C-contiguous input (SimpleConvNet) ---
    #
    # View x as R = N*C*OH window rows, each holding the window's two image rows (2*W
    # values). Every other value of that flat array is an even column, so one copy splits
    # the input into contiguous even/odd halves and every comparison after it reads
    # unit-stride rows (stride-2 element access costs several times more). Chunks of
    # window rows keep the temporaries in the CPU cache.

    def _fits_2x2(self, x: np.ndarray, oh: int, ow: int) -> bool:
        return (self.size == self.stride == 2 and x.shape[2] == 2 * oh
                and x.shape[3] == 2 * ow and x.size > 0 and x.flags.c_contiguous)

    def _buffer(self, name: str, shape: tuple[int, ...], dtype) -> np.ndarray:
        buf = self._scratch.get(name)
        if buf is None or buf.shape != shape or buf.dtype != dtype:
            buf = self._scratch[name] = np.empty(shape, dtype=dtype)
        return buf

    def _chunk_rows(self, ow: int) -> int:
        return max(1, _POOL_CHUNK_BYTES // (4 * ow * self.dtype.itemsize))

    def _forward_2x2(self, x: np.ndarray, oh: int, ow: int) -> np.ndarray:
        n, c = x.shape[:2]
        rows = n * c * oh
        xr = x.reshape(rows, 4 * ow)
        y = np.empty((n, c, oh, ow), dtype=self.dtype)
        yr = y.reshape(rows, ow)
        choice = self._choice
        if choice is None or choice[1].shape != (rows, ow):
            choice = (np.empty((rows, 2, ow), dtype=bool), np.empty((rows, ow), dtype=bool))
        self._choice, self._argmax = choice, None
        right, lower = choice
        step = min(rows, self._chunk_rows(ow))
        halves = self._buffer("halves", (2, step * 2 * ow), self.dtype)
        col_max = self._buffer("col_max", (step * 2 * ow,), self.dtype)
        for r0 in range(0, rows, step):
            m = min(step, rows - r0)
            q = m * 2 * ow
            pair = halves[:, :q]
            np.copyto(pair, xr[r0 : r0 + m].reshape(q, 2).T)
            even, odd = pair
            cm = col_max[:q]
            np.greater(odd, even, out=right[r0 : r0 + m].reshape(q))  # ties go left
            np.maximum(even, odd, out=cm)
            cm3 = cm.reshape(m, 2, ow)
            np.greater(cm3[:, 1], cm3[:, 0], out=lower[r0 : r0 + m])  # ties go up
            np.maximum(cm3[:, 0], cm3[:, 1], out=yr[r0 : r0 + m])
        return y

    def _backward_2x2(self, dy: np.ndarray) -> np.ndarray:
        n, c, oh, ow = dy.shape
        rows = n * c * oh
        right, lower = self._choice
        if lower.shape != (rows, ow):
            raise ValueError(f"MaxPool2D.backward got dy of shape {dy.shape}, which does not "
                             f"match the last forward's output")
        dx = np.empty(self._x_shape, dtype=self.dtype)
        dxr = dx.reshape(rows, 4 * ow)
        dyr = dy.reshape(rows, ow)
        step = min(rows, self._chunk_rows(ow))
        spread = self._buffer("spread", (step, 2, ow), self.dtype)
        for r0 in range(0, rows, step):
            m = min(step, rows - r0)
            g, d = dyr[r0 : r0 + m], spread[:m]
            # Each window's gradient on the row holding its maximum, 0 on the other row
            # (g - g*1 is exactly 0), then likewise on the column within that row.
            np.multiply(g, lower[r0 : r0 + m], out=d[:, 1])
            np.subtract(g, d[:, 1], out=d[:, 0])
            d = d.reshape(-1)
            out = dxr[r0 : r0 + m].reshape(-1)  # odd and even columns interleave
            np.multiply(d, right[r0 : r0 + m].reshape(-1), out=out[1::2])
            np.subtract(d, out[1::2], out=out[0::2])
        return dx


class AvgPool2D(_Pool2D):
    """Mean over each ``size`` x ``size`` window: (N, C, H, W) -> (N, C, OH, OW)."""

    kind = "avg-pool2d"

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        x, oh, ow = self._start(x)
        scale = 1.0 / (self.size * self.size)
        if self.size == self.stride:
            y = None
            for _, rows, cols in self._offsets(oh, ow):
                if y is None:
                    y = x[:, :, rows, cols].copy()
                else:
                    y += x[:, :, rows, cols]
            y *= scale
            return y
        n, c = x.shape[:2]
        cols = im2col(x.reshape(n * c, 1, *x.shape[2:]), self.size, self.size, self.stride, 0)
        return (cols.sum(axis=1) * scale).reshape(n, c, oh, ow)

    def backward(self, dy: np.ndarray) -> np.ndarray | None:
        if self._x_shape is None:
            raise RuntimeError("AvgPool2D.backward called before forward")
        if self.skip_input_grad:
            return None
        n, c, oh, ow = dy.shape
        g = dy.astype(self.dtype, copy=False) * (1.0 / (self.size * self.size))
        if self.size == self.stride:
            dx = self._dx_buffer(oh, ow)
            for _, rows, cols in self._offsets(oh, ow):
                dx[:, :, rows, cols] = g
            return dx
        k2 = self.size * self.size
        dcols = np.broadcast_to(g.reshape(n * c, 1, oh * ow), (n * c, k2, oh * ow))
        x_shape = (n * c, 1, *self._x_shape[2:])
        dx = col2im(dcols, x_shape, self.size, self.size, self.stride, 0)
        return dx.reshape(self._x_shape)


class Flatten(Layer):
    """(N, C, H, W) (or any (N, ...)) -> (N, C*H*W); a view when the input is contiguous."""

    kind = "flatten"

    def __init__(self, dtype=np.float32):
        super().__init__(dtype)
        self._x_shape: tuple[int, ...] | None = None

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        return (int(np.prod(input_shape)),)

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        if x.ndim < 2:
            raise SpecError(f"Flatten expects a batch of shape (N, ...), got {x.shape}")
        self._x_shape = x.shape
        return x.astype(self.dtype, copy=False).reshape(x.shape[0], -1)

    def backward(self, dy: np.ndarray) -> np.ndarray | None:
        if self._x_shape is None:
            raise RuntimeError("Flatten.backward called before forward")
        if self.skip_input_grad:
            return None
        return dy.astype(self.dtype, copy=False).reshape(self._x_shape)
