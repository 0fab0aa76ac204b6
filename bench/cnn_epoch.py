"""One SimpleConvNet training epoch (Conv 30@5x5 - ReLU - MaxPool 2x2 - Dense 4320-100 -
ReLU - Dense 100-10, softmax cross-entropy, Adam 1e-3, batch 100) on synthetic
MNIST-shaped images (1x28x28 float32): the engine beside PyTorch CPU (if installed) and a
textbook im2col implementation ("Deep Learning from Scratch" ch. 7, written out below),
at the same thread count. Prints min/median/max, ratios to the engine and each contender's
peak resident memory.

Every epoch runs in a fresh child process (so peak memory is per contender) after a short
warm-up of ``--warmup-steps`` batches; rounds cycle through the contenders so a burst of
load from other programs hits them alike. The textbook version is slow: ``--textbook-samples
6000`` times it on fewer images and scales the time linearly (the table says so).

    python bench/cnn_epoch.py [--threads 2] [--repeats 3] [--samples 60000]
                              [--textbook-samples 6000] [--skip-textbook] [--skip-torch]
                              [--untuned-allocator]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import add_out_argument, print_machine, publish, synthetic_mnist  # noqa: E402

BATCH, FILTERS, KERNEL, HIDDEN, CLASSES, LR = 100, 30, 5, 100, 10, 1e-3
ENGINE = "engine (float32)"
CONTENDERS = {
    "engine": ENGINE,
    "engine-untuned": ENGINE + ", glibc malloc defaults",
    "torch": "PyTorch CPU (float32)",
    "textbook32": "textbook im2col (float32)",
    "textbook64": "textbook im2col (float64)",
}


# --- the contenders: each returns (epoch, warm_up(steps)) ------------------------------

def engine_contender(x, y, tune: bool = True):
    from engine import RunConfig, Trainer, build_model, tune_allocator
    from engine.optimizers import Adam

    if tune:
        tune_allocator()  # what the CLI and the app do; "engine-untuned" shows its gain

    cfg = RunConfig().with_changes(
        data={"name": "mnist-sample"},
        model={"preset": "simple-cnn", "hidden": (HIDDEN,), "conv_filters": FILTERS,
               "conv_size": KERNEL})
    model = build_model(cfg, x.shape[1:], CLASSES)
    opt = Adam(LR)

    def trainer(xs, ys, seed):
        # Running-mean train metrics: the epoch is its training steps, no extra pass.
        return Trainer(model, opt, xs, ys, batch_size=BATCH, rng=np.random.default_rng(seed),
                       train_metrics="running")

    def warm_up(steps):
        n = min(len(x), steps * BATCH)
        trainer(x[:n], y[:n], 1).run_epoch()
    return trainer(x, y, 0).run_epoch, warm_up


def torch_contender(x, y, threads):
    import torch

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    nn = torch.nn
    net = nn.Sequential(nn.Conv2d(1, FILTERS, KERNEL), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                        nn.Linear(FILTERS * 12 * 12, HIDDEN), nn.ReLU(),
                        nn.Linear(HIDDEN, CLASSES))
    opt = torch.optim.Adam(net.parameters(), lr=LR)
    loss_fn = nn.CrossEntropyLoss()

    def steps(n):
        perm = torch.randperm(len(xt))
        for i in range(0, min(n * BATCH, len(xt)), BATCH):
            idx = perm[i:i + BATCH]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(net(xt[idx]), yt[idx])
            loss.backward()
            opt.step()

    return (lambda: steps(len(xt) // BATCH + 1)), steps


def textbook_contender(x, y, dtype):
    net = TextbookSimpleConvNet(dtype)
    opt = TextbookAdam(LR)
    x = x.astype(dtype, copy=False)
    rng = np.random.default_rng(0)

    def steps(n):
        perm = rng.permutation(len(x))
        for i in range(0, min(n * BATCH, len(x)), BATCH):
            idx = perm[i:i + BATCH]
            grads = net.gradient(x[idx], y[idx])
            opt.update(net.params, grads)

    return (lambda: steps(len(x) // BATCH + 1)), steps


# --- the textbook version: "Deep Learning from Scratch" (O'Reilly Japan), ch. 5-7 -------
# im2col/col2im loop over kernel offsets and reorder with transposes; layers are the book's
# Convolution/Relu/Pooling/Affine/SoftmaxWithLoss and its Adam. The only change for the
# float32 variant: the book's np.zeros buffers take the data's dtype instead of float64.

def im2col(input_data, filter_h, filter_w, stride=1, pad=0):
    n, c, h, w = input_data.shape
    out_h = (h + 2 * pad - filter_h) // stride + 1
    out_w = (w + 2 * pad - filter_w) // stride + 1
    img = np.pad(input_data, [(0, 0), (0, 0), (pad, pad), (pad, pad)], "constant")
    col = np.zeros((n, c, filter_h, filter_w, out_h, out_w), dtype=input_data.dtype)
    for yy in range(filter_h):
        y_max = yy + stride * out_h
        for xx in range(filter_w):
            x_max = xx + stride * out_w
            col[:, :, yy, xx, :, :] = img[:, :, yy:y_max:stride, xx:x_max:stride]
    return col.transpose(0, 4, 5, 1, 2, 3).reshape(n * out_h * out_w, -1)


def col2im(col, input_shape, filter_h, filter_w, stride=1, pad=0):
    n, c, h, w = input_shape
    out_h = (h + 2 * pad - filter_h) // stride + 1
    out_w = (w + 2 * pad - filter_w) // stride + 1
    col = col.reshape(n, out_h, out_w, c, filter_h, filter_w).transpose(0, 3, 4, 5, 1, 2)
    img = np.zeros((n, c, h + 2 * pad + stride - 1, w + 2 * pad + stride - 1), dtype=col.dtype)
    for yy in range(filter_h):
        y_max = yy + stride * out_h
        for xx in range(filter_w):
            x_max = xx + stride * out_w
            img[:, :, yy:y_max:stride, xx:x_max:stride] += col[:, :, yy, xx, :, :]
    return img[:, :, pad:h + pad, pad:w + pad]


def softmax(x):
    x = x - np.max(x, axis=-1, keepdims=True)
    return np.exp(x) / np.sum(np.exp(x), axis=-1, keepdims=True)


def cross_entropy_error(y, t):
    batch_size = y.shape[0]
    return -np.sum(np.log(y[np.arange(batch_size), t] + 1e-7)) / batch_size


class Relu:
    def forward(self, x):
        self.mask = x <= 0
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dout[self.mask] = 0
        return dout


class Affine:
    def __init__(self, w, b):
        self.W, self.b = w, b

    def forward(self, x):
        self.original_x_shape = x.shape
        self.x = x.reshape(x.shape[0], -1)
        return np.dot(self.x, self.W) + self.b

    def backward(self, dout):
        dx = np.dot(dout, self.W.T)
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)
        return dx.reshape(*self.original_x_shape)


class SoftmaxWithLoss:
    def forward(self, x, t):
        self.t = t
        self.y = softmax(x)
        return cross_entropy_error(self.y, self.t)

    def backward(self):
        batch_size = self.t.shape[0]
        dx = self.y.copy()
        dx[np.arange(batch_size), self.t] -= 1
        return dx / batch_size


class Convolution:
    def __init__(self, w, b, stride=1, pad=0):
        self.W, self.b, self.stride, self.pad = w, b, stride, pad

    def forward(self, x):
        fn, c, fh, fw = self.W.shape
        n, c, h, w = x.shape
        out_h = 1 + (h + 2 * self.pad - fh) // self.stride
        out_w = 1 + (w + 2 * self.pad - fw) // self.stride
        col = im2col(x, fh, fw, self.stride, self.pad)
        col_w = self.W.reshape(fn, -1).T
        out = np.dot(col, col_w) + self.b
        out = out.reshape(n, out_h, out_w, -1).transpose(0, 3, 1, 2)
        self.x, self.col, self.col_W = x, col, col_w
        return out

    def backward(self, dout):
        fn, c, fh, fw = self.W.shape
        dout = dout.transpose(0, 2, 3, 1).reshape(-1, fn)
        self.db = np.sum(dout, axis=0)
        self.dW = np.dot(self.col.T, dout).transpose(1, 0).reshape(fn, c, fh, fw)
        dcol = np.dot(dout, self.col_W.T)
        return col2im(dcol, self.x.shape, fh, fw, self.stride, self.pad)


class Pooling:
    def __init__(self, pool_h, pool_w, stride=2, pad=0):
        self.pool_h, self.pool_w, self.stride, self.pad = pool_h, pool_w, stride, pad

    def forward(self, x):
        n, c, h, w = x.shape
        out_h = 1 + (h - self.pool_h) // self.stride
        out_w = 1 + (w - self.pool_w) // self.stride
        col = im2col(x, self.pool_h, self.pool_w, self.stride, self.pad)
        col = col.reshape(-1, self.pool_h * self.pool_w)
        self.arg_max = np.argmax(col, axis=1)
        out = np.max(col, axis=1)
        self.x = x
        return out.reshape(n, out_h, out_w, c).transpose(0, 3, 1, 2)

    def backward(self, dout):
        dout = dout.transpose(0, 2, 3, 1)
        pool_size = self.pool_h * self.pool_w
        dmax = np.zeros((dout.size, pool_size), dtype=dout.dtype)
        dmax[np.arange(self.arg_max.size), self.arg_max.flatten()] = dout.flatten()
        dmax = dmax.reshape(dout.shape + (pool_size,))
        dcol = dmax.reshape(dmax.shape[0] * dmax.shape[1] * dmax.shape[2], -1)
        return col2im(dcol, self.x.shape, self.pool_h, self.pool_w, self.stride, self.pad)


class TextbookSimpleConvNet:
    """The book's SimpleConvNet (weight_init_std 0.01) with its arrays in ``dtype``."""

    def __init__(self, dtype, weight_init_std=0.01):
        rng = np.random.default_rng(0)

        def init(*shape):
            return (weight_init_std * rng.standard_normal(shape)).astype(dtype)
        pooled = FILTERS * 12 * 12
        self.params = {"W1": init(FILTERS, 1, KERNEL, KERNEL), "b1": np.zeros(FILTERS, dtype),
                       "W2": init(pooled, HIDDEN), "b2": np.zeros(HIDDEN, dtype),
                       "W3": init(HIDDEN, CLASSES), "b3": np.zeros(CLASSES, dtype)}
        p = self.params
        self.layers = [Convolution(p["W1"], p["b1"]), Relu(), Pooling(2, 2, stride=2),
                       Affine(p["W2"], p["b2"]), Relu(), Affine(p["W3"], p["b3"])]
        self.last_layer = SoftmaxWithLoss()

    def gradient(self, x, t):
        for layer in self.layers:
            x = layer.forward(x)
        self.last_layer.forward(x, t)
        dout = self.last_layer.backward()
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        conv, aff1, aff2 = self.layers[0], self.layers[3], self.layers[5]
        return {"W1": conv.dW, "b1": conv.db, "W2": aff1.dW, "b2": aff1.db,
                "W3": aff2.dW, "b3": aff2.db}


