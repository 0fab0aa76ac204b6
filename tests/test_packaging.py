"""An installed (non-editable) copy holds every module: the wheel's packages are found,
not listed by hand (a hand-kept list once left the Compare tab out of the wheel)."""

from __future__ import annotations

import pathlib

import pytest

tomllib = pytest.importorskip("tomllib")  # Python 3.11+; the check is the same on any

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_every_source_folder_is_a_package_the_wheel_finds():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    setuptools = config["tool"]["setuptools"]
    assert isinstance(setuptools["packages"], dict)  # not a list by hand: it goes stale
    assert setuptools["packages"]["find"]["include"] == ["engine*", "playground*"]
    missing = [str(d.relative_to(ROOT)) for top in ("engine", "playground")
               for d in [ROOT / top, *(ROOT / top).rglob("*")]
               if d.is_dir() and d.name != "__pycache__" and any(d.glob("*.py"))
               and not (d / "__init__.py").exists()]
    assert missing == []
