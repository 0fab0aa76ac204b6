"""A from-scratch NumPy neural-network engine (no Qt): layers, losses, optimisers,
training, datasets and a CLI (``python -m engine``)."""

from . import layers, losses, optimizers
from ._malloc import tune_allocator
from .build import build_model, count_parameters, load
from .errors import DataError, EngineError, SpecError, TrainingDiverged
from .grid import decision_grid, value_grid
from .network import Sequential
from .serialize import save
from .spec import DataConfig, ModelConfig, OptimConfig, RunConfig
from .trainer import Trainer

__all__ = [
    "layers", "losses", "optimizers", "Sequential", "Trainer", "build_model",
    "count_parameters", "load", "save",
    "decision_grid", "value_grid", "tune_allocator", "RunConfig", "DataConfig", "ModelConfig",
    "OptimConfig",
    "EngineError", "SpecError", "DataError", "TrainingDiverged",
]
