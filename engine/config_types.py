"""Type checks of config values read from JSON or given in code: each field against its
dataclass annotation, one ``SpecError`` naming the first value that does not fit."""

from __future__ import annotations

import json
import math
import numbers
from dataclasses import fields
from typing import Any

from .errors import SpecError

_WHAT = {"int": "a whole number", "float": "a finite number", "str": "a string",
         "bool": "true or false", "tuple[int, ...]": "a list of whole numbers",
         "tuple[str, ...]": "a list of strings"}


def _shown(value: Any, limit: int = 40) -> str:
    text = json.dumps(value) if isinstance(value, (bool, int, float, str, type(None))) \
        else f"{type(value).__name__} {value!r}"
    return text if len(text) <= limit else text[:limit] + "..."


def _fits(kind: str, value: Any) -> bool:
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "int":  # numbers.Integral: NumPy integers too
        return isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if kind == "float":
        return (isinstance(value, numbers.Real) and not isinstance(value, bool)
                and math.isfinite(value))
    if kind == "str":
        return isinstance(value, str)
    if kind.startswith("tuple["):
        item = kind[len("tuple["):-len(", ...]")]
        return isinstance(value, (tuple, list)) and all(_fits(item, v) for v in value)
    return True


def check_types(cls, values: dict[str, Any], section: str | None) -> None:
    """Raise ``SpecError`` naming the first of ``values`` (field name -> value of the
    dataclass ``cls``) whose type is not the field's: bools are not numbers, whole numbers
    are not written as floats, numbers are finite."""
    kinds = {f.name: f.type for f in fields(cls)}
    for name, value in values.items():
        kind = kinds.get(name)
        if kind in _WHAT and not _fits(kind, value):
            key = f"{section}.{name}" if section else name
            raise SpecError(f"config key {key!r} must be {_WHAT[kind]}, got {_shown(value)}")
