"""What the Compare tab may vary, with a default set of values for each, and the parsing
of the values the user types (no engine import: the widgets read this module)."""

from __future__ import annotations

#: dotted config key -> the values filled in when it is chosen (comma-separated text).
VARY_CHOICES: dict[str, str] = {
    "optim.name": "sgd, momentum, adam",
    "optim.lr": "0.3, 0.03, 0.003",
    "model.init": "std, xavier, he",
    "model.activation": "tanh, relu, sigmoid",
    "model.batchnorm": "false, true",
    "model.dropout": "0, 0.2",
    "optim.l2": "0, 0.001, 0.01",
    "model.hidden": "[4], [8, 8], [16, 16, 16]",
}

#: fewest and most runs one comparison trains (one small region view per run).
MIN_VALUES, MAX_VALUES = 2, 4


def split_values(text: str) -> list[str]:
    """``text`` split at the commas outside brackets ("[8, 8], [4]" -> two values),
    each stripped; empty pieces are kept (as "") so the caller can say so."""
    parts, depth, current = [], 0, []
    for ch in text:
        if ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
        if ch == "," and depth <= 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    parts.append("".join(current).strip())
    return parts
