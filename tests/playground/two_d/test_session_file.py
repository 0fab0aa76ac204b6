"""Session files on their own (no Qt): round trip, atomic writes, every kind of damage."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pytest

from engine import load as load_model
from engine.build import build_model
from engine.serialize import model_state
from engine.spec import RunConfig
from playground.two_d import session_file as S
from playground.two_d.run_history import (
    HISTORY_COLUMNS,
    epoch_history,
    history_csv,
    history_rows,
)
from playground.two_d.session_file import (
    FORMAT,
    Session,
    SessionError,
    load_session,
    save_history_csv,
    save_session,
)


def make_session(hidden=(8, 8), epochs: int = 3) -> Session:
    config = RunConfig().with_changes(data={"name": "drawn"}, model={"hidden": hidden})
    model = build_model(config, (2,), 3)
    spec, weights = model_state(model)
    rng = np.random.default_rng(1)
    X = rng.normal(size=(30, 2))
    y = np.arange(30, dtype=np.int64) % 3
    test = rng.random(30) < 0.3
    history = epoch_history()
    for e in range(1, epochs + 1):
        history.append({"epoch": e, "steps": 2 * e, "train_loss": 1 / e, "train_acc": 0.5,
                        "test_loss": None, "test_acc": None, "lr": 0.03, "seconds": 0.001})
    return Session(config, X, y, test, 3, weights, spec, history.array(), epochs)


def assert_same(a: Session, b: Session) -> None:
    assert a.config == b.config and a.epoch == b.epoch and a.n_classes == b.n_classes
    for name in ("X", "y", "test"):
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype and np.array_equal(x, y)
    assert a.weights.keys() == b.weights.keys()
    for key in a.weights:
        assert a.weights[key].dtype == b.weights[key].dtype
        assert np.array_equal(a.weights[key], b.weights[key])
    assert np.array_equal(a.history, b.history, equal_nan=True)


def rewrite(path, drop=(), replace=None) -> None:
    """Rebuild the archive at ``path`` without ``drop`` and with ``replace`` members."""
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    for name in drop:
        members.pop(name)
    members.update(replace or {})
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)


@pytest.fixture
def saved(tmp_path):
    session = make_session()
    path = tmp_path / "run.nnplay"
    save_session(path, session)
    return session, path


def test_round_trip_is_bit_for_bit_and_the_model_opens_in_the_engine(saved, tmp_path):
    session, path = saved
    loaded = load_session(path)
    assert_same(session, loaded)
    with zipfile.ZipFile(path) as zf:
        assert sorted(zf.namelist()) == ["history.npz", "model.npz", "points.npz",
                                         "session.json"]
        assert json.loads(zf.read("session.json"))["format"] == FORMAT
        (tmp_path / "model.npz").write_bytes(zf.read("model.npz"))
    model = load_model(tmp_path / "model.npz")
    for name, p, _ in model.parameters():
        assert np.array_equal(p, session.weights[f"param/{name}"])


def test_a_session_without_a_model_round_trips(tmp_path):
    session = make_session()
    session.weights = session.model_spec = None
    save_session(tmp_path / "a.nnplay", session)
    loaded = load_session(tmp_path / "a.nnplay")
    assert loaded.weights is None and np.array_equal(loaded.X, session.X)


def _adam_state(session: Session) -> dict:
    """A few Adam steps on the session's own model: the state a save would hold."""
    from engine.optimizers import make_optimizer
    from engine.serialize import copy_state_into

    model = build_model(session.config, (2,), 3)
    copy_state_into(model, session.weights, "the test")
    opt = make_optimizer("adam", 0.01)
    x = np.random.default_rng(2).normal(size=(16, 2)).astype(np.float32)
    for _ in range(3):
        model.loss(x, np.arange(16) % 3)
        model.backward()
        opt.step(model)
    return opt.export_state()


