"""Defaults per data source: the 8x8 digits start from their own values, values the user
changed are kept, and the page's config follows them."""

from __future__ import annotations

from playground.mnist.sources import (
    PAGE_DEFAULTS,
    make_config,
    source_defaults,
    switched_defaults,
)


def test_the_digits_have_their_own_defaults_and_the_rest_the_pages():
    digits = source_defaults("digits")
    assert (digits["filter_size"], digits["batch_size"], digits["epochs"]) == (3, 20, 10)
    for key in ("sample", "mnist", "fashion-mnist", "files"):
        assert source_defaults(key) == PAGE_DEFAULTS


def test_values_at_the_old_defaults_switch_and_changed_ones_stay():
    values = {**PAGE_DEFAULTS, "epochs": 7}  # the user chose 7 epochs
    assert switched_defaults(values, "sample", "digits") == {"filter_size": 3,
                                                             "batch_size": 20}
    back = {**source_defaults("digits"), "batch_size": 50}
    assert switched_defaults(back, "digits", "sample") == {"filter_size": 5, "epochs": 5}
    assert switched_defaults(PAGE_DEFAULTS, "sample", "mnist") == {}


def test_make_config_starts_from_the_sources_defaults():
    config = make_config(source="digits")
    assert config.data.name == "digits" and config.model.preset == "simple-cnn"
    assert (config.model.conv_size, config.batch_size, config.epochs) == (3, 20, 10)
    assert config.data.augment == "none"
    sample = make_config(source="sample", epochs=2, augment="shift-rotate")
    assert (sample.model.conv_size, sample.batch_size, sample.epochs) == (5, 100, 2)
    assert sample.data.augment == "shift-rotate"
