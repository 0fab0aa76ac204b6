"""The parts of an animation frame drawn once per animation with Pillow: the data points
over the region and the panel beside it (the epoch, its accuracies, the loss curves with
a mark at that epoch and a caption). ``playground.two_d.animation`` puts them together."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from playground.two_d.run_history import HISTORY_COLUMNS
from playground.two_d.session_file import Session
from playground.ui.plots.colors import hex_to_rgb
from playground.ui.plots.palette import CLASS_COLORS, TEST_COLOR, TRAIN_COLOR
from playground.ui.plots.unit_colors import diverging_lut

#: the point marks, as on the page: train points filled with a white rim, test points
#: white with a ring of their class colour (radius in pixels at a 400-pixel frame).
POINT_RADIUS = 3.5
#: steps of a regression point's colour scale (the page's brushes).
POINT_STEPS = 64
TEXT = (34, 34, 34)
MUTED = (110, 110, 110)
AXIS = (153, 153, 153)
MARK = (120, 120, 120)


def font(px: int):
    """Pillow's bundled scalable font at ``px`` pixels."""
    return ImageFont.load_default(size=max(8, int(px)))


def point_colors(session: Session, scale: tuple[float, float] | None) -> list[tuple]:
    """Each point's RGB: its class colour, or for regression (``scale`` given) its target
    on the page's diverging scale (``POINT_STEPS`` steps, as the page's brushes)."""
    if scale is None:
        table = [hex_to_rgb(c) for c in CLASS_COLORS]
        labels = np.clip(np.asarray(session.y, np.intp), 0, len(CLASS_COLORS) - 1)
        return [table[i] for i in labels]
    lut = diverging_lut(POINT_STEPS)
    lo, hi = scale
    t = (np.asarray(session.y, np.float64) - lo) * ((POINT_STEPS - 1) / (hi - lo)) + 0.5
    index = np.clip(np.nan_to_num(t, nan=POINT_STEPS / 2), 0, POINT_STEPS - 1).astype(np.intp)
    return [tuple(int(c) for c in lut[i]) for i in index]


def points_layer(session: Session, bounds: tuple[float, float, float, float], side: int,
                 scale: tuple[float, float] | None = None):
    """The session's points on a transparent RGBA image (side, side) over ``bounds``
    (drawn once per animation; each frame lays it on its region). ``scale``: a regression
    session's colour scale (None: classes)."""
    layer = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    xmin, xmax, ymin, ymax = bounds
    X = np.asarray(session.X, np.float64)
    px = (X[:, 0] - xmin) / (xmax - xmin) * side
    py = (ymax - X[:, 1]) / (ymax - ymin) * side
    colors = point_colors(session, scale)
    # regression rings are darker: a white ring on a white fill would vanish near 0
    rim = (lambda c: tuple(int(v * 0.8) for v in c)) if scale is not None else (lambda c: c)
    r = max(2.0, POINT_RADIUS * side / 384)
    test = np.asarray(session.test, bool)
    # train points first, test points over them (the page's order); once per animation
    for i in np.r_[np.flatnonzero(~test), np.flatnonzero(test)]:
        box = (px[i] - r, py[i] - r, px[i] + r, py[i] + r)
        color = colors[i]
        if test[i]:
            draw.ellipse(box, fill=(255, 255, 255, 230), outline=rim(color) + (255,), width=2)
        else:
            outline = (50, 50, 50, 190) if scale is not None else (255, 255, 255, 255)
            draw.ellipse(box, fill=color + (255,), outline=outline, width=1)
    return layer


def _column(history: np.ndarray, name: str) -> np.ndarray:
    return np.asarray(history, np.float64)[:, HISTORY_COLUMNS.index(name)]


def caption_lines(session: Session) -> list[str]:
    """What the animation shows, in short lines: data, network, optimiser."""
    cfg = session.config
    m = cfg.model
    hidden = ", ".join(map(str, m.hidden)) or "none"
    return [f"{cfg.data.name} · {len(session.y)} points",
            f"hidden {hidden} · {m.activation}",
            f"{cfg.optim.name} · lr {cfg.optim.lr:g}"]


