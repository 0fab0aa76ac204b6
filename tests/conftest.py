"""Shared test set-up: Qt runs offscreen unless the caller chose a platform; property-based
tests are reproducible in CI (a fixed example order) and explore new cases elsewhere."""

import os

from hypothesis import settings

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
