"""Where bundled files live, for the app: one helper over the engine's."""

from __future__ import annotations

from pathlib import Path

from engine.paths import asset as _engine_asset


def asset(name: str) -> Path:
    """Path of the bundled file ``name`` (the repo's ``assets/`` or the installed copy);
    raises ``DataError`` naming the places searched when it is missing."""
    return _engine_asset(name)