class TextbookAdam:
    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999):
        self.lr, self.beta1, self.beta2 = lr, beta1, beta2
        self.iter, self.m, self.v = 0, None, None

    def update(self, params, grads):
        if self.m is None:
            self.m = {k: np.zeros_like(v) for k, v in params.items()}
            self.v = {k: np.zeros_like(v) for k, v in params.items()}
        self.iter += 1
        lr_t = self.lr * np.sqrt(1.0 - self.beta2 ** self.iter) / (1.0 - self.beta1 ** self.iter)
        for key in params:
            self.m[key] += (1 - self.beta1) * (grads[key] - self.m[key])
            self.v[key] += (1 - self.beta2) * (grads[key] ** 2 - self.v[key])
            params[key] -= lr_t * self.m[key] / (np.sqrt(self.v[key]) + 1e-7)


# --- child process: one contender, one timed epoch ---------------------------------------

def _proc_status_mb(field: str) -> float | None:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 2**10  # kB
    except (OSError, ValueError, IndexError):
        pass
    return None


def _peak_rss_mb() -> float | None:
    # VmHWM is this program's own high-water mark; ru_maxrss can carry over the parent's
    # across fork + exec on Linux.
    peak = _proc_status_mb("VmHWM")
    if peak is not None:
        return peak
    try:
        import resource
    except ImportError:  # Windows
        try:
            import psutil

            return psutil.Process().memory_info().peak_wset / 2**20
        except (ImportError, AttributeError):
            return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10  # bytes vs KiB


