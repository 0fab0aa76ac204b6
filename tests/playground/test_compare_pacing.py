"""The Compare tab's redraw pace follows the window thread's CPU time: past
``VIEW_CPU_SHARE`` of one core the pauses grow (up to ``MAX_REFRESH_MS``), below it they
shrink back to ``REFRESH_MS``."""

from __future__ import annotations

import pytest

from playground.ui.compare import pacing
from playground.ui.compare.pacing import MAX_REFRESH_MS, REFRESH_MS, RefreshPacer


@pytest.fixture
def clock(monkeypatch):
    """A fake wall clock and window-thread CPU clock, both in seconds."""
    now = {"wall": 0.0, "cpu": 0.0}
    monkeypatch.setattr(pacing.time, "perf_counter", lambda: now["wall"])
    monkeypatch.setattr(pacing.time, "thread_time", lambda: now["cpu"])
    return now


def _redraws(pacer: RefreshPacer, clock: dict, share: float, n: int) -> list[int]:
    """``n`` redraws, each pause spent ``share`` busy on the window thread."""
    out = []
    for _ in range(n):
        interval = pacer.next_interval()
        out.append(interval)
        clock["wall"] += interval / 1000
        clock["cpu"] += share * interval / 1000
    return out


def test_a_busy_window_thread_spaces_the_redraws_out_up_to_the_limit(clock):
    pacer = RefreshPacer()
    steps = _redraws(pacer, clock, share=0.5, n=30)
    assert steps[0] == REFRESH_MS  # nothing measured before the first redraw
    assert steps == sorted(steps) and steps[-1] == MAX_REFRESH_MS


def test_an_idle_window_thread_keeps_the_shortest_pause_and_returns_to_it(clock):
    pacer = RefreshPacer()
    assert set(_redraws(pacer, clock, share=0.02, n=10)) == {REFRESH_MS}
    _redraws(pacer, clock, share=0.5, n=30)
    assert pacer.interval == MAX_REFRESH_MS
    assert _redraws(pacer, clock, share=0.02, n=30)[-1] == REFRESH_MS


def test_a_new_comparison_starts_at_the_shortest_pause(clock):
    pacer = RefreshPacer()
    _redraws(pacer, clock, share=0.5, n=30)
    pacer.start()
    assert pacer.interval == REFRESH_MS
    clock["cpu"] += 10.0  # what the thread did before this comparison is not counted
    assert pacer.next_interval() == REFRESH_MS
