"""argparse types for numeric, list and output-path flags: a bad value is refused with the rule it
broke before any work starts, not with a traceback from deep inside training or after a paid run."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path
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


def unit_interval(text: str) -> float:
    return _parse(float, text, lambda v: 0 <= v <= 1, "a number from 0 to 1")


def decay(text: str) -> float:
    return _parse(float, text, lambda v: 0 <= v < 1, "a number from 0 up to, but not including, 1")


def names(text: str) -> list[str]:
    """Comma-separated names, e.g. ``ultratool,nestools``; at least one."""
    found = [n.strip() for n in text.split(",") if n.strip()]
    if not found:
        raise argparse.ArgumentTypeError(f"{text!r} names nothing; give comma-separated names")
    return found


def known_data_sets() -> tuple[str, ...]:
    """The data sets ``--data`` knows by name: the public ones and the built-in workflows."""
    from orchestai_agents.training.datasets import DATASET_NAMES

    return (*DATASET_NAMES, "builtin")


def data_sets(text: str) -> list[str]:
    """Comma-separated data sets: the known names (any case) or existing files and folders."""
    known = known_data_sets()
    found = []
    for name in names(text):
        if name.lower() in known:
            found.append(name.lower())
        elif Path(name).exists():
            found.append(name)
        else:
            raise argparse.ArgumentTypeError(
                f"{name!r} is neither a data set name ({', '.join(known)}) nor an existing "
                "file or folder"
            )
    return found


def add_input_files(parser: argparse.ArgumentParser, help: str) -> None:
    """``--input/-i FILE ...``, repeatable: ``--input a --input b`` gives both files, not only
    the last."""
    parser.add_argument(
        "--input", "-i", nargs="+", action="extend", default=[], type=Path, help=help
    )


def output_folder(text: str) -> Path:
    """A folder to write into; it may not exist yet."""
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is a file, not a folder; give a folder")
    _check_writable(path, text)
    return path


def output_file(text: str) -> Path:
    """A file to write; it may not exist yet."""
    path = Path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is a folder; give a file name in it")
    _check_writable(path.parent, text)
    return path


def _check_writable(folder: Path, text: str) -> None:
    """``folder``, or the nearest of its parents that exists, must be a folder one may write in."""
    existing = next(p for p in (folder, *folder.parents) if p.exists())
    if not existing.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} lies under {str(existing)!r}, which is a file")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise argparse.ArgumentTypeError(
            f"{text!r}: cannot write in {str(existing)!r}; check its permissions"
        )
