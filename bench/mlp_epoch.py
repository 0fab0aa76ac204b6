"""One MLP epoch (784-100-10 ReLU, Adam 1e-3, batch 100) on 60,000 synthetic MNIST-shaped
samples: the engine beside scikit-learn's MLPClassifier and, if installed, PyTorch CPU, at
the same BLAS thread count, one epoch of each in turn per round (so a shared machine's
drifting speed falls on all of them alike). Prints min/median/max and ratios.

    python bench/mlp_epoch.py [--threads 2] [--repeats 5] [--samples 60000]
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (  # noqa: E402
    add_out_argument,
    interleaved_runs,
    print_machine,
    publish,
    synthetic_mnist,
    table_lines,
)

BATCH, HIDDEN, LR = 100, 100, 1e-3


def engine_epoch(x, y):
    from engine import RunConfig, Trainer, build_model, tune_allocator
    from engine.optimizers import make_optimizer

    tune_allocator()  # what the CLI and the app do (see engine/_malloc.py)

    cfg = RunConfig().with_changes(data={"name": "mnist-sample"},
                                   model={"hidden": (HIDDEN,), "activation": "relu"})
    model = build_model(cfg, x.shape[1:], 10)
    trainer = Trainer(model, make_optimizer("adam", LR), x, y, batch_size=BATCH,
                      rng=np.random.default_rng(0))
    return trainer.run_epoch


def sklearn_epoch(x, y):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    flat = x.reshape(len(x), -1)

    def run():
        clf = MLPClassifier(hidden_layer_sizes=(HIDDEN,), activation="relu", solver="adam",
                            learning_rate_init=LR, batch_size=BATCH, max_iter=1, alpha=0.0,
                            random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(flat, y)
    return run


def torch_epoch(x, y, threads):
    import torch

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    xt = torch.from_numpy(x.reshape(len(x), -1))
    yt = torch.from_numpy(y)
    net = torch.nn.Sequential(torch.nn.Linear(784, HIDDEN), torch.nn.ReLU(),
                              torch.nn.Linear(HIDDEN, 10))
    opt = torch.optim.Adam(net.parameters(), lr=LR)
    loss_fn = torch.nn.CrossEntropyLoss()

    def run():
        perm = torch.randperm(len(xt))
        for i in range(0, len(xt), BATCH):
            idx = perm[i:i + BATCH]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(net(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
    return run


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--samples", type=int, default=60_000)
    add_out_argument(ap)
    args = ap.parse_args()
    x, y = synthetic_mnist(args.samples, image=False)
    with threadpool_limits(limits=args.threads, user_api="blas"):
        print_machine()
        print(f"MLP epoch: {args.samples} samples 784-{HIDDEN}-10 ReLU, Adam {LR}, batch "
              f"{BATCH}, {args.threads} threads, {args.repeats} rounds (1 warm-up); each round "
              f"times one epoch of every contender in turn\n")
        contenders = [("engine (float32)", engine_epoch(x, y)),
                      ("sklearn MLPClassifier (float32)", sklearn_epoch(x, y))]
        try:
            import torch  # noqa: F401
        except ImportError:
            print("PyTorch not installed: pip install -e '.[bench]' to compare with it")
        else:
            contenders.append(("PyTorch CPU (float32)", torch_epoch(x, y, args.threads)))
        times = interleaved_runs([run for _, run in contenders], args.repeats, warmup=1)
    publish(table_lines([(name, t) for (name, _), t in zip(contenders, times)], "engine (float32)"),
            args.out)


if __name__ == "__main__":
    main()
