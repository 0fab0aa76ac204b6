"""What the MNIST page's "Inside the network" window shows, computed from a model (no
Qt here): the per-layer statistics on a fixed probe batch of training images and the
gradient check of a copy of the network (``playground.two_d.inside`` does the work; this
module chooses the images and the layers for image networks).

The MNIST worker calls ``stats_payload`` between its ticks; ``gradient_check`` runs on a
one-shot thread from copies of the weights. Payloads are plain dicts, lists and arrays.
"""

from __future__ import annotations

import numpy as np

from playground.two_d import inside as _inside

#: the probe batch: this many training images, drawn once per run with PROBE_SEED, or
#: DEEP_PROBE_SIZE for a network of more than DEEP_CONVS convolutions (DeepConvNet's six
#: make a payload of 128 images cost about a second, which Stop would wait behind).
PROBE_SIZE = 128
DEEP_PROBE_SIZE = 32
DEEP_CONVS = 2
PROBE_SEED = _inside.PROBE_SEED
#: images the gradient check runs on, and entries checked per parameter array (each
#: entry costs two forward passes of the float64 copy).
CHECK_SAMPLES = 3
CHECK_ENTRIES = 12
#: layers that add no histogram of their own: a linear map (its activation follows), a
#: reshape, a pooled copy of the layer before, or a layer that is off in inference.
_NOT_SHOWN = ("conv2d", "dense", "flatten", "max-pool2d", "avg-pool2d", "dropout",
              "batchnorm", "features")
#: said in the window while there is no network to look into.
NO_MODEL = ("There is no network yet: load a data set (the page builds one from the "
            "controls) or press Train.")


def probe_batch(x: np.ndarray, y: np.ndarray, size: int = PROBE_SIZE,
                seed: int = PROBE_SEED) -> tuple[np.ndarray, np.ndarray]:
    """Copies of up to ``size`` images of ``x`` (N, C, H, W) and their labels ``y``,
    drawn without replacement with ``seed``: the same images for every payload."""
    return _inside.probe_batch(x, y, size, seed)


def probe_size(model) -> int:
    """How many probe images ``model`` is measured on (see PROBE_SIZE)."""
    convs = sum(1 for layer in model.layers if layer.kind == "conv2d")
    return DEEP_PROBE_SIZE if convs > DEEP_CONVS else PROBE_SIZE


def shown_layers(model) -> list[int]:
    """Indices of the layers whose outputs get a histogram: every activation (after a
    convolution, its output over all channels and positions) and the output layer."""
    last = len(model.layers) - 1
    return [i for i, layer in enumerate(model.layers[:-1])
            if layer.kind not in _NOT_SHOWN] + [last]


def stats_payload(model, x: np.ndarray, y: np.ndarray) -> dict:
    """``playground.two_d.inside.stats_payload`` over ``shown_layers``: the activation
    and gradient histograms with dead / saturated shares, and every layer's gradient
    norm, plus "probe_size" (len(x)). The model is left as it was."""
    return dict(_inside.stats_payload(model, x, y, shown_layers(model)), probe_size=len(x))


def empty_payload(note: str = NO_MODEL) -> dict:
    """A payload with no layers that says why (no network yet)."""
    return {"layers": [], "grad_norms": [], "note": note}


def gradient_check(spec: dict, weights: dict[str, np.ndarray], x: np.ndarray,
                   y: np.ndarray, entries: int = CHECK_ENTRIES) -> dict:
    """``playground.two_d.inside.gradient_check`` (on a float64 copy) of the image
    network ``spec`` with ``weights`` on the images ``x`` and labels ``y``."""
    return _inside.gradient_check(spec, weights, x, y, entries)
