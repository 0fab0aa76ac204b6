"""Where a DeepConvNet training step spends its time (a benchmark, not a test).

    python bench/conv_parts.py [--threads 1] [--steps 20] [--skip-torch]

1. Every layer's forward and backward time in the engine (batch 100, 1x28x28 images,
   the loss gradient replaced by a constant so only the layers are timed), and, if
   PyTorch is installed, its whole step at the same thread count for scale.
2. For the stride-1 3x3 convolutions of the three widths (16, 32 and 64 channels at 28, 14
   and 8 pixels, as in DeepConvNet; pad 1), the forward pass split into its parts: the
   input laid out as the padded channel-major batch, the columns built chunk by chunk,
   the GEMMs on those columns, and the output transposed back; and the GEMMs' rate in
   GFLOP/s on all the positions they compute (the shifted layout computes positions it
   then drops).

Medians over ``--steps`` repeats after a warm-up; the figures in the README's
Performance section came from this script.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import print_machine, time_runs  # noqa: E402

BATCH = 100


def median_ms(fn, steps: int) -> float:
    return statistics.median(time_runs(fn, steps, warmup=2)) * 1e3


def layer_table(steps: int) -> list[str]:
    from engine import RunConfig, build_model

    cfg = RunConfig().with_changes(data={"name": "mnist-sample"}, model={"preset": "deep-cnn"})
    model = build_model(cfg, (1, 28, 28), 10)
    x = np.random.default_rng(0).random((BATCH, 1, 28, 28), dtype=np.float32)
    layers = model.layers
    fw = [[] for _ in layers]
    bw = [[] for _ in layers]
    for _ in range(steps + 2):
        h = x
        for i, layer in enumerate(layers):
            t0 = time.perf_counter()
            h = layer.forward(h, train=True)
            fw[i].append(time.perf_counter() - t0)
        g = np.full_like(h, 1.0 / h.size)
        for i in range(len(layers) - 1, -1, -1):
            t0 = time.perf_counter()
            g = layers[i].backward(g)
            bw[i].append(time.perf_counter() - t0)
    lines = ["| layer | output | forward ms | backward ms |", "|---|---|---:|---:|"]
    shape = (1, 28, 28)
    total_f = total_b = 0.0
    for i, layer in enumerate(layers):
        shape = layer.output_shape(shape)
        f = statistics.median(fw[i][2:]) * 1e3
        b = statistics.median(bw[i][2:]) * 1e3
        total_f, total_b = total_f + f, total_b + b
        lines.append(f"| {i} {type(layer).__name__} | {'x'.join(map(str, shape))} | "
                     f"{f:.2f} | {b:.2f} |")
    lines.append(f"| all layers | | {total_f:.1f} | {total_b:.1f} |")
    return lines


def torch_step_ms(threads: int, steps: int) -> float | None:
    try:
        import torch
    except ImportError:
        return None
    from cnn_epoch import torch_net

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    net = torch_net("deep-cnn")
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    x, y = torch.rand(BATCH, 1, 28, 28), torch.randint(0, 10, (BATCH,))

    def step():
        opt.zero_grad(set_to_none=True)
        loss_fn(net(x), y).backward()
        opt.step()
    return median_ms(step, steps)


def conv_row(c: int, size: int, steps: int, rng) -> str:
    """One table row: a ``c``-to-``c`` channel 3x3 convolution on ``size`` x ``size``."""
    from engine.shifted_conv import ShiftedConv

    x = rng.random((BATCH, c, size, size), dtype=np.float32)
    wb = rng.random((c, c * 9 + 1), dtype=np.float32)
    conv = ShiftedConv(np.float32)
    conv.forward(x, wb, 3, 3, 1)
    hp, wp = conv.hp, conv.wp
    m = conv.m
    chunks = [(a, min(conv.chunk, m - a)) for a in range(0, m, conv.chunk)]

    def layout_in():
        conv.xf[:, :m].reshape(c, BATCH, hp, wp)[:, :, 1:1 + size, 1:1 + size] = (
            x.transpose(1, 0, 2, 3))

    def columns():
        for a, length in chunks:
            conv._fill_cols(a, length)

    def gemms():
        for a, length in chunks:
            np.matmul(wb, conv.cols[:, :length], out=conv.y[:, a:a + length])

    def layout_out():
        out = np.empty((BATCH, c, conv.oh, conv.ow), dtype=np.float32)
        out[...] = conv.y.reshape(c, BATCH, hp, wp)[:, :, :conv.oh, :conv.ow].transpose(
            1, 0, 2, 3)

    total = median_ms(lambda: conv.forward(x, wb, 3, 3, 1), steps)
    parts = [median_ms(f, steps) for f in (layout_in, columns, gemms, layout_out)]
    rate = 2 * m * wb.shape[1] * c / (parts[2] * 1e-3) / 1e9
    return (f"| {c}->{c} at {size}x{size} | {total:.2f} | "
            + " | ".join(f"{p:.2f}" for p in parts)
            + f" | {rate:.0f} | {m / (BATCH * size * size):.2f} |")


def conv_parts(steps: int) -> list[str]:
    rng = np.random.default_rng(0)
    return ["| conv | forward ms | input layout | columns | GEMMs | output layout | "
            "GEMM GFLOP/s | positions computed / kept |",
            "|---|---:|---:|---:|---:|---:|---:|---:|"] + [
        conv_row(c, size, steps, rng) for c, size in ((16, 28), (32, 14), (64, 8))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=1, help="BLAS threads (default 1)")
    ap.add_argument("--steps", type=int, default=20, help="timed repeats (default 20)")
    ap.add_argument("--skip-torch", action="store_true", help="do not time PyTorch's step")
    args = ap.parse_args()
    from threadpoolctl import threadpool_limits

    from engine import tune_allocator

    tune_allocator()
    print_machine()
    with threadpool_limits(limits=args.threads, user_api="blas"):
        print("\n".join(layer_table(args.steps)))
        print()
        print("\n".join(conv_parts(args.steps)))
        if not args.skip_torch:
            ms = torch_step_ms(args.threads, args.steps)
            print(f"\nPyTorch CPU whole step (forward, backward, Adam), {args.threads} "
                  f"thread(s): {ms:.1f} ms" if ms is not None else "\nPyTorch not installed")


if __name__ == "__main__":
    main()
