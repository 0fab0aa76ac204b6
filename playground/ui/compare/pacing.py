"""How often the Compare tab redraws while its runs train: as often as every
``REFRESH_MS``, but spaced out when the redraws take more of the window thread's CPU
than ``VIEW_CPU_SHARE``.

Why: the runs train on a worker thread in this same interpreter, so every millisecond
the window spends in pyqtgraph's Python painting code is one the runs wait for the
interpreter lock. With four runs a redraw paints four times the curves; on a slow
machine painting at a fixed pace took a fifth of the training's throughput. Measuring
the window thread's own CPU time (``time.thread_time``) keeps the pace where it costs
little on a fast machine and backs off only where it must.
"""

from __future__ import annotations

import time

#: the shortest pause between two redraws of a part of the view.
REFRESH_MS = 40
#: the longest: a part of the five (see ``page.PARTS``) is then redrawn ~1.5 times a second.
MAX_REFRESH_MS = 130
#: the most of one core the window thread may use while runs train.
VIEW_CPU_SHARE = 0.12
#: how fast the pause follows the measured share (per redraw).
_SLOWER, _FASTER = 1.25, 1.1


class RefreshPacer:
    """The next pause (ms) after each redraw, from the window thread's CPU time."""

    def __init__(self) -> None:
        self.interval = REFRESH_MS
        self._last: tuple[float, float] | None = None

    def start(self) -> None:
        """A new comparison: from the shortest pause, nothing measured yet."""
        self.interval = REFRESH_MS
        self._last = None

    def next_interval(self) -> int:
        """Call once per redraw, on the window thread: the pause until the next one."""
        now, cpu = time.perf_counter(), time.thread_time()
        if self._last is not None:
            wall, used = now - self._last[0], cpu - self._last[1]
            if wall > 0:
                if used / wall > VIEW_CPU_SHARE:
                    self.interval = min(MAX_REFRESH_MS, round(self.interval * _SLOWER))
                else:
                    self.interval = max(REFRESH_MS, round(self.interval / _FASTER))
        self._last = (now, cpu)
        return self.interval