class CurvePanel:
    """The panel (width, height) beside the region: a heading with the epoch and its
    accuracies, the loss curves (train dark blue, test orange, as on the page; a log
    scale when they span more than a decade) and a caption."""

    def __init__(self, session: Session, size: tuple[int, int]) -> None:
        self.width, self.height = size
        scale = self.height / 400
        self.big, self.small = font(22 * scale), font(13 * scale)
        self.tiny = font(11 * scale)
        h = np.asarray(session.history, np.float64)
        self.epochs = _column(h, "epoch") if len(h) else np.zeros(0)
        self.train, self.test = (_column(h, k) if len(h) else np.zeros(0)
                                 for k in ("train_loss", "test_loss"))
        self.train_acc, self.test_acc = (_column(h, k) if len(h) else np.zeros(0)
                                         for k in ("train_acc", "test_acc"))
        self.train_r2, self.test_r2 = (_column(h, k) if len(h) else np.zeros(0)
                                       for k in ("train_r2", "test_r2"))
        pad = int(14 * scale)
        self.plot = (pad + int(36 * scale), int(92 * scale),
                     self.width - pad, self.height - int(96 * scale))
        self._setup_scale(session)
        self._background = self._draw_background(session, scale)

    def _setup_scale(self, session: Session) -> None:
        losses = np.r_[self.train, self.test]
        losses = losses[np.isfinite(losses)]
        last = max(int(session.epoch), int(self.epochs[-1]) if len(self.epochs) else 0, 1)
        self.x_range = (0.0, float(last))
        if len(losses) == 0:
            self.log, self.y_range = False, (0.0, 1.0)
            return
        lo, hi = float(losses.min()), float(losses.max())
        self.log = lo > 0 and hi / lo > 10
        if self.log:
            lo, hi = np.log10(lo), np.log10(hi)
        span = max(hi - lo, 1e-6)
        self.y_range = (lo - 0.05 * span, hi + 0.05 * span)

    def _xy(self, epochs: np.ndarray, values: np.ndarray) -> np.ndarray:
        """Pixel positions (N, 2) of (epoch, loss) pairs in the plot box."""
        x0, y0, x1, y1 = self.plot
        v = np.log10(np.maximum(values, 1e-300)) if self.log else values
        (a, b), (lo, hi) = self.x_range, self.y_range
        px = x0 + (epochs - a) / max(b - a, 1e-9) * (x1 - x0)
        py = y1 - (v - lo) / max(hi - lo, 1e-9) * (y1 - y0)
        return np.stack([px, py], axis=1)

    def _draw_background(self, session: Session, scale: float):
        image = Image.new("RGB", (self.width, self.height), "white")
        draw = ImageDraw.Draw(image)
        x0, y0, x1, y1 = self.plot
        draw.rectangle((x0, y0, x1, y1), outline=AXIS)
        for values, color in ((self.test, TEST_COLOR), (self.train, TRAIN_COLOR)):
            ok = np.isfinite(values)
            if ok.sum() >= 2:
                pts = self._xy(self.epochs[ok], values[ok])
                draw.line([tuple(p) for p in pts], fill=hex_to_rgb(color),
                          width=max(1, round(2 * scale)), joint="curve")
        lo, hi = self.y_range
        fmt = (lambda v: f"{10 ** v:.3g}") if self.log else (lambda v: f"{v:.3g}")
        draw.text((x0 - 4, y0), fmt(hi), fill=MUTED, font=self.tiny, anchor="ra")
        draw.text((x0 - 4, y1), fmt(lo), fill=MUTED, font=self.tiny, anchor="rd")
        a, b = self.x_range
        draw.text((x0, y1 + 4), f"{a:.0f}", fill=MUTED, font=self.tiny, anchor="la")
        draw.text((x1, y1 + 4), f"{b:,.0f}", fill=MUTED, font=self.tiny, anchor="ra")
        draw.text(((x0 + x1) / 2, y1 + 4), "epoch", fill=MUTED, font=self.tiny, anchor="ma")
        label = "loss (log)" if self.log else "loss"
        draw.text((x0, y0 - 4), label, fill=MUTED, font=self.tiny, anchor="ld")
        # the key, right-aligned above the plot
        key_y = y0 - 4
        for text, color in (("test", TEST_COLOR), ("train", TRAIN_COLOR)):
            draw.text((x1, key_y), text, fill=TEXT, font=self.tiny, anchor="rd")
            w = draw.textlength(text, font=self.tiny)
            x1_key = x1 - w - 4
            draw.line((x1_key - 16 * scale, key_y - 5 * scale, x1_key, key_y - 5 * scale),
                      fill=hex_to_rgb(color), width=max(1, round(2 * scale)))
            x1 = x1_key - 16 * scale - 10 * scale
        y = self.height - int(78 * scale)
        for line in caption_lines(session):
            draw.text((x0, y), line, fill=MUTED, font=self.small)
            y += int(20 * scale)
        return image

    def frame(self, epoch: int):
        """The panel at ``epoch``: the heading and a mark on the curves there."""
        image = self._background.copy()
        draw = ImageDraw.Draw(image)
        x0, y0, x1, y1 = self.plot
        row = np.flatnonzero(self.epochs == epoch)
        scale = self.height / 400
        px = float(self._xy(np.array([float(epoch)]), np.array([1.0]))[0, 0])
        draw.line((px, y0 + 1, px, y1 - 1), fill=MARK, width=1)
        r = 4 * scale
        heading = f"Epoch {epoch:,}"
        sub = "before training" if epoch == 0 and not len(row) else ""
        if len(row):
            i = row[-1]
            for values, color in ((self.test, TEST_COLOR), (self.train, TRAIN_COLOR)):
                if np.isfinite(values[i]):
                    qx, qy = self._xy(np.array([float(epoch)]), values[i:i + 1])[0]
                    draw.ellipse((qx - r, qy - r, qx + r, qy + r), fill=hex_to_rgb(color),
                                 outline="white")
            parts = []
            if np.isfinite(self.train_acc[i]):
                parts.append(f"train acc {self.train_acc[i]:.1%}")
            if np.isfinite(self.test_acc[i]):
                parts.append(f"test acc {self.test_acc[i]:.1%}")
            if not parts and np.isfinite(self.train_r2[i]):
                parts.append(f"train R2 {self.train_r2[i]:.3f}")
                if np.isfinite(self.test_r2[i]):
                    parts.append(f"test R2 {self.test_r2[i]:.3f}")
            sub = " · ".join(parts)
        draw.text((x0, int(16 * scale)), heading, fill=TEXT, font=self.big)
        if sub:
            draw.text((x0, int(48 * scale)), sub, fill=MUTED, font=self.small)
        return image
