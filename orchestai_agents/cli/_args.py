"""argparse types for numeric flags: a bad value is refused with the rule it broke, not with a
traceback from deep inside training."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TypeVar

_N = TypeVar("_N", int, float)


def _parse(cast: Callable[[str], _N], text: str, ok: Callable[[_N], bool], rule: str) -> _N:
    try:
        value = cast(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not {rule}") from None
    if not ok(value):  # NaN fails every comparison, so it is refused too
        raise argparse.ArgumentTypeError(f"{text!r} is not {rule}")
    return value


def positive_int(text: str) -> int:
    return _parse(int, text, lambda v: v >= 1, "a whole number of 1 or more")


def non_negative_int(text: str) -> int:
    return _parse(int, text, lambda v: v >= 0, "a whole number of 0 or more")


def positive_float(text: str) -> float:
    return _parse(float, text, lambda v: v > 0, "a number above 0")


def non_negative_float(text: str) -> float:
    return _parse(float, text, lambda v: v >= 0, "a number of 0 or more")
