"""The optimiser comparison of "Deep Learning from Scratch" (fig. 6-8), with the engine's
optimisers: 30 steps on f(x, y) = x²/20 + y² from (-7, 2) (``engine.optimizer_paths``,
the lab's surfaces and stepper).

The function is 20 times steeper in y than in x, so plain SGD zig-zags across the valley
while crawling along it; momentum overshoots and swings back; AdaGrad damps the steep
direction; Adam combines both. The minimum is at (0, 0).

    python examples/optimizer_paths.py
    python examples/optimizer_paths.py --steps 100
    python examples/optimizer_paths.py --plot paths.png   # needs matplotlib
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from engine.optimizer_paths import BOOK_RATES, SURFACES, optimizer_path, surface_grid

NAMES = {"sgd": "SGD", "momentum": "Momentum", "adagrad": "AdaGrad", "adam": "Adam"}


def paths(steps: int = 30) -> dict[str, np.ndarray]:
    """Optimiser name -> points (steps + 1, 2) visited, at the book's learning rates."""
    return {name: optimizer_path(name, lr, steps) for name, lr in BOOK_RATES.items()}


def f(p: np.ndarray) -> float:
    return float(SURFACES["book"].value(p[0], p[1]))


def table(found: dict[str, np.ndarray]) -> str:
    """The paths' final points as README's Markdown table."""
    rows = ["| optimiser | lr | final x | final y | distance to (0, 0) | f(final) |",
            "|---|---:|---:|---:|---:|---:|"]
    for name, path in found.items():
        end = path[-1]
        rows.append(f"| {NAMES[name]} | {BOOK_RATES[name]:g} | {end[0]:.4f} | {end[1]:.4f} | "
                    f"{np.hypot(*end):.4f} | {f(end):.2e} |")
    return "\n".join(rows)


def _plot(out: str, found: dict[str, np.ndarray]) -> None:
    try:
        import matplotlib
    except ImportError:
        print("--plot needs matplotlib, which is not installed; skipping the plot",
              file=sys.stderr)
        return
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    xs, ys, zs = surface_grid(SURFACES["book"], 201)
    fig, axes = plt.subplots(2, 2, figsize=(10, 7))
    for ax, (name, path) in zip(axes.flat, found.items()):
        ax.contour(xs, ys, zs, levels=np.geomspace(0.05, 20, 12), colors="0.75",
                   linewidths=0.8)
        ax.plot(path[:, 0], path[:, 1], "o-", color="tab:red", ms=3, lw=1)
        ax.plot(0, 0, "+", color="k", ms=10)
        ax.set_xlim(-10, 10)
        ax.set_ylim(-5, 5)
        ax.set_title(f"{NAMES[name]} (lr {BOOK_RATES[name]:g})")
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    print(f"wrote {out}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--steps", type=int, default=30, help="optimiser steps (default 30)")
    p.add_argument("--plot", metavar="OUT.png", help="save the four paths (matplotlib)")
    args = p.parse_args(argv)
    if args.steps < 1:
        p.error("--steps must be at least 1")
    found = paths(args.steps)
    print(f"f(x, y) = x^2/20 + y^2 from (-7, 2), {args.steps} steps; minimum at (0, 0)\n")
    print(table(found))
    if args.plot:
        _plot(args.plot, found)
    return 0


if __name__ == "__main__":
    sys.exit(main())
