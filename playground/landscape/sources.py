"""The sources of the pages' landscapes: a copy of the model being trained, its data
subset and its trajectory, asked of each page's worker between two of its ticks.

The GUI thread waits for that copy at most ``WAIT_SECONDS`` (one tick of training, in
practice a few milliseconds; the worker is never touched from here).
"""

from __future__ import annotations

import numpy as np

from playground.landscape.plane import LandscapeSource

#: the longest the GUI thread waits for a worker's copy (the design allows 2 s).
WAIT_SECONDS = 2.0
#: the MNIST page's landscape is measured on its first this many training images.
MNIST_IMAGES = 2000


def two_d_source(controller, timeout: float = WAIT_SECONDS) -> LandscapeSource | str:
    """What the 2-D page trains: its model, its training points and its trajectory."""
    dataset = controller.dataset
    if dataset is None:
        return controller.data_problem or "There is no data to compute a landscape on."
    state = controller.request_state(timeout)
    if state is None:
        return "The training worker did not answer in time; try again in a moment."
    if state.spec is None or state.weights is None:
        return "There is no network yet to compute a landscape of."
    return LandscapeSource(
        state.spec, state.weights, np.asarray(dataset.x_train), np.asarray(dataset.y_train),
        state.trajectory if state.trajectory is not None else np.zeros((0, 0)),
        f"the 2-D page's network at epoch {state.epoch} on its {len(dataset.x_train):,} "
        f"training points")


def mnist_source(controller, images: int | None = None,
                 timeout: float = WAIT_SECONDS) -> LandscapeSource | str:
    """What the MNIST page trains: its model, its first ``images`` (default
    ``MNIST_IMAGES``) training images and its trajectory."""
    snap = controller.request_snapshot(images or MNIST_IMAGES, timeout)
    if snap is None:
        return "The MNIST page is busy (loading data?); try again in a moment."
    if not snap:
        return "There is no network on the MNIST page yet: press Train first."
    return LandscapeSource(
        snap["spec"], snap["weights"], snap["x"], snap["targets"], snap["trajectory"],
        f"the MNIST network at epoch {snap['epoch']} on the first {len(snap['x']):,} "
        f"training images")
