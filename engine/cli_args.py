"""The CLI's flags: the ``train`` / ``evaluate`` parser (every flag with its help text and
default) and how flags and a ``--config`` file become one ``RunConfig``."""

from __future__ import annotations

import argparse

from .augment import AUGMENTS, MAX_DEGREES, MAX_SHIFT
from .errors import SpecError, common_file_problem, read_regular
from .spec import DATASETS, PRESETS, REGRESSION_DATASETS, TASKS, RunConfig, defaults_for

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
    g.add_argument("--data", metavar="FILE.csv",
                   help="2-D points from a CSV (x1,x2,label; x1,x2,y for regression)")
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
    t.add_argument("--augment", choices=AUGMENTS,
                   help=f"image sets: change each training batch at random, test images "
                        f"never: shift (up to {MAX_SHIFT} pixels each way) or shift-rotate "
                        f"(and up to {MAX_DEGREES:g} degrees)")
    t.add_argument("--task", choices=TASKS,
                   help=f"learn class labels or one real value per point (default: the "
                        f"dataset's: regression for {', '.join(REGRESSION_DATASETS)} and "
                        f"CSV files with a y column, else classification)")
    g = t.add_argument_group("model")
    g.add_argument("--model", choices=PRESETS, help="mlp, or the book's simple-cnn/deep-cnn")
    g.add_argument("--hidden", type=_int_list, help="hidden layer sizes, e.g. 8,8")
    g.add_argument("--activation",
                   help="relu, leaky-relu, tanh, sigmoid, elu, linear; one for every "
                        "hidden layer, or one per layer comma-separated (relu,tanh)")
    g.add_argument("--features", help="2-D input features, e.g. x1,x2,x1^2,x1*x2,sin(x1)")
    g.add_argument("--init", help="auto, he, xavier or std")
    g.add_argument("--init-std", type=float, help="sigma for --init std")
    g.add_argument("--loss", help="softmax-ce, sigmoid-bce or mse; for regression mse or "
                                  "huber (default: softmax-ce; mse for regression)")
    g.add_argument("--huber-delta", type=float,
                   help="huber loss: errors beyond this count linearly, not squared")
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
    c = sub.add_parser("compare", help="train one config under several settings, same "
                                       "data and seed, and compare their numbers")
    c.add_argument("--config", metavar="base.json",
                   help="the base run config, as train --save-config writes it (default: "
                        "the dataset's defaults)")
    _data_flags(c)
    c.add_argument("--preset", metavar="NAME",
                   help="one of the book's experiments instead of --config/--vary: "
                        "optimizers, init, batchnorm or overfitting (on the MNIST sample)")
    c.add_argument("--vary", action="append", default=[], metavar="KEY=V1,V2",
                   help="a dotted config key and the values to compare, e.g. "
                        "optim.name=sgd,adam or optim.lr=0.1,0.01; several --vary multiply, "
                        "and one of a single value sets it for every run")
    c.add_argument("--epochs", type=int, help="epochs of every run (default: the config's)")
    c.add_argument("--threads", type=int, help="BLAS threads (default: the library's)")
    c.add_argument("--json", action="store_true",
                   help="one JSON object per line: every epoch and a final line per run, "
                        "each with its run index and changes (default: a summary table)")
    k = sub.add_parser("gradcheck", help="check the network's back-propagation against "
                                         "central differences, one line per weight array")
    k.add_argument("--config", metavar="run.json",
                   help="the run config whose network is checked, as train --save-config "
                        "writes it (default: the dataset's defaults)")
    k.add_argument("--dataset", choices=[d for d in DATASETS if d != "drawn"],
                   help="the data set the samples come from (default: the config's)")
    k.add_argument("--data", metavar="FILE.csv", help="2-D points from a CSV file")
    k.add_argument("--seed", type=int, help="seed of the data, weights and checked entries")
    k.add_argument("--samples", dest="check_samples", type=int, default=8,
                   help="training samples in the checked batch (default: 8)")
    k.add_argument("--entries", type=int, default=30,
                   help="entries compared per weight array, drawn at random (default: 30)")
    k.add_argument("--threads", type=int, help="BLAS threads (default: the library's)")
    k.add_argument("--json", action="store_true",
                   help="one JSON object per array and a summary line (default: a table)")
    x = sub.add_parser("export", help="write a saved model as ONNX or as a PyTorch script")
    x.add_argument("model_path", metavar="MODEL.npz")
    x.add_argument("out", metavar="OUT",
                   help="the file to write: OUT.onnx, or OUT.py with OUT_weights.npz beside it")
    x.add_argument("--format", choices=("onnx", "pytorch"),
                   help="what to write (default: from OUT's suffix, .onnx or .py)")
    _sweep_parser(sub)
    return parser


