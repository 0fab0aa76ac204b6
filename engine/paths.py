"""Where bundled files live: the repo's top-level ``assets/`` or the installed copy."""

from __future__ import annotations

import sys
from pathlib import Path

from .errors import DataError


def asset_dirs() -> list[Path]:
    """Folders searched for assets, in order: the source tree, then the wheel's data dir."""
    return [
        Path(__file__).resolve().parents[1] / "assets",
        Path(sys.prefix) / "share" / "nn-playground" / "assets",
    ]


def asset(name: str) -> Path:
    """Path of the bundled file ``name``; ``DataError`` if no asset folder holds it."""
    for folder in asset_dirs():
        path = folder / name
        if path.is_file():
            return path
    places = " or ".join(str(d) for d in asset_dirs())
    raise DataError(f"bundled file {name!r} is missing: looked in {places}")
