"""Shared helpers of the benchmarks: machine description, repeated timing, thread limits,
and the 10 ms timer whose lateness measures a window's event loop."""

from __future__ import annotations

import os
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np


def machine_info() -> dict:
    """Cores, CPU model, Python/NumPy versions and the BLAS NumPy uses (threadpoolctl)."""
    from threadpoolctl import threadpool_info

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    blas = [f"{i.get('internal_api')} {i.get('version')} ({i.get('architecture')}, "
            f"{i.get('num_threads')} threads)" for i in threadpool_info()
            if i.get("user_api") == "blas"]
    info = {"cores": os.cpu_count(), "cpu": cpu, "python": platform.python_version(),
            "numpy": np.__version__, "blas": "; ".join(blas) or "unknown"}
    try:
        import torch

        info["torch"] = torch.__version__
    except ImportError:
        info["torch"] = "not installed"
    return info


def print_machine(info: dict | None = None) -> None:
    info = info or machine_info()
    print("machine: " + ", ".join(f"{k} {v}" for k, v in info.items()))


def time_runs(fn: Callable[[], object], repeats: int, warmup: int = 0) -> list[float]:
    """Wall-clock seconds of ``repeats`` calls of ``fn`` after ``warmup`` untimed calls."""
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def interleaved_runs(fns: list[Callable[[], object]], repeats: int,
                     warmup: int = 0) -> list[list[float]]:
    """Wall-clock seconds of each of ``fns``, called in turn ``repeats`` times (after
    ``warmup`` untimed rounds): one list of times per function."""
    for _ in range(warmup):
        for fn in fns:
            fn()
    out: list[list[float]] = [[] for _ in fns]
    for _ in range(repeats):
        for fn, times in zip(fns, out):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
    return out


def summary(times: list[float]) -> tuple[float, float, float]:
    return min(times), statistics.median(times), max(times)


def table_lines(rows: list[tuple[str, list[float]]], reference: str) -> list[str]:
    """Min/median/max per contender and the ratio of its minimum to ``reference``'s."""
    ref = min(dict(rows)[reference])
    lines = ["| contender | min s | median s | max s | time / engine |",
             "|---|---:|---:|---:|---:|"]
    for name, times in rows:
        lo, med, hi = summary(times)
        lines.append(f"| {name} | {lo:.3f} | {med:.3f} | {hi:.3f} | {lo / ref:.2f} |")
    return lines


def publish(lines: list[str], out: str | None) -> None:
    """Print a results table and, with ``--out``, write it as the file README quotes
    (``tests/test_readme.py`` checks that README holds exactly that table)."""
    text = "\n".join(lines) + "\n"
    print(text, end="")
    if out:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_text(text, encoding="utf-8")


def add_out_argument(ap) -> None:
    ap.add_argument("--out", metavar="FILE.md",
                    help="also write the table to this file (README quotes "
                         "docs/results/<script>.md)")


def synthetic_mnist(n: int = 60_000, seed: int = 0, image: bool = True):
    """Random MNIST-shaped float32 data in [0, 1] and int64 labels 0-9."""
    rng = np.random.default_rng(seed)
    shape = (n, 1, 28, 28) if image else (n, 784)
    return rng.random(shape, dtype=np.float32), rng.integers(0, 10, n)


class LatenessProbe:
    """A 10 ms precise timer; ``stop()`` gives its lateness percentiles (ms) since
    ``start()``, ``lateness()`` each tick's."""

    def __init__(self) -> None:
        from PySide6.QtCore import QElapsedTimer, Qt, QTimer

        self.clock = QElapsedTimer()
        self.stamps: list[int] = []
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(10)
        self.timer.timeout.connect(lambda: self.stamps.append(self.clock.nsecsElapsed()))

    def start(self) -> None:
        self.stamps.clear()
        self.clock.start()
        self.timer.start()

    def stop(self) -> dict:
        self.timer.stop()
        return lateness_stats(self.lateness())

    def lateness(self) -> list[float]:
        """How late (ms) each tick since ``start`` came."""
        import numpy as np

        gaps = np.diff(np.array(self.stamps, dtype=np.float64)) / 1e6
        return list(np.maximum(gaps - 10.0, 0.0))


def lateness_stats(late) -> dict:
    """p50, p99 and max (ms) of the lateness of a 10 ms timer's ticks, and their count."""
    import numpy as np

    late = np.asarray(late, dtype=np.float64)
    return {"timer_p50_ms": float(np.percentile(late, 50)),
            "timer_p99_ms": float(np.percentile(late, 99)),
            "timer_max_ms": float(late.max()), "timer_ticks": len(late)}
