"""The 2-D page's memory check counts what training really evaluates in one pass."""

from engine.spec import RunConfig
from playground.two_d import options


def test_the_window_budget_counts_the_whole_test_split_in_one_pass(monkeypatch):
    seen = {}

    def capture(config, shape, classes, batch, inference):
        seen.update(batch=batch, inference=inference)

    monkeypatch.setattr(options, "check_memory", capture)
    cfg = RunConfig().with_changes(data={"samples": 1_000_000, "test_ratio": 0.3},
                                   batch_size=32)
    assert options.memory_problem(cfg, None, 1_000_000) == ""
    # 300,000 test points go through in one pass: far more than the 20,000-row cap on
    # evaluating the training points whole, or the decision grid
    assert seen == {"batch": 32, "inference": 300_000}


def test_a_huge_generated_set_on_a_wide_net_is_refused_before_training():
    cfg = RunConfig().with_changes(
        data={"samples": 1_000_000, "test_ratio": 0.9},
        model={"hidden": (64,) * 8}, batch_size=0)
    text = options.memory_problem(cfg, None, 1_000_000)
    assert text.startswith("This network would need about") and text.endswith(".")
