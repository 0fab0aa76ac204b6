"""The convolution layer for (N, C, H, W) images, built on ``im2col`` and, at stride 1,
on shifted slices (``shifted_conv``); pooling and Flatten are in ``pooling``."""

from __future__ import annotations

from typing import Any

import numpy as np

from .base import Layer
from .errors import SpecError
from .im2col import col2im, col2im_batch, conv_output_size, im2col, im2col_batch
from .init import init_weights
from .pooling import check_images, positive_int
from .shifted_conv import ShiftedConv, padded_block

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


def _kernel_pair(kernel_size: Any) -> tuple[int, int]:
    if isinstance(kernel_size, (tuple, list)):
        if len(kernel_size) != 2:
            raise SpecError(f"kernel_size must be an int or a (kh, kw) pair, got {kernel_size!r}")
        return (
            positive_int(kernel_size[0], "kernel_size"),
            positive_int(kernel_size[1], "kernel_size"),
        )
    k = positive_int(kernel_size, "kernel_size")
    return k, k


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
        self.in_channels = positive_int(in_channels, "in_channels")
        self.out_channels = positive_int(out_channels, "out_channels")
        self.kh, self.kw = _kernel_pair(kernel_size)
        self.stride = positive_int(stride, "stride")
        self.pad = positive_int(pad, "pad", minimum=0)
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
        x = check_images(self, x, self.in_channels)
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
