"""Entry points and the package boundaries."""

from __future__ import annotations

import ast
import os
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


def test_no_display_is_one_line_and_exit_1_not_a_qt_abort():
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    out = subprocess.run([sys.executable, "-m", "playground"], capture_output=True,
                         text=True, timeout=60, env=env)
    if not sys.platform.startswith("linux"):
        return
    assert out.returncode == 1
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "no display" in lines[0]
    assert "xvfb-run" in lines[0] and "QT_QPA_PLATFORM=offscreen" in lines[0]


def test_version_and_help_work_without_qt():
    code = ("import sys; from playground.app import main; main(['x', '--version']); "
            "main(['x', '--help']); print('PySide6' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, env={k: v for k, v in os.environ.items()
                                          if k != "DISPLAY"})
    assert out.returncode == 0
    assert out.stdout.startswith("nn-playground ") and "usage: nn-playground" in out.stdout
    assert out.stdout.strip().endswith("False")


def test_a_platform_or_a_display_lets_the_window_open():
    from playground.app import display_problem

    assert display_problem({}, "linux") != ""
    assert display_problem({"DISPLAY": ":0"}, "linux") == ""
    assert display_problem({"WAYLAND_DISPLAY": "wayland-0"}, "linux") == ""
    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux") == ""
    assert display_problem({}, "darwin") == ""
