"""``python -m engine sweep``: a sweep's trials on Dask, streamed as they finish (one JSON
line each with ``trial``, ``changes``, ``config`` and the final metrics, or a progress
line), then a table ranking them."""

from __future__ import annotations

import json
import sys

from .cli import json_line
from .cli_args import config_from_args
from .compare import describe_changes
from .errors import SpecError
from .sweep import SweepSpec, parse_dimension, rank


def sweep(args) -> int:
    spec = spec_from_args(args)
    trials = spec.expand()
    from .sweep_dask import SweepRun, start_client, stop_client

    client, cluster = start_client(args.scheduler, args.workers, args.connect_timeout)
    save = open(args.save, "w", encoding="utf-8") if args.save else None  # noqa: SIM115
    finished: list[dict] = []
    run = None
    try:
        run = SweepRun(spec, client, trials)
        for trial, result in run.results():
            line = trial_line(trial, result)
            finished.append(line)
            text = json_line(line)
            if save is not None:
                save.write(text + "\n")
                save.flush()
            if args.json:
                print(text, flush=True)
            else:
                print(f"trial {trial.index} ({len(finished)}/{len(trials)}) "
                      f"{changes_text(trial.changes)}: {_score(line, spec.metric)}",
                      file=sys.stderr, flush=True)
    except KeyboardInterrupt:
        if run is not None:
            run.cancel()
        print(f"interrupted: {len(finished)} of {len(trials)} trials finished",
              file=sys.stderr)
        if not args.json:
            print(ranking_table(finished, spec))
        raise
    finally:
        if save is not None:
            save.close()
        stop_client(client, cluster)
    if not args.json:
        print(ranking_table(finished, spec))
    return 0


def spec_from_args(args) -> SweepSpec:
    """The sweep of ``--config`` (a run config, or a sweep file with base/space/...) with
    the command line's ``--space``, ``--trials``, ``--seed``, ``--metric`` on top."""
    from_file = None
    if args.preset:
        from .sweep import SWEEP_PRESETS

        if args.config or args.space:
            raise SpecError("give either --preset or --config/--space, not both")
        from_file = SWEEP_PRESETS[args.preset]()
    elif args.config:
        try:
            with open(args.config, encoding="utf-8-sig") as f:
                raw = json.load(f)
        except (OSError, ValueError):
            raw = None  # config_from_args below says what is wrong with it
        if isinstance(raw, dict) and "space" in raw:
            from_file = SweepSpec.from_dict(raw)
    if from_file is not None:
        base = from_file.base
        if args.epochs:
            base = base.with_changes(epochs=args.epochs).validate()
        space = from_file.space + tuple(parse_dimension(s) for s in args.space)
        trials, seed, metric = from_file.trials, from_file.seed, from_file.metric
    else:
        base = config_from_args(args)
        space = tuple(parse_dimension(s) for s in args.space)
        trials, seed, metric = None, 0, None
    if args.trials is not None:
        trials = args.trials
    if args.seed_sweep is not None:
        seed = args.seed_sweep
    metric = args.metric or metric or ("test_r2" if base.data.is_regression else "test_acc")
    if not space:
        raise SpecError("say what to sweep: --space KEY=KIND:ARGS (e.g. "
                        "optim.lr=log-uniform:1e-4:1e-1)")
    return SweepSpec(base, space, trials, seed, metric)


def trial_line(trial, result: dict) -> dict:
    """One finished trial as a JSON-ready dict: its index, changes, full config, the
    final metrics of ``train``'s summary, seconds, and whether it diverged or stopped."""
    line = {"trial": trial.index, "changes": trial.changes,
            "config": trial.config.to_dict(), **result.get("final", {}),
            "seconds": result.get("seconds", 0.0), "parameters": result.get("parameters"),
            "diverged": result.get("diverged"), "stopped": result.get("stopped", False)}
    if result.get("error"):
        line["error"] = result["error"]
    return line


def changes_text(changes: dict) -> str:
    """A trial's changes for a person: drawn floats to 4 significant digits (the JSON
    lines keep them exact)."""
    return describe_changes({k: f"{v:.4g}" if isinstance(v, float) else v
                             for k, v in changes.items()})


def _score(line: dict, metric: str) -> str:
    if line.get("diverged"):
        return "diverged"
    if line.get("error"):
        return line["error"]
    v = line.get(metric)
    return f"{metric} {v:.4f}" if isinstance(v, (int, float)) else f"{metric} -"


def ranking_table(lines: list[dict], spec: SweepSpec) -> str:
    """The finished trials, best first by the spec's metric."""
    ranked = rank(lines, spec)
    width = max([len("changes")] + [len(changes_text(r["changes"])) for r in ranked])
    rows = [f"{'rank':>4}  {'trial':>5}  {'changes':<{width}}  {spec.metric:>10}  "
            f"{'epoch':>5}  {'seconds':>7}"]
    for i, r in enumerate(ranked, start=1):
        v = r.get(spec.metric)
        score = f"{v:>10.4f}" if isinstance(v, (int, float)) and v == v else f"{'-':>10}"
        epoch = r.get("epoch")
        row = (f"{i:>4}  {r['trial']:>5}  {changes_text(r['changes']):<{width}}  {score}  "
               f"{epoch if epoch is not None else '-':>5}  {r.get('seconds', 0.0):>7.2f}")
        if r.get("diverged"):
            row += "  diverged"
        elif r.get("stopped"):
            row += "  stopped"
        rows.append(row)
    return "\n".join(rows)
