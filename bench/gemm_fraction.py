"""What fraction of the machine's float32 GEMM rate the MLP and SimpleConvNet epochs reach.

The epoch's useful work is its matrix multiplies (FLOPs counted below, per batch of 100).
The GEMM rate is NumPy's own rate on exactly those multiplies (same shapes and layouts,
timed alone, back to back), measured again right before every timed epoch so that a
shared machine's drifting speed affects both alike. fraction = (epoch FLOPs / epoch
seconds) / GEMM rate; the rest of the epoch's time is element-wise work, Python overhead
and memory traffic.

    python bench/gemm_fraction.py [--threads 2] [--repeats 3] [--skip-cnn]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (  # noqa: E402
    add_out_argument,
    print_machine,
    publish,
    synthetic_mnist,
    time_runs,
)

B = 100


def mlp_gemms() -> list[tuple[tuple, tuple]]:
    """(a shape, b shape) of every multiply in one MLP step (784-100-10, no input grad)."""
    return [((B, 784), (784, 100)), ((B, 100), (100, 10)),        # forward
            ((100, B), (B, 10)), ((B, 10), (10, 100)),            # layer 2: dW, dx
            ((784, B), (B, 100))]                                 # layer 1: dW


def cnn_gemms() -> list[tuple[tuple, tuple]]:
    """Multiplies of one SimpleConvNet step (30@5x5 conv as a batched GEMM, dense 4320-100)."""
    k, p = 25 + 1, 24 * 24  # im2col rows (+1 bias row), output pixels
    return [((30, k), (B, k, p)),                                  # conv forward
            ((B, 30, p), (B, p, k)),                               # conv dW
            ((B, 4320), (4320, 100)), ((B, 100), (100, 10)),      # dense forward
            ((100, B), (B, 10)), ((B, 10), (10, 100)),            # dense 2: dW, dx
            ((4320, B), (B, 100)), ((B, 100), (100, 4320))]       # dense 1: dW, dx


def flops(gemms) -> float:
    total = 0.0
    for a, b in gemms:
        m, k = a[-2], a[-1]
        n = b[-1]
        batch = max(int(np.prod(a[:-2])), int(np.prod(b[:-2])), 1)
        total += 2.0 * batch * m * k * n
    return total


def gemm_seconds(gemms, repeats: int = 50) -> float:
    """Minimum over repeats of the time for one set of the multiplies."""
    rng = np.random.default_rng(0)
    ops = [(rng.random(a, dtype=np.float32), rng.random(b, dtype=np.float32)) for a, b in gemms]
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        for a, b in ops:
            np.matmul(a, b)
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--skip-cnn", action="store_true")
    ap.add_argument("--skip-torch", action="store_true")
    add_out_argument(ap)
    args = ap.parse_args()
    import cnn_epoch
    import mlp_epoch

    steps = 600
    rows = []
    with threadpool_limits(limits=args.threads):
        print_machine()
        cases = [("MLP 784-100-10", mlp_gemms())]
        if not args.skip_cnn:
            cases.append(("SimpleConvNet", cnn_gemms()))
        for name, gemms in cases:
            work = flops(gemms) * steps
            if name.startswith("MLP"):
                x, y = synthetic_mnist(steps * B, image=False)
                engine = mlp_epoch.engine_epoch(x, y)
                engine()  # warm-up epoch
                torch_run = None if args.skip_torch else _torch(mlp_epoch.torch_epoch, x, y,
                                                                args.threads)
            else:
                x, y = synthetic_mnist(steps * B, image=True)
                engine, warm = cnn_epoch.engine_contender(x, y)
                warm(20)
                torch_run = None
                if not args.skip_torch:
                    torch_run = _torch(lambda *a: cnn_epoch.torch_contender(*a)[0], x, y,
                                       args.threads)
            if torch_run is not None and name.startswith("MLP"):
                torch_run()  # warm-up epoch
            contenders = [("engine", engine)] + (
                [("PyTorch CPU", torch_run)] if torch_run is not None else [])
            for who, run in contenders:
                rows.append((name, who, work, *_interleaved(run, gemms, steps, args.repeats)))
    print(f"\n{args.threads} threads; GEMM rate = NumPy float32 on the epoch's own multiplies, "
          f"measured again just before each of the {args.repeats} epochs (a shared machine's "
          f"speed drifts); the row is the epoch with the best fraction, the last column "
          f"the median fraction\n")
    lines = ["| model | contender | epoch GFLOP | epoch s | achieved GFLOP/s | GEMM GFLOP/s | "
             "fraction | median |", "|---|---|---:|---:|---:|---:|---:|---:|"]
    for name, who, work, t, rate, median in rows:
        lines.append(f"| {name} | {who} | {work / 1e9:.1f} | {t:.2f} | {work / t / 1e9:.1f} | "
                     f"{rate / 1e9:.1f} | {work / t / rate:.0%} | {median:.0%} |")
    publish(lines, args.out)


def _interleaved(run, gemms, steps: int, repeats: int) -> tuple[float, float, float]:
    """Time ``repeats`` epochs, each right after measuring the GEMM rate; returns the
    (epoch seconds, GEMM rate) of the epoch with the best fraction and the median
    fraction."""
    step_flops = flops(gemms)
    results = []
    for _ in range(repeats):
        rate = step_flops / gemm_seconds(gemms)
        t = min(time_runs(run, 1))
        results.append((step_flops * steps / t / rate, t, rate))
    results.sort()
    best = results[-1]
    return best[1], best[2], results[len(results) // 2][0]


def _torch(factory, x, y, threads):
    try:
        import torch  # noqa: F401
    except ImportError:
        print("PyTorch not installed: pip install -e '.[bench]' to compare with it")
        return None
    return factory(x, y, threads)


if __name__ == "__main__":
    main()
