"""The pace of the "Inside the network" payloads: at most every ``seconds``, and after a
slow payload long enough that they take at most 1 / (1 + share) of the worker's time."""

from playground import inside_pace
from playground.inside_pace import InsidePace


def test_payloads_wait_the_interval_or_share_times_their_cost(monkeypatch):
    now = [100.0]
    monkeypatch.setattr(inside_pace.time, "perf_counter", lambda: now[0])
    pace = InsidePace(seconds=0.25, share=3.0)
    start = pace.start(force=False)
    assert start == 100.0        # the first one is due at once
    now[0] = 100.01              # a cheap payload: 10 ms
    pace.done(start)
    now[0] = 100.2
    assert pace.start(force=False) is None      # within the 0.25 s interval
    assert pace.start(force=True) == 100.2      # unless forced (paused, a view opened)
    now[0] = 100.27
    start = pace.start(force=False)
    assert start == 100.27
    now[0] = 100.47              # a slow payload: 0.2 s, so the next waits 3 x 0.2 s
    pace.done(start)
    now[0] = 100.47 + 0.5
    assert pace.start(force=False) is None
    now[0] = 100.47 + 0.61
    assert pace.start(force=False) is not None
