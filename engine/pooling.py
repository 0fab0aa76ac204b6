"""Pooling and flatten layers for (N, C, H, W) images, and the argument and input checks
the image layers share."""

from __future__ import annotations

from typing import Any

import numpy as np

from .base import Layer
from .errors import SpecError
from .im2col import col2im, conv_output_size, im2col

# Input bytes per chunk in the 2x2 max-pool fast path: small enough that a chunk's
# temporaries stay in cache, large enough to amortise the per-call overhead (1 MiB measured
# best, 128 KiB and 8 MiB each ~30% slower, on a 512 KiB-L2 machine).
_POOL_CHUNK_BYTES = 1024 * 1024

def positive_int(value: Any, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise SpecError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def check_images(layer: Layer, x: np.ndarray, channels: int | None = None) -> np.ndarray:
    """``x`` as an (N, C, H, W) array of the layer's dtype (no copy when it already is)."""
    if x.ndim != 4 or (channels is not None and x.shape[1] != channels):
        want = f"(N, {channels}, H, W)" if channels is not None else "(N, C, H, W)"
        raise SpecError(f"{type(layer).__name__} expects images of shape {want}, got {x.shape}")
    return x.astype(layer.dtype, copy=False)



class _Pool2D(Layer):
    """Shared shape logic of the pooling layers (no params)."""

    def __init__(self, size: int = 2, stride: int = 2, dtype=np.float32):
        super().__init__(dtype)
        self.size = positive_int(size, "size")
        self.stride = positive_int(stride, "stride")
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
        x = check_images(self, x)
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
