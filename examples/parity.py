"""What the two parity scripts share: the mean over seeds of both contenders, and the
run over the data sets that prints the full table and writes README's."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np


def mean_over_seeds(eng: list[dict], skl: list[dict], key: str, n_train: int,
                    n_test: int) -> dict:
    """Each contender's mean ``key`` (e.g. "test_acc") and seconds over its runs."""
    return {
        "engine": float(np.mean([r[key] for r in eng])),
        "sklearn": float(np.mean([r[key] for r in skl])),
        "engine_runs": [r[key] for r in eng],
        "sklearn_runs": [r[key] for r in skl],
        "engine_s": float(np.mean([r["seconds"] for r in eng])),
        "sklearn_s": float(np.mean([r["seconds"] for r in skl])),
        "train": n_train, "test": n_test,
    }


def run_table(names: list[str], label: Callable[[str], str], compare: Callable[..., dict],
              seeds: list[int], epochs: int, samples: int, sklearn_name: str,
              table_head: str, out: str) -> None:
    """``compare`` every data set in ``names``; print the table with timings and write
    README's (``table_head``, no timings: they vary) to ``out`` ('' for none)."""
    print(f"| dataset | train/test | engine CLI | {sklearn_name} | engine - sklearn | "
          "engine runs | sklearn runs | engine s | sklearn s |")
    print("|---|---:|---:|---:|---:|---|---|---:|---:|")
    table = [table_head, "|---|---:|---:|---:|---|---|"]
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            r = compare(name, seeds, epochs, samples, Path(tmp))
            runs_e = ", ".join(f"{a:.3f}" for a in r["engine_runs"])
            runs_s = ", ".join(f"{a:.3f}" for a in r["sklearn_runs"])
            print(f"| {label(name)} | {r['train']}/{r['test']} | {r['engine']:.3f} | "
                  f"{r['sklearn']:.3f} | {r['engine'] - r['sklearn']:+.3f} | {runs_e} | "
                  f"{runs_s} | {r['engine_s']:.1f} | {r['sklearn_s']:.1f} |", flush=True)
            table.append(f"| {label(name)} | {r['engine']:.3f} | {r['sklearn']:.3f} | "
                         f"{r['engine'] - r['sklearn']:+.3f} | {runs_e} | {runs_s} |")
    if out:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_text("\n".join(table) + "\n", encoding="utf-8")
        print(f"\nwrote {out} (README's table must equal it: tests/test_readme.py)")
