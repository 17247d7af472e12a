"""Keeping file tools inside the folders the user allowed.

Every path a built-in tool reads or writes is resolved (symlinks followed) and must lie inside
one of the allowed folders; anything else is refused with an :class:`InputFileError`.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from orchestai_agents.errors import InputFileError

__all__ = ["FileAccess", "default_allowed_dirs"]


class _MadeDirs:
    """The temp folders :meth:`FileAccess.output_dir` made in this process, by the allowed folders
    of the FileAccess that made them.

    A step writes its files there and the next steps read them: the tools of one registry share
    allowed folders (each call builds its FileAccess anew), so a FileAccess allows the folders
    made under the same allowed folders, and no others. Folders since deleted are forgotten.
    """

    def __init__(self) -> None:
        self._by_roots: dict[frozenset[Path], set[Path]] = {}
        self._lock = threading.Lock()  # steps run in threads

    def add(self, roots: Iterable[Path], folder: Path) -> None:
        with self._lock:
            self._by_roots.setdefault(frozenset(roots), set()).add(folder)

    def alive(self, roots: Iterable[Path]) -> tuple[Path, ...]:
        """The folders made under ``roots`` that still exist."""
        key = frozenset(roots)
        with self._lock:
            made = {d for d in self._by_roots.pop(key, ()) if d.is_dir()}
            if made:
                self._by_roots[key] = made
        return tuple(made)


_made_dirs = _MadeDirs()


def default_allowed_dirs() -> tuple[Path, ...]:
    """The working directory and the system temp folder: the folders a tool may use by default."""
    return (Path.cwd().resolve(), Path(tempfile.gettempdir()).resolve())


@dataclass(frozen=True)
class FileAccess:
    """The folders a tool may read from and write to; a file among them is allowed alone. The
    temp folders that :meth:`output_dir` made for a FileAccess with the same folders are allowed
    too.

    Example:
        >>> import tempfile
        >>> access = FileAccess.of([tempfile.gettempdir()])
        >>> access.readable("/etc/passwd")
        Traceback (most recent call last):
        ...
        orchestai_agents.errors.InputFileError: ...
    """

    allowed_dirs: tuple[Path, ...]

    @classmethod
    def of(cls, dirs: Iterable[str | Path] | None) -> FileAccess:
        """Access to ``dirs`` (resolved); ``None`` means :func:`default_allowed_dirs`."""
        if dirs is None:
            return cls(default_allowed_dirs())
        return cls(tuple(Path(d).expanduser().resolve() for d in dirs))

    def inside(self, path: str | Path) -> Path:
        """``path`` resolved, if it lies inside an allowed folder; else an InputFileError."""
        resolved = Path(path).expanduser().resolve()
        allowed = (*self.allowed_dirs, *_made_dirs.alive(self.allowed_dirs))
        if not any(resolved.is_relative_to(d) for d in allowed):
            raise InputFileError(
                f"{path!s} resolves to {resolved}, outside the allowed folders (and files) "
                f"{[str(d) for d in self.allowed_dirs]}; move the file there, or give it (or its "
                "folder) in allowed_dirs"
            )
        return resolved

    def readable(self, path: str | Path) -> Path:
        """``path`` resolved, if it is an existing file inside an allowed folder."""
        resolved = self.inside(path)
        if not resolved.is_file():
            raise InputFileError(
                f"input file {path!s} does not exist or is not a file; check the path"
            )
        return resolved

    def pick(self, paths: Sequence[str], suffixes: Iterable[str], *, what: str) -> list[Path]:
        """The readable files among ``paths`` whose suffix is one of ``suffixes``; at least one."""
        wanted = {s.lower() for s in suffixes}
        chosen = [self.readable(p) for p in paths if Path(p).suffix.lower() in wanted]
        if not chosen:
            raise InputFileError(
                f"no {what} file ({', '.join(sorted(wanted))}) among {list(paths)}; "
                f"pass one as an input or produce one in an earlier step"
            )
        return chosen

    def output_dir(self, requested: str | None) -> Path:
        """The folder to write into: ``requested`` (created, inside the allowed folders) or a new
        temp folder, allowed from then on to a FileAccess with the same allowed folders."""
        if requested is None:
            folder = Path(tempfile.mkdtemp(prefix="orchestai-")).resolve()
            _made_dirs.add(self.allowed_dirs, folder)
            return folder
        folder = self.inside(requested)
        folder.mkdir(parents=True, exist_ok=True)
        return folder
