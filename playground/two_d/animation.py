"""A session's training timeline as an animated GIF: one frame per chosen snapshot, the
decision region at that epoch (coloured as the 2-D page colours it, boundary and points
on top) beside the loss curves with a mark at that epoch. NumPy and Pillow, no Qt.

``save_animation(session, path, frames=N)`` picks ``N`` snapshots evenly from the first to
the last, renders them and writes the GIF atomically; ``progress(done, total)`` is called
after every frame and cancels the export by returning False (or raising), and then no
file is written.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from engine.atomic import check_target, write_atomic
from engine.errors import DataError, EngineError
from engine.grid import decision_grid, value_grid
from engine.timeline import Snapshot, load_weights
from playground.two_d.inside import data_bounds
from playground.two_d.session_file import Session, check_weights
from playground.ui.plots.colors import hex_to_rgb, region_rgba
from playground.ui.plots.palette import BOUNDARY_COLOR
from playground.ui.plots.unit_colors import heat_lut, target_scale

#: frames when none are asked for: every snapshot, up to this many.
DEFAULT_FRAMES = 100
#: the most frames one animation holds (the timeline keeps at most 300 snapshots anyway).
MAX_FRAMES = 1000
DEFAULT_SIZE = (720, 400)
MIN_SIZE, MAX_SIZE = (320, 180), (3840, 2160)
DEFAULT_FPS = 10.0
#: the last frame stays up this long (ms), so a looping GIF shows where training ended.
HOLD_LAST_MS = 1500
#: the region panel's margin around the plot, in pixels.
MARGIN = 8
#: the class boundary's width in pixels (the page draws it 1.6 pixels wide).
BOUNDARY_WIDTH = 1.6
FRAME_COLOR = (153, 153, 153)


class AnimationError(DataError):
    """The animation cannot be made (no timeline, a bad size or frame rate);
    one sentence saying why."""


class AnimationCancelled(Exception):
    """The progress callback asked to stop; nothing was written."""


@dataclass(frozen=True)
class RenderResult:
    """What ``save_animation`` wrote: the frame count, their epochs and the seconds taken."""

    frames: int
    epochs: tuple[int, ...]
    seconds: float

    def describe(self) -> str:
        """"3 frames (epochs 0 to 40)", or "1 frame (epoch 0)"."""
        if self.frames == 1:
            return f"1 frame (epoch {self.epochs[0]:,})"
        return f"{self.frames} frames (epochs {self.epochs[0]:,} to {self.epochs[-1]:,})"


def pick_snapshots(count: int, frames: int | None = None) -> np.ndarray:
    """Indices (F,) of ``frames`` snapshots spread evenly over ``count`` (first and last
    included; all of them, up to ``DEFAULT_FRAMES``, when ``frames`` is None)."""
    if count <= 0:
        return np.zeros(0, np.intp)
    wanted = min(count, DEFAULT_FRAMES) if frames is None else min(count, int(frames))
    if wanted < 1:
        raise AnimationError(f"an animation needs at least one frame, not {frames}")
    if wanted == 1:
        return np.array([count - 1], np.intp)
    # count >= wanted: rounding an even spacing of at least 1 never repeats an index
    return np.round(np.linspace(0, count - 1, wanted)).astype(np.intp)


def check_size(size: tuple[int, int]) -> tuple[int, int]:
    """``size`` (width, height) in pixels as ints, or ``AnimationError`` naming the range."""
    w, h = (int(v) for v in size)
    if not (MIN_SIZE[0] <= w <= MAX_SIZE[0] and MIN_SIZE[1] <= h <= MAX_SIZE[1] and w > h):
        raise AnimationError(
            f"the frame size {w}x{h} is not usable; choose a width from {MIN_SIZE[0]} to "
            f"{MAX_SIZE[0]} and a height from {MIN_SIZE[1]} to {MAX_SIZE[1]} pixels, wider "
            f"than high (the region is square, the curves sit beside it)")
    return w, h


def square_bounds(x: np.ndarray) -> tuple[float, float, float, float]:
    """The box around the points ``x`` (N, 2) with a 10% margin, widened to a square so
    the region keeps the page's 1:1 aspect."""
    xmin, xmax, ymin, ymax = data_bounds(np.asarray(x, np.float64))
    half = max(xmax - xmin, ymax - ymin) / 2
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    return cx - half, cx + half, cy - half, cy + half


def require_pillow() -> None:
    """``AnimationError`` saying how to install Pillow when it is missing."""
    try:
        import PIL  # noqa: F401
    except ImportError:
        raise AnimationError("animations need the Pillow package: pip install "
                             "'nn-playground[anim]'") from None


