"""Stride-1 convolution by shifted slices of a flat padded batch, in cache-sized chunks.

Lay the zero-padded batch out channel-major and flat, ``xf`` (C, N*Hp*Wp + tail). For an
output position ``q = n*Hp*Wp + i*Wp + j`` the input under kernel offset (ki, kj) is
``xf[:, q + ki*Wp + kj]``: the im2col rows of offset (ki, kj) are the contiguous slice
``xf[:, s : s + M]`` with ``s = ki*Wp + kj``, ``M = N*Hp*Wp``. Positions with ``i >= OH``
or ``j >= OW`` mix neighbouring rows; they are computed and dropped, which is what makes
every copy a long contiguous one. The ``tail`` of zeros lets the last slices run past the
batch's end.

Neighbours share their padding: each image is laid out as ``pad`` zero rows above and
``pad`` zero columns left of its pixels only (Hp = H + pad, Wp = W + pad while pad <=
k - 1). A row's right padding is then the next row's left padding, and an image's bottom
padding the next image's top padding (or the tail), so the dropped positions are 0-27 %
of the kept ones for DeepConvNet's shapes (28, 14 and 8 pixels) instead of 15-56 % with a
full border per image.

Nothing of size C*kh*kw x M is ever built: the columns are made ``chunk`` positions at a
time, small enough to stay in cache while the GEMM reads them. The full columns of a
DeepConvNet layer are ~9x its input (45 MB for 16 channels of 28x28 at batch 100), and
writing and re-reading them, not the multiplies, was most of the layer's time; the
backward pass rebuilds each chunk's columns from ``xf`` instead of keeping them.
"""

from __future__ import annotations

import numpy as np

# Bytes of one chunk's columns: 2-4 MB measured best for the 16- to 64-channel 3x3
# layers of DeepConvNet (batch 100, 2 threads); 1 MB and 16 MB were 10-20 % slower.
CHUNK_BYTES = 3 * 1024 * 1024


def padded_block(size: int, k: int, pad: int) -> int:
    """Rows (or columns) one image takes in the flat layout: its pixels and the padding
    before them; the padding after them is the next image's (or row's) leading padding,
    which covers it while ``pad <= k - 1``. A larger pad (a "full"-plus convolution) also
    needs room for the extra output rows."""
    return size + pad + max(0, pad - (k - 1))


class ShiftedConv:
    """Buffers and passes of one stride-1 convolution layer; reused while shapes hold."""

    def __init__(self, dtype) -> None:
        self.dtype = np.dtype(dtype)
        self._key: tuple | None = None

    def _prepare(self, x_shape, kh: int, kw: int, pad: int, o: int) -> None:
        key = (tuple(x_shape), kh, kw, pad, o)
        if key == self._key:
            return
        n, c, h, w = x_shape
        hp, wp = padded_block(h, kh, pad), padded_block(w, kw, pad)
        self.hp, self.wp = hp, wp
        self.oh, self.ow = h + 2 * pad - kh + 1, w + 2 * pad - kw + 1
        self.m = n * hp * wp
        tail = (kh - 1) * wp + (kw - 1)
        k = c * kh * kw
        self.chunk = max(256, min(self.m, CHUNK_BYTES // ((k + 1) * self.dtype.itemsize)))
        # The borders of xf and dyf are written once here, as zeros, and never again.
        self.xf = np.zeros((c, self.m + tail), dtype=self.dtype)
        self.dyf = np.zeros((o, self.m), dtype=self.dtype)
        self.y = np.empty((o, self.m), dtype=self.dtype)
        self.cols = np.empty((k + 1, self.chunk), dtype=self.dtype)
        self.cols[k] = 1  # the bias row
        self.dcols = np.empty((k, self.chunk), dtype=self.dtype)
        self.gwb_part = np.empty((k + 1, o), dtype=self.dtype)  # transposed: see backward
        self.shifts = [ki * wp + kj for ki in range(kh) for kj in range(kw)]
        self._key = key

    def _fill_cols(self, a: int, length: int) -> np.ndarray:
        c = self.xf.shape[0]
        cols3 = self.cols[:-1].reshape(c, len(self.shifts), self.chunk)
        for r, s in enumerate(self.shifts):
            cols3[:, r, :length] = self.xf[:, a + s : a + s + length]
        return self.cols[:, :length]

    def forward(self, x: np.ndarray, wb: np.ndarray, kh: int, kw: int, pad: int) -> np.ndarray:
        """``x`` (N, C, H, W), ``wb`` = [W2 | b] (O, C*kh*kw + 1) -> (N, O, OH, OW)."""
        n, c, h, w = x.shape
        o = wb.shape[0]
        self._prepare(x.shape, kh, kw, pad, o)
        hp, wp, m = self.hp, self.wp, self.m
        self.xf[:, :m].reshape(c, n, hp, wp)[:, :, pad : pad + h, pad : pad + w] = (
            x.transpose(1, 0, 2, 3))
        for a in range(0, m, self.chunk):
            length = min(self.chunk, m - a)
            np.matmul(wb, self._fill_cols(a, length), out=self.y[:, a : a + length])
        out = np.empty((n, o, self.oh, self.ow), dtype=self.dtype)
        out[...] = self.y.reshape(o, n, hp, wp)[:, :, : self.oh, : self.ow].transpose(1, 0, 2, 3)
        return out

    def backward(self, dy: np.ndarray, w2: np.ndarray, gwb: np.ndarray, pad: int,
                 input_grad: bool) -> np.ndarray | None:
        """``dy`` (N, O, OH, OW) -> dx (N, C, H, W) or None; [dW2 | db] into ``gwb``."""
        n, c, h, w = self._key[0]
        o = w2.shape[0]
        hp, wp, m = self.hp, self.wp, self.m
        dyf = self.dyf
        dyf.reshape(o, n, hp, wp)[:, :, : self.oh, : self.ow] = dy.transpose(1, 0, 2, 3)
        gwb[...] = 0
        if input_grad:
            dxf = np.zeros_like(self.xf)
            dcols3 = self.dcols.reshape(c, len(self.shifts), self.chunk)
        for a in range(0, m, self.chunk):
            length = min(self.chunk, m - a)
            dy_part = dyf[:, a : a + length]
            # [dW2 | db]^T = [cols; 1] @ dy^T: OpenBLAS runs this (K+1, L) @ (L, O) 1.7x
            # faster than dy @ [cols; 1]^T, the same product with a (O, K+1) result.
            np.matmul(self._fill_cols(a, length), dy_part.T, out=self.gwb_part)
            gwb += self.gwb_part.T
            if input_grad:
                np.matmul(w2.T, dy_part, out=self.dcols[:, :length])
                # Chunks overlap in dxf by up to the largest shift: the adds run one after
                # another, so the sums are exact.
                for r, s in enumerate(self.shifts):
                    dxf[:, a + s : a + s + length] += dcols3[:, r, :length]
        if not input_grad:
            return None
        dx = np.empty((n, c, h, w), dtype=self.dtype)
        dx[...] = dxf[:, :m].reshape(c, n, hp, wp)[:, :, pad : pad + h, pad : pad + w].transpose(
            1, 0, 2, 3)
        return dx
