"""What the playground's widgets may offer, the decision grid's resolution and the
memory budget a network must fit."""

from __future__ import annotations

from engine.activations import TRAINABLE_ACTIVATIONS
from engine.budget import check_memory
from engine.datasets import toy2d
from engine.errors import EngineError
from engine.features import FEATURES
from engine.init import INITIALIZERS
from engine.optimizers import OPTIMIZERS
from engine.schedules import SCHEDULES
from engine.spec import REGRESSION_DATASETS, TASK_LOSSES, TASKS, ModelConfig
from engine.spec import join_activations as join
from engine.trainer import FULL_TRAIN_EVAL_LIMIT

#: the generated set a change of problem (task) switches to.
TASK_DEFAULT_DATA = {"classification": "moons", "regression": "gaussians"}
#: regression sets whose target varies along x1 only: the page adds a curve view y(x1).
CURVE_DATASETS = ("sine",)

#: grid cells along the longer side of the view (the shorter side keeps cells square).
GRID_SIZE = 160
MIN_GRID = 100


def choices() -> dict[str, object]:
    """What the widgets may offer, straight from the engine's registries."""
    return {
        "tasks": list(TASKS),
        "task_defaults": dict(TASK_DEFAULT_DATA),
        "curve_datasets": list(CURVE_DATASETS),
        "datasets": list(toy2d.DATASETS) + ["drawn"],
        "regression_datasets": list(REGRESSION_DATASETS) + ["drawn"],
        "multiclass": list(toy2d.MULTICLASS_DATASETS) + ["drawn"],
        "activations": list(TRAINABLE_ACTIVATIONS),
        "initializers": ["auto", *INITIALIZERS],
        "losses": list(TASK_LOSSES["classification"]),
        "regression_losses": list(TASK_LOSSES["regression"]),
        "optimizers": list(OPTIMIZERS),
        "schedules": list(SCHEDULES),
        "features": list(FEATURES),
    }


def grid_resolution(bounds: tuple[float, float, float, float],
                    size: int = GRID_SIZE) -> tuple[int, int]:
    """(nx, ny) with ``size`` cells on the longer side and near-square cells."""
    w, h = bounds[1] - bounds[0], bounds[3] - bounds[2]
    if not (w > 0 and h > 0):
        return size, size
    if w >= h:
        return size, max(MIN_GRID, min(size, round(size * h / w)))
    return max(MIN_GRID, min(size, round(size * w / h))), size


def memory_problem(config, dataset, n_points: int) -> str:
    """Why ``config``'s network, trained on ``n_points`` points (``dataset`` may be None),
    would not fit the memory budget ("" if it does)."""
    n_classes = max(config.data.classes, 2, dataset.n_classes if dataset is not None else 2)
    n = max(int(n_points), 1)
    batch = min(config.batch_size or n, n)
    # the trainer evaluates the test split in one pass, whatever its size, and the
    # training points whole up to FULL_TRAIN_EVAL_LIMIT; a grid is one pass too
    if dataset is not None and dataset.x_test is not None:
        n_test = len(dataset.x_test)
    else:
        n_test = int(n * config.data.test_ratio)
    inference = max(n_test, min(n, FULL_TRAIN_EVAL_LIMIT), GRID_SIZE * GRID_SIZE)
    try:
        check_memory(config, (2,), n_classes, batch, inference)
    except EngineError as e:
        text = str(e)
        return text[:1].upper() + text[1:] + "."
    return ""


def network_summary(config, n_classes: int) -> str:
    """The 2-D network in one line ("3 → 8 → 8 → 2 · 114 parameters"), or why it cannot
    be built; counted from the description, without making the network."""
    from engine.build import check_parameter_count, count_parameters
    from engine.losses import make_loss

    try:
        n_params = count_parameters(config, (2,), n_classes)
        check_parameter_count(n_params)
        outputs = make_loss(config.model.loss).output_size(n_classes)
    except ValueError as e:  # SpecError and the like: say what is wrong instead
        return str(e)
    m = config.model
    widths = [str(len(m.features)), *map(str, m.hidden), str(outputs)]
    return f"{' → '.join(widths)}  ·  {n_params:,} parameters"


def saved_config(config_json: str, default_data: str):
    """(config, note) from a saved JSON config: None and the reason when it is unusable;
    image and CSV data sets (not kept between sessions) become ``default_data``."""
    from engine.spec import RunConfig

    if not config_json:
        return None, ""
    try:
        config = RunConfig.from_json(config_json).validate()
    except (ValueError, TypeError) as e:
        return None, f"The saved settings were not usable ({e}); starting from the defaults."
    if config.data.is_image or config.data.name == "csv":
        config = config.with_changes(data={"name": default_data})
    return config, ""


def batch_note(old, new, dataset) -> str:
    """What a new batch size larger than the training set means ("" otherwise)."""
    if dataset is None or new.batch_size == old.batch_size \
            or new.batch_size <= len(dataset.x_train):
        return ""
    return (f"Batch size {new.batch_size} is more than the {len(dataset.x_train)} training "
            f"points: each step uses all of them (full batch).")


def layer_activations(model: dict) -> tuple[str, ...]:
    """One activation per hidden layer of a ``RunConfig.to_dict()["model"]``."""
    return ModelConfig(hidden=tuple(model["hidden"]),
                       activation=model["activation"]).layer_activations()


def join_activations(names) -> str:
    """The ``activation`` text for per-layer ``names`` (one name if all are equal)."""
    return join(names)