class FrameRenderer:
    """Frames of one session: the points and the curves are drawn once, each frame adds
    the region of a snapshot and the epoch's mark (for regression the predicted value on
    the page's heat map, its 0 contour dark). ``AnimationError`` when the session has no
    timeline."""

    def __init__(self, session: Session, size: tuple[int, int] = DEFAULT_SIZE) -> None:
        require_pillow()
        from playground.two_d.animation_layout import CurvePanel, points_layer

        if not session.snapshots or session.weights is None:
            raise AnimationError("the session holds no training timeline to animate; train "
                                 "on the 2-D page and save the session again")
        self.width, self.height = check_size(size)
        self.side = self.height - 2 * MARGIN
        self.session = session
        self.snapshots: list[Snapshot] = list(session.snapshots)
        try:
            self.model = check_weights(session)
        except EngineError as e:
            raise AnimationError(f"the session's network cannot be built: {e}") from None
        self.bounds = square_bounds(session.X)
        self.regression = bool(session.config.data.is_regression)
        test = np.asarray(session.test, bool)
        y = np.asarray(session.y, np.float64)
        #: the page's colour scale for regression targets (None: classes)
        self.scale = target_scale(y[~test], y[test]) if self.regression else None
        self._points = points_layer(session, self.bounds, self.side, self.scale)
        self._curves = CurvePanel(session, (self.width - self.height, self.height))

    def region(self, snapshot: Snapshot) -> np.ndarray:
        """The region of ``snapshot`` with its boundary, RGB uint8 (side, side, 3), top row
        = the largest x2 (as on screen); no points."""
        load_weights(self.model, snapshot)
        if self.regression:
            values = value_grid(self.model, self.bounds, (self.side, self.side))
            return value_pixels(values, self.scale)
        probs = decision_grid(self.model, self.bounds, (self.side, self.side))
        return region_pixels(probs)

    def frame(self, snapshot: Snapshot):
        """The whole frame of ``snapshot`` as an RGB ``PIL.Image`` (width, height)."""
        from PIL import Image, ImageDraw

        out = Image.new("RGB", (self.width, self.height), "white")
        region = Image.fromarray(self.region(snapshot), "RGB").convert("RGBA")
        region.alpha_composite(self._points)
        out.paste(region.convert("RGB"), (MARGIN, MARGIN))
        ImageDraw.Draw(out).rectangle((MARGIN - 1, MARGIN - 1, MARGIN + self.side,
                                       MARGIN + self.side), outline=FRAME_COLOR)
        out.paste(self._curves.frame(snapshot.epoch), (self.height, 0))
        return out


def region_pixels(probs: np.ndarray) -> np.ndarray:
    """RGB uint8 (ny, nx, 3) for class probabilities ``probs`` (ny, nx, K) with row 0 at
    ymin: the page's confidence colouring (``region_rgba``), flipped so row 0 is the top,
    with the class boundary drawn over it as an anti-aliased line."""
    p = probs[::-1]
    rgb = region_rgba(p)[..., :3].astype(np.float32)
    alpha = boundary_alpha(p)[..., None]
    rgb += (np.asarray(hex_to_rgb(BOUNDARY_COLOR), np.float32) - rgb) * alpha
    return (rgb + np.float32(0.5)).astype(np.uint8)


def value_pixels(values: np.ndarray, scale: tuple[float, float]) -> np.ndarray:
    """RGB uint8 (ny, nx, 3) for a regression model's ``values`` (ny, nx) with row 0 at
    ymin: the page's heat map over ``scale`` (orange negative, white 0, blue positive;
    NaN white), flipped so row 0 is the top, with the 0 contour as a dark line."""
    v = np.asarray(values, np.float32)[::-1]
    lut = np.concatenate([heat_lut(), np.full((1, 3), 255, np.uint8)])  # last: NaN
    lo, hi = scale
    steps = len(lut) - 1
    with np.errstate(over="ignore", invalid="ignore"):
        t = (v - np.float32(lo)) * np.float32((steps - 1) / (hi - lo)) + np.float32(0.5)
        np.clip(t, 0, steps - 1, out=t)
    t[np.isnan(t)] = steps
    rgb = lut[t.astype(np.intp)].astype(np.float32)
    clean = np.nan_to_num(v, nan=np.float32(hi))
    gy, gx = np.gradient(clean)
    alpha = _line_alpha(clean, np.hypot(gx, gy))[..., None]
    rgb += (np.asarray(hex_to_rgb(BOUNDARY_COLOR), np.float32) - rgb) * alpha
    return (rgb + np.float32(0.5)).astype(np.uint8)


