"""Atomic writes: the saved file gets the mode a plain ``open`` would give it."""

from __future__ import annotations

import os
import stat

import pytest

from engine.atomic import write_atomic
from engine.build import build_model
from engine.spec import RunConfig

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


def mode_of(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_a_new_file_gets_the_umask_default_not_0600(tmp_path, umask_022):
    path = tmp_path / "f.bin"
    write_atomic(path, b"data")
    assert mode_of(path) == 0o644


def test_a_replaced_file_keeps_its_mode(tmp_path, umask_022):
    path = tmp_path / "f.bin"
    path.write_bytes(b"old")
    os.chmod(path, 0o640)
    write_atomic(path, b"new")
    assert mode_of(path) == 0o640
    assert path.read_bytes() == b"new"


def test_a_saved_model_and_loss_history_are_readable_by_the_group(tmp_path, umask_022):
    from playground.two_d.run_history import empty_history
    from playground.two_d.session_file import save_history_csv

    model = build_model(RunConfig(), (2,), 2)
    model.save(tmp_path / "m.npz")
    save_history_csv(tmp_path / "h.csv", empty_history())
    assert mode_of(tmp_path / "m.npz") == 0o644
    assert mode_of(tmp_path / "h.csv") == 0o644
