"""The run configuration: one frozen dataclass tree that round-trips through JSON.

Widgets edit it, the CLI parses into it, sessions store it, and ``build_model`` turns it
into a ``Sequential``. Defaults are fields; the seed is part of it.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from .augment import check_augment
from .config_types import check_types
from .datasets.regression2d import REGRESSION_GENERATORS
from .datasets.toy2d import GENERATORS
from .errors import SpecError
from .schedules import Schedule

#: the generated 2-D classification sets, in the generators' order (toy2d imports only
#: NumPy).
TOY_DATASETS = tuple(GENERATORS)
#: the generated 2-D regression sets (real-valued targets).
REGRESSION_DATASETS = tuple(REGRESSION_GENERATORS)
IMAGE_DATASETS = ("mnist-sample", "mnist", "fashion-mnist", "digits")
#: "csv" reads ``path``; "drawn" means points supplied by the caller (the app's drawing).
DATASETS = TOY_DATASETS + REGRESSION_DATASETS + ("csv", "drawn") + IMAGE_DATASETS
#: what a run learns: class labels, or one real value per point.
TASKS = ("classification", "regression")
#: the losses each task accepts; the first is what a change of task switches to.
TASK_LOSSES = {"classification": ("softmax-ce", "sigmoid-bce", "mse"),
               "regression": ("mse", "huber")}
PRESETS = ("mlp", "simple-cnn", "deep-cnn")
#: what choosing a preset sets unless the same change gives it, so a preset is the same
#: network whoever builds it (CLI, Python, the app): the book's SimpleConvNet has a dense
#: layer of 100, whatever hidden sizes the config had before.
PRESET_DEFAULTS: dict[str, dict[str, Any]] = {
    "mlp": {}, "simple-cnn": {"hidden": (100,)}, "deep-cnn": {},
}
DTYPES = ("float32", "float64")
MAX_LAYERS, MAX_WIDTH = 16, 4096


@dataclass(frozen=True)
class DataConfig:
    name: str = "moons"
    samples: int = 300
    noise: float = 0.1
    classes: int = 2
    test_ratio: float = 0.3
    path: str = ""        # CSV file ("csv") or a folder of MNIST files
    test_path: str = ""   # optional CSV of test points (else test_ratio splits)
    download: bool = False
    train_limit: int = 0  # image sets: use only the first N training images (0 = all)
    #: "classification" (integer labels) or "regression" (one real value per point); a
    #: generated set's task follows its name (see ``dataset_task``)
    task: str = "classification"
    #: random changes to each training batch of images (``engine.augment.AUGMENTS``):
    #: "none", "shift" (up to 2 pixels) or "shift-rotate" (and up to 10 degrees)
    augment: str = "none"

    def validate(self) -> None:
        if self.name not in DATASETS:
            raise SpecError(f"unknown dataset {self.name!r}; choose one of {', '.join(DATASETS)}")
        if self.task not in TASKS:
            raise SpecError(f"unknown task {self.task!r}; choose one of {', '.join(TASKS)}")
        fixed = dataset_task(self.name)
        if fixed is not None and fixed != self.task:
            if fixed == "regression":
                raise SpecError(f"dataset {self.name!r} has real-valued targets, so its task "
                                f"is regression, not {self.task}; the classification sets "
                                f"are {', '.join(TOY_DATASETS)}")
            raise SpecError(f"dataset {self.name!r} has class labels, so its task is "
                            f"classification, not regression; the regression sets are "
                            f"{', '.join(REGRESSION_DATASETS)} (or a CSV file with a y "
                            f"column)")
        if not 2 <= self.samples <= 1_000_000:
            raise SpecError(f"samples must be between 2 and 1,000,000, got {self.samples}")
        if not (self.noise >= 0 and math.isfinite(self.noise)):
            raise SpecError(f"noise must be >= 0, got {self.noise}")
        if not 2 <= self.classes <= 5:
            raise SpecError(f"classes must be between 2 and 5, got {self.classes}")
        if not 0 <= self.test_ratio <= 0.9:
            raise SpecError(f"test ratio must be between 0 and 0.9, got {self.test_ratio}")
        if self.name == "csv" and not self.path:
            raise SpecError("dataset 'csv' needs a file path (--data FILE.csv)")
        if self.test_path and self.name != "csv":
            raise SpecError(f"test points {self.test_path} need training points from a CSV "
                            f"too (--data FILE.csv); dataset {self.name!r} makes its own "
                            f"test split (--test-ratio)")
        if self.train_limit < 0:
            raise SpecError(f"train_limit must be >= 0, got {self.train_limit}")
        check_augment(self.augment)
        if self.augment != "none" and not self.is_image:
            raise SpecError(f"augmentation {self.augment!r} is for images; "
                            f"dataset {self.name!r} is not an image set "
                            f"({', '.join(IMAGE_DATASETS)})")

    @property
    def is_image(self) -> bool:
        return self.name in IMAGE_DATASETS

    @property
    def is_regression(self) -> bool:
        return self.task == "regression"


def dataset_task(name: str) -> str | None:
    """The task a generated or image set always has; None for "csv" and "drawn", whose
    task is whatever their points are (a CSV file says it in its header)."""
    if name in REGRESSION_DATASETS:
        return "regression"
    if name in TOY_DATASETS or name in IMAGE_DATASETS:
        return "classification"
    return None


def split_activations(text: str) -> tuple[str, ...]:
    """``"relu, tanh"`` -> ("relu", "tanh"): one activation for all hidden layers, or one
    per layer, comma-separated."""
    return tuple(part.strip() for part in str(text).split(","))


def join_activations(names) -> str:
    """The ``activation`` text for per-layer ``names``: one name if they are all equal."""
    names = tuple(names)
    return names[0] if names and len(set(names)) == 1 else ",".join(names)


@dataclass(frozen=True)
class ModelConfig:
    preset: str = "mlp"
    hidden: tuple[int, ...] = (8, 8)
    activation: str = "tanh"
    features: tuple[str, ...] = ("x1", "x2")
    init: str = "auto"  # auto: He for ReLU-like activations and CNNs, else Xavier
    init_std: float = 0.01
    loss: str = "softmax-ce"
    dropout: float = 0.0
    batchnorm: bool = False
    conv_filters: int = 30
    conv_size: int = 5
    dtype: str = "float32"
    huber_delta: float = 1.0  # loss "huber": quadratic within +-delta, linear beyond


    def layer_activations(self) -> tuple[str, ...]:
        """One activation name per hidden layer (a single name applies to all)."""
        names = split_activations(self.activation)
        if len(names) == 1:
            return names * len(self.hidden)
        return names

    def validate(self) -> None:
        from .activations import ACTIVATIONS
        from .features import check_features
        from .init import INITIALIZERS
        from .losses import LOSSES

        if self.preset not in PRESETS:
            raise SpecError(f"unknown model {self.preset!r}; choose one of {', '.join(PRESETS)}")
        if len(self.hidden) > MAX_LAYERS:
            raise SpecError(f"at most {MAX_LAYERS} hidden layers, got {len(self.hidden)}")
        for h in self.hidden:
            if not 1 <= h <= MAX_WIDTH:
                raise SpecError(f"hidden layer sizes must be between 1 and {MAX_WIDTH}, got {h}")
        names = split_activations(self.activation)
        for name in names:
            if name not in ACTIVATIONS:
                raise SpecError(f"unknown activation {name!r}; choose one of "
                                f"{', '.join(ACTIVATIONS)} (or one per hidden layer, "
                                f"comma-separated)")
        if len(names) > 1 and self.preset == "mlp" and len(names) != len(self.hidden):
            raise SpecError(f"{len(names)} activations ({self.activation}) for "
                            f"{len(self.hidden)} hidden layers: give one for all, or one "
                            f"per hidden layer")
        check_features(self.features)
        if self.init not in INITIALIZERS + ("auto",):
            raise SpecError(f"unknown initialiser {self.init!r}; choose one of "
                            f"auto, {', '.join(INITIALIZERS)}")
        if not self.init_std > 0:
            raise SpecError(f"init std must be positive, got {self.init_std}")
        if self.loss not in LOSSES:
            raise SpecError(f"unknown loss {self.loss!r}; choose one of {', '.join(LOSSES)}")
        if not 0 <= self.dropout < 1:
            raise SpecError(f"dropout must be in [0, 1), got {self.dropout}")
        if not 1 <= self.conv_filters <= 256:
            raise SpecError(f"conv filters must be between 1 and 256, got {self.conv_filters}")
        if not 1 <= self.conv_size <= 9:
            raise SpecError(f"conv filter size must be between 1 and 9, got {self.conv_size}")
        if self.dtype not in DTYPES:
            raise SpecError(f"dtype must be one of {', '.join(DTYPES)}, got {self.dtype!r}")
        if not (self.huber_delta > 0 and math.isfinite(self.huber_delta)):
            raise SpecError(f"huber delta must be a positive number, got {self.huber_delta}")


@dataclass(frozen=True)
class OptimConfig:
    name: str = "adam"
    lr: float = 0.03
    momentum: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    rho: float = 0.99
    l1: float = 0.0
    l2: float = 0.0
    clip_norm: float = 0.0  # 0 = no clipping

    def validate(self) -> None:
        from .optimizers import OPTIMIZERS

        if self.name not in OPTIMIZERS:
            raise SpecError(f"unknown optimizer {self.name!r}; choose one of "
                            f"{', '.join(OPTIMIZERS)}")
        if not (0 < self.lr <= 10 and math.isfinite(self.lr)):
            raise SpecError(f"learning rate must be in (0, 10], got {self.lr}")
        if not 0 <= self.momentum < 1:
            raise SpecError(f"momentum must be in [0, 1), got {self.momentum}")
        if not (0 <= self.beta1 < 1 and 0 <= self.beta2 < 1):
            raise SpecError(f"Adam betas must be in [0, 1), got {self.beta1}, {self.beta2}")
        if not 0 < self.rho < 1:
            raise SpecError(f"RMSProp rho must be in (0, 1), got {self.rho}")
        if self.l1 < 0 or self.l2 < 0:
            raise SpecError(f"L1/L2 rates must be >= 0, got {self.l1}, {self.l2}")
        if self.clip_norm < 0:
            raise SpecError(f"gradient clip norm must be >= 0, got {self.clip_norm}")


@dataclass(frozen=True)
class RunConfig:
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    optim: OptimConfig = field(default_factory=OptimConfig)
    schedule: Schedule = field(default_factory=Schedule)
    batch_size: int = 32   # 0 = full batch
    epochs: int = 200
    seed: int = 0

    def validate(self) -> RunConfig:
        """Raise ``SpecError`` naming the first bad value; return self for chaining."""
        for name, section in _SECTIONS.items():
            part = getattr(self, name)
            check_types(section, {f.name: getattr(part, f.name) for f in fields(section)},
                        name)
        check_types(RunConfig, {"batch_size": self.batch_size, "epochs": self.epochs,
                                "seed": self.seed}, None)
        self.data.validate()
        self.model.validate()
        self.optim.validate()
        if self.batch_size < 0:
            raise SpecError(f"batch size must be >= 1 (or 0 for full batch), got "
                            f"{self.batch_size}")
        if not 1 <= self.epochs <= 1_000_000:
            raise SpecError(f"epochs must be between 1 and 1,000,000, got {self.epochs}")
        if not 0 <= self.seed < 2**32:
            raise SpecError(f"seed must be between 0 and 2^32-1, got {self.seed}")
        if self.model.preset != "mlp" and not self.data.is_image:
            raise SpecError(f"model {self.model.preset!r} needs an image dataset "
                            f"({', '.join(IMAGE_DATASETS)})")
        accepted = TASK_LOSSES[self.data.task]
        if self.model.loss not in accepted:
            what = ("fits real values" if self.model.loss == "huber"
                    else "scores class labels")
            raise SpecError(f"loss {self.model.loss!r} {what}; {self.data.task} takes "
                            f"{', '.join(accepted[:-1])} or {accepted[-1]}")
        return self

    def with_changes(self, **sections: Any) -> RunConfig:
        """A copy with fields changed, e.g. ``with_changes(optim={"lr": 0.1}, seed=3)``."""
        kw = {}
        sections = _with_task_defaults(self.data.task, sections)
        for key, value in sections.items():
            current = getattr(self, key)
            if isinstance(value, dict) and key in _SECTIONS:
                check_types(_SECTIONS[key], value, key)
                if key == "model":
                    value = with_preset_defaults(current.preset, value)
                value = replace(current, **value)
            elif key not in _SECTIONS:
                check_types(RunConfig, {key: value}, None)
            kw[key] = value
        return replace(self, **kw)

    def to_dict(self) -> dict:
        return asdict(self)

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    @classmethod
    def from_dict(cls, d: dict) -> RunConfig:
        if not isinstance(d, dict):
            raise SpecError("a run config must be a JSON object")
        kw = {}
        d = _with_task_defaults(DataConfig.task, d)
        for f in fields(cls):
            if f.name not in d:
                continue
            value = d[f.name]
            sub = _SECTIONS.get(f.name)
            if sub is not None:
                value = _section_from_dict(sub, value, f.name)
            kw[f.name] = value
        unknown = set(d) - {f.name for f in fields(cls)}
        if unknown:
            raise SpecError(f"unknown config keys: {', '.join(sorted(unknown))}")
        check_types(cls, {k: v for k, v in kw.items() if k not in _SECTIONS}, None)
        try:
            return cls(**kw)
        except TypeError as e:
            raise SpecError(f"bad run config: {e}") from None

    @classmethod
    def from_json(cls, text: str) -> RunConfig:
        try:
            d = json.loads(text)
        except json.JSONDecodeError as e:
            raise SpecError(f"run config is not valid JSON ({e})") from None
        except ValueError:  # a number of more digits than Python converts
            raise SpecError("run config holds a number too long to read; numbers in a run "
                            "config have at most a few digits") from None
        except RecursionError:
            raise SpecError("run config nests its JSON too deeply; a run config is an "
                            "object of sections holding plain values") from None
        return cls.from_dict(d)


_SECTIONS = {"data": DataConfig, "model": ModelConfig, "optim": OptimConfig,
             "schedule": Schedule}
_TUPLES = {"hidden", "features"}


def _section_from_dict(cls, d, section: str):
    if not isinstance(d, dict):
        raise SpecError(f"config section {section!r} must be a JSON object")
    names = {f.name for f in fields(cls)}
    unknown = set(d) - names
    if unknown:
        raise SpecError(f"unknown keys in config section {section!r}: "
                        f"{', '.join(sorted(unknown))}")
    check_types(cls, d, section)
    kw = {k: tuple(v) if k in _TUPLES and isinstance(v, list) else v for k, v in d.items()}
    if cls is ModelConfig:
        kw = with_preset_defaults(ModelConfig.preset, kw)
    return cls(**kw)


def _with_task_defaults(current_task: str, sections: dict[str, Any]) -> dict[str, Any]:
    """``sections`` (changes to a config of ``current_task``, or a whole config's dict)
    with what a change of dataset or task implies and does not say itself: naming a
    generated set sets its task, and a new task whose loss is not given brings that
    task's default loss (mse for regression, softmax-ce for classification), so going
    from ripple back to moons is the moons defaults again. Explicit values (and a whole
    ``ModelConfig`` given as the model section) always win, and are then checked."""
    data = sections.get("data")
    if not isinstance(data, dict):
        return sections
    data = dict(data)
    if "task" not in data and isinstance(data.get("name"), str):
        fixed = dataset_task(data["name"])
        if fixed is not None:
            data["task"] = fixed
    task = data.get("task", current_task)
    out = {**sections, "data": data}
    model = sections.get("model")
    if task != current_task and task in TASK_LOSSES and (
            model is None or (isinstance(model, dict) and "loss" not in model)):
        model = dict(model) if isinstance(model, dict) else {}
        model["loss"] = TASK_LOSSES[task][0]
        out["model"] = model
    return out


def with_preset_defaults(current_preset: str, changes: dict[str, Any]) -> dict[str, Any]:
    """``changes`` to a model config, plus the defaults of the preset they switch to (from
    ``current_preset``) for every field they do not set themselves."""
    preset = changes.get("preset", current_preset)
    if preset == current_preset:
        return changes
    return {**PRESET_DEFAULTS.get(preset, {}), **changes}


def defaults_for(dataset: str) -> RunConfig:
    """The starting config for ``dataset``: the 2-D playground's small tanh network, or for
    image sets the book's MNIST settings (784-100-10 ReLU, Adam 1e-3, batch 100, 10 epochs)."""
    base = RunConfig()
    if dataset in IMAGE_DATASETS:
        return base.with_changes(
            data={"name": dataset, "test_ratio": 0.0},
            model={"hidden": (100,), "activation": "relu"},
            optim={"lr": 1e-3}, batch_size=100, epochs=10)
    return base.with_changes(data={"name": dataset})
