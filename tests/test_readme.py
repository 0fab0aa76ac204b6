"""README's measured tables are the ones their scripts wrote (rerun the script, then copy
its table; this fails when one was updated without the other)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_scikit_learn_parity_table_is_the_scripts():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = (ROOT / "docs" / "results" / "sklearn_parity.md").read_text(encoding="utf-8")
    assert table.strip() in readme


def test_the_parity_script_writes_the_table_in_readmes_form(tmp_path, monkeypatch):
    import sys

    sys.path.insert(0, str(ROOT / "examples"))
    try:
        import sklearn_parity
    finally:
        sys.path.remove(str(ROOT / "examples"))
    fake = {"train": 7, "test": 3, "engine": 0.9, "sklearn": 0.85, "engine_s": 1.0,
            "sklearn_s": 2.0, "engine_runs": [0.9], "sklearn_runs": [0.85]}
    monkeypatch.setattr(sklearn_parity, "compare", lambda *a: fake)
    out = tmp_path / "t.md"
    assert sklearn_parity.main(["--seeds", "1", "--datasets", "moons", "--out", str(out)]) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    readme_head = (ROOT / "docs" / "results" / "sklearn_parity.md").read_text().splitlines()[0]
    assert lines[0] == readme_head
    assert lines[2] == "| moons (noise 0.15) | 0.900 | 0.850 | +0.050 | 0.900 | 0.850 |"


def test_the_regression_parity_script_writes_the_table_in_readmes_form(tmp_path, monkeypatch):
    import sys

    sys.path.insert(0, str(ROOT / "examples"))
    try:
        import regression_parity
    finally:
        sys.path.remove(str(ROOT / "examples"))
    fake = {"train": 7, "test": 3, "engine": 0.9, "sklearn": 0.95, "engine_s": 1.0,
            "sklearn_s": 2.0, "engine_runs": [0.9], "sklearn_runs": [0.95]}
    monkeypatch.setattr(regression_parity, "compare", lambda *a: fake)
    out = tmp_path / "t.md"
    assert regression_parity.main(["--seeds", "1", "--datasets", "ripple", "--out",
                                   str(out)]) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    head = (ROOT / "docs" / "results" / "regression_parity.md").read_text().splitlines()[0]
    assert lines[0] == head
    assert lines[2] == "| ripple sin(r)/r | 0.900 | 0.950 | -0.050 | 0.900 | 0.950 |"


BENCH_TABLES = ["mlp_epoch", "cnn_epoch", "cnn_epoch_deep", "gemm_fraction", "sklearn_parity",
                "regression_parity"]


def test_every_measured_table_in_readme_is_the_one_its_script_wrote():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in BENCH_TABLES:
        table = (ROOT / "docs" / "results" / f"{name}.md").read_text(encoding="utf-8")
        assert table.strip() in readme, f"README's {name} table differs from its script's"


def test_the_benchmarks_write_their_table_with_out(tmp_path):
    import subprocess
    import sys

    out = tmp_path / "mlp.md"
    run = subprocess.run([sys.executable, str(ROOT / "bench" / "mlp_epoch.py"), "--samples",
                          "300", "--repeats", "1", "--threads", "1", "--out", str(out)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "| contender | min s | median s | max s | time / engine |"
    assert lines[2].startswith("| engine (float32) | ") and lines[2].endswith(" | 1.00 |")
    assert "\n".join(lines) in run.stdout
