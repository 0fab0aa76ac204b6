"""Pure ``im2col``/``col2im`` for 2-D convolution and pooling on (N, C, H, W) images.

Column layout (chosen so a convolution is ``W2 @ cols`` with no transpose either side)::

    x     (N, C, H, W)
    cols  (N, C*kh*kw, OH*OW)      row index = (c, ki, kj) in C order, column = (i, j)
    W2    (O, C*kh*kw)             the conv weights (O, C, kh, kw) reshaped, a free view
    W2 @ cols -> (N, O, OH*OW)     reshapes for free to the NCHW output (N, O, OH, OW)

``cols[n, (c, ki, kj), (i, j)] == xpad[n, c, i*stride + ki, j*stride + kj]`` where ``xpad``
is ``x`` zero-padded by ``pad`` on both sides of H and W. The copy that builds ``cols``
runs along ``j`` innermost, which reads ``x`` contiguously when ``stride == 1``.

``im2col_batch``/``col2im_batch`` use the batch-wide layout the convolution layer trains
with, where the batch sits inside the columns so each pass is one large GEMM::

    cols  (C*kh*kw, N, OH*OW)      cols[(c, ki, kj), n, (i, j)] as above
    W2 @ cols.reshape(K, N*OH*OW) -> (O, N*OH*OW)
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .errors import SpecError


def conv_output_size(size: int, k: int, stride: int, pad: int) -> int:
    """Output length of a ``k``-wide window sliding by ``stride`` over ``size + 2*pad``."""
    span = size + 2 * pad - k
    if span < 0:
        raise SpecError(
            f"window of size {k} does not fit an input of size {size} with padding {pad}; "
            "use a smaller kernel or more padding"
        )
    return span // stride + 1


def pad_images(x: np.ndarray, pad: int) -> np.ndarray:
    """``x`` (N, C, H, W) zero-padded by ``pad`` on H and W (``x`` itself when pad is 0)."""
    if pad == 0:
        return x
    n, c, h, w = x.shape
    xp = np.zeros((n, c, h + 2 * pad, w + 2 * pad), dtype=x.dtype)
    xp[:, :, pad : pad + h, pad : pad + w] = x
    return xp


def im2col(
    x: np.ndarray, kh: int, kw: int, stride: int = 1, pad: int = 0,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Unfold every (kh, kw) window of ``x`` (N, C, H, W) into ``cols`` (N, C*kh*kw, OH*OW).

    One contiguous copy of a strided view; ``cols`` has the dtype of ``x``. ``out``, if
    given, receives the columns and is returned: any (N, C*kh*kw, OH*OW) array of that dtype,
    contiguous or not (e.g. ``buf[:, :K]`` of a bigger buffer).
    """
    n, c, h, w = x.shape
    oh = conv_output_size(h, kh, stride, pad)
    ow = conv_output_size(w, kw, stride, pad)
    out = _check_out(out, (n, c * kh * kw, oh * ow), x.dtype, "im2col")
    cols6 = out.reshape(n, c, kh, kw, oh, ow)  # only splits axes: always a view of out
    # windows (N, C, OH, OW, kh, kw) reordered to (N, C, kh, kw, OH, OW) and copied
    cols6[...] = _windows(x, kh, kw, stride, pad).transpose(0, 1, 4, 5, 2, 3)
    return out


def _windows(x: np.ndarray, kh: int, kw: int, stride: int, pad: int) -> np.ndarray:
    """Every (kh, kw) window of ``x`` zero-padded by ``pad``: an (N, C, OH, OW, kh, kw)
    view (of the padded copy when ``pad`` > 0)."""
    win = sliding_window_view(pad_images(x, pad), (kh, kw), axis=(2, 3))
    return win[:, :, ::stride, ::stride]


