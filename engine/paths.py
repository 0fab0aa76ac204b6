"""Where bundled files live: the repo's top-level ``assets/`` or the installed copy."""

from __future__ import annotations

import sys
from pathlib import Path

from .errors import DataError

_SHARED = Path("share") / "nn-playground" / "assets"


def asset_dirs() -> list[Path]:
    """Folders searched for assets, in order: the source tree, then the wheel's data
    folder under each folder above the installed package (a venv or prefix, ``pip install
    --user`` and ``--target`` put ``share/`` at different heights above it), then under
    ``sys.prefix`` and the user base."""
    package = Path(__file__).resolve().parent
    dirs = [package.parent / "assets"]
    dirs += [up / _SHARED for up in list(package.parents)[:4]]
    import site

    dirs += [Path(sys.prefix) / _SHARED, Path(site.getuserbase()) / _SHARED]
    return list(dict.fromkeys(dirs))


def asset(name: str) -> Path:
    """Path of the bundled file ``name``; ``DataError`` if no asset folder holds it."""
    for folder in asset_dirs():
        path = folder / name
        if path.is_file():
            return path
    places = " or ".join(str(d) for d in asset_dirs())
    raise DataError(f"bundled file {name!r} is missing: looked in {places}")