def test_the_optimizer_state_round_trips_bit_for_bit(tmp_path):
    session = make_session()
    session.optimizer = _adam_state(session)
    save_session(tmp_path / "a.nnplay", session)
    loaded = load_session(tmp_path / "a.nnplay")
    assert_same(session, loaded)
    want, got = session.optimizer, loaded.optimizer
    assert (got["kind"], got["t"]) == ("adam", 3) and got["arrays"].keys() == want["arrays"].keys()
    for key, a in want["arrays"].items():
        assert got["arrays"][key].dtype == a.dtype and np.array_equal(got["arrays"][key], a)


def _with_bad_state(session: Session, key: str, value: np.ndarray) -> dict:
    return dict(session.optimizer, arrays=dict(session.optimizer["arrays"], **{key: value}))


def test_an_unusable_optimizer_state_costs_only_the_moments(tmp_path):
    """Damaged, not finite, another rule's or another network's: the session still opens
    with its points and weights, the state is left out and the note says why."""
    session = make_session()
    session.optimizer = _adam_state(session)
    last = list(session.optimizer["arrays"])[-1]
    path = tmp_path / "a.nnplay"
    cases = {
        "optimizer.npz is damaged": None,
        "is not finite numbers": _with_bad_state(
            session, last, np.full_like(session.optimizer["arrays"][last], np.inf)),
        "is float32 of shape (2, 2)": _with_bad_state(
            session, last, np.zeros((2, 2), np.float32)),
        "for 'sgd', not 'adam'": dict(session.optimizer, kind="sgd"),
    }
    good = session.optimizer
    for expected, state in cases.items():
        session.optimizer = good if state is None else state
        save_session(path, session)
        if state is None:
            rewrite(path, replace={"optimizer.npz": b"not an npz"})
        loaded = load_session(path)
        assert_same(session, loaded)
        assert loaded.optimizer is None
        assert expected in loaded.optimizer_note
        assert "fresh optimiser moments" in loaded.optimizer_note


