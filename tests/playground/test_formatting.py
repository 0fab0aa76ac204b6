"""Durations, byte counts and metrics as people read them."""

from playground.formatting import format_bytes, format_duration, format_metric


def test_formatting():
    assert format_duration(75) == "1:15"
    assert format_duration(3725) == "1:02:05"
    assert format_duration(float("nan")) == "–"
    assert format_bytes(500) == "500 B"
    assert format_bytes(11_594_722) == "11.1 MB"


def test_metrics_have_four_decimals_and_a_dash_when_not_finite():
    assert format_metric(0.27941) == "0.2794"
    assert format_metric(1) == "1.0000"
    assert [format_metric(v) for v in (float("nan"), float("inf"))] == ["–", "–"]
