"""Command line: ``python -m engine train ...`` and ``python -m engine evaluate MODEL ...``.

Every error is one line on stderr and a non-zero exit (2 bad input, 3 diverged,
130 interrupted); never a traceback.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time

import numpy as np

from ._malloc import tune_allocator
from .atomic import check_target, write_atomic
from .errors import (
    DataError,
    EngineError,
    SpecError,
    TrainingDiverged,
    common_file_problem,
    read_regular,
)
from .spec import DATASETS, PRESETS, TOY_DATASETS, RunConfig, defaults_for

EXIT_BAD_INPUT, EXIT_DIVERGED, EXIT_INTERRUPTED = 2, 3, 130
#: largest run config read (a config is about 1 kB).
MAX_CONFIG_BYTES = 2**20


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, not usage + error
        raise SpecError(f"{message} (see {self.prog} --help)")

    def parse_args(self, args=None, namespace=None):
        """As argparse's, but values left over after a command's flags (``--hidden 8 8``)
        point at that command's help and at the comma-separated form."""
        parsed, extra = self.parse_known_args(args, namespace)
        if extra:
            command = getattr(parsed, "command", None)
            where = f"{self.prog} {command}" if command else self.prog
            hint = ("; list values are comma-separated, e.g. --hidden 8,8"
                    if any(not e.startswith("-") for e in extra) else "")
            raise SpecError(f"unrecognized arguments: {' '.join(extra)}{hint} (see {where} "
                            f"--help)")
        return parsed


