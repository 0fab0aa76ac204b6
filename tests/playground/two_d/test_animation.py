"""The training-timeline animation on its own (no Qt): frame counts, frames that show the
region of their epoch, cancelling, and the ``python -m playground.render`` script."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from engine.build import build_from_description, build_model
from engine.datasets.loader import load_dataset
from engine.presets import build_optimizer
from engine.serialize import model_state
from engine.spec import REGRESSION_DATASETS, RunConfig
from engine.timeline import load_weights, take_snapshot
from engine.trainer import Trainer
from playground import render
from playground.two_d.animation import (
    MARGIN,
    AnimationCancelled,
    AnimationError,
    pick_snapshots,
    region_pixels,
    save_animation,
    square_bounds,
)
from playground.two_d.run_history import epoch_history
from playground.two_d.session_file import Session, dataset_points, save_session
from playground.ui.plots.colors import region_rgba

SIZE = (480, 270)


def trained_session(epochs: int = 12, data: str = "moons", classes: int = 2) -> Session:
    """A run trained for ``epochs`` with a snapshot after each (and one before)."""
    regression = data in REGRESSION_DATASETS
    config = RunConfig().with_changes(
        data={"name": data, "classes": classes,
              "task": "regression" if regression else "classification"},
        model={"hidden": (8, 8), "loss": "mse" if regression else "softmax-ce"},
        optim={"lr": 0.05})
    ds = load_dataset(config)
    model = build_model(config, (2,), ds.n_classes, np.random.default_rng(0))
    rng = np.random.default_rng(0)
    trainer = Trainer(model, build_optimizer(config), ds.x_train, ds.y_train, ds.x_test,
                      ds.y_test, batch_size=config.batch_size, rng=rng)
    snapshots = [take_snapshot(model, trainer.optimizer, rng, 0, 0)]
    history = epoch_history()
    for _ in range(epochs):
        metrics = trainer.run_epoch()
        history.append({**metrics, "epoch": trainer.epoch})
        snapshots.append(take_snapshot(model, trainer.optimizer, rng, trainer.epoch,
                                       trainer.steps))
    spec, weights = model_state(model)
    X, y, test = dataset_points(ds, regression)
    return Session(config, X, y, test, ds.n_classes, weights, spec, history.array(),
                   trainer.epoch, snapshots=snapshots)


@pytest.fixture(scope="module")
def session() -> Session:
    return trained_session()


def gif_frames(path) -> list[np.ndarray]:
    with Image.open(path) as im:
        out = []
        for i in range(im.n_frames):
            im.seek(i)
            out.append(np.asarray(im.convert("RGB")))
    return out


def expected_colours(session: Session, snapshot, side: int, pixels: np.ndarray):
    """The page's region colour (RGB) at region-panel ``pixels`` (P, 2) (column, row),
    computed here from the snapshot's weights on a network built afresh; and whether the
    pixel is clear of the boundary (the same top class, by a margin, as the pixels 3 away
    on each side: the boundary line is drawn dark where the top class changes)."""
    model = build_from_description(session.model_spec, np.random.default_rng(7))
    load_weights(model, snapshot)
    xmin, xmax, ymin, ymax = square_bounds(session.X)
    near = []
    for dc, dr in ((0, 0), (-3, 0), (3, 0), (0, -3), (0, 3)):
        x = xmin + (pixels[:, 0] + dc + 0.5) / side * (xmax - xmin)
        y = ymax - (pixels[:, 1] + dr + 0.5) / side * (ymax - ymin)
        near.append(model.predict_proba(np.stack([x, y], 1).astype(np.float32)))
    probs = near[0]
    rgb = region_rgba(probs[None].astype(np.float32))[0, :, :3].astype(int)
    top2 = np.sort(probs, axis=1)[:, -2:]
    best = [p.argmax(axis=1) for p in near]
    clear = (top2[:, 1] - top2[:, 0] > 0.05) & np.all([b == best[0] for b in best], axis=0)
    return rgb, clear


def clear_pixels(session: Session, side: int, rng) -> np.ndarray:
    """Region-panel pixels (P, 2) at least 8 pixels from every data point."""
    xmin, xmax, ymin, ymax = square_bounds(session.X)
    px = (session.X[:, 0] - xmin) / (xmax - xmin) * side
    py = (ymax - session.X[:, 1]) / (ymax - ymin) * side
    cand = rng.integers(2, side - 2, size=(400, 2))
    d = np.hypot(cand[:, None, 0] - px[None], cand[:, None, 1] - py[None]).min(axis=1)
    return cand[d > 8]


def test_snapshots_are_picked_evenly_first_and_last_included():
    assert pick_snapshots(31, 4).tolist() == [0, 10, 20, 30]
    assert pick_snapshots(5, 9).tolist() == [0, 1, 2, 3, 4]      # no more than there are
    assert len(pick_snapshots(300)) == 100                        # the default cap
    assert pick_snapshots(7, 1).tolist() == [6]
    picked = pick_snapshots(300, 299)
    assert len(np.unique(picked)) == 299 and picked[0] == 0 and picked[-1] == 299
    with pytest.raises(AnimationError, match="at least one frame"):
        pick_snapshots(5, 0)


@pytest.mark.parametrize("frames, expected", [(5, 5), (None, 13), (40, 13)])
def test_the_gif_has_as_many_frames_as_asked_for(session, tmp_path, frames, expected):
    path = tmp_path / "run.gif"
    result = save_animation(session, path, frames=frames, size=SIZE)
    with Image.open(path) as im:
        assert im.format == "GIF" and im.size == SIZE and im.n_frames == expected
        assert im.info["loop"] == 0
    assert result.frames == expected and result.epochs[0] == 0 and result.epochs[-1] == 12


@pytest.mark.parametrize("data, classes", [("moons", 2), ("blobs", 3)])
def test_first_and_last_frames_show_the_regions_of_their_epochs(tmp_path, data, classes):
    session = trained_session(12, data, classes)
    path = tmp_path / "run.gif"
    save_animation(session, path, frames=4, size=SIZE)
    frames = gif_frames(path)
    side = SIZE[1] - 2 * MARGIN
    pixels = clear_pixels(session, side, np.random.default_rng(3))
    first, last = session.snapshots[0], session.snapshots[-1]
    want_first, clear_first = expected_colours(session, first, side, pixels)
    want_last, clear_last = expected_colours(session, last, side, pixels)
    ok = clear_first & clear_last
    assert ok.sum() >= 50
    px, want_first, want_last = pixels[ok], want_first[ok], want_last[ok]
    got_first = frames[0][MARGIN + px[:, 1], MARGIN + px[:, 0]].astype(int)
    got_last = frames[-1][MARGIN + px[:, 1], MARGIN + px[:, 0]].astype(int)
    # GIF's 256 colours cost a unit or two; training moved the region by far more
    assert np.abs(got_first - want_first).max() <= 6
    assert np.abs(got_last - want_last).max() <= 6
    moved = np.abs(want_first - want_last).max(axis=1) > 40
    assert moved.mean() > 0.2
    assert np.abs(got_first[moved] - want_last[moved]).max(axis=1).min() > 20


def test_cancelling_writes_nothing_and_keeps_an_older_file(session, tmp_path):
    path = tmp_path / "run.gif"
    path.write_bytes(b"older")
    calls = []

    def progress(done, total):
        calls.append((done, total))
        return done < 3

    with pytest.raises(AnimationCancelled):
        save_animation(session, path, frames=10, size=SIZE, progress=progress)
    assert calls == [(i, 10) for i in range(4)]
    assert path.read_bytes() == b"older" and os.listdir(tmp_path) == ["run.gif"]


def test_bad_options_and_a_session_without_a_timeline_say_why(session, tmp_path):
    with pytest.raises(AnimationError, match="wider than high"):
        save_animation(session, tmp_path / "a.gif", size=(300, 400))
    with pytest.raises(AnimationError, match="frame rate"):
        save_animation(session, tmp_path / "a.gif", fps=0)
    bare = Session(session.config, session.X, session.y, session.test, 2, session.weights,
                   session.model_spec, session.history, session.epoch)
    with pytest.raises(AnimationError, match="no training timeline"):
        save_animation(bare, tmp_path / "a.gif")
    assert os.listdir(tmp_path) == []


def test_the_script_writes_the_gif_and_refuses_a_session_without_snapshots(
        session, tmp_path, capsys):
    good, bare = tmp_path / "good.nnplay", tmp_path / "bare.nnplay"
    save_session(good, session)
    save_session(bare, Session(session.config, session.X, session.y, session.test, 2,
                               session.weights, session.model_spec, session.history,
                               session.epoch))
    out = tmp_path / "out.gif"
    assert render.main([str(good), str(out), "--frames", "6", "--size", "480x270",
                        "--fps", "5", "--quiet"]) == 0
    with Image.open(out) as im:
        assert im.n_frames == 6 and im.size == (480, 270)
        assert im.info["duration"] == 200
    assert "6 frames" in capsys.readouterr().out
    assert render.main([str(bare), str(tmp_path / "no.gif"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and "no training timeline" in err
    assert err.count("\n") == 1 and not (tmp_path / "no.gif").exists()
    assert render.main([str(tmp_path / "missing.nnplay"), str(tmp_path / "no.gif")]) == 2
    assert "does not exist" in capsys.readouterr().err
    # as a module, an error is one line and exit 2, never a traceback
    run = subprocess.run([sys.executable, "-m", "playground.render", str(bare),
                          str(tmp_path / "no.gif")], capture_output=True, text=True,
                         timeout=120, cwd=os.path.dirname(os.path.dirname(render.__file__)))
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert run.stderr.strip().count("\n") == 0 and "no training timeline" in run.stderr


@pytest.mark.parametrize("k", [2, 3])
def test_the_boundary_is_a_dark_line_where_the_top_class_changes(k):
    # class 1 wins right of x = 50 (a linear margin), class 0 left of it; rows flip
    x = np.arange(100, dtype=np.float32) + 0.5
    p1 = np.clip(0.5 + (x - 50) / 200, 0, 1)
    probs = np.zeros((60, 100, k), np.float32)
    share = 0.98 if k == 3 else 1.0   # a third class with a little everywhere
    probs[..., 1], probs[..., 0] = share * p1, share * (1 - p1)
    if k == 3:
        probs[..., 2] = 1 - share
    rgb = region_pixels(probs).astype(int)
    plain = region_rgba(probs[::-1])[..., :3].astype(int)
    assert (rgb[:, 49:51].max(axis=2) < 90).all()         # the line, on both sides of it
    np.testing.assert_array_equal(rgb[:, :46], plain[:, :46])
    np.testing.assert_array_equal(rgb[:, 54:], plain[:, 54:])


def test_a_regression_session_animates_its_predicted_values(tmp_path):
    session = trained_session(8, "gaussians")
    path = tmp_path / "values.gif"
    assert save_animation(session, path, frames=3, size=SIZE).frames == 3
    frames = gif_frames(path)
    assert len(frames) == 3
    # the last frame's region is the page's heat map of the values at that epoch
    from engine.grid import value_grid
    from playground.two_d.animation import FrameRenderer, value_pixels

    renderer = FrameRenderer(session, SIZE)
    model = build_from_description(session.model_spec, np.random.default_rng(7))
    load_weights(model, session.snapshots[-1])
    side = renderer.side
    want = value_pixels(value_grid(model, renderer.bounds, (side, side)), renderer.scale)
    px = clear_pixels(session, side, np.random.default_rng(2))
    got = frames[-1][MARGIN + px[:, 1], MARGIN + px[:, 0]].astype(int)
    assert np.median(np.abs(got - want[px[:, 1], px[:, 0]].astype(int)).max(axis=1)) <= 3


def test_the_result_says_its_frames_in_words():
    from playground.two_d.animation import RenderResult

    assert RenderResult(1, (0,), 0.1).describe() == "1 frame (epoch 0)"
    assert RenderResult(3, (0, 20, 1500), 0.1).describe() == "3 frames (epochs 0 to 1,500)"
