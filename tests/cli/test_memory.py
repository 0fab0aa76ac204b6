"""Networks and batches that would not fit are refused before anything big is
allocated: the CLI runs under a 1.5 GB address-space limit and must end with exit 2 and
the numbers, not a MemoryError, a kill or a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

LIMIT = 1536 * 1024**2

_RUN = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
from engine.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS is Linux's")
@pytest.mark.parametrize("args, words", [
    (["--hidden", ",".join(["4096"] * 14)], "parameters"),            # weights + Adam
    (["--samples", "700000", "--hidden", "4096", "--batch-size", "0"],  # full batch
     "batches of 490,000"),
])
def test_too_big_is_refused_before_it_is_allocated(args, words):
    out = subprocess.run(
        [sys.executable, "-c", _RUN.format(limit=LIMIT), "train", "--dataset", "moons",
         "--epochs", "1", *args], capture_output=True, text=True, timeout=120)
    assert out.returncode == 2, out.stderr[-500:]
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "memory" in lines[0] and words in lines[0]
    assert "Traceback" not in out.stderr