def _load() -> str:
    try:
        return " ".join(f"{v:.2f}" for v in os.getloadavg())
    except (AttributeError, OSError):
        return "n/a"


def child(name: str, samples: int, threads: int, warmup_steps: int) -> dict:
    from threadpoolctl import threadpool_limits

    x, y = synthetic_mnist(samples, image=True)
    with threadpool_limits(limits=threads):
        if name.startswith("engine"):
            epoch, warm_up = engine_contender(x, y, tune=name == "engine")
        elif name == "torch":
            epoch, warm_up = torch_contender(x, y, threads)
        else:
            epoch, warm_up = textbook_contender(
                x, y, np.float32 if name == "textbook32" else np.float64)
        warm_up(warmup_steps)
        rss_before = _proc_status_mb("VmRSS")
        t0 = time.perf_counter()
        epoch()
        seconds = time.perf_counter() - t0
    return {"seconds": seconds, "rss_before_mb": rss_before, "peak_rss_mb": _peak_rss_mb()}


def run_child(name: str, samples: int, args) -> dict:
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(args.threads)
    cmd = [sys.executable, __file__, "--child", name, "--samples", str(samples),
           "--threads", str(args.threads), "--warmup-steps", str(args.warmup_steps)]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"{name} failed:\n{out.stderr.strip()}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- parent: rounds over the contenders, then the table ----------------------------------

