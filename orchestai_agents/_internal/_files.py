"""Files rewritten in place are written beside their name and moved onto it, whole or not at all."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


def write_replacing(path: Path, write: Callable[[Path], object]) -> None:
    """Call ``write`` on ``<path>.partial``, then move that file onto ``path``: a crash or an
    error while writing leaves the file that was at ``path`` as it was."""
    temp = path.with_name(f"{path.name}.partial")
    try:
        write(temp)
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)


def write_text_replacing(path: Path, text: str) -> None:
    """``path.write_text(text)`` (UTF-8), through :func:`write_replacing`."""
    write_replacing(path, lambda temp: temp.write_text(text, encoding="utf-8"))
