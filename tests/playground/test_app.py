"""Entry points and the package boundaries."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import playground

ROOT = Path(playground.__file__).resolve().parent


def test_importing_the_app_does_not_load_qt():
    code = "import sys, playground.app, engine.paths; print('PySide6' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60)
    assert out.stdout.strip() == "False"


def test_help_flag_prints_usage_without_a_window():
    out = subprocess.run([sys.executable, "-m", "playground", "--help"], capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0 and "nn-playground" in out.stdout


def test_widgets_never_import_the_engine():
    offenders = []
    for path in (ROOT / "ui").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] == "engine"]
    assert offenders == []


def test_asset_helper_finds_the_bundled_sample():
    from engine.paths import asset

    assert asset("mnist_sample.npz").is_file()