def result_lines(rows: list[tuple[str, list[float], float]]) -> list[str]:
    ref = min(rows[0][1])
    lines = ["| contender | min s | median s | max s | time / engine | peak RSS MB |",
             "|---|---:|---:|---:|---:|---:|"]
    for name, times, peak in rows:
        lo, med, hi = min(times), statistics.median(times), max(times)
        mem = f"{peak:.0f}" if peak is not None else "n/a"
        lines.append(f"| {name} | {lo:.2f} | {med:.2f} | {hi:.2f} | {lo / ref:.2f} | {mem} |")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3, help="timed epochs per contender")
    ap.add_argument("--samples", type=int, default=60_000)
    ap.add_argument("--textbook-samples", type=int, default=0,
                    help="time the textbook version on this many images and scale to "
                         "--samples (0: all of them)")
    ap.add_argument("--skip-textbook", action="store_true")
    ap.add_argument("--skip-torch", action="store_true")
    ap.add_argument("--warmup-steps", type=int, default=20,
                    help="untimed batches before each timed epoch")
    ap.add_argument("--untuned-allocator", action="store_true",
                    help="also time the engine with glibc's default malloc thresholds")
    add_out_argument(ap)
    ap.add_argument("--child", choices=sorted(CONTENDERS), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.samples, args.threads, args.warmup_steps)))
        return

    names = ["engine"] + (["engine-untuned"] if args.untuned_allocator else [])
    if not args.skip_torch:
        try:
            import torch  # noqa: F401
        except ImportError:
            print("PyTorch not installed: pip install -e '.[bench]' to compare with it")
        else:
            names.append("torch")
    if not args.skip_textbook:
        names += ["textbook32", "textbook64"]
    tb_samples = min(args.textbook_samples or args.samples, args.samples)
    sizes = {n: tb_samples if n.startswith("textbook") else args.samples for n in names}

    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=args.threads):
        print_machine()
    print(f"SimpleConvNet epoch: {args.samples} synthetic 1x28x28 images, conv {FILTERS}@"
          f"{KERNEL}x{KERNEL} - relu - maxpool 2 - dense {HIDDEN} - relu - dense {CLASSES}, "
          f"Adam {LR}, batch {BATCH}, {args.threads} threads, {args.repeats} epochs each "
          f"(one fresh process per epoch, {args.warmup_steps} warm-up batches)")
    if tb_samples != args.samples and not args.skip_textbook:
        print(f"textbook versions timed on {tb_samples} images and scaled x"
              f"{args.samples / tb_samples:g} to {args.samples}")
    print(f"load average before: {_load()}\n")
    results: dict[str, list[dict]] = {n: [] for n in names}
    for _ in range(args.repeats):
        for n in names:
            results[n].append(run_child(n, sizes[n], args))
    rows = []
    for n in names:
        scale = args.samples / sizes[n]
        label = CONTENDERS[n] + (f", scaled from {sizes[n]}" if scale != 1 else "")
        peaks = [r["peak_rss_mb"] for r in results[n] if r["peak_rss_mb"] is not None]
        rows.append((label, [r["seconds"] * scale for r in results[n]],
                     max(peaks) if peaks else None))
    publish(result_lines(rows), args.out)
    before = [r["rss_before_mb"] for r in results["engine"] if r["rss_before_mb"]]
    data_mb = args.samples * 28 * 28 * 4 / 2**20  # MB here and in the table: 2**20 bytes
    if before:
        print(f"\nengine: RSS {min(before):.0f} MB before its epoch (of which the "
              f"{args.samples} images: {data_mb:.0f} MB); peak RSS is each child process's "
              "high-water mark (VmHWM)")
    print(f"load average after: {_load()}")


if __name__ == "__main__":
    main()
