"""One training epoch of the book's SimpleConvNet (Conv 30@5x5 - ReLU - MaxPool 2x2 - Dense
4320-100 - ReLU - Dense 100-10) or, with ``--model deep-cnn``, its DeepConvNet (six 3x3
convs 16,16 | 32,32 | 64,64, a 2x2 max-pool after each pair, Dense 50, dropout 0.5, Dense
10), softmax cross-entropy, Adam 1e-3, batch 100, on synthetic MNIST-shaped
images (1x28x28 float32): the engine beside PyTorch CPU (if installed) and, for
SimpleConvNet, a textbook im2col implementation ("Deep Learning from Scratch" ch. 7, in
textbook_convnet.py), at the same thread count. Prints min/median/max, ratios to the
engine and each contender's peak resident memory.

Every epoch runs in a fresh child process (so peak memory is per contender) after a short
warm-up of ``--warmup-steps`` batches; rounds cycle through the contenders so a burst of
load from other programs hits them alike. The textbook version is slow: ``--textbook-samples
6000`` times it on fewer images and scales the time linearly (the table says so).

    python bench/cnn_epoch.py [--model simple-cnn|deep-cnn] [--threads 2] [--repeats 3]
                              [--samples 60000]
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
from textbook_convnet import (  # noqa: E402
    CLASSES,
    FILTERS,
    HIDDEN,
    KERNEL,
    TextbookAdam,
    TextbookSimpleConvNet,
)

BATCH, LR = 100, 1e-3
MODELS = {
    "simple-cnn": f"SimpleConvNet (conv {FILTERS}@{KERNEL}x{KERNEL} - relu - maxpool 2 - "
                  f"dense {HIDDEN} - relu - dense {CLASSES})",
    "deep-cnn": "DeepConvNet (conv 16,16 | 32,32 | 64,64 3x3 with relu, maxpool 2 after each "
                "pair, dense 50 - relu - dropout 0.5 - dense 10)",
}
ENGINE = "engine (float32)"
CONTENDERS = {
    "engine": ENGINE,
    "engine-untuned": ENGINE + ", glibc malloc defaults",
    "torch": "PyTorch CPU (float32)",
    "textbook32": "textbook im2col (float32)",
    "textbook64": "textbook im2col (float64)",
}


# --- the contenders: each returns (epoch, warm_up(steps)) ------------------------------

def engine_contender(x, y, model_name: str, tune: bool = True):
    from engine import RunConfig, Trainer, build_model, tune_allocator
    from engine.optimizers import Adam

    if tune:
        tune_allocator()  # what the CLI and the app do; "engine-untuned" shows its gain

    if model_name == "simple-cnn":
        changes = {"preset": "simple-cnn", "hidden": (HIDDEN,), "conv_filters": FILTERS,
                   "conv_size": KERNEL}
    else:
        changes = {"preset": "deep-cnn"}
    cfg = RunConfig().with_changes(data={"name": "mnist-sample"}, model=changes)
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


def torch_net(model_name: str):
    import torch

    nn = torch.nn
    if model_name == "simple-cnn":
        return nn.Sequential(nn.Conv2d(1, FILTERS, KERNEL), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Flatten(), nn.Linear(FILTERS * 12 * 12, HIDDEN), nn.ReLU(),
                             nn.Linear(HIDDEN, CLASSES))
    layers, c_in = [], 1
    for c_out, pad, pool in ((16, 1, False), (16, 1, True), (32, 1, False), (32, 2, True),
                             (64, 1, False), (64, 1, True)):  # the book's pads: 4th is 2
        layers += [nn.Conv2d(c_in, c_out, 3, padding=pad), nn.ReLU()]
        layers += [nn.MaxPool2d(2)] if pool else []
        c_in = c_out
    # the engine's preset: no dropout after the last affine layer (the book has one)
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(64 * 4 * 4, 50), nn.ReLU(),
                         nn.Dropout(0.5), nn.Linear(50, CLASSES))


def torch_contender(x, y, threads, model_name: str):
    import torch

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    net = torch_net(model_name)
    opt = torch.optim.Adam(net.parameters(), lr=LR)
    loss_fn = torch.nn.CrossEntropyLoss()

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


def child(name: str, model_name: str, samples: int, threads: int, warmup_steps: int) -> dict:
    from threadpoolctl import threadpool_limits

    x, y = synthetic_mnist(samples, image=True)
    with threadpool_limits(limits=threads):
        if name.startswith("engine"):
            epoch, warm_up = engine_contender(x, y, model_name, tune=name == "engine")
        elif name == "torch":
            epoch, warm_up = torch_contender(x, y, threads, model_name)
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
    cmd = [sys.executable, __file__, "--child", name, "--model", args.model,
           "--samples", str(samples),
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
    ap.add_argument("--model", choices=sorted(MODELS), default="simple-cnn")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3, help="timed epochs per contender")
    ap.add_argument("--samples", type=int, default=60_000)
    ap.add_argument("--textbook-samples", type=int, default=0,
                    help="time the textbook version on this many images and scale to "
                         "--samples (0: all of them)")
    ap.add_argument("--skip-textbook", action="store_true",
                    help="(the textbook version exists for simple-cnn only)")
    ap.add_argument("--skip-torch", action="store_true")
    ap.add_argument("--warmup-steps", type=int, default=20,
                    help="untimed batches before each timed epoch")
    ap.add_argument("--untuned-allocator", action="store_true",
                    help="also time the engine with glibc's default malloc thresholds")
    add_out_argument(ap)
    ap.add_argument("--child", choices=sorted(CONTENDERS), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.model, args.samples, args.threads,
                               args.warmup_steps)))
        return

    names = ["engine"] + (["engine-untuned"] if args.untuned_allocator else [])
    if not args.skip_torch:
        try:
            import torch  # noqa: F401
        except ImportError:
            print("PyTorch not installed: pip install -e '.[bench]' to compare with it")
        else:
            names.append("torch")
    if not args.skip_textbook and args.model == "simple-cnn":
        names += ["textbook32", "textbook64"]
    tb_samples = min(args.textbook_samples or args.samples, args.samples)
    sizes = {n: tb_samples if n.startswith("textbook") else args.samples for n in names}

    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=args.threads):
        print_machine()
    print(f"{MODELS[args.model]} epoch: {args.samples} synthetic 1x28x28 images, "
          f"Adam {LR}, batch {BATCH}, {args.threads} threads, {args.repeats} epochs each "
          f"(one fresh process per epoch, {args.warmup_steps} warm-up batches)")
    if tb_samples != args.samples and "textbook32" in names:
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