def _line_alpha(field: np.ndarray, slope: np.ndarray, width: float = BOUNDARY_WIDTH
                ) -> np.ndarray:
    """Coverage in 0..1 of a ``width``-pixel line along the zeros of ``field``, the
    distance to them estimated as |field| / its gradient's length ``slope``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        distance = np.abs(field) / slope
    distance[~np.isfinite(distance)] = np.inf
    return np.clip(np.float32(width / 2 + 0.5) - distance, 0.0, 1.0).astype(np.float32)


def boundary_alpha(probs: np.ndarray, width: float = BOUNDARY_WIDTH) -> np.ndarray:
    """Coverage (ny, nx) float32 in 0..1 of a ``width``-pixel line along the class
    boundary of ``probs`` (ny, nx, K): the distance to the boundary, in pixels, is the
    top class's margin over its rival divided by the margin's gradient (the first term of
    its Taylor series), so the line is smooth without drawing a segment at a time."""
    p = np.nan_to_num(probs.astype(np.float32, copy=False), nan=0.5)
    if p.shape[-1] <= 2:
        margin = p[..., -1] - np.float32(0.5)
        gy, gx = np.gradient(margin)
    else:
        # the top class a against the runner-up b: p_a - p_b is smooth across their
        # boundary (top minus second is not: it folds there), so take its gradient
        order = np.argsort(p, axis=-1)[..., -2:]
        a, b = order[..., 1:], order[..., :1]
        margin = (np.take_along_axis(p, a, -1) - np.take_along_axis(p, b, -1))[..., 0]
        gy, gx = (np.take_along_axis(g, a, -1)[..., 0] - np.take_along_axis(g, b, -1)[..., 0]
                  for g in np.gradient(p, axis=(0, 1)))
    return _line_alpha(margin, np.hypot(gx, gy), width)


def _to_palette(image):
    """``image`` (RGB) as a 256-colour palette image, quantised without dithering (the
    region's smooth shading would otherwise turn to noise)."""
    from PIL import Image

    return image.quantize(colors=256, method=Image.Quantize.MAXCOVERAGE,
                          dither=Image.Dither.NONE)


def render_frames(session: Session, frames: int | None = None,
                  size: tuple[int, int] = DEFAULT_SIZE,
                  progress: Callable[[int, int], object] | None = None):
    """(frames as RGB ``PIL.Image`` list, their epochs) of ``frames`` snapshots picked by
    ``pick_snapshots``; ``progress(done, total)`` after each, False cancels
    (``AnimationCancelled``)."""
    renderer = FrameRenderer(session, size)
    chosen = [renderer.snapshots[i] for i in pick_snapshots(len(renderer.snapshots), frames)]
    images = []
    total = len(chosen)
    if progress is not None and progress(0, total) is False:
        raise AnimationCancelled
    for done, snapshot in enumerate(chosen, 1):
        images.append(renderer.frame(snapshot))
        if progress is not None and progress(done, total) is False:
            raise AnimationCancelled
    return images, tuple(s.epoch for s in chosen)


def save_animation(session: Session, path, frames: int | None = None,
                   fps: float = DEFAULT_FPS, size: tuple[int, int] = DEFAULT_SIZE,
                   progress: Callable[[int, int], object] | None = None) -> RenderResult:
    """Render ``frames`` snapshots of ``session`` and write them to ``path`` as a looping
    GIF at ``fps`` frames a second (the last one held ``HOLD_LAST_MS``). Written through a
    temporary file: a cancelled or failed export leaves ``path`` as it was."""
    if not 0.1 <= float(fps) <= 50:
        raise AnimationError(f"the frame rate {fps} is not usable; choose 0.1 to 50 frames "
                             f"a second")
    check_target(path, "animation")   # a bad folder fails now, not after the frames
    start = time.perf_counter()
    images, epochs = render_frames(session, frames, size, progress)
    palette_images = [_to_palette(im) for im in images]
    ms = int(round(1000 / float(fps)))
    durations = [ms] * (len(images) - 1) + [max(ms, HOLD_LAST_MS)]

    def write(f) -> None:
        first, *rest = palette_images
        first.save(f, format="GIF", save_all=True, append_images=rest, duration=durations,
                   loop=0)

    write_atomic(path, write)
    return RenderResult(len(images), epochs, time.perf_counter() - start)
