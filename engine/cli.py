"""Command line: ``python -m engine train ...``, ``python -m engine evaluate MODEL ...``,
``python -m engine compare --config base.json --vary KEY=V1,V2 ...`` and
``python -m engine gradcheck --config run.json`` (exit 1 when a gradient differs) and
``python -m engine export MODEL.npz OUT.onnx|OUT.py``.

Every error is one line on stderr and a non-zero exit (2 bad input, 3 diverged,
130 interrupted); never a traceback.
"""

from __future__ import annotations

import json
import math
import sys
import time

import numpy as np

from ._malloc import tune_allocator
from .atomic import check_target, write_atomic
from .cli_args import build_parser, config_from_args
from .errors import (
    DataError,
    EngineError,
    SpecError,
    TrainingDiverged,
)
from .spec import TOY_DATASETS, RunConfig

EXIT_BAD_INPUT, EXIT_DIVERGED, EXIT_INTERRUPTED = 2, 3, 130


def _fmt(v) -> str:
    return "      -" if v is None else f"{v:7.4f}"


def _train(args) -> int:
    from .budget import check_run_memory
    from .compare import make_run
    from .datasets.loader import load_dataset

    config = config_from_args(args)
    if args.save:
        check_target(args.save, "model")
    if args.save_config:
        check_target(args.save_config, "run config")
        _write(args.save_config, "run config", config.to_json().encode("utf-8"))
    data = load_dataset(config, progress=_download_progress(args.json))
    batch_chosen = args.batch_size is not None or args.config is not None
    for note in _notes(config, data, batch_chosen):
        print(f"note: {note}", file=sys.stderr)
    check_run_memory(config, data)  # before anything big is allocated
    model, trainer = make_run(config, data)
    report = _JsonReport() if args.json else _TableReport(trainer, config, data, model)
    start = time.perf_counter()
    metrics = None
    try:
        for _ in range(config.epochs):
            report.epoch_started()
            metrics = trainer.run_epoch()
            report.epoch_finished(metrics)
    finally:
        report.close()
    summary = {**metrics, "seconds": time.perf_counter() - start,
               "parameters": model.num_parameters(), "dataset": data.name,
               "train_samples": len(data.x_train), "test_samples": len(data.x_test)}
    if args.save:
        _write(args.save, "model", model.save)
        summary["saved"] = args.save
    report.summary(summary)
    return 0


def _notes(config: RunConfig, data, batch_chosen: bool) -> list[str]:
    """Settings that the run cannot follow as given, said rather than changed silently;
    ``batch_chosen``: the batch size came from the user (a flag or a config file), not
    from the defaults."""
    from .datasets.toy2d import MULTICLASS_DATASETS

    notes = []
    name = config.data.name
    if name in TOY_DATASETS and name not in MULTICLASS_DATASETS and config.data.classes != 2:
        notes.append(f"{name} always has two classes, so classes {config.data.classes} has no "
                     f"effect (only {' and '.join(MULTICLASS_DATASETS)} take 2-5)")
    n = len(data.x_train)
    if batch_chosen and config.batch_size > n:
        notes.append(f"batch size {config.batch_size} is more than the {n:,} training "
                     f"samples, so each step uses all {n:,} (a full batch)")
    return notes


def _write(path: str, what: str, content) -> None:
    """Write ``content`` (bytes, or a function given the path) to ``path`` atomically;
    ``DataError`` naming ``path`` when it fails (an old file there is left as it was)."""
    try:
        if callable(content):
            content(path)
        else:
            write_atomic(path, content)
    except OSError as e:
        raise DataError(f"cannot save the {what} to {path}: {e.strerror or e}; any file "
                        f"already there is unchanged") from None


