"""How often a worker recomputes the "Inside the network" payloads while it trains."""

from __future__ import annotations

import time


class InsidePace:
    """At most every ``seconds``, and at most 1 / (1 + ``share``) of the worker's time:
    after a payload that took t seconds the next waits at least ``share`` * t."""

    def __init__(self, seconds: float, share: float) -> None:
        self.seconds, self.share = seconds, share
        self.last = 0.0   # when the last payload was finished
        self.cost = 0.0   # what it took

    def start(self, force: bool) -> float | None:
        """The start time if a payload is due now (always with ``force``), else None."""
        now = time.perf_counter()
        if not force and now - self.last < max(self.seconds, self.share * self.cost):
            return None
        return now

    def done(self, start: float) -> None:
        """The payload begun at ``start`` (the time ``start()`` returned) is done."""
        self.last = time.perf_counter()
        self.cost = self.last - start
