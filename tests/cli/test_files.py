"""``python -m engine`` and the files it writes: targets checked before training, failed
writes that keep the old file and name the target."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from engine.cli import main
from engine.datasets.csvio import save_csv
from engine.errors import DataError

QUICK = ["--dataset", "xor", "--samples", "40", "--hidden", "4", "--epochs", "2",
         "--seed", "1", "--json"]


def call(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("flag", ["--save", "--save-config"])
@pytest.mark.parametrize("where", ["missing", "file-as-folder", "folder"])
def test_a_target_that_cannot_be_written_is_refused_before_training(
        capsys, tmp_path, monkeypatch, flag, where):
    (tmp_path / "plain").write_text("x")
    target = {"missing": tmp_path / "missing" / "m.out",
              "file-as-folder": tmp_path / "plain" / "m.out", "folder": tmp_path}[where]
    import engine.trainer

    def no_training(*a, **k):
        raise AssertionError("training started")

    monkeypatch.setattr(engine.trainer.Trainer, "run_epoch", no_training)
    code, out, err = call(capsys, "train", *QUICK, flag, str(target))
    assert code == 2
    assert out == ""
    assert len(err.splitlines()) == 1
    assert str(target) in err
    assert ".tmp" not in err


def _run_limited(args: list[str], limit: int, cwd) -> subprocess.CompletedProcess:
    """``python -m engine ARGS`` with files limited to ``limit`` bytes (EFBIG past it)."""
    script = ("import resource, signal, sys\n"
              "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
              f"resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))\n"
              "from engine.cli import main\n"
              "sys.exit(main(sys.argv[1:]))\n")
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}  # PYTHONPATH: see conftest.py
    return subprocess.run([sys.executable, "-c", script, *args], capture_output=True,
                          text=True, timeout=120, cwd=cwd, env=env, check=False)


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_FSIZE and SIGXFSZ")
@pytest.mark.parametrize("flag", ["--save", "--save-config"])
def test_a_write_that_fails_half_way_keeps_the_old_file_and_names_it(tmp_path, flag):
    target = tmp_path / "old.out"
    target.write_bytes(b"old contents")
    proc = _run_limited(["train", *QUICK, flag, str(target)], 300, tmp_path)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert str(target) in lines[0] and "File too large" in lines[0]
    assert ".tmp" not in lines[0]
    assert target.read_bytes() == b"old contents"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.out"]


def test_a_failed_csv_export_keeps_the_old_file_and_names_it(tmp_path, monkeypatch):
    import errno

    target = tmp_path / "points.csv"
    save_csv(target, np.zeros((2, 2)), np.array([0, 1]))
    before = target.read_bytes()
    real_fsync = os.fsync

    def full(fd):
        raise OSError(errno.EFBIG, os.strerror(errno.EFBIG))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(DataError) as info:
        save_csv(target, np.ones((50, 2)), np.arange(50) % 2)
    monkeypatch.setattr(os, "fsync", real_fsync)
    message = str(info.value)
    assert "points.csv" in message and "File too large" in message
    assert ".tmp" not in message
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["points.csv"]


@pytest.fixture
def deadline():
    """Fail (instead of hanging) if a call blocks for more than 20 s."""
    import signal

    def hung(*_):
        raise TimeoutError("the reader blocked")

    old = signal.signal(signal.SIGALRM, hung)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


@pytest.mark.skipif(not hasattr(os, "mkfifo") or not os.path.exists("/dev/zero"),
                    reason="FIFOs and /dev/zero")
@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
@pytest.mark.parametrize("args", [
    ["train", *QUICK, "--data", "{path}"],
    ["train", "--config", "{path}"],
    ["evaluate", "{path}", "--dataset", "xor"],
    ["train", "--dataset", "mnist", "--data-dir", "{folder}", "--json"],
], ids=["data", "config", "model", "mnist-file"])
def test_a_file_that_is_not_a_regular_file_is_refused_unread(
        capsys, tmp_path, deadline, kind, args):
    folder = tmp_path / "mnist"
    folder.mkdir()
    if kind == "fifo":
        path = tmp_path / "pipe"
        os.mkfifo(path)
        os.mkfifo(folder / "train-images-idx3-ubyte")
    else:
        path = "/dev/zero"
        os.symlink("/dev/zero", folder / "train-images-idx3-ubyte")
    for name in ("train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                 "t10k-labels-idx1-ubyte"):
        (folder / name).write_bytes(b"")
    code, out, err = call(capsys, *(a.format(path=path, folder=folder) for a in args))
    assert code == 2, err
    assert out == ""
    assert len(err.splitlines()) == 1, err
    assert "not a regular file" in err


def test_train_help_gives_every_flag_a_text_and_its_default():
    from engine.cli import build_parser

    parser = build_parser()
    train = parser._subparsers._group_actions[0].choices["train"]
    for action in train._actions:
        if action.dest == "help":
            continue
        assert action.help, action.option_strings
        assert "default" in action.help, action.option_strings


def test_two_values_for_a_list_flag_point_at_train_help(capsys):
    code, out, err = call(capsys, "train", "--dataset", "xor", "--hidden", "8", "8")
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1
    assert "train --help" in err and "8,8" in err


def test_settings_the_run_cannot_follow_are_noted_on_stderr(capsys):
    code, out, err = call(capsys, "train", "--dataset", "moons", "--samples", "40",
                          "--classes", "3", "--batch-size", "500", "--epochs", "1", "--json")
    assert code == 0, err
    notes = [line for line in err.splitlines() if line.startswith("note: ")]
    assert len(notes) == 2, err
    assert "classes 3" in notes[0] and "moons" in notes[0]
    assert "batch size 500" in notes[1] and "28" in notes[1]
