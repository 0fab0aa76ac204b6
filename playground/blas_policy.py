"""The BLAS thread policy: ``BLAS``, the one ``BlasPolicy`` of the process, arbitrates
OpenBLAS's single global thread count between the workers' ticks (each tick runs inside
``BLAS.scoped(n)``). It makes no threads; ``playground.runtime`` does, and applies this
policy around every tick and one-shot job.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import Counter
from collections.abc import Iterator


class BlasPolicy:
    """Process-wide arbiter of the BLAS thread count for workers' ticks.

    OpenBLAS's thread count is one global setting, so two workers ticking at once cannot
    each have their own. Each tick declares what it asks for (n threads, or 0 for the
    library's default); while ticks overlap the largest request wins, and when none is
    running the library's default is restored. So one page's one-thread choice never
    leaks into another page's "let the library decide".

    The count is only ever changed while no other thread is inside a tick: OpenBLAS's
    ``set_num_threads`` is not safe while another thread's call is running (a crash in a
    BLAS thread, seen here about once in a few hundred runs of the window tests). A tick
    that needs a change waits, at most ``WAIT_SECONDS``, for the others' ticks (~20 ms
    each) to end, and new ticks wait behind it so it is not starved; if the wait runs
    out it proceeds with the count in force rather than risk the change.
    """

    WAIT_SECONDS = 1.0

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._active: Counter[int] = Counter()
        self._inside: Counter[int] = Counter()  # thread id -> its ticks in flight
        self._waiting = 0                        # ticks waiting to change the count
        self._controllers = None   # threadpoolctl's BLAS handles, found on first use
        self._default = 0          # the library's own thread count, read before any change

    def _blas(self) -> list:
        if self._controllers is None:
            from threadpoolctl import ThreadpoolController

            self._controllers = ThreadpoolController().select(user_api="blas").lib_controllers
            self._default = max((c.num_threads for c in self._controllers), default=1)
        return self._controllers

    @property
    def library_default(self) -> int:
        """The BLAS thread count the library chose itself."""
        self._blas()
        return self._default

    def current(self) -> int:
        """The BLAS thread count in force now."""
        return max((c.num_threads for c in self._blas()), default=1)

    def _effective(self) -> int:
        if not self._active:
            return self._default
        return max(self._default if n == 0 else n for n in self._active)

    def _needs_change(self) -> bool:
        n = self._effective()
        return any(c.num_threads != n for c in self._blas())

    def _apply(self) -> None:
        # Compared with what the library reports, not with what was last set: a set made
        # before the library's thread pool exists may not stick.
        n = self._effective()
        for c in self._blas():
            if c.num_threads != n:
                _set_threads(c, n)

    def _others_inside(self, me: int) -> int:
        return sum(self._inside.values()) - self._inside[me]

    @contextlib.contextmanager
    def scoped(self, threads: int | None) -> Iterator[None]:
        """Run the block with ``threads`` BLAS threads (0: the library's default;
        None: no request, whatever is in force)."""
        if threads is None:
            yield
            return
        threads = max(0, int(threads))
        me = threading.get_ident()
        with self._cond:
            self._blas()
            deadline = time.monotonic() + self.WAIT_SECONDS
            # behind a tick that waits to change the count (unless nested in our own)
            while self._waiting and not self._inside[me] and time.monotonic() < deadline:
                self._cond.wait(max(0.0, deadline - time.monotonic()))
            self._active[threads] += 1
            if self._needs_change():
                self._waiting += 1
                while self._others_inside(me) and time.monotonic() < deadline:
                    self._cond.wait(max(0.0, deadline - time.monotonic()))
                self._waiting -= 1
                if not self._others_inside(me):
                    self._apply()
                self._cond.notify_all()
            self._inside[me] += 1
        try:
            yield
        finally:
            with self._cond:
                self._active[threads] -= 1
                if self._active[threads] <= 0:
                    del self._active[threads]
                self._inside[me] -= 1
                if self._inside[me] <= 0:
                    del self._inside[me]
                if not self._others_inside(me) and not self._waiting:
                    self._apply()  # the last one out (or alone): what is asked now
                self._cond.notify_all()


def _set_threads(lib, n: int) -> None:
    """Set ``lib``'s thread count from whichever thread holds the policy's lock.
    threadpoolctl (3.8+) lets only the first thread that set a shared pool's limit set it
    again and silently ignores the others; the policy is the one arbiter here, so it
    takes control for the call and gives it back."""
    clear = getattr(type(lib), "clear_controlling_thread", None)
    if clear is not None:
        clear(force=True)
    lib.set_num_threads(n)
    if clear is not None:
        clear(force=True)


#: the one policy of this process.
BLAS = BlasPolicy()
