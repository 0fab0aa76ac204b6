"""``train --augment``: the flag reaches the run config and the training, and bad values
are one line with exit code 2."""

from __future__ import annotations

import json

import pytest

from engine.cli import main
from engine.spec import RunConfig


def _summary(text: str) -> dict:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")][-1]


def _train(tmp_path, capsys, *flags: str) -> tuple[dict, RunConfig]:
    config = tmp_path / "run.json"
    code = main(["train", "--dataset", "digits", "--train-limit", "300", "--epochs", "2",
                 "--json", "--save-config", str(config), *flags])
    assert code == 0
    return _summary(capsys.readouterr().out), RunConfig.from_json(config.read_text())


def test_augment_reaches_the_config_and_changes_the_training(tmp_path, capsys):
    plain, plain_config = _train(tmp_path, capsys)
    shifted, config = _train(tmp_path, capsys, "--augment", "shift")
    again, _ = _train(tmp_path, capsys, "--augment", "shift")
    assert plain_config.data.augment == "none" and config.data.augment == "shift"
    assert shifted["train_loss"] != plain["train_loss"]   # the batches were changed
    assert again["train_loss"] == shifted["train_loss"]   # from the seed's generator
    assert shifted["test_samples"] == plain["test_samples"] == 360


@pytest.mark.parametrize("flags, message", [
    (["--dataset", "digits", "--augment", "twist"], "invalid choice: 'twist'"),
    (["--dataset", "moons", "--augment", "shift"], "dataset 'moons' is not an image set"),
])
def test_bad_augment_is_one_line_and_exit_2(flags, message, capsys):
    code = main(["train", *flags, "--epochs", "1"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and err.startswith("error: ") and "\n" not in err
    assert message in err


def test_help_names_the_choices(capsys):
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    assert "--augment {none,shift,shift-rotate}" in capsys.readouterr().out