def test_saving_is_atomic_and_a_failed_save_keeps_the_old_file(saved, monkeypatch):
    session, path = saved
    before = path.read_bytes()

    def broken(*_a, **_k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(S.os, "replace", broken)
    with pytest.raises(SessionError, match="No space left"):
        save_session(path, make_session(hidden=(4,)))
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary left


def test_not_a_zip_empty_and_missing_files(tmp_path):
    (tmp_path / "text.nnplay").write_text("hello")
    (tmp_path / "empty.nnplay").write_bytes(b"")
    with pytest.raises(SessionError, match="not a zip archive"):
        load_session(tmp_path / "text.nnplay")
    with pytest.raises(SessionError, match="is empty"):
        load_session(tmp_path / "empty.nnplay")
    with pytest.raises(SessionError, match="does not exist"):
        load_session(tmp_path / "nothing.nnplay")
    with pytest.raises(SessionError, match="is a folder"):
        load_session(tmp_path)


@pytest.mark.parametrize("keep", [0.2, 0.5, 0.9, 0.999])
def test_truncated_files_say_so(saved, keep):
    _, path = saved
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(SessionError, match="damaged or truncated") as info:
        load_session(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize("part", ["session.json", "points.npz", "history.npz", "model.npz"])
def test_a_missing_part_is_named(saved, part):
    _, path = saved
    rewrite(path, drop=[part])
    with pytest.raises(SessionError, match=f"lacks its {part} part"):
        load_session(path)


def test_newer_format_says_which_version_reads_it(saved):
    _, path = saved
    with zipfile.ZipFile(path) as zf:
        meta = json.loads(zf.read("session.json"))
    meta["format"] = FORMAT + 1
    rewrite(path, replace={"session.json": json.dumps(meta)})
    with pytest.raises(SessionError) as info:
        load_session(path)
    assert f"newer version (format {FORMAT + 1}); this version reads up to {FORMAT}" \
        in str(info.value)


@pytest.mark.parametrize("text, match", [
    ("{not json", "damaged session.json"),
    ("[1, 2]", "not a JSON object"),
    ('{"format": "one"}', "no valid format number"),
    ('{"format": 1, "kind": "something else"}', "not a playground session"),
    ("[" * 100_000, "damaged session.json"),
])
def test_bad_json_is_reported(saved, text, match):
    _, path = saved
    rewrite(path, replace={"session.json": text})
    with pytest.raises(SessionError, match=match):
        load_session(path)


def test_an_invalid_config_is_reported(saved):
    _, path = saved
    with zipfile.ZipFile(path) as zf:
        meta = json.loads(zf.read("session.json"))
    meta["config"]["optim"]["lr"] = 0
    rewrite(path, replace={"session.json": json.dumps(meta)})
    with pytest.raises(SessionError, match="unusable run config .*learning rate"):
        load_session(path)


def test_weights_that_do_not_match_the_config_are_refused(tmp_path):
    session = make_session()
    session.config = session.config.with_changes(model={"hidden": (4,)})
    save_session(tmp_path / "a.nnplay", session)
    with pytest.raises(SessionError, match="do not match its run config"):
        load_session(tmp_path / "a.nnplay")


def test_bad_points_are_refused(saved):
    _, path = saved
    buf = io.BytesIO()
    np.savez(buf, X=np.array([[0.0, np.nan]]), y=np.array([0]), test=np.array([False]))
    rewrite(path, replace={"points.npz": buf.getvalue()})
    with pytest.raises(SessionError, match="not finite"):
        load_session(path)


def test_oversized_members_are_not_decompressed(saved, monkeypatch):
    _, path = saved
    monkeypatch.setitem(S.MEMBER_LIMITS, "points.npz", 100)
    with pytest.raises(SessionError, match="more than the 100 accepted"):
        load_session(path)


def test_history_as_rows_and_csv(tmp_path):
    session = make_session(epochs=2)
    rows = history_rows(session.history)
    assert rows[1]["epoch"] == 2 and rows[1]["steps"] == 4 and rows[1]["test_loss"] is None
    text = history_csv(session.history)
    lines = text.splitlines()
    assert lines[0] == ",".join(HISTORY_COLUMNS)
    assert lines[2].startswith("2,0.5,0.5,,,")
    save_history_csv(tmp_path / "h.csv", session.history)
    assert (tmp_path / "h.csv").read_text() == text
    with pytest.raises(SessionError, match="Cannot write"):
        save_history_csv(tmp_path / "missing" / "h.csv", session.history)


def test_a_restored_run_counts_its_steps_on_from_the_last_epoch():
    from playground.two_d.run_history import restored_steps

    history = make_session(epochs=3).history
    assert restored_steps(history) == 6          # make_session records 2 steps an epoch
    assert restored_steps(history[:0]) == 0 and restored_steps(None) == 0
    broken = history.copy()
    broken[-1, HISTORY_COLUMNS.index("steps")] = np.nan
    assert restored_steps(broken) == 0


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="FIFOs")
@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_a_session_path_that_is_not_a_regular_file_is_refused_unread(tmp_path, kind):
    import os

    if kind == "fifo":
        path = tmp_path / "pipe.nnplay"
        os.mkfifo(path)  # opening it for reading would wait for a writer
    else:
        path = "/dev/zero"  # reading it would never end
    with pytest.raises(SessionError, match="not a regular file"):
        load_session(path)


def _nan_weights(session: Session) -> Session:
    key = next(iter(session.weights))
    session.weights[key][...] = np.nan
    return session


def _inf_history(session: Session) -> Session:
    session.history[1, HISTORY_COLUMNS.index("train_loss")] = np.inf
    return session


def _huge_epoch(session: Session) -> Session:
    session.epoch = 2**70
    return session


@pytest.mark.parametrize("damage, match", [
    (_nan_weights, "not finite numbers"),
    (_inf_history, "infinite values"),
    (_huge_epoch, "epoch count"),
], ids=["nan-weights", "inf-history", "epoch-2**70"])
def test_non_finite_or_absurd_numbers_are_refused(tmp_path, damage, match):
    path = tmp_path / "run.nnplay"
    save_session(path, damage(make_session()))
    with pytest.raises(SessionError, match=match):
        load_session(path)


def test_a_session_of_more_points_than_the_drawing_holds_is_refused(tmp_path):
    s = make_session()
    n = 100_001
    big = Session(s.config, np.zeros((n, 2)), np.arange(n, dtype=np.int64) % 3,
                  np.zeros(n, bool), 3)
    path = tmp_path / "big.nnplay"
    save_session(path, big)
    with pytest.raises(SessionError, match="100,001 points.*at most 100,000"):
        load_session(path)


def test_a_points_member_announcing_a_huge_array_is_refused_before_inflating(tmp_path):
    import io
    import zipfile

    path = tmp_path / "bomb.nnplay"
    save_session(path, make_session())
    # a points.npz whose X announces 250 million rows in a few bytes of data
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f8", "fortran_order": False, "shape": (250_000_000, 2)})
    npz = io.BytesIO()
    with zipfile.ZipFile(npz, "w") as z:
        z.writestr("X.npy", header.getvalue() + b"\0" * 16)
        z.writestr("y.npy", b"")
        z.writestr("test.npy", b"")
    with zipfile.ZipFile(path) as old:
        members = {i.filename: old.read(i.filename) for i in old.infolist()}
    members["points.npz"] = npz.getvalue()
    with zipfile.ZipFile(path, "w") as new:
        for name, data in members.items():
            new.writestr(name, data)
    with pytest.raises(SessionError, match="points.npz.*250000000"):
        load_session(path)


def test_a_session_with_points_beyond_float32_is_refused(tmp_path):
    s = make_session()
    X = s.X.copy()
    X[0, 0] = 1e308
    path = tmp_path / "far.nnplay"
    save_session(path, Session(s.config, X, s.y, s.test, s.n_classes))
    with pytest.raises(SessionError, match="1e\\+308.*32-bit"):
        load_session(path)


def _with_timeline(session: Session, epochs=(0, 1, 2, 3)) -> Session:
    from engine.timeline import Snapshot

    rng = np.random.default_rng(5)
    session.snapshots = [
        Snapshot(e, {k: (v + e).astype(v.dtype) for k, v in session.weights.items()},
                 {"kind": "adam", "t": e, "arrays": {"0.W/m": np.full((2, 8), e, np.float32)}},
                 rng.bit_generator.state, 2 * e)
        for e in epochs]
    return session


def test_the_timeline_round_trips_bit_for_bit(tmp_path):
    session = _with_timeline(make_session())
    save_session(tmp_path / "t.nnplay", session)
    back = load_session(tmp_path / "t.nnplay")
    assert back.timeline_note == ""
    assert [s.epoch for s in back.snapshots] == [0, 1, 2, 3]
    for a, b in zip(session.snapshots, back.snapshots):
        assert a.steps == b.steps and a.rng == b.rng
        assert a.optimizer["kind"] == b.optimizer["kind"] and a.optimizer["t"] == b.optimizer["t"]
        for key, value in a.weights.items():
            assert b.weights[key].dtype == value.dtype and np.array_equal(b.weights[key], value)
        np.testing.assert_array_equal(b.optimizer["arrays"]["0.W/m"],
                                      a.optimizer["arrays"]["0.W/m"])


def _other_networks_timeline(session: Session) -> Session:
    session.snapshots = _with_timeline(make_session(hidden=(4,))).snapshots
    return session


@pytest.mark.parametrize("damage, match", [
    (lambda s: _with_timeline(s, (0, 2, 1)), "increasing"),
    (lambda s: _with_timeline(s, (0, 1, 9)), "increasing"),   # past the session's epoch
    (_other_networks_timeline, "does not fit"),
])
def test_a_timeline_that_does_not_fit_is_left_out_and_the_session_opens(
        tmp_path, damage, match):
    session = damage(make_session())
    save_session(tmp_path / "t.nnplay", session)
    back = load_session(tmp_path / "t.nnplay")
    assert back.snapshots is None and match in back.timeline_note
    assert_same(session, back)
