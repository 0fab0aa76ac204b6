"""``python -m playground.render SESSION.nnplay OUT.gif``: a saved session's training
timeline as an animated GIF, as File > Export animation… makes it, without a window.

Exit codes as the engine's CLI: 0 written, 2 bad input (no such file, a session without a
timeline, a bad option), 130 interrupted; errors are one line on stderr.
"""

from __future__ import annotations

import argparse
import re
import sys

from playground.two_d.animation import (
    DEFAULT_FPS,
    DEFAULT_FRAMES,
    DEFAULT_SIZE,
    AnimationError,
    save_animation,
)


def _size(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"\s*(\d+)\s*[xX×]\s*(\d+)\s*", text)
    if not match:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size; write it as WIDTHxHEIGHT, "
                                         f"e.g. 720x400")
    return int(match[1]), int(match[2])


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m playground.render",
        description="Render a saved 2-D session's training timeline (the decision region "
                    "and the loss curves at each kept epoch) as an animated GIF.")
    p.add_argument("session", help="a session saved by the 2-D page (.nnplay)")
    p.add_argument("out", help="the GIF to write (replaced atomically)")
    p.add_argument("--frames", type=int, default=None, metavar="N",
                   help=f"snapshots to show, picked evenly from the first to the last "
                        f"(default: all, up to {DEFAULT_FRAMES})")
    p.add_argument("--fps", type=float, default=DEFAULT_FPS, metavar="F",
                   help=f"frames a second (default {DEFAULT_FPS:g}; the last frame is held "
                        f"longer)")
    p.add_argument("--size", type=_size, default=DEFAULT_SIZE, metavar="WxH",
                   help=f"frame size in pixels (default {DEFAULT_SIZE[0]}x{DEFAULT_SIZE[1]})")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    from engine.errors import DataError
    from playground.two_d.session_file import SessionError, load_session

    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if args.quiet:
            return
        if bar is None:
            from tqdm import tqdm

            bar = tqdm(total=total, unit="frame", file=sys.stderr, leave=False)
        bar.update(done - bar.n)

    try:
        session = load_session(args.session)
        result = save_animation(session, args.out, frames=args.frames, fps=args.fps,
                                size=args.size, progress=progress)
    except (SessionError, AnimationError, DataError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"error: cannot write {args.out}: {e.strerror or e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; nothing was written", file=sys.stderr)
        return 130
    finally:
        if bar is not None:
            bar.close()
    print(f"wrote {args.out}: {result.describe()} in {result.seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
