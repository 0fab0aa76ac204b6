"""A preset is the same network whoever builds it: the CLI, the Python API and the app's
MNIST page (``playground.mnist.sources.make_config``) all get the preset's own defaults."""

from __future__ import annotations

import pytest

from engine import RunConfig, count_parameters
from engine.build import describe_config
from engine.cli import build_parser, config_from_args
from engine.spec import PRESETS, ModelConfig, defaults_for
from playground.mnist.sources import make_config

SHAPE, CLASSES = (1, 28, 28), 10


def _architecture(config: RunConfig) -> list[dict]:
    """The layers ``config`` builds, without how their weights start (a user choice)."""
    layers = describe_config(config, SHAPE, CLASSES)["layers"]
    return [{k: v for k, v in spec.items() if k not in ("init", "std")} for spec in layers]


def _three_ways(preset: str) -> dict[str, RunConfig]:
    args = build_parser().parse_args(["train", "--dataset", "mnist-sample", "--model", preset])
    return {
        "cli": config_from_args(args),
        "python": defaults_for("mnist-sample").with_changes(model={"preset": preset}),
        "app": make_config(source="sample", preset=preset),
    }


@pytest.mark.parametrize("preset", PRESETS)
def test_each_preset_builds_the_same_network_all_three_ways(preset):
    configs = _three_ways(preset)
    arch = {way: _architecture(c) for way, c in configs.items()}
    assert arch["cli"] == arch["python"] == arch["app"]
    counts = {count_parameters(c, SHAPE, CLASSES) for c in configs.values()}
    assert len(counts) == 1


@pytest.mark.parametrize("preset", ["simple-cnn", "deep-cnn"])
def test_choosing_a_cnn_on_the_plain_config_gives_the_books_network(preset):
    # RunConfig() starts as the 2-D page's 8-8 network; the preset brings its own sizes.
    python = RunConfig().with_changes(data={"name": "mnist-sample"}, model={"preset": preset})
    assert _architecture(python) == _architecture(_three_ways(preset)["cli"])


def test_simple_cnn_dense_layer_defaults_to_100_unless_given():
    assert RunConfig().with_changes(model={"preset": "simple-cnn"}).model.hidden == (100,)
    given = RunConfig().with_changes(model={"preset": "simple-cnn", "hidden": (32,)})
    assert given.model.hidden == (32,)
    # changing something else keeps the sizes chosen
    kept = given.with_changes(model={"preset": "simple-cnn", "conv_filters": 8})
    assert kept.model.hidden == (32,)
    args = build_parser().parse_args(["train", "--dataset", "mnist-sample", "--model",
                                      "simple-cnn", "--hidden", "40"])
    assert config_from_args(args).model.hidden == (40,)


def test_a_json_config_naming_a_preset_gets_its_defaults():
    cfg = RunConfig.from_dict({"data": {"name": "mnist-sample"},
                               "model": {"preset": "simple-cnn"}})
    assert cfg.model.hidden == (100,)
    assert RunConfig.from_dict(cfg.to_dict()) == cfg
    assert ModelConfig().hidden == (8, 8)
