"""What the MNIST page's "Inside the network" window costs (a benchmark, not a test).

    python bench/mnist_inside.py [--repeats 20]

For each of the page's models (defaults of its controls) on the built-in sample: one
statistics payload (``playground.mnist.inside.stats_payload`` on the probe batch the
worker uses: 128 images, 32 for the DeepConvNet) as the median of ``--repeats`` calls,
and one gradient check (``playground.mnist.inside.gradient_check`` on 3 images), in ms,
on one BLAS thread (as the worker and the check's thread run them). The worker waits at
least three times a payload's cost between two payloads while training.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import print_machine  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=20)
    args = ap.parse_args()
    import numpy as np
    from threadpoolctl import threadpool_limits

    from engine.build import build_model
    from engine.serialize import model_state
    from playground.mnist import inside
    from playground.mnist.sources import DataRequest, load_source, make_config

    print_machine()
    data = load_source(DataRequest("sample"))
    cx, cy = data.x_train[:inside.CHECK_SAMPLES], data.y_train[:inside.CHECK_SAMPLES]
    with threadpool_limits(1):
        for preset in ("mlp", "simple-cnn", "deep-cnn"):
            model = build_model(make_config(preset=preset), data.input_shape,
                                data.n_classes, rng=np.random.default_rng(0))
            x, y = inside.probe_batch(data.x_train, data.y_train, inside.probe_size(model))
            inside.stats_payload(model, x, y)  # warm-up
            times = []
            for _ in range(args.repeats):
                t = time.perf_counter()
                inside.stats_payload(model, x, y)
                times.append(time.perf_counter() - t)
            spec, weights = model_state(model)
            t = time.perf_counter()
            result = inside.gradient_check(spec, weights, cx, cy)
            check = time.perf_counter() - t
            median = 1000 * statistics.median(times)
            print(f"{preset:10s}  payload ({len(x)} images) {median:7.1f} ms "
                  f"(min {1000 * min(times):.1f})  gradient check {1000 * check:7.0f} ms "
                  f"({'pass' if result['passed'] else 'FAIL'})")


if __name__ == "__main__":
    main()
