"""Durations and byte counts as people read them."""

from playground.formatting import format_bytes, format_duration


def test_formatting():
    assert format_duration(75) == "1:15"
    assert format_duration(3725) == "1:02:05"
    assert format_duration(float("nan")) == "–"
    assert format_bytes(500) == "500 B"
    assert format_bytes(11_594_722) == "11.1 MB"