def _sweep_parser(sub) -> None:
    w = sub.add_parser("sweep", help="a hyperparameter sweep on Dask: trials drawn from a "
                                     "search space, run on local worker processes or a "
                                     "cluster, ranked")
    w.add_argument("--config", metavar="base.json",
                   help="the base run config (as train --save-config writes it), or a "
                        "sweep file with base, space, trials, seed and metric")
    w.add_argument("--preset", choices=("book",),
                   help="book: the book's learning rate x weight decay search (ch. 6.5) "
                        "on 500 MNIST sample images, 100 trials of 50 epochs")
    w.add_argument("--dataset", choices=[d for d in DATASETS if d != "drawn"],
                   help="the data set (default: the config's)")
    w.add_argument("--data", metavar="FILE.csv", help="2-D points from a CSV file")
    w.add_argument("--train-limit", type=int, help="use only the first N training images")
    w.add_argument("--epochs", type=int, help="epochs of every trial (default: the config's)")
    w.add_argument("--space", action="append", default=[], metavar="KEY=KIND:ARGS",
                   help="a dotted config key and its range: log-uniform:LO:HI, "
                        "uniform:LO:HI, choice:A|B|C or grid:A|B|C (repeat for more keys)")
    w.add_argument("--trials", type=int,
                   help="trials per grid combination (default: 10, or 1 if every key is a "
                        "grid)")
    w.add_argument("--seed", dest="seed_sweep", type=int,
                   help="seed of the random draws (default: 0); the runs keep the config's")
    w.add_argument("--metric", help="what to rank by (default: test_acc, or test_r2 for "
                                    "regression; losses rank lowest first)")
    where = w.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, default=2,
                       help="worker processes of the local cluster (default: 2)")
    where.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                       help="a running Dask scheduler to send the trials to")
    w.add_argument("--connect-timeout", type=float, default=10.0, metavar="SECONDS",
                   help="how long to wait for --scheduler to answer (default: 10)")
    w.add_argument("--save", metavar="results.jsonl",
                   help="also write each finished trial's JSON line to this file")
    w.add_argument("--json", action="store_true",
                   help="one JSON object per finished trial (default: progress and a table)")


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
        if action.dest in ("dataset", "loss"):
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
    "augment": ("data", "augment"),
    "model": ("model", "preset"), "hidden": ("model", "hidden"),
    "activation": ("model", "activation"), "init": ("model", "init"),
    "init_std": ("model", "init_std"), "loss": ("model", "loss"),
    "huber_delta": ("model", "huber_delta"),
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
    flag given on the command line applied on top. Training on ``--data`` without
    ``--task`` takes the task from the file's header; ``base`` (a saved model's config,
    for ``evaluate``) keeps its own."""
    is_evaluate = base is not None
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
    task = getattr(args, "task", None)
    if task is None and getattr(args, "data", None) and not is_evaluate:
        from .datasets.csvio import csv_task

        task = csv_task(args.data)  # a y column means values: regression
    if task is not None:
        sections.setdefault("data", {})["task"] = task
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
