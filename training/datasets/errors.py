"""The error every loader raises for a missing, unreadable or malformed data file."""

from __future__ import annotations

from pathlib import Path

from orchestai_agents.errors import InputFileError

__all__ = ["DatasetFormatError"]


class DatasetFormatError(InputFileError):
    """A data set file is missing, not JSON, or a record lacks what its format requires.

    Attributes:
        path: the offending file.
        line: 1-based line (JSON lines) or record number (JSON arrays), when one is to blame.
    """

    def __init__(self, path: str | Path, message: str, *, line: int | None = None) -> None:
        where = f"{path}, line {line}" if line is not None else str(path)
        super().__init__(f"{where}: {message}")
        self.path = Path(path)
        self.line = line
