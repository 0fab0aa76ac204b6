"""The comparisons of "Deep Learning from Scratch", ch. 6, as ready-made experiments on
the bundled MNIST sample (4,000 training and 1,000 test images): a base config, the runs
(each a label and its dotted-key changes), the full length, and what to look for.

``python -m engine compare --preset NAME`` and the Compare tab's presets both build
from here, so the README's numbers, the tests and the app train the same runs.
"""

from __future__ import annotations

from dataclasses import dataclass

from .compare import ComparedRun, describe_changes, nested
from .errors import SpecError
from .spec import RunConfig, defaults_for


@dataclass(frozen=True)
class BookExperiment:
    """One experiment: ``base`` (nested ``RunConfig`` changes on the MNIST sample's
    defaults), ``runs`` ((label, {dotted key: value}) each) and ``epochs`` (full length)."""

    key: str
    title: str
    look_for: str
    base: dict
    runs: tuple[tuple[str, dict], ...]
    epochs: int

    def config(self) -> RunConfig:
        """The base config every run starts from (validated)."""
        return defaults_for("mnist-sample").with_changes(**self.base).validate()

    def compared_runs(self, epochs: int | None = None) -> list[ComparedRun]:
        """The runs as ``engine.compare`` gives them (``epochs`` each; default full)."""
        base = self.config().with_changes(epochs=int(epochs or self.epochs))
        out = []
        for i, (label, changes) in enumerate(self.runs):
            try:
                config = base.with_changes(**nested(changes)).validate()
            except (TypeError, ValueError) as e:
                raise SpecError(f"run {i} ({describe_changes(changes)}): {e}") from None
            out.append(ComparedRun(i, dict(changes), config, label))
        return out

    @property
    def labels(self) -> list[str]:
        return [label for label, _ in self.runs]


#: the book's 5-layer ReLU network: four hidden layers of 100 (figs. 6-9 and 6-15).
_DEEP = {"model": {"preset": "mlp", "hidden": (100, 100, 100, 100), "activation": "relu"},
         "batch_size": 128}

BOOK_EXPERIMENTS: dict[str, BookExperiment] = {e.key: e for e in (
    BookExperiment(
        "optimizers", "Optimisers on MNIST (fig. 6-9)",
        "Plain SGD creeps down; Momentum, AdaGrad and Adam reach a far lower training loss "
        "in the same steps (about 2,000 steps of 128, as in the book).",
        {**_DEEP, "model": {**_DEEP["model"], "init": "he"}},
        (("SGD", {"optim.name": "sgd", "optim.lr": 0.01}),
         ("Momentum", {"optim.name": "momentum", "optim.lr": 0.01}),
         ("AdaGrad", {"optim.name": "adagrad", "optim.lr": 0.01}),
         ("Adam", {"optim.name": "adam", "optim.lr": 0.001})),
        64),
    BookExperiment(
        "init", "Weight initialisation, 5-layer ReLU (fig. 6-15)",
        "With std 0.01 the signal dies in the deep ReLU net and the loss stays at ln 10 "
        "(2.30): it learns nothing; Xavier learns, He learns fastest.",
        {**_DEEP, "optim": {"name": "sgd", "lr": 0.01}},
        (("std 0.01", {"model.init": "std", "model.init_std": 0.01}),
         ("Xavier", {"model.init": "xavier"}),
         ("He", {"model.init": "he"})),
        64),
    BookExperiment(
        "batchnorm", "Batch norm across weight scales (fig. 6-19)",
        "Without batch norm the 6-layer net learns slowly from std 0.1 and not at all "
        "from std 0.01 (the loss stays at ln 10); with it, both scales learn fast.",
        {"data": {"train_limit": 1000},
         "model": {"preset": "mlp", "hidden": (100, 100, 100, 100, 100),
                   "activation": "relu", "init": "std"},
         "optim": {"name": "sgd", "lr": 0.01}, "batch_size": 100},
        (("std 0.1, no BN", {"model.init_std": 0.1, "model.batchnorm": False}),
         ("std 0.1, BN", {"model.init_std": 0.1, "model.batchnorm": True}),
         ("std 0.01, no BN", {"model.init_std": 0.01, "model.batchnorm": False}),
         ("std 0.01, BN", {"model.init_std": 0.01, "model.batchnorm": True})),
        20),
    BookExperiment(
        "overfitting", "Overfitting on 300 images: weight decay and dropout (figs. 6-21 to 6-23)",
        "Without a penalty the 7-layer net fits its 300 images perfectly while the test "
        "accuracy stalls far below; weight decay and dropout narrow the train-test gap.",
        {"data": {"train_limit": 300},
         "model": {"preset": "mlp", "hidden": (100,) * 6, "activation": "relu",
                   "init": "he"},
         "optim": {"name": "sgd", "lr": 0.01}, "batch_size": 100},
        (("no penalty", {}),
         ("weight decay 0.1", {"optim.l2": 0.1}),
         ("dropout 0.2", {"model.dropout": 0.2})),
        200),
)}


def book_experiment(key: str) -> BookExperiment:
    """The experiment named ``key``; ``SpecError`` naming the choices if there is none."""
    try:
        return BOOK_EXPERIMENTS[key]
    except KeyError:
        raise SpecError(f"unknown experiment {key!r}; choose one of "
                        f"{', '.join(BOOK_EXPERIMENTS)}") from None
