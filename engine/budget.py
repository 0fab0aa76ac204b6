"""Memory a network would need, estimated from its config before anything is allocated.

``build_model`` refuses more than ``MAX_PARAMETERS`` weights, but it cannot see the
activations. ``check_memory`` walks the layer description ``engine.presets`` gives (the
one ``engine.build`` builds) and refuses, with the numbers, a network whose weights (with
their gradients and optimiser state) plus activations would pass a budget.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .build import check_parameter_count
from .errors import SpecError
from .presets import layer_sizes, layer_specs, output_width
from .spec import RunConfig

#: default limit on the estimated memory of one run (weights, gradients, optimiser state
#: and activations).
MEMORY_BUDGET = 3 * 1024**3
#: copies of every parameter held while training: the weights, their gradients and up to
#: two optimiser moments (Adam).
PARAM_COPIES = 4
#: activations kept per layer while training: the outputs, their gradients, scratch.
ACTIVATION_COPIES = 3


@dataclass(frozen=True)
class MemoryEstimate:
    """What a run would hold, in elements and bytes (``dtype`` bytes each)."""

    parameters: int
    per_sample: int          # layer outputs of one sample, summed over the layers
    scratch_per_sample: int  # largest im2col buffer of one sample (0 without convolutions)
    parameter_bytes: int
    activation_bytes: int

    @property
    def total_bytes(self) -> int:
        return self.parameter_bytes + self.activation_bytes


def format_bytes(n: float) -> str:
    """A byte count for people: ``500`` -> ``"500 B"``, ``1536`` -> ``"1.5 KB"`` (binary
    units, as file managers; one decimal above bytes). The one such formatter."""
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"  # pragma: no cover


def _layer_sizes(config: RunConfig, input_shape: tuple[int, ...], n_out: int
                 ) -> tuple[int, int, int]:
    """(parameters, summed output elements, summed im2col buffers) for one sample, from the
    same layer description ``build_model`` builds."""
    shape = tuple(int(v) for v in input_shape)
    sizes = layer_sizes(layer_specs(config.model, shape, n_out), shape)
    return (sum(s.parameters for s in sizes),
            sum(int(np.prod(s.output_shape)) for s in sizes),
            sum(s.scratch for s in sizes))


def estimate_memory(config: RunConfig, input_shape: tuple[int, ...], n_classes: int,
                    batch_rows: int, inference_rows: int = 0) -> MemoryEstimate:
    """The memory ``config``'s network needs on samples of ``input_shape``: training on
    ``batch_rows`` samples at a time and predicting ``inference_rows`` at once."""
    n_out = output_width(config, n_classes)
    params, per_sample, scratch = _layer_sizes(config, tuple(input_shape), n_out)
    itemsize = np.dtype(config.model.dtype).itemsize
    batch_rows, inference_rows = max(int(batch_rows), 1), max(int(inference_rows), 0)
    activations = (ACTIVATION_COPIES * per_sample + scratch) * batch_rows \
        + (per_sample + scratch) * inference_rows
    return MemoryEstimate(params, per_sample, scratch, params * itemsize * PARAM_COPIES,
                         activations * itemsize)


def check_memory(config: RunConfig, input_shape: tuple[int, ...], n_classes: int,
                 batch_rows: int, inference_rows: int = 0, budget: int = MEMORY_BUDGET
                 ) -> MemoryEstimate:
    """``estimate_memory``, raising ``SpecError`` with the numbers when the network has
    more than ``MAX_PARAMETERS`` weights or the estimate passes ``budget`` bytes."""
    est = estimate_memory(config, input_shape, n_classes, batch_rows, inference_rows)
    check_parameter_count(est.parameters)
    if est.total_bytes > budget:
        rows = max(int(batch_rows), 1)
        raise SpecError(
            f"this network would need about {format_bytes(est.total_bytes)} of memory "
            f"({est.parameters:,} parameters: {format_bytes(est.parameter_bytes)} with "
            f"gradients and optimiser state; activations for batches of {rows:,}: "
            f"{format_bytes(est.activation_bytes)}), more than the "
            f"{format_bytes(budget)} allowed; use fewer or smaller layers or a smaller batch")
    return est


def check_run_memory(config: RunConfig, data) -> MemoryEstimate:
    """``check_memory`` for training ``config`` on ``data`` (a ``Dataset``) the way the
    ``Trainer`` will: batches of ``batch_size`` rows (all the training rows for full
    batch), and the largest inference pass, which is the test set or the training set
    evaluated whole (2-D points go through in one pass; images in chunks)."""
    from .network import _IMAGE_CHUNK
    from .trainer import FULL_TRAIN_EVAL_LIMIT

    n_train = len(data.x_train)
    batch = min(config.batch_size or n_train, n_train)
    n_test = len(data.x_test) if data.x_test is not None else 0
    inference = max(n_test, min(n_train, FULL_TRAIN_EVAL_LIMIT))
    if len(data.input_shape) > 1:
        inference = min(inference, _IMAGE_CHUNK)
    return check_memory(config, data.input_shape, data.n_classes, batch, inference)
