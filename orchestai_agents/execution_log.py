"""The execution log: one JSON line per run, the input of continual learning. Never pickle."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path

from orchestai_agents._internal._secrets import redact
from orchestai_agents.accounting import RunResult
from orchestai_agents.errors import InputFileError, OrchestAIError

__all__ = ["ExecutionLog"]


class ExecutionLog:
    """Append-only JSON-lines log of :class:`RunResult` records.

    Each append is one ``write`` of a whole line followed by ``fsync``, so a crash loses at most
    the run in flight and never leaves a half-written record behind a complete one.

    Example:
        >>> log = ExecutionLog("runs/executions.jsonl")  # doctest: +SKIP
        >>> log.append(result)  # doctest: +SKIP
        >>> len(log)  # doctest: +SKIP
        1
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def append(self, result: RunResult) -> None:
        # ASCII escapes: text a worker or a user produced (even a lone surrogate) always encodes.
        line = redact(json.dumps(result.to_dict(), ensure_ascii=True, default=str)) + "\n"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            _drop_partial_last_line(self.path)
            with self.path.open("a", encoding="utf-8") as f:
                f.write(line)
                f.flush()
                os.fsync(f.fileno())

    def __iter__(self) -> Iterator[RunResult]:
        return self.records()

    def records(self) -> Iterator[RunResult]:
        """Runs in the order they were logged; a truncated last line (a crash) is skipped."""
        if not self.path.exists():
            return
        try:
            with self.path.open(encoding="utf-8") as f:
                lines = f.readlines()
        except UnicodeDecodeError as exc:  # the log is written in ASCII: this is another file
            raise InputFileError(
                f"execution log {self.path} is not UTF-8 text ({exc.reason}); "
                "pass the JSON-lines log the agent writes"
            ) from exc
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                yield RunResult.from_dict(json.loads(line))
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                if number == len(lines) and not line.endswith("\n"):
                    return  # the run in flight when the process died
                raise OrchestAIError(
                    f"execution log {self.path} line {number} is not a run record ({exc}); "
                    "repair or remove that line"
                ) from exc

    def __len__(self) -> int:
        return sum(1 for _ in self.records())


def _drop_partial_last_line(path: Path, chunk: int = 1 << 16) -> None:
    """Cut the half-written record a crash left at the end, so the next one starts clean."""
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("r+b") as f:
        end = f.seek(0, os.SEEK_END)
        f.seek(end - 1)
        if f.read(1) == b"\n":
            return
        position = end
        while position > 0:  # scan back for the last complete line
            start = max(0, position - chunk)
            f.seek(start)
            newline = f.read(position - start).rfind(b"\n")
            if newline >= 0:
                f.truncate(start + newline + 1)
                return
            position = start
        f.truncate(0)
