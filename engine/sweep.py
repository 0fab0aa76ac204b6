"""Hyperparameter sweeps: a base ``RunConfig``, a search space of dotted keys, and the
trials it expands to (deterministic from the seed); ``run_trial`` trains one of them.

A space dimension is ``KEY=KIND:ARGS``: ``log-uniform:LO:HI`` (10^U(log LO, log HI)),
``uniform:LO:HI``, ``choice:A|B|C`` (one drawn per trial) or ``grid:A|B|C`` (every value).
The trials are every combination of the grid values, each repeated ``trials`` times with
fresh random draws of the other dimensions (``trials`` defaults to 1 when every dimension
is a grid). Draws come from ``numpy.random.default_rng(seed)`` in trial order, so the same
spec always gives the same trials.

``run_trial`` is a plain, picklable function (no Qt, no Dask): it builds and trains the
config exactly as ``train`` does (``engine.compare.make_run``) on one BLAS thread, so a
trial's numbers are bit for bit those of ``train --config trial.json --threads 1``.
Running trials on Dask lives in ``engine.sweep_dask``.
"""

from __future__ import annotations

import itertools
import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .compare import describe_changes, nested, parse_value
from .errors import SpecError, TrainingDiverged
from .spec import RunConfig

KINDS = ("log-uniform", "uniform", "choice", "grid")
#: most trials one sweep runs.
MAX_TRIALS = 10_000
#: metrics a sweep can rank by; higher is better except for the losses.
METRICS = ("test_acc", "train_acc", "test_loss", "train_loss", "test_r2", "train_r2",
           "test_rmse", "train_rmse")


@dataclass(frozen=True)
class Dimension:
    """One key of the space: its kind and its bounds (lo, hi) or values."""

    key: str
    kind: str
    values: tuple

    def describe(self) -> str:
        if self.kind in ("choice", "grid"):
            return f"{self.key}={self.kind}:" + "|".join(_text(v) for v in self.values)
        return f"{self.key}={self.kind}:{self.values[0]:g}:{self.values[1]:g}"

    def draw(self, rng: np.random.Generator):
        lo_hi = self.values
        if self.kind == "log-uniform":
            return float(10 ** rng.uniform(math.log10(lo_hi[0]), math.log10(lo_hi[1])))
        if self.kind == "uniform":
            return float(rng.uniform(lo_hi[0], lo_hi[1]))
        return self.values[int(rng.integers(len(self.values)))]


def _text(v) -> str:
    return json.dumps(v) if not isinstance(v, str) else v


def parse_dimension(text: str) -> Dimension:
    """``optim.lr=log-uniform:1e-4:1e-1`` -> a ``Dimension``; ``SpecError`` in one
    sentence naming what is wrong."""
    key, sep, rest = text.partition("=")
    key = key.strip()
    kind, _, args = rest.partition(":")
    kind = kind.strip()
    if not sep or not key or kind not in KINDS or not args.strip():
        raise SpecError(f"--space needs KEY=KIND:ARGS with KIND one of {', '.join(KINDS)} "
                        f"(e.g. optim.lr=log-uniform:1e-4:1e-1), got {text!r}")
    if kind in ("choice", "grid"):
        values = tuple(parse_value(v.strip()) for v in args.split("|"))
        if any(v == "" for v in values):
            raise SpecError(f"an empty value in {text!r}")
        return Dimension(key, kind, values)
    parts = args.split(":")
    try:
        lo, hi = (float(p) for p in parts)
    except ValueError:
        raise SpecError(f"{kind} needs LO:HI (two numbers), got {args!r} in {text!r}") \
            from None
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise SpecError(f"{kind} needs finite LO < HI, got {args!r} in {text!r}")
    if kind == "log-uniform" and lo <= 0:
        raise SpecError(f"log-uniform needs LO > 0, got {args!r} in {text!r}")
    return Dimension(key, kind, (lo, hi))


@dataclass(frozen=True)
class Trial:
    """Trial ``index``: its ``changes`` (dotted key -> value) and validated config."""

    index: int
    changes: dict
    config: RunConfig


