"""``python -m engine sweep`` on Dask: a LocalCluster of two worker processes and a
scheduler and worker started as their own processes give the same trials and metrics,
each equal to ``train`` of the trial's config alone; Ctrl+C stops the sweep and its
workers; a diverged trial is a result; a scheduler that does not answer is one line."""

from __future__ import annotations

import json
import os
import pathlib
import signal
import socket
import subprocess
import sys
import time

import pytest

pytest.importorskip("distributed")

from engine.cli import main  # noqa: E402
from engine.spec import RunConfig  # noqa: E402
from engine.sweep import SweepSpec, parse_dimension  # noqa: E402

PYTHON = sys.executable
SPACE = ("--space", "optim.lr=log-uniform:1e-3:3e-1", "--space",
         "model.activation=grid:tanh|relu")


def call(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def base(capsys, tmp_path) -> str:
    path = tmp_path / "base.json"
    code, _, err = call(capsys, "train", "--dataset", "moons", "--samples", "200",
                        "--epochs", "1", "--save-config", str(path))
    assert code == 0, err
    return str(path)


def _lines(out: str) -> dict[int, dict]:
    return {d["trial"]: d for d in map(json.loads, out.splitlines())}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_same_spec_gives_the_same_trials():
    base = RunConfig()
    dims = tuple(parse_dimension(t) for t in SPACE[1::2])
    a = SweepSpec(base, dims, trials=3, seed=5).expand()
    b = SweepSpec(base, dims, trials=3, seed=5).expand()
    c = SweepSpec(base, dims, trials=3, seed=6).expand()
    assert [t.changes for t in a] == [t.changes for t in b] != [t.changes for t in c]
    assert len(a) == 6 and [t.changes["model.activation"] for t in a] == ["tanh"] * 3 + \
        ["relu"] * 3
    assert all(1e-3 <= t.changes["optim.lr"] <= 3e-1 for t in a)


def test_local_cluster_and_a_separate_scheduler_agree_with_train_alone(
        capsys, base, tmp_path):
    args = ("sweep", "--config", base, *SPACE, "--trials", "2", "--epochs", "4", "--json")
    code, out, err = call(capsys, *args, "--workers", "2",
                          "--save", str(tmp_path / "r.jsonl"))
    assert code == 0, err
    local = _lines(out)
    assert sorted(local) == [0, 1, 2, 3]
    assert _lines((tmp_path / "r.jsonl").read_text()) == local

    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    scheduler = subprocess.Popen([PYTHON, "-m", "distributed.cli.dask_scheduler",
                                  "--host", "127.0.0.1", "--port", str(port),
                                  "--no-dashboard"], env=env, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
    worker = subprocess.Popen([PYTHON, "-m", "distributed.cli.dask_worker", address,
                               "--nthreads", "1", "--host", "127.0.0.1", "--no-dashboard"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        from distributed import Client

        with Client(address, timeout="30s") as client:
            client.wait_for_workers(1, timeout=30)
        code, out, err = call(capsys, *args, "--scheduler", address)
        assert code == 0, err
    finally:
        for p in (worker, scheduler):
            p.terminate()
            p.wait(20)
    remote = _lines(out)
    for i, line in local.items():
        for key in ("train_loss", "test_loss", "train_acc", "test_acc", "epoch", "changes"):
            assert remote[i][key] == line[key], (i, key)  # bit for bit

    # and each trial equals its config trained alone by train (one BLAS thread)
    trial = local[3]
    config = tmp_path / "trial3.json"
    config.write_text(json.dumps(trial["config"]))
    code, out, err = call(capsys, "train", "--config", str(config), "--threads", "1",
                          "--json")
    assert code == 0, err
    alone = json.loads(out.splitlines()[-1])
    for key in ("train_loss", "test_loss", "train_acc", "test_acc", "epoch"):
        assert alone[key] == trial[key], key


def test_a_diverging_trial_is_a_result_not_a_crash(capsys, tmp_path):
    path = tmp_path / "plane.json"
    code, _, err = call(capsys, "train", "--dataset", "plane", "--samples", "200",
                        "--optimizer", "sgd", "--epochs", "1", "--save-config", str(path))
    assert code == 0, err
    code, out, err = call(capsys, "sweep", "--config", str(path), "--space",
                          "optim.lr=grid:5|0.01", "--epochs", "30", "--workers", "1",
                          "--json")
    assert code == 0, err
    lines = _lines(out)
    assert "diverged at epoch" in lines[0]["diverged"]
    assert lines[1]["diverged"] is None and lines[1]["epoch"] == 30
    assert lines[1]["test_r2"] > 0.5


def test_ctrl_c_stops_the_sweep_and_its_workers(base, tmp_path):
    proc = subprocess.Popen(
        [PYTHON, "-m", "engine", "sweep", "--config", base, "--space",
         "optim.lr=log-uniform:1e-3:1e-1", "--trials", "40", "--epochs", "100000",
         "--workers", "2", "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
    children: set[int] = set()
    deadline = time.monotonic() + 60
    while len(children) < 2 and time.monotonic() < deadline:  # the cluster's workers
        children = _descendants(proc.pid)
        time.sleep(0.5)
    assert children, "the local cluster's workers did not start"
    time.sleep(3)  # trials running
    t0 = time.monotonic()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert time.monotonic() - t0 < 15
    assert "interrupted" in err
    time.sleep(1)
    assert [pid for pid in children if _alive(pid)] == []


def test_a_scheduler_that_does_not_answer_is_one_line(capsys, base):
    address = f"tcp://127.0.0.1:{_free_port()}"
    code, out, err = call(capsys, "sweep", "--config", base, "--space",
                          "optim.lr=grid:0.1|0.01", "--scheduler", address,
                          "--connect-timeout", "2")
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and f"no Dask scheduler answers at {address}" \
        in err


@pytest.mark.parametrize("space, words", [
    ("optim.lr", "KEY=KIND:ARGS"),
    ("optim.lr=log-uniform:0:1", "LO > 0"),
    ("optim.lr=uniform:1:fast", "two numbers"),
    ("optim.lr=normal:0:1", "KIND one of"),
    ("optim.bogus=grid:1|2", "trial 0"),
])
def test_a_bad_space_is_one_sentence(capsys, base, space, words):
    code, out, err = call(capsys, "sweep", "--config", base, "--space", space)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and words in err, err


def test_a_sweep_file_holds_the_same_sweep(capsys, base, tmp_path):
    spec = {"base": json.loads(pathlib.Path(base).read_text()), "space": list(SPACE[1::2]),
            "trials": 1, "seed": 3, "metric": "test_loss"}
    path = tmp_path / "sweep.json"
    path.write_text(json.dumps(spec))
    code, out, err = call(capsys, "sweep", "--config", str(path), "--epochs", "2",
                          "--workers", "1")
    assert code == 0, err
    rows = out.strip().splitlines()
    assert "test_loss" in rows[0] and len(rows) == 3
    losses = [float(r.split()[-3]) for r in rows[1:]]
    assert losses == sorted(losses)  # a loss ranks lowest first


def _descendants(pid: int) -> set[int]:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    parents[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    out, frontier = set(), {pid}
    while frontier:
        frontier = {p for p, parent in parents.items() if parent in frontier} - out
        out |= frontier
    return out


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_a_local_clusters_workers_run_without_the_profiler_and_leave_ours_alone():
    from engine.sweep_dask import QUIET_WORKERS, start_client, stop_client

    def settings() -> dict:
        import dask

        return {key: dask.config.get(key) for key in QUIET_WORKERS}

    ours = settings()
    assert ours["distributed.worker.profile.enabled"] is True  # Dask's default
    client, cluster = start_client(None, 1)
    try:
        (in_worker,) = client.run(settings).values()
    finally:
        stop_client(client, cluster)
    assert in_worker == QUIET_WORKERS
    assert settings() == ours