def json_line(obj: dict) -> str:
    """``obj`` as one line of strict JSON: NaN and inf (which JSON has no words for)
    become ``null``."""
    def clean(v):
        if isinstance(v, float) and not math.isfinite(v):
            return None
        if isinstance(v, dict):
            return {k: clean(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [clean(x) for x in v]
        return v

    return json.dumps(clean(obj), allow_nan=False)


class _JsonReport:
    def epoch_started(self):
        pass

    def epoch_finished(self, m):
        print(json_line(m), flush=True)

    def summary(self, s):
        print(json_line({"summary": True, **s}), flush=True)

    def close(self):
        pass


#: the table's score columns after each loss: (metric name, heading, width)
_TABLE_SCORES = {"classification": (("acc", "acc", 9),),
                 "regression": (("rmse", "rmse", 10), ("r2", "r2", 8))}


class _TableReport:
    """A readable table; a tqdm bar per epoch for image sets, one over epochs for 2-D.
    Classification shows accuracy after each loss, regression rmse and R²."""

    def __init__(self, trainer, config, data, model):
        from tqdm import tqdm

        self.tqdm, self.trainer, self.config = tqdm, trainer, config
        self.per_epoch_bar = data.is_image
        self.every = 1 if data.is_image else max(1, config.epochs // 20)
        print(f"{data.name}: {len(data.x_train)} train / {len(data.x_test)} test samples, "
              f"{model.num_parameters():,} parameters")
        self.regression = config.data.is_regression
        if self.regression:
            print("epoch  train_loss  train_rmse  train_r2  test_loss   test_rmse   test_r2"
                  "        lr  seconds")
        else:
            print("epoch  train_loss  train_acc  test_loss  test_acc        lr  seconds")
        self.bar = None
        if not self.per_epoch_bar:
            self.bar = tqdm(total=config.epochs, unit="epoch", leave=False, file=sys.stderr,
                            disable=None)
        else:
            trainer.on_step = self._on_step

    def _on_step(self, info):
        if self.bar is not None and not self.bar.disable:
            self.bar.update(1)
            elapsed = self.bar.format_dict["elapsed"] or 1e-9
            self.bar.set_postfix_str(f"{info['samples'] / elapsed:,.0f} samples/s", False)

    def epoch_started(self):
        if self.per_epoch_bar:
            steps = math.ceil(self.trainer.samples_per_epoch / self.trainer.batch_size)
            self.bar = self.tqdm(total=steps, unit="step", leave=False, file=sys.stderr,
                                 desc=f"epoch {self.trainer.epoch + 1}/{self.config.epochs}",
                                 disable=None)

    def epoch_finished(self, m):
        if self.per_epoch_bar:
            self.bar.close()
            self.bar = None
        else:
            self.bar.update(1)
        if not (m["epoch"] % self.every == 0 or m["epoch"] == self.config.epochs):
            return
        if self.regression:
            self.tqdm.write(f"{m['epoch']:5d}  {m['train_loss']:10.4f}  {m['train_rmse']:10.4f}"
                            f"  {m['train_r2']:8.4f}  {_fmt(m['test_loss']):>9}"
                            f"  {_fmt(m['test_rmse']):>10}  {_fmt(m['test_r2']):>8}"
                            f"  {m['lr']:8.2e}  {m['seconds']:7.2f}")
        else:
            self.tqdm.write(f"{m['epoch']:5d}  {m['train_loss']:10.4f}  {m['train_acc']:9.4f}"
                            f"  {_fmt(m['test_loss']):>9}  {_fmt(m['test_acc']):>8}"
                            f"  {m['lr']:8.2e}  {m['seconds']:7.2f}")

    def summary(self, s):
        saved = f"; saved {s['saved']}" if "saved" in s else ""
        if self.regression:
            test = ("" if s["test_rmse"] is None
                    else f"; test rmse {s['test_rmse']:.4f}, r2 {s['test_r2']:.4f}")
            print(f"done: {s['epoch']} epochs in {s['seconds']:.1f} s, train rmse "
                  f"{s['train_rmse']:.4f}, r2 {s['train_r2']:.4f}{test}{saved}")
            return
        test = "" if s["test_acc"] is None else f", test accuracy {s['test_acc']:.4f}"
        print(f"done: {s['epoch']} epochs in {s['seconds']:.1f} s, train accuracy "
              f"{s['train_acc']:.4f}{test}" + saved)

    def close(self):
        if self.bar is not None:
            self.bar.close()


def _download_progress(quiet: bool):
    if quiet:
        return None
    state = {}

    def progress(done: int, total: int) -> None:
        from tqdm import tqdm

        bar = state.get("bar")
        if bar is None or done < bar.n:
            if bar is not None:
                bar.close()
            bar = state["bar"] = tqdm(total=total or None, unit="B", unit_scale=True,
                                      desc="download", leave=False, file=sys.stderr,
                                      disable=None)
        bar.update(done - bar.n)
        if total and done >= total:
            bar.close()
            state.pop("bar")

    return progress


def _evaluate(args) -> int:
    from .build import load
    from .datasets.loader import load_eval_split
    from .trainer import predicted_classes

    model = load(args.model_path)
    base = model.config if model.config is not None else None
    if base is None and not (args.dataset or args.data):
        raise SpecError(f"{args.model_path} holds no run config; pass --dataset or --data")
    if base is not None:
        # The file says what it was trained on, never which local file to read or whether
        # to download: those come from the command line only.
        if base.data.name in ("csv", "drawn") and not (args.data or args.dataset):
            source = "from a CSV file" if base.data.name == "csv" else "drawn in the app"
            raise SpecError(f"{args.model_path} was trained on points {source}; pass "
                            f"--data FILE.csv to name the file to evaluate it on")
        base = base.with_changes(data={"path": "", "test_path": "", "download": False})
    config = config_from_args(args, base=base)
    x, y = load_eval_split(config, args.split, progress=_download_progress(args.json))
    where = config.data.path if config.data.name == "csv" else config.data.name
    try:
        with np.errstate(over="ignore", invalid="ignore"):  # huge weights: loss null
            scores = model.predict(x)
    except ValueError:  # the first layer's matrix product: the inputs do not fit
        raise DataError(f"{args.model_path} takes other inputs than {where} gives (samples "
                        f"of shape {tuple(x.shape[1:])})") from None
    if config.data.task != model.task:
        holds = "real values" if config.data.is_regression else "class labels"
        raise DataError(f"{args.model_path} is a {model.task} model, but {where} holds "
                        f"{holds}; evaluate it on {model.task} data")
    if model.task == "regression":
        return _evaluate_values(args, config, model, scores, y)
    classes = max(2, scores.shape[1])
    if len(y) and int(y.max()) >= classes:
        raise DataError(f"{where} has labels up to {int(y.max())} but {args.model_path} "
                        f"tells {classes} classes apart (labels 0 to {classes - 1})")
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        loss = model.loss_fn.forward(scores, y)
    acc = float((predicted_classes(scores) == y).mean())
    result = {"loss": float(loss), "accuracy": acc, "samples": len(y), "split": args.split,
              "dataset": config.data.name}
    if args.json:
        print(json_line(result))
    else:
        print(f"{config.data.name} {args.split}: loss {loss:.4f}, accuracy {acc:.4f} "
              f"on {len(y)} samples")
    return 0


def _evaluate_values(args, config: RunConfig, model, scores, y) -> int:
    """Print a regression model's loss, rmse and R² on the split (its one output)."""
    from .metrics import regression_scores

    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        loss = model.loss_fn.forward(scores, y.astype(scores.dtype))
        rmse, r2 = regression_scores(scores, y)
    result = {"loss": float(loss), "rmse": rmse, "r2": r2, "samples": len(y),
              "split": args.split, "dataset": config.data.name}
    if args.json:
        print(json_line(result))
    else:
        print(f"{config.data.name} {args.split}: loss {loss:.4f}, rmse {rmse:.4f}, r2 "
              f"{r2:.4f} on {len(y)} samples")
    return 0


def _export(args) -> int:
    """Write the saved model as ONNX or a PyTorch script; one line per file written."""
    from .build import load
    from .export import export_model, format_for

    fmt = format_for(args.out, args.format)  # a bad name fails before the model is read
    check_target(args.out, "export")
    if fmt == "onnx":
        from .export.onnx import require_onnx

        require_onnx()  # imported before the clock starts (most of a small export's time)
    model = load(args.model_path)
    start = time.perf_counter()
    try:
        written = export_model(model, args.out, fmt)
    except OSError as e:
        raise DataError(f"cannot write the export to {args.out}: {e.strerror or e}") from None
    seconds = time.perf_counter() - start
    for path in written:
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")
    print(f"{fmt}: {len(model.layers)} layers, {model.num_parameters():,} parameters, "
          f"{seconds:.2f} s")
    return 0


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        if args.command is None:
            build_parser().print_help()
            return EXIT_BAD_INPUT
        tune_allocator()  # the process is ours: reuse freed batch arrays (see _malloc)
        limit = _thread_limit(getattr(args, "threads", None))
        with limit:
            if args.command == "compare":
                from .compare_cli import compare

                return compare(args)
            if args.command == "sweep":
                from .sweep_cli import sweep

                return sweep(args)
            if args.command == "gradcheck":
                from .gradcheck_cli import gradcheck

                return gradcheck(args)
            if args.command == "export":
                return _export(args)
            return _train(args) if args.command == "train" else _evaluate(args)
    except TrainingDiverged as e:
        _say_error(str(e))
        return EXIT_DIVERGED
    except (EngineError, DataError) as e:
        _say_error(str(e))
        return EXIT_BAD_INPUT
    except OSError as e:
        _say_error(f"{e.filename or ''}: {e.strerror or e}")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _say_error(message: str) -> None:
    """``message`` as one line on stderr: line breaks and other control characters (a
    file name may hold them) are shown escaped."""
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in message)
    print(f"error: {shown}", file=sys.stderr)


def _thread_limit(threads: int | None):
    import contextlib

    if threads is None:
        return contextlib.nullcontext()
    if threads < 1:
        raise SpecError(f"--threads must be at least 1, got {threads}")
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=threads, user_api="blas")
