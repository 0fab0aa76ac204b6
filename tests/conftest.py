"""Shared test set-up: Qt runs offscreen unless the caller chose a platform; property-based
tests are reproducible in CI (a fixed example order) and explore new cases elsewhere."""

import os
import tempfile

import pytest
from hypothesis import settings

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(scope="module")
def scratch():
    """A folder shared by one module's property-based tests (Hypothesis runs each test
    many times, where pytest's per-test ``tmp_path`` would be made only once anyway)."""
    with tempfile.TemporaryDirectory() as d:
        yield d
