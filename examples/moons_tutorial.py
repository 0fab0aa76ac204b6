"""Denny Britz's "Implementing a Neural Network from Scratch in Python" (2015), with the engine.

The tutorial's data (``make_moons(200, noise=0.20)`` after ``np.random.seed(0)``), network
(2 inputs, one tanh hidden layer, softmax over 2 outputs), initial weights and training
(20,000 full-batch gradient-descent passes with L2) are reproduced for the hidden sizes the
tutorial tries, next to its logistic-regression baseline.

    python examples/moons_tutorial.py                  # all sizes, 20,000 passes
    python examples/moons_tutorial.py --passes 3000 --hidden 3
    python examples/moons_tutorial.py --reference      # also run the tutorial's own code
    python examples/moons_tutorial.py --plot moons.png # decision boundaries (matplotlib)

Translating the tutorial's update into the engine's terms. The tutorial sums gradients over
its N = 200 samples and adds ``reg_lambda * W`` before stepping with ``epsilon``:

    W -= epsilon * (sum_i g_i + reg_lambda * W)

The engine's losses are means over the batch and its L2 penalty is ``l2/2 * sum W^2`` on
weights only (biases are free, as in the tutorial), so an SGD step is

    W -= lr * (mean_i g_i + l2 * W) = lr * (sum_i g_i / N + l2 * W)

Matching the two term by term: ``lr * mean_i g_i = epsilon * sum_i g_i`` gives
``lr = epsilon * N = 0.01 * 200 = 2.0``, and ``lr * l2 = epsilon * reg_lambda`` gives
``l2 = reg_lambda / N = 0.01 / 200 = 5e-5``. The tutorial's reported loss,
``(sum_i CE_i + reg_lambda/2 * sum W^2) / N``, is then exactly the engine's mean data loss
plus its penalty ``l2/2 * sum W^2``.

The tutorial's initial weights, ``randn(2, h)/sqrt(2)`` and ``randn(h, 2)/sqrt(h)``, are
draws from the engine's "xavier" initialiser (N(0, 1/fan_in)). By default the model is
built with ``init="xavier"`` and then given the tutorial's own draw (``np.random.seed(0)``
before each model, as the tutorial does), so both runs start from the same weights;
``--engine-init`` keeps the engine's seeded draw instead.

Both runs print the tutorial's numbers for h = 3: loss 0.432387 after the first pass and
0.068947 after 1,001 passes, agreeing to 1e-14 for the first ~1,000 passes. At
``lr = 2.0`` full-batch descent then does not settle on a point: the loss ends up
alternating between two values on successive passes (a 2-cycle, 0.0708 and 0.0713 for
h = 3), and where on that cycle a given pass lands depends on floating-point rounding, so
it differs between BLAS libraries and between the engine and the tutorial's code.
Runs of the tutorial's code published online print 0.070758 for iterations 3000-19000;
the table shows the loss after the last pass and after the one before it, the two values.
With 2 hidden units the run never settles (the loss wanders between about 0.27 and 0.37
in both implementations), so its final numbers are whatever pass 20,000 happens to hit.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from engine.baseline import LogisticBaseline
from engine.build import build_model
from engine.optimizers import make_optimizer
from engine.spec import RunConfig

HIDDEN_SIZES = (1, 2, 3, 4, 5, 20, 50)
SAMPLES = 200
EPSILON = 0.01     # the tutorial's learning rate, on summed gradients
REG_LAMBDA = 0.01  # the tutorial's regularisation strength, on summed gradients
LR = EPSILON * SAMPLES      # 2.0: the same step on mean gradients
L2 = REG_LAMBDA / SAMPLES   # 5e-5: the same penalty next to a mean data loss


def tutorial_data() -> tuple[np.ndarray, np.ndarray]:
    """The tutorial's moons: X float64 (200, 2), y int64 (200,).

    ``random_state=0`` draws the same points as ``np.random.seed(0)`` followed by
    ``make_moons(200, noise=0.20)`` (scikit-learn falls back to the global RandomState,
    which the seed resets to the state ``RandomState(0)`` starts in).
    """
    from sklearn.datasets import make_moons

    X, y = make_moons(SAMPLES, noise=0.20, random_state=0)
    return X.astype(np.float64), y.astype(np.int64)


def tutorial_initial_weights(hidden: int) -> tuple[np.ndarray, np.ndarray]:
    """W1 (2, hidden) and W2 (hidden, 2) exactly as the tutorial's ``build_model`` draws
    them (it reseeds NumPy's global generator with 0 for every model)."""
    rs = np.random.RandomState(0)
    w1 = rs.randn(2, hidden) / np.sqrt(2)
    w2 = rs.randn(hidden, 2) / np.sqrt(hidden)
    return w1, w2


def tutorial_config(hidden: int, seed: int = 0) -> RunConfig:
    """The run config of the tutorial's network and optimiser in engine units."""
    return RunConfig().with_changes(
        model={"hidden": (hidden,), "activation": "tanh", "init": "xavier",
               "loss": "softmax-ce", "dtype": "float64"},
        optim={"name": "sgd", "lr": LR, "l2": L2},
        batch_size=0, epochs=20_000, seed=seed).validate()


def build_tutorial_model(hidden: int, tutorial_init: bool = True, seed: int = 0):
    """A 2-hidden-2 tanh ``Sequential`` (float64); with ``tutorial_init`` its weights are
    replaced by the tutorial's draw (biases start at zero either way)."""
    model = build_model(tutorial_config(hidden, seed), (2,), 2)
    if tutorial_init:
        dense = [layer for layer in model.layers if "W" in layer.params]
        for layer, w in zip(dense, tutorial_initial_weights(hidden), strict=True):
            layer.params["W"][...] = w  # in place: the optimiser keys state by array name
    return model


def full_loss(model, X: np.ndarray, y: np.ndarray) -> float:
    """The tutorial's ``calculate_loss``: mean cross-entropy plus the L2 penalty."""
    return model.loss(X, y, train=False) + model.penalty(l2=L2)


def accuracy(model, X: np.ndarray, y: np.ndarray) -> float:
    return float((model.predict(X).argmax(axis=1) == y).mean())


def train_engine(X: np.ndarray, y: np.ndarray, hidden: int, passes: int,
                 tutorial_init: bool = True, seed: int = 0) -> dict:
    """Full-batch gradient descent with the engine, one pass = one update, as the tutorial
    loops. Returns the model, the loss after the last pass and the pass before, and the
    training accuracy."""
    model = build_tutorial_model(hidden, tutorial_init, seed)
    opt = make_optimizer("sgd", LR, l2=L2)
    prev = full_loss(model, X, y)
    for i in range(passes):
        if i == passes - 1:
            prev = full_loss(model, X, y)
        model.loss(X, y, train=True)
        model.backward()
        opt.step(model)
    return {"model": model, "loss": full_loss(model, X, y), "prev_loss": prev,
            "acc": accuracy(model, X, y)}


def train_reference(X: np.ndarray, y: np.ndarray, hidden: int, passes: int) -> dict:
    """The tutorial's own NumPy code (its ``build_model`` and ``calculate_loss``), for
    comparison. Returns the loss after the last pass and the one before, and accuracy."""
    n = len(X)
    w1, w2 = tutorial_initial_weights(hidden)
    b1, b2 = np.zeros((1, hidden)), np.zeros((1, 2))

    def probs() -> np.ndarray:
        a1 = np.tanh(X.dot(w1) + b1)
        e = np.exp(a1.dot(w2) + b2)
        return e / e.sum(axis=1, keepdims=True)

    def loss() -> float:
        data = -np.log(probs()[range(n), y]).sum()
        data += REG_LAMBDA / 2 * (np.square(w1).sum() + np.square(w2).sum())
        return float(data / n)

    prev = loss()
    for i in range(passes):
        if i == passes - 1:
            prev = loss()
        a1 = np.tanh(X.dot(w1) + b1)
        delta3 = probs()
        delta3[range(n), y] -= 1
        dw2 = a1.T.dot(delta3)
        db2 = delta3.sum(axis=0, keepdims=True)
        delta2 = delta3.dot(w2.T) * (1 - np.power(a1, 2))
        dw1 = X.T.dot(delta2)
        db1 = delta2.sum(axis=0)
        dw2 += REG_LAMBDA * w2
        dw1 += REG_LAMBDA * w1
        w1 += -EPSILON * dw1
        b1 += -EPSILON * db1
        w2 += -EPSILON * dw2
        b2 += -EPSILON * db2
    acc = float((probs().argmax(axis=1) == y).mean())
    return {"loss": loss(), "prev_loss": prev, "acc": acc}


def logistic_accuracy(X: np.ndarray, y: np.ndarray) -> float:
    """Training accuracy of the straight-line classifier (the tutorial's first model)."""
    return LogisticBaseline(X, y).accuracy(X, y)


def _plot(path: str, X, y, baseline: LogisticBaseline, results: dict[int, dict]) -> None:
    try:
        import matplotlib
    except ImportError:
        print("--plot needs matplotlib, which is not installed; skipping the plot",
              file=sys.stderr)
        return
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from engine.grid import decision_grid

    bounds = (X[:, 0].min() - 0.5, X[:, 0].max() + 0.5, X[:, 1].min() - 0.5,
              X[:, 1].max() + 0.5)
    panels = [("logistic regression", baseline.decision_grid(bounds, 200))]
    panels += [(f"hidden layer size {h}", decision_grid(r["model"], bounds, 200))
               for h, r in results.items()]
    cols = 4
    rows = -(-len(panels) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 3.4 * rows), squeeze=False)
    for ax in axes.flat[len(panels):]:
        ax.axis("off")
    for ax, (title, grid) in zip(axes.flat, panels):
        ax.imshow(grid[..., 1], origin="lower", extent=bounds, cmap="Spectral", vmin=0,
                  vmax=1, aspect="auto", alpha=0.8)
        ax.scatter(X[:, 0], X[:, 1], c=y, cmap="Spectral", s=10, edgecolors="k",
                   linewidths=0.3)
        ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    print(f"wrote {path}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--passes", type=int, default=20_000, help="full-batch passes (20000)")
    p.add_argument("--hidden", default=",".join(map(str, HIDDEN_SIZES)),
                   help="comma-separated hidden sizes (default: the tutorial's)")
    p.add_argument("--engine-init", action="store_true",
                   help="use the engine's seeded Xavier draw, not the tutorial's weights")
    p.add_argument("--seed", type=int, default=0, help="seed for --engine-init")
    p.add_argument("--reference", action="store_true",
                   help="also run the tutorial's own NumPy code and show its numbers")
    p.add_argument("--plot", metavar="OUT.png", help="save decision boundaries (matplotlib)")
    args = p.parse_args(argv)
    if args.passes < 1:
        p.error("--passes must be at least 1")
    try:
        sizes = [int(v) for v in args.hidden.split(",")]
    except ValueError:
        p.error(f"--hidden expects comma-separated integers, got {args.hidden!r}")

    X, y = tutorial_data()
    baseline = LogisticBaseline(X, y)
    print(f"moons: {len(X)} points (noise 0.20), {args.passes} full-batch passes, "
          f"SGD lr {LR:g} with L2 {L2:g} (= epsilon {EPSILON}, reg_lambda {REG_LAMBDA} on "
          f"summed gradients), initial weights: "
          f"{'engine xavier, seed ' + str(args.seed) if args.engine_init else 'tutorial'}")
    print(f"logistic regression (a straight line): training accuracy "
          f"{baseline.accuracy(X, y):.3f}\n")
    header = "| hidden | loss | loss one pass earlier | train acc | seconds |"
    rule = "|---:|---:|---:|---:|---:|"
    if args.reference:
        header += " tutorial code: loss | tutorial code: acc |"
        rule += "---:|---:|"
    print(header)
    print(rule)
    results = {}
    for h in sizes:
        t0 = time.perf_counter()
        r = train_engine(X, y, h, args.passes, not args.engine_init, args.seed)
        seconds = time.perf_counter() - t0
        results[h] = r
        row = (f"| {h} | {r['loss']:.4f} | {r['prev_loss']:.4f} | {r['acc']:.3f} | "
               f"{seconds:.1f} |")
        if args.reference:
            ref = train_reference(X, y, h, args.passes)
            row += f" {ref['loss']:.4f} | {ref['acc']:.3f} |"
        print(row, flush=True)
    print("\nThe tutorial's printout for hidden size 3 settles at a loss of about 0.0708 "
          "(0.432387 after the first pass, 0.068947 after 1,001).")
    if args.plot:
        _plot(args.plot, X, y, baseline, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
