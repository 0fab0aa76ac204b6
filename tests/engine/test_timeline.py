"""The training timeline: thinning, memory cap, and continuing exactly from a snapshot."""

import numpy as np
import pytest
from sklearn.datasets import make_moons

from engine import RunConfig, Trainer, build_model
from engine.optimizers import make_optimizer
from engine.timeline import MAX_BYTES, Snapshot, SnapshotStore, load_weights, take_snapshot


def _net(hidden=(16, 16), classes=3, seed=0):
    cfg = RunConfig().with_changes(seed=seed, model={"hidden": hidden})
    return build_model(cfg, (2,), classes, rng=np.random.default_rng(seed))


def _fake(epoch, nbytes=800):
    return Snapshot(epoch, {"param/0.W": np.zeros(nbytes // 4, np.float32)})


def test_ten_thousand_epochs_of_a_2_16_16_3_net_stay_within_the_cap():
    model = _net()
    opt = make_optimizer("adam", 0.01)
    model.loss(np.zeros((4, 2), np.float32), np.zeros(4, np.int64))
    model.backward()
    opt.step(model)                       # Adam's moments exist: snapshots at full size
    rng = np.random.default_rng(0)
    store = SnapshotStore()
    for epoch in range(10_001):
        store.add(take_snapshot(model, opt, rng, epoch))
    epochs = store.epochs()
    assert len(store) <= store.limit <= 300
    assert store.nbytes <= MAX_BYTES
    assert epochs[:101] == list(range(101))          # dense early
    assert epochs[-1] == 10_000                      # the latest is always there
    gaps = np.diff(epochs[101:-1])
    assert len(gaps) > 100 and (gaps == gaps[0]).all() and gaps[0] > 1  # then evenly sparse
    assert store.get(5000).epoch <= 5000 < store.get(5000).epoch + gaps[0]


def test_the_byte_cap_limits_a_big_network_and_keeps_room_for_late_epochs():
    store = SnapshotStore(max_bytes=40 * 800)
    for epoch in range(1000):
        store.add(_fake(epoch))
    assert len(store) <= 40 and store.nbytes <= 40 * 800
    epochs = store.epochs()
    assert epochs[:21] == list(range(21)) and epochs[-1] == 999
    assert epochs[-2] > 500


def test_a_larger_later_snapshot_tightens_the_cap():
    store = SnapshotStore(max_bytes=100 * 800)
    store.add(_fake(0, 80))               # optimiser state not there yet: small
    for epoch in range(1, 500):
        store.add(_fake(epoch, 800))
    assert store.nbytes <= 100 * 800


def test_get_finds_the_kept_epoch_at_or_before_and_adding_an_earlier_one_rewinds():
    store = SnapshotStore(dense_until=2, max_snapshots=6)
    for epoch in range(20):
        store.add(_fake(epoch))
    kept = store.epochs()
    assert store.get(kept[3]).epoch == kept[3]
    assert store.get(kept[3] + 1).epoch == kept[3]
    assert store.get(-5).epoch == 0
    store.add(_fake(kept[2] + 1))
    assert store.epochs() == kept[:3] + [kept[2] + 1]
    with pytest.raises(IndexError):
        SnapshotStore().get(0)


def test_restore_keeps_a_saved_timeline():
    store = SnapshotStore(dense_until=3, max_snapshots=8)
    for epoch in range(50):
        store.add(_fake(epoch))
    again = SnapshotStore(dense_until=3, max_snapshots=8)
    again.restore(list(reversed(store.snapshots())))
    assert again.epochs() == store.epochs()
    again.add(_fake(50))
    assert again.epochs()[-1] == 50 and len(again) <= 8


def _moons_trainer(model, rng, opt):
    X, y = make_moons(120, noise=0.2, random_state=1)
    return Trainer(model, opt, X[:90], y[:90], X[90:], y[90:], batch_size=16, rng=rng)


def test_continuing_from_a_snapshot_repeats_the_run_bit_for_bit():
    """Weights, optimiser moments and the generator (batches and dropout masks) all come
    back, so training on from epoch 4 gives exactly what the uninterrupted run gave."""
    cfg = RunConfig().with_changes(seed=3, model={"dropout": 0.2})
    rng = np.random.default_rng(3)
    model = build_model(cfg, (2,), 2, rng=rng)
    opt = make_optimizer("adam", 0.02)
    trainer = _moons_trainer(model, rng, opt)
    store = SnapshotStore()
    trainer.on_epoch = lambda m: store.add(take_snapshot(model, opt, rng, trainer.epoch,
                                                         trainer.steps))
    trainer.fit(10)
    final = {n: p.copy() for n, p, _ in model.parameters()}

    snap = store.get(4)
    rng2 = np.random.default_rng(99)
    model2 = build_model(cfg, (2,), 2, rng=rng2)
    load_weights(model2, snap)
    opt2 = make_optimizer("adam", 0.02)
    opt2.import_state(snap.optimizer, model2)
    rng2.bit_generator.state = snap.rng
    trainer2 = _moons_trainer(model2, rng2, opt2)
    trainer2.epoch, trainer2.steps = snap.epoch, snap.steps
    trainer2.fit(6)
    for n, p, _ in model2.parameters():
        np.testing.assert_array_equal(p, final[n])