def col2im(
    cols: np.ndarray,
    x_shape: tuple[int, int, int, int],
    kh: int,
    kw: int,
    stride: int = 1,
    pad: int = 0,
) -> np.ndarray:
    """Adjoint of ``im2col``: sum ``cols`` (N, C*kh*kw, OH*OW) back into an (N, C, H, W) array.

    Overlapping windows add up. One strided add per kernel offset (kh*kw of them).
    """
    n, c, h, w = x_shape
    oh = conv_output_size(h, kh, stride, pad)
    ow = conv_output_size(w, kw, stride, pad)
    c6 = cols.reshape(n, c, kh, kw, oh, ow)
    dxp = np.zeros((n, c, h + 2 * pad, w + 2 * pad), dtype=cols.dtype)
    i_end = stride * (oh - 1) + 1
    j_end = stride * (ow - 1) + 1
    for ki in range(kh):
        for kj in range(kw):
            dxp[:, :, ki : ki + i_end : stride, kj : kj + j_end : stride] += c6[:, :, ki, kj]
    if pad == 0:
        return dxp
    return dxp[:, :, pad : pad + h, pad : pad + w]


def _check_out(out, shape, dtype, name: str) -> np.ndarray:
    if out is None:
        return np.empty(shape, dtype=dtype)
    if out.shape != shape or out.dtype != dtype:
        raise ValueError(f"{name} out must be a {dtype} array of shape {shape}, "
                         f"got {out.dtype} {out.shape}")
    return out


def im2col_batch(
    x: np.ndarray, kh: int, kw: int, stride: int = 1, pad: int = 0,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Unfold every (kh, kw) window of ``x`` (N, C, H, W) into ``cols`` (C*kh*kw, N, OH*OW).

    The batch-wide layout: a convolution of the whole batch is then one GEMM with
    N*OH*OW columns instead of N small ones (several times faster for the few-channel 3x3
    convolutions of DeepConvNet). ``out``: a C-contiguous array of that shape and dtype.
    """
    n, c, h, w = x.shape
    oh = conv_output_size(h, kh, stride, pad)
    ow = conv_output_size(w, kw, stride, pad)
    out = _check_out(out, (c * kh * kw, n, oh * ow), x.dtype, "im2col_batch")
    cols6 = out.reshape(c, kh, kw, n, oh, ow)
    # (N, C, OH, OW, kh, kw) -> (C, kh, kw, N, OH, OW); the innermost axis still reads x
    # contiguously when stride == 1.
    cols6[...] = _windows(x, kh, kw, stride, pad).transpose(1, 4, 5, 0, 2, 3)
    return out


def col2im_batch(
    cols: np.ndarray,
    x_shape: tuple[int, int, int, int],
    kh: int,
    kw: int,
    stride: int = 1,
    pad: int = 0,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Adjoint of ``im2col_batch``: sum ``cols`` (C*kh*kw, N, OH*OW), or the same data as
    (C*kh*kw, N*OH*OW), back into a C-contiguous (N, C, H, W) array (``out`` if given)."""
    n, c, h, w = x_shape
    oh = conv_output_size(h, kh, stride, pad)
    ow = conv_output_size(w, kw, stride, pad)
    out = _check_out(out, (n, c, h, w), cols.dtype, "col2im_batch")
    c6 = cols.reshape(c, kh, kw, n, oh, ow)
    # Summed in (C, N, ...) order, so every add reads and writes contiguous rows; one
    # transposing copy at the end gives the (N, C, H, W) result.
    dxp = np.zeros((c, n, h + 2 * pad, w + 2 * pad), dtype=cols.dtype)
    i_end = stride * (oh - 1) + 1
    j_end = stride * (ow - 1) + 1
    for ki in range(kh):
        for kj in range(kw):
            dxp[:, :, ki : ki + i_end : stride, kj : kj + j_end : stride] += c6[:, ki, kj]
    inner = dxp if pad == 0 else dxp[:, :, pad : pad + h, pad : pad + w]
    out[...] = inner.transpose(1, 0, 2, 3)
    return out