@dataclass(frozen=True)
class SweepSpec:
    """A sweep: ``base`` config, ``space``, ``trials`` per grid combination (None: 1 if
    every dimension is a grid, else 10), ``seed`` of the draws, ``metric`` to rank by."""

    base: RunConfig
    space: tuple[Dimension, ...]
    trials: int | None = None
    seed: int = 0
    metric: str = "test_acc"

    def __post_init__(self) -> None:
        if not self.space:
            raise SpecError("a sweep needs at least one --space KEY=KIND:ARGS")
        keys = [d.key for d in self.space]
        if len(set(keys)) != len(keys):
            raise SpecError("each --space key may be given once")
        if self.metric not in METRICS:
            raise SpecError(f"unknown metric {self.metric!r}; choose one of "
                            f"{', '.join(METRICS)}")
        if self.trials is not None and self.trials < 1:
            raise SpecError(f"trials must be at least 1, got {self.trials}")

    @property
    def lower_is_better(self) -> bool:
        return self.metric.endswith(("loss", "rmse"))

    def expand(self) -> list[Trial]:
        """The trials, in order; ``SpecError`` naming the first whose settings are invalid."""
        grid = [d for d in self.space if d.kind == "grid"]
        drawn = [d for d in self.space if d.kind != "grid"]
        repeats = self.trials if self.trials is not None else (10 if drawn else 1)
        combos = list(itertools.product(*[d.values for d in grid]))
        total = len(combos) * repeats
        if total > MAX_TRIALS:
            raise SpecError(f"{total} trials; at most {MAX_TRIALS}")
        rng = np.random.default_rng(self.seed)
        out = []
        for i in range(total):
            combo = combos[i // repeats]
            changes = {d.key: v for d, v in zip(grid, combo)}
            changes.update({d.key: d.draw(rng) for d in drawn})
            changes = {d.key: changes[d.key] for d in self.space}  # the space's order
            try:
                config = self.base.with_changes(**nested(changes)).validate()
            except (TypeError, ValueError) as e:
                raise SpecError(f"trial {i} ({describe_changes(changes)}): {e}") from None
            out.append(Trial(i, changes, config))
        return out

    def to_dict(self) -> dict:
        return {"base": self.base.to_dict(), "space": [d.describe() for d in self.space],
                "trials": self.trials, "seed": self.seed, "metric": self.metric}

    @classmethod
    def from_dict(cls, d: dict) -> SweepSpec:
        """A sweep file's content (``base``, ``space``, ``trials``, ``seed``, ``metric``)."""
        unknown = set(d) - {"base", "space", "trials", "seed", "metric"}
        if unknown:
            raise SpecError(f"unknown sweep file keys: {', '.join(sorted(unknown))}")
        base = RunConfig.from_json(json.dumps(d.get("base", {})))
        space = d.get("space", [])
        if not isinstance(space, list) or not all(isinstance(s, str) for s in space):
            raise SpecError("a sweep file's space is a list of KEY=KIND:ARGS strings")
        return cls(base, tuple(parse_dimension(s) for s in space), d.get("trials"),
                   int(d.get("seed", 0)), str(d.get("metric", "test_acc")))


def run_trial(config: RunConfig | dict, data, should_stop: Callable[[], bool] | None = None,
              check_seconds: float = 0.5, keep_weights: bool = False) -> dict:
    """Train ``config`` (a ``RunConfig`` or its dict) on ``data`` as ``train`` does, on
    one BLAS thread; the per-epoch history and the final metrics. ``should_stop`` is
    asked about every ``check_seconds`` between epochs (a cancelled sweep): the trial then
    ends early with ``"stopped": True``. A divergence is a result (``"diverged"``).
    ``keep_weights`` adds the trained model (``"state"``: ``serialize.model_state``'s
    description and arrays), for opening a trial in the playground."""
    from threadpoolctl import threadpool_limits

    from .compare import make_run

    if isinstance(config, dict):
        config = RunConfig.from_json(json.dumps(config))
    start = time.perf_counter()
    history: list[dict] = []
    diverged = None
    stopped = False
    with threadpool_limits(1, user_api="blas"):
        model, trainer = make_run(config, data)
        last_check = start
        try:
            for _ in range(config.epochs):
                history.append(trainer.run_epoch())
                now = time.perf_counter()
                if should_stop is not None and now - last_check >= check_seconds:
                    last_check = now
                    if should_stop():
                        stopped = True
                        break
        except TrainingDiverged as e:
            diverged = str(e)
    final = dict(history[-1]) if history else {}
    out = {"history": history, "final": final, "seconds": time.perf_counter() - start,
           "parameters": model.num_parameters(), "diverged": diverged, "stopped": stopped}
    if keep_weights:
        from .serialize import model_state

        spec, arrays = model_state(model)
        out["state"] = {"spec": spec, "weights": arrays}
    return out


def rank(results: list[dict], spec: SweepSpec) -> list[dict]:
    """Finished results best first by ``spec.metric`` (diverged, stopped or missing
    metrics last)."""
    sign = 1.0 if spec.lower_is_better else -1.0

    def key(r: dict):
        v = r.get(spec.metric)
        ok = isinstance(v, (int, float)) and math.isfinite(v) and not r.get("diverged") \
            and not r.get("stopped")
        return (0, sign * v) if ok else (1, 0.0)

    return sorted(results, key=key)


def book_sweep(trials: int = 100, epochs: int = 50) -> SweepSpec:
    """"Deep Learning from Scratch", ch. 6.5 (``hyperparameter_optimization.py``): learning
    rate 10^U(-6, -2) x weight decay 10^U(-8, -4) for a 7-layer ReLU net (six hidden layers
    of 100), SGD, batch 100, on the MNIST sample's first 500 training images; ranked by
    test accuracy (the book holds out 20 % of the 500 for validation instead)."""
    from .spec import defaults_for

    base = defaults_for("mnist-sample").with_changes(
        data={"train_limit": 500},
        model={"preset": "mlp", "hidden": (100,) * 6, "activation": "relu", "init": "he"},
        optim={"name": "sgd"}, batch_size=100, epochs=epochs).validate()
    space = (parse_dimension("optim.lr=log-uniform:1e-6:1e-2"),
             parse_dimension("optim.l2=log-uniform:1e-8:1e-4"))
    return SweepSpec(base, space, trials, seed=0, metric="test_acc")


#: ready-made sweeps (``sweep --preset NAME``).
SWEEP_PRESETS = {"book": book_sweep}