def _int_list(text: str) -> tuple[int, ...]:
    if text.strip() in ("", "none", "0"):
        return ()
    try:
        return tuple(int(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated integers like 8,8, got {text!r}") from None


def _batch(text: str) -> int:
    if text in ("full", "0"):
        return 0
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number or 'full', got {text!r}") from None


def _data_flags(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("data")
    g.add_argument("--dataset", choices=[d for d in DATASETS if d != "drawn"],
                   help="a generated 2-D set or an image set (default: moons)")
    g.add_argument("--data", metavar="FILE.csv", help="2-D points from a CSV (x1,x2,label)")
    g.add_argument("--test-data", metavar="FILE.csv", help="test points from a CSV")
    g.add_argument("--test-ratio", type=float, help="fraction held out for testing (0-0.9)")
    g.add_argument("--samples", type=int, help="points to generate")
    g.add_argument("--noise", type=float, help="noise of the generator (std, data units)")
    g.add_argument("--classes", type=int, help="classes for blobs/spiral (2-5)")
    g.add_argument("--seed", type=int, help="seed of the data, weights and shuffling")
    g.add_argument("--data-dir", metavar="DIR", help="folder with MNIST-style files")
    g.add_argument("--download", action="store_true", default=None,
                   help="download MNIST/Fashion-MNIST into the user cache if needed")
    g.add_argument("--train-limit", type=int, help="use only the first N training images")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m engine", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    t = sub.add_parser("train", help="train a network and print per-epoch metrics")
    t.add_argument("--config", metavar="run.json",
                   help="start from a saved run config (default: the dataset's defaults)")
    _data_flags(t)
    g = t.add_argument_group("model")
    g.add_argument("--model", choices=PRESETS, help="mlp, or the book's simple-cnn/deep-cnn")
    g.add_argument("--hidden", type=_int_list, help="hidden layer sizes, e.g. 8,8")
    g.add_argument("--activation", help="relu, leaky-relu, tanh, sigmoid, elu, linear")
    g.add_argument("--features", help="2-D input features, e.g. x1,x2,x1^2,x1*x2,sin(x1)")
    g.add_argument("--init", help="auto, he, xavier or std")
    g.add_argument("--init-std", type=float, help="sigma for --init std")
    g.add_argument("--loss", help="softmax-ce, sigmoid-bce or mse")
    g.add_argument("--dropout", type=float, help="dropout rate after hidden layers")
    g.add_argument("--batchnorm", action="store_true", default=None, help="batch norm")
    g.add_argument("--conv-filters", type=int, help="filters of simple-cnn's conv layer")
    g.add_argument("--conv-size", type=int, help="filter size of simple-cnn's conv layer")
    g.add_argument("--dtype", choices=("float32", "float64"), help="number type of the weights")
    g = t.add_argument_group("optimisation")
    g.add_argument("--optimizer", help="sgd, momentum, nesterov, adagrad, rmsprop, adam")
    g.add_argument("--lr", type=float, help="learning rate")
    g.add_argument("--momentum", type=float, help="momentum of momentum and nesterov")
    g.add_argument("--beta1", type=float, help="Adam's first-moment decay")
    g.add_argument("--beta2", type=float, help="Adam's second-moment decay")
    g.add_argument("--l1", type=float, help="L1 penalty rate on weights")
    g.add_argument("--l2", type=float, help="L2 penalty (weight decay) rate on weights")
    g.add_argument("--clip-norm", type=float, help="clip the gradient norm to this")
    g.add_argument("--schedule", help="constant, inverse-time, step, exponential, cosine")
    g.add_argument("--decay", type=float, help="inverse-time decay d in lr/(1+d*epoch)")
    g.add_argument("--step-size", type=int, help="epochs between steps of 'step'")
    g.add_argument("--gamma", type=float, help="factor of 'step' and 'exponential'")
    g.add_argument("--period", type=int, help="epochs of one cosine cycle")
    g.add_argument("--batch-size", type=_batch, help="samples per step, or 'full'")
    g.add_argument("--epochs", type=int, help="passes over the training data")
    g.add_argument("--threads", type=int, help="BLAS threads (default: the library's)")
    g = t.add_argument_group("output")
    g.add_argument("--save", metavar="MODEL.npz",
                   help="save the trained model (default: not saved)")
    g.add_argument("--save-config", metavar="run.json",
                   help="write the run config as JSON (default: not written)")
    g.add_argument("--json", action="store_true",
                   help="one JSON object per line (default: a readable table)")
    e = sub.add_parser("evaluate", help="loss and accuracy of a saved model")
    e.add_argument("model_path", metavar="MODEL.npz")
    e.add_argument("--split", choices=("test", "train"), default="test",
                   help="which part of the data to score (default: test)")
    e.add_argument("--json", action="store_true", help="print the result as one JSON object")
    _data_flags(e)
    _show_defaults(t)
    return parser


def _default_text(value) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value) or "none"
    return str(value) if value != "" else "none"


def _show_defaults(parser: argparse.ArgumentParser) -> None:
    """Append each config flag's default to its help: the 2-D sets' value, and the image
    sets' where it differs."""
    flat, image = defaults_for("moons"), defaults_for("mnist")

    def value(config: RunConfig, section: str | None, name: str):
        return getattr(config if section is None else getattr(config, section), name)

    fields = {**_OVERRIDES, "dataset": ("data", "name"), "features": ("model", "features"),
              "data": ("data", "path")}
    for action in parser._actions:
        if action.dest not in fields or action.help in (None, argparse.SUPPRESS):
            continue
        section, name = fields[action.dest]
        a, b = value(flat, section, name), value(image, section, name)
        if action.dest == "batch_size":
            a, b = (v or "full" for v in (a, b))
        if action.dest == "dataset":
            continue  # its help says it
        text = _default_text(a)
        if a != b:
            text += f"; {_default_text(b)} for image sets"
        action.help = f"{action.help} (default: {text})"


_OVERRIDES = {  # flag -> (section, field); section None means top level
    "test_ratio": ("data", "test_ratio"), "samples": ("data", "samples"),
    "noise": ("data", "noise"), "classes": ("data", "classes"),
    "data_dir": ("data", "path"), "download": ("data", "download"),
    "train_limit": ("data", "train_limit"), "test_data": ("data", "test_path"),
    "model": ("model", "preset"), "hidden": ("model", "hidden"),
    "activation": ("model", "activation"), "init": ("model", "init"),
    "init_std": ("model", "init_std"), "loss": ("model", "loss"),
    "dropout": ("model", "dropout"), "batchnorm": ("model", "batchnorm"),
    "conv_filters": ("model", "conv_filters"), "conv_size": ("model", "conv_size"),
    "dtype": ("model", "dtype"), "optimizer": ("optim", "name"), "lr": ("optim", "lr"),
    "momentum": ("optim", "momentum"), "beta1": ("optim", "beta1"),
    "beta2": ("optim", "beta2"), "l1": ("optim", "l1"), "l2": ("optim", "l2"),
    "clip_norm": ("optim", "clip_norm"), "schedule": ("schedule", "name"),
    "decay": ("schedule", "decay"), "step_size": ("schedule", "step_size"),
    "gamma": ("schedule", "gamma"), "period": ("schedule", "period"),
    "batch_size": (None, "batch_size"), "epochs": (None, "epochs"), "seed": (None, "seed"),
}


def config_from_args(args: argparse.Namespace, base: RunConfig | None = None) -> RunConfig:
    """The run config: ``--config`` (or ``base``, or the dataset's defaults) with every
    flag given on the command line applied on top."""
    dataset = "csv" if getattr(args, "data", None) else args.dataset
    if getattr(args, "config", None):
        try:
            raw = read_regular(args.config, MAX_CONFIG_BYTES)
        except OSError as e:
            problem = common_file_problem(e) or f"cannot be read ({e.strerror or e})"
            raise SpecError(f"run config {args.config} {problem}") from None
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            raise SpecError(f"run config {args.config} is not UTF-8 text (cannot decode "
                            f"the byte at offset {e.start}); save it as UTF-8 JSON") from None
        base = RunConfig.from_json(text)
    if base is None:
        base = defaults_for(dataset or "moons")
    sections: dict = {}
    if dataset:
        sections.setdefault("data", {})["name"] = dataset
    if getattr(args, "data", None):
        sections.setdefault("data", {})["path"] = args.data
    if getattr(args, "features", None):
        sections.setdefault("model", {})["features"] = tuple(args.features.split(","))
    for flag, (section, name) in _OVERRIDES.items():
        value = getattr(args, flag, None)
        if value is None:
            continue
        if section is None:
            sections[name] = value
        else:
            sections.setdefault(section, {})[name] = value
    try:
        return base.with_changes(**sections).validate()
    except TypeError as e:
        raise SpecError(str(e)) from None


def _fmt(v) -> str:
    return "      -" if v is None else f"{v:7.4f}"


def _train(args) -> int:
    from .build import build_model
    from .datasets.loader import load_dataset
    from .presets import build_optimizer
    from .trainer import Trainer

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
    model = build_model(config, data.input_shape, data.n_classes)
    trainer = Trainer(model, build_optimizer(config), data.x_train, data.y_train,
                      data.x_test, data.y_test, batch_size=config.batch_size,
                      schedule=config.schedule, rng=np.random.default_rng(config.seed))
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


class _TableReport:
    """A readable table; a tqdm bar per epoch for image sets, one over epochs for 2-D."""

    def __init__(self, trainer, config, data, model):
        from tqdm import tqdm

        self.tqdm, self.trainer, self.config = tqdm, trainer, config
        self.per_epoch_bar = data.is_image
        self.every = 1 if data.is_image else max(1, config.epochs // 20)
        print(f"{data.name}: {len(data.x_train)} train / {len(data.x_test)} test samples, "
              f"{model.num_parameters():,} parameters")
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
        if m["epoch"] % self.every == 0 or m["epoch"] == self.config.epochs:
            self.tqdm.write(f"{m['epoch']:5d}  {m['train_loss']:10.4f}  {m['train_acc']:9.4f}"
                            f"  {_fmt(m['test_loss']):>9}  {_fmt(m['test_acc']):>8}"
                            f"  {m['lr']:8.2e}  {m['seconds']:7.2f}")

    def summary(self, s):
        test = "" if s["test_acc"] is None else f", test accuracy {s['test_acc']:.4f}"
        print(f"done: {s['epoch']} epochs in {s['seconds']:.1f} s, train accuracy "
              f"{s['train_acc']:.4f}{test}" + (f"; saved {s['saved']}" if "saved" in s else ""))

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


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        if args.command is None:
            build_parser().print_help()
            return EXIT_BAD_INPUT
        tune_allocator()  # the process is ours: reuse freed batch arrays (see _malloc)
        limit = _thread_limit(getattr(args, "threads", None))
        with limit:
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
