"""Files rewritten in place are written beside their name and moved onto it, whole or not at all;
folders made per run never reuse an earlier run's; processes sharing a file take turns."""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]


def write_replacing(path: Path, write: Callable[[Path], object]) -> None:
    """Call ``write`` on ``<path>.<random>.partial``, then move that file onto ``path``: a crash
    or an error while writing leaves the file that was at ``path`` as it was.

    Each call stages under its own name, so two processes writing one file do not move or
    delete each other's half-written file: the last move wins, whole.
    """
    # Not mkstemp: its files are private (0600) and would keep that mode once moved into place.
    temp = path.with_name(f"{path.name}.{secrets.token_hex(8)}.partial")
    try:
        write(temp)
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)


def write_text_replacing(path: Path, text: str) -> None:
    """``path.write_text(text)`` (UTF-8), through :func:`write_replacing`."""
    write_replacing(path, lambda temp: temp.write_text(text, encoding="utf-8"))


def new_run_folder(parent: Path, when: float | None = None) -> Path:
    """Make and return ``parent/run-<local time>`` (``when``, default now); a second folder from
    the same second is ``run-<time>-2``, and so on."""
    parent.mkdir(parents=True, exist_ok=True)
    return create_stamped(parent / "run", Path.mkdir, when)


def create_stamped(base: Path, create: Callable[[Path], object], when: float | None = None) -> Path:
    """Call ``create`` on ``<base>-<local time>`` (``when``, default now), or on ``...-2``,
    ``...-3`` while ``create`` finds the name taken (raises FileExistsError); returns the path
    it made. ``create`` must make the path only if it is new (``Path.mkdir``, ``open("xb")``)."""
    first = base.with_name(f"{base.name}-{time.strftime('%Y%m%d-%H%M%S', time.localtime(when))}")
    path, n = first, 1
    while True:
        try:
            create(path)
            return path
        except FileExistsError:
            n += 1
            path = first.with_name(f"{first.name}-{n}")


def lock_exclusively(f: IO) -> None:
    """Wait for, then hold, an exclusive ``flock`` on the open file ``f``; closing ``f`` lets it
    go. Nothing on Windows, which has no ``flock``: there only a caller's own thread lock orders
    writers."""
    if fcntl is not None:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX)
