"""The autosave marker is read like every other file: a pipe or a device there is
ignored, not waited on."""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest

from playground.two_d.autosave import Autosaver


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs")
def test_a_fifo_as_the_marker_reads_as_no_other_instance(tmp_path):
    lock = tmp_path / "autosave.lock"
    os.mkfifo(lock)  # opening it for reading would wait for a writer
    assert Autosaver._lock_pid(SimpleNamespace(lock_path=lock)) == 0


def test_a_marker_holding_a_pid_is_read(tmp_path):
    lock = tmp_path / "autosave.lock"
    lock.write_text("4321 started\n")
    assert Autosaver._lock_pid(SimpleNamespace(lock_path=lock)) == 4321
