"""XOR with a 2-2-1 sigmoid network: when it learns, when it predicts 0.5 everywhere, and
how often two hidden units get stuck.

The four points (0,0), (0,1), (1,0), (1,1) with labels 0, 1, 1, 0 cannot be split by one
line, so the network needs its hidden layer. The network is the classic one: two sigmoid
hidden units and ONE sigmoid output unit. The output's sigmoid lives in the engine's
``sigmoid-bce`` loss (binary cross-entropy on the output's logit, the usual pairing for a
sigmoid output; the 1986 back-propagation paper used squared error, which learns the same
function more slowly because its gradient vanishes when the output saturates). Training is
full-batch gradient descent (SGD on all four points), float64.

    python examples/xor_sigmoid.py               # both settings, then 20 seeds each
    python examples/xor_sigmoid.py --seeds 50

Two settings:

* too small: lr 0.05 for 200 epochs. The first thing gradient descent learns is the
  output's bias: the outputs move from wherever the random start put them (0.3-0.7) to
  about 0.5, the fraction of 1-labels in the data, and stay on that plateau (still there
  after 2,000 epochs at this rate). This is the familiar "my XOR network outputs 0.5 for
  everything" question: the network predicts the class ratio for every sample because it
  has not trained fast or long enough to put its hidden units to use.
* learnable: lr 2.0 for 2,000 epochs. Most seeds learn XOR (outputs within 0.1 of
  0 and 1); a few end in the well-known local minimum of the 2-2-1 network, which gets two
  of the points right and outputs 0.5 for the other two (loss ln(2)/2 = 0.347) however
  long it trains. More hidden units (``--hidden 3``) make this rarer.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from engine.activations import sigmoid
from engine.build import build_model
from engine.optimizers import make_optimizer
from engine.spec import RunConfig

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
Y = np.array([0, 1, 1, 0], dtype=np.int64)

#: name -> (learning rate, epochs)
SETTINGS = {"too small": (0.05, 200), "learnable": (2.0, 2000)}
#: an output counts as learned when it is this close to its target
TOLERANCE = 0.1
#: outputs this close to 0.5 (the class ratio) count as "predicts 0.5 for everything"
NEAR_HALF = 0.05


def xor_config(lr: float, epochs: int, seed: int = 0, hidden: int = 2) -> RunConfig:
    """2-hidden-1 sigmoid network, sigmoid output with cross-entropy, full-batch SGD."""
    return RunConfig().with_changes(
        data={"samples": 4},
        model={"hidden": (hidden,), "activation": "sigmoid", "loss": "sigmoid-bce",
               "init": "xavier", "dtype": "float64"},
        optim={"name": "sgd", "lr": lr}, batch_size=0, epochs=epochs, seed=seed).validate()


def train_xor(lr: float, epochs: int, seed: int = 0, hidden: int = 2) -> dict:
    """Train on the four XOR points; return the outputs P(class 1) (4,), the mean loss, and
    whether the network learned XOR (every output within ``TOLERANCE`` of its label)."""
    config = xor_config(lr, epochs, seed, hidden)
    model = build_model(config, (2,), 2)  # one output: the logit of class 1
    opt = make_optimizer("sgd", lr)
    for _ in range(epochs):  # one full-batch step per epoch
        model.loss(X, Y, train=True)
        model.backward()
        opt.step(model)
    out = sigmoid(model.predict(X))[:, 0]
    loss = model.loss(X, Y, train=False)
    return {"outputs": out, "loss": loss,
            "learned": bool(np.abs(out - Y).max() < TOLERANCE),
            "near_half": bool(np.abs(out - 0.5).max() < NEAR_HALF)}


def seed_sweep(lr: float, epochs: int, seeds: int, hidden: int = 2) -> dict:
    """Train with seeds 0..seeds-1: the seeds that learned XOR, those that did not, and how
    many ended with all four outputs near 0.5."""
    learned, failed, near_half = [], [], 0
    for s in range(seeds):
        r = train_xor(lr, epochs, s, hidden)
        (learned if r["learned"] else failed).append(s)
        near_half += r["near_half"]
    return {"learned": learned, "failed": failed, "near_half": near_half}


def _fmt_seeds(seeds: list[int], total: int) -> str:
    if len(seeds) == total:
        return "all"
    return ", ".join(map(str, seeds)) if seeds else "none"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seeds", type=int, default=20, help="seeds per setting (default 20)")
    p.add_argument("--seed", type=int, default=0, help="seed of the per-point table")
    p.add_argument("--hidden", type=int, default=2, help="hidden units (default 2)")
    args = p.parse_args(argv)
    if args.seeds < 1 or args.hidden < 1:
        p.error("--seeds and --hidden must be at least 1")

    print(f"XOR, 2-{args.hidden}-1 sigmoid network, sigmoid-bce loss, full-batch SGD, "
          f"seed {args.seed}\n")
    runs = {name: train_xor(lr, ep, args.seed, args.hidden)
            for name, (lr, ep) in SETTINGS.items()}
    cols = [f"{name} (lr {lr:g}, {ep} epochs)" for name, (lr, ep) in SETTINGS.items()]
    print("| x1 | x2 | target | " + " | ".join(cols) + " |")
    print("|---:|---:|---:|" + "---:|" * len(cols))
    for i, (x, t) in enumerate(zip(X, Y)):
        outs = " | ".join(f"{r['outputs'][i]:.3f}" for r in runs.values())
        print(f"| {x[0]:.0f} | {x[1]:.0f} | {t} | {outs} |")
    losses = " | ".join(f"{r['loss']:.4f}" for r in runs.values())
    print(f"| | | loss | {losses} |")

    print(f"\nSeeds 0-{args.seeds - 1}: a seed learns XOR when all four outputs are within "
          f"{TOLERANCE} of their targets; 'all near 0.5' counts seeds whose four outputs are "
          f"all within {NEAR_HALF} of 0.5.\n")
    print("| setting | lr | epochs | learned XOR | all near 0.5 | seeds that did not learn |")
    print("|---|---:|---:|---:|---:|---|")
    for name, (lr, ep) in SETTINGS.items():
        r = seed_sweep(lr, ep, args.seeds, args.hidden)
        print(f"| {name} | {lr:g} | {ep} | {len(r['learned'])}/{args.seeds} | "
              f"{r['near_half']}/{args.seeds} | {_fmt_seeds(r['failed'], args.seeds)} |",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
