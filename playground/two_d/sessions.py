"""``SessionKeeper``: taking the 2-D page's state out (``snapshot``, exports) and putting
it back (``restore``), for the controller that holds it.

The worker owns the model, so a snapshot asks the controller for the worker's state
(a queued request that lands between two training ticks, waited for a bounded time).
The keeper uses only the controller's public face: ``config``, ``data``, ``run_id``,
``closed``, ``request_state`` and ``adopt``.
"""

from __future__ import annotations

import numpy as np

from engine.datasets.loader import Dataset, load_dataset
from engine.errors import DataError, EngineError
from engine.serialize import write_state
from engine.spec import RunConfig
from playground.two_d.options import memory_problem
from playground.two_d.points import DrawnPoints
from playground.two_d.session_file import (
    Session,
    SessionError,
    check_weights,
    dataset_points,
    save_history_csv,
)

#: how long Save waits for the worker to finish its current tick and answer.
SNAPSHOT_TIMEOUT = 2.0


class SessionKeeper:
    """``snapshot``/``restore``/exports of a ``PlaygroundController``'s state."""

    def __init__(self, controller) -> None:
        self._c = controller

    # ------------------------------------------------------------------ out

    def snapshot(self, timeout: float = SNAPSHOT_TIMEOUT) -> Session:
        """The session as it is now: config, points and split, and copies of the
        worker's weights, epoch and loss history. Never touches the live model;
        ``SessionError`` if the worker does not answer within ``timeout`` seconds."""
        c = self._c
        if c.closed:
            raise SessionError("The training thread has ended; there is nothing to save.")
        state = c.request_state(timeout)
        if state is None:
            raise SessionError("The training thread is busy with a long epoch; try again "
                               "in a moment.")
        config, data = c.config, c.data
        X, y = data.all_points(config)
        test = data.test_mask(config)
        ds = data.dataset
        regression = config.data.is_regression
        n_classes = ds.n_classes if ds is not None else (
            1 if regression else max(config.data.classes, 2))
        current = state.run_id == c.run_id
        return Session(
            config, np.array(X, np.float64),
            np.array(y, np.float64 if regression else np.int64), test, n_classes,
            weights=state.weights if current else None,
            model_spec=state.spec if current else None,
            history=state.history if current else np.zeros((0, state.history.shape[1])),
            epoch=state.epoch if current else 0,
            optimizer=state.optimizer if current else None,
            snapshots=state.snapshots if current else None)

    def export_model(self, path: str) -> None:
        """Write the current model as an engine ``.npz`` (``engine.load`` reads it)."""
        session = self.snapshot()
        if session.weights is None:
            raise SessionError("There is no model to export yet: the data needs points of "
                               "two classes first.")
        try:
            write_state(path, session.model_spec, session.weights)
        except OSError as e:
            raise SessionError(f"Cannot write the model to {path!r}: "
                               f"{e.strerror or e}.") from None

    def export_history(self, path: str) -> int:
        """Write the loss history of this run as CSV; returns the number of epochs."""
        session = self.snapshot()
        save_history_csv(path, session.history)
        return len(session.history)

    # ------------------------------------------------------------------ in

    def restore(self, session: Session) -> str:
        """Put ``session`` back: config, points and split, weights, epoch and history.
        Returns a note for the user ("" if none). Raises ``SessionError`` and changes
        nothing when the session does not fit the playground."""
        config = session.config
        if config.data.is_image or config.data.name == "csv" \
                or tuple(session.input_shape) != (2,):
            raise SessionError(f"This session is not a 2-D playground session (its data "
                               f"set is {config.data.name!r}).")
        drawn, note = None, ""
        try:
            if config.data.name == "drawn":
                drawn = self._drawing_of(session, config)
                dataset = _trainable(drawn)
            else:
                dataset = load_dataset(config)
                X, y, test = dataset_points(dataset, config.data.is_regression)
                if not (np.array_equal(X, session.X) and np.array_equal(y, session.y)
                        and np.array_equal(test, session.test)):
                    # the generator changed (another library version): keep the points
                    config = config.with_changes(data={"name": "drawn"})
                    drawn = self._drawing_of(session, config)
                    dataset = _trainable(drawn)
                    note = ("This version generates different points for these settings; "
                            "the saved points were restored as a drawing.")
        except (DataError, ValueError, MemoryError) as e:
            raise SessionError(f"The session's points cannot be used: {e}") from None
        if session.weights is not None:
            have = dataset.n_classes if dataset is not None else 0
            if have != session.n_classes:
                raise SessionError(f"The session's weights are for {session.n_classes} "
                                   f"classes but its points give {have}.")
            try:
                check_weights(session)
            except EngineError as e:
                raise SessionError(f"The session's weights do not fit its network: {e}") \
                    from None
        problem = memory_problem(config, dataset, len(session.y))
        if problem:
            raise SessionError(problem)
        # Everything checked: commit.
        self._c.adopt(config, drawn, dataset, "" if dataset is not None else _problem(drawn),
                      session)
        if session.optimizer_note:
            note = f"{note} {session.optimizer_note}".strip()
        if session.timeline_note:
            note = f"{note} {session.timeline_note}".strip()
        return note

    @staticmethod
    def _drawing_of(session: Session, config: RunConfig) -> DrawnPoints:
        drawn = DrawnPoints(config.data.test_ratio, config.seed,
                            values=config.data.is_regression)
        drawn.replace(session.X, session.y, session.test, seed=config.seed)
        return drawn


def _trainable(drawn: DrawnPoints) -> Dataset | None:
    try:
        return drawn.dataset()
    except DataError:
        return None


def _problem(drawn: DrawnPoints | None) -> str:
    if drawn is None:
        return ""
    try:
        drawn.dataset()
    except DataError as e:
        return str(e)
    return ""
