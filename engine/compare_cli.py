"""``python -m engine compare``: the runs of ``engine.compare`` one after another, as JSON
lines (every epoch and a final line per run, each with ``run`` and ``changes``) or a
summary table."""

from __future__ import annotations

import sys
import time

from .cli import json_line
from .cli_args import config_from_args
from .compare import data_key, describe_changes, expand, make_run, parse_vary
from .errors import SpecError, TrainingDiverged


def compare(args) -> int:
    from .budget import check_run_memory
    from .datasets.loader import load_dataset

    runs = planned_runs(args)
    loaded: dict[str, object] = {}
    for run in runs:  # every run's data and memory are checked before the first trains
        key = data_key(run.config)
        if key not in loaded:
            loaded[key] = load_dataset(run.config)
        check_run_memory(run.config, loaded[key])
    finals = []
    for run in runs:
        data = loaded[data_key(run.config)]
        model, trainer = make_run(run.config, data)
        tag = {"run": run.index, "changes": run.changes}
        if run.label:
            tag["label"] = run.label
        start = time.perf_counter()
        metrics: dict = {}
        diverged = None
        try:
            for _ in range(run.config.epochs):
                metrics = trainer.run_epoch()
                if args.json:
                    print(json_line({**tag, **metrics}), flush=True)
        except TrainingDiverged as e:  # one run blowing up is a result, not the end
            diverged = str(e)
        final = {**tag, "summary": True, **metrics, "seconds": time.perf_counter() - start,
                 "parameters": model.num_parameters(), "diverged": diverged}
        finals.append(final)
        if args.json:
            print(json_line(final), flush=True)
        else:
            print(f"run {run.index} done: {run.title}", file=sys.stderr)
    if not args.json:
        print(summary_table(finals))
    return 0


def planned_runs(args) -> list:
    """The runs ``--preset`` names, or those of the base config under every ``--vary``."""
    if args.preset:
        from .book_experiments import book_experiment

        if args.vary or args.config:
            raise SpecError("give either --preset or --config/--vary, not both")
        return book_experiment(args.preset).compared_runs(args.epochs)
    if not args.vary:
        raise SpecError("say what to compare: --vary KEY=V1,V2 (or --preset NAME)")
    return expand(config_from_args(args), [parse_vary(text) for text in args.vary])


def summary_table(finals: list[dict]) -> str:
    """The runs' final numbers, one row each (accuracy, or R² for regression)."""
    regression = any("train_r2" in f for f in finals)
    score = "r2" if regression else "acc"
    width = max([len("changes")] + [len(_title(f)) for f in finals])
    head = (f"{'run':>3}  {'changes':<{width}}  {'epoch':>5}  {'train loss':>10}  "
            f"{'test loss':>9}  {'train ' + score:>9}  {'test ' + score:>8}  {'seconds':>7}")
    rows = [head]

    def num(f, key, w, fmt=".4f"):
        v = f.get(key)
        return f"{v:>{w}{fmt}}" if isinstance(v, (int, float)) and v == v else f"{'-':>{w}}"

    for f in finals:
        changes = _title(f)
        row = (f"{f['run']:>3}  {changes:<{width}}  {num(f, 'epoch', 5, 'd')}  "
               f"{num(f, 'train_loss', 10)}  {num(f, 'test_loss', 9)}  "
               f"{num(f, 'train_' + score, 9)}  {num(f, 'test_' + score, 8)}  "
               f"{num(f, 'seconds', 7, '.2f')}")
        if f.get("diverged"):
            row += "  diverged"
        rows.append(row)
    return "\n".join(rows)


def _title(final: dict) -> str:
    return final.get("label") or describe_changes(final["changes"])
