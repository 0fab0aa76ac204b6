"""Undo for the 2-D page's edits: what a change was (a ``PageState`` before and after)
and how to put a state back. No Qt widgets: the page keeps the ``QUndoStack``.

A state is the config and the drawing (points, labels and their split). An edit made of
smaller ones (the first drawn point switches to the drawing, may add a class, then adds
the point) is recorded once, by the outermost ``record``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from engine.spec import RunConfig


@dataclass(frozen=True, eq=False)
class PageState:
    """The config and copies of the drawing: ``X`` (N, 2), ``y`` (N,), ``test`` (N,)."""

    config: RunConfig
    X: np.ndarray
    y: np.ndarray
    test: np.ndarray

    def same_points(self, other: PageState) -> bool:
        return (np.array_equal(self.X, other.X) and np.array_equal(self.y, other.y)
                and np.array_equal(self.test, other.test))

    def same(self, other: PageState) -> bool:
        return self.config == other.config and self.same_points(other)


class UndoRecorder:
    """Reports each outermost recorded edit that changed the state, as
    ``report(before, after, text)``; edits made while restoring are not recorded."""

    def __init__(self, state: Callable[[], PageState],
                 report: Callable[[PageState, PageState, str], None]) -> None:
        self._state, self._report = state, report
        self._depth = 0
        self.restoring = False

    @contextlib.contextmanager
    def record(self, text: str) -> Iterator[None]:
        outer = self._depth == 0 and not self.restoring
        before = self._state() if outer else None
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
        if outer:
            after = self._state()
            if not before.same(after):
                self._report(before, after, text)


def restore(controller, state: PageState) -> None:
    """Put ``state`` back through the controller's own paths, so the run keeps its
    weights where the edit would have (points) and starts afresh where it would have
    (a new network or data set). The config goes first: switching to the drawing copies
    the points on screen, which the saved drawing then replaces."""
    recorder = controller.undo
    recorder.restoring = True
    try:
        if state.config != controller.config:
            controller.edit(state.config.to_dict())
        now = controller.drawn
        current = PageState(controller.config, now.X, now.y, now.test_mask)
        if not state.same_points(current):
            controller.replace_drawing(state.X, state.y, state.test)
    finally:
        recorder.restoring = False
