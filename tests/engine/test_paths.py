"""Bundled assets are found from an installed, non-editable copy run from another folder,
whatever height above the package the installer put ``share/`` at."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import engine

SOURCE = Path(engine.__file__).resolve().parent


@pytest.mark.parametrize("site_packages", [
    ".",                                   # pip install --target DIR
    "lib/python3.11/site-packages",        # a venv, a prefix, pip install --user
])
def test_an_installed_copy_finds_the_sample_from_another_folder(tmp_path, site_packages):
    root = tmp_path / "installed"
    packages = root / site_packages
    shutil.copytree(SOURCE, packages / "engine",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shared = root / "share" / "nn-playground" / "assets"
    shared.mkdir(parents=True)
    (shared / "mnist_sample.npz").write_bytes(b"sample")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = subprocess.run(
        [sys.executable, "-I", "-c",
         f"import sys; sys.path.insert(0, {str(packages)!r}); import engine.paths as p; "
         "print(p.asset('mnist_sample.npz'))"],
        cwd=elsewhere, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert Path(out.stdout.strip()) == shared / "mnist_sample.npz"


def test_a_missing_asset_names_the_places_searched():
    from engine.errors import DataError
    from engine.paths import asset

    with pytest.raises(DataError, match="no-such-file.npz.*looked in"):
        asset("no-such-file.npz")
