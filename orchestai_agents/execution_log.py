"""The execution log: one JSON line per run, the input of continual learning. Never pickle."""

from __future__ import annotations

import json
import math
import os
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO

from orchestai_agents._internal._secrets import redact

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

from orchestai_agents.accounting import RunResult
from orchestai_agents.errors import InputFileError
from orchestai_agents.plan import Plan

__all__ = ["ExecutionLog"]


class ExecutionLog:
    """Append-only JSON-lines log of :class:`RunResult` records.

    Each append is one ``write`` of a whole line followed by ``fsync``, so a crash loses at most
    the run in flight and never leaves a half-written record behind a complete one. Appends hold
    an exclusive ``flock`` on the file, so processes that share a log (two runs of ``orchestai run``,
    the server's workers) take turns; on Windows, which has no ``flock``, only the threads of one
    process do.

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
        line = json.dumps(_redacted(result.to_dict()), ensure_ascii=True, default=str) + "\n"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, self.path.open("a+b") as f:
            _lock_file(f)
            _repair_last_line(f, self.path)
            f.write(line.encode("ascii"))
            f.flush()
            os.fsync(f.fileno())

    def repair(self) -> None:
        """End the file with a whole record, as :meth:`append` does before it writes (a record a
        crash cut short is cut); call it to hear now, not after a run, that a file is no log.

        Raises:
            InputFileError: the file ends with a line that is no run record.
        """
        try:
            with self._lock, self.path.open("r+b") as f:
                _lock_file(f)
                _repair_last_line(f, self.path)
        except FileNotFoundError:
            return  # no log yet: the first append makes it

    def __iter__(self) -> Iterator[RunResult]:
        return self.records()

    def records(self) -> Iterator[RunResult]:
        """Runs in the order they were logged; a last line cut short by a crash is skipped.

        Raises:
            InputFileError: naming the line, for a line that is not a run record: not JSON, a
                field missing or of the wrong type, or a plan that is not a valid DAG.
        """
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
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                if number == len(lines) and not line.endswith("\n"):
                    return  # the run in flight when the process died
                raise self._not_a_run(number, exc) from exc
            try:
                run = _run_record(data)
            except (KeyError, TypeError, ValueError) as exc:  # ValueError: PlanValidationError too
                raise self._not_a_run(number, exc) from exc
            yield run

    def _not_a_run(self, number: int, exc: Exception) -> InputFileError:
        problem = f"lacks the field {exc}" if isinstance(exc, KeyError) else str(exc)
        return InputFileError(
            f"execution log {self.path} line {number} is not a run record ({problem}); "
            "repair or remove that line"
        )

    def __len__(self) -> int:
        return sum(1 for _ in self.records())


# What each node-record field must hold: the types it takes and how a message names them.
_NODE_FIELDS: dict[str, tuple[type | tuple[type, ...], str]] = {
    "node_id": (str, "a string"),
    "worker": (str, "a string"),
    "task_type": (str, "a string"),
    "seconds": ((int, float), "a number >= 0"),
    "usd": ((int, float), "a number >= 0"),
    "input_tokens": (int, "a whole number >= 0"),
    "output_tokens": (int, "a whole number >= 0"),
    "success": (bool, "true or false"),
}


def _run_record(data: object) -> RunResult:
    """The run in a parsed log line, once its fields hold values of their types and its plan
    is a valid DAG (``RunResult.from_dict`` takes node fields as they come; phase 3 computes
    rewards from them).

    Raises:
        KeyError: naming a missing field.
        PlanValidationError: naming what is wrong with the plan.
        TypeError, ValueError: naming the field (and the node) and the value.
    """
    if not isinstance(data, dict):
        raise TypeError(f"a run record is a JSON object, got {type(data).__name__}")
    if "latency_s" in data:  # from_dict would take "1.5" and refuse "1.5s" with no field name
        _check("latency_s", data["latency_s"], (int, float), "a number >= 0")
    run = RunResult.from_dict(data)
    Plan.from_dict(run.plan).topological_order()
    for node in run.nodes:
        for name, (types, wanted) in _NODE_FIELDS.items():
            _check(f"node {node.node_id!r}: {name}", getattr(node, name), types, wanted)
    return run


def _check(label: str, value: object, types: type | tuple[type, ...], wanted: str) -> None:
    if isinstance(value, bool):  # a bool is an int to isinstance, not a count or an amount
        holds = types is bool
    elif isinstance(value, int | float):
        holds = isinstance(value, types) and math.isfinite(value) and value >= 0
    else:
        holds = isinstance(value, types)
    if not holds:
        raise ValueError(f"{label} must be {wanted}, got {value!r}")


# The fields that hold free text, at any depth of a record: the request, the inputs' paths, what
# workers answered, errors, metadata, sub-task descriptions. Ids, worker names and task types are
# never redacted: the reader rebuilds the plan by them, and a name may look like a key.
_FREE_TEXT = frozenset(
    {
        "instruction",
        "description",
        "inputs",
        "outputs",
        "final_output",
        "errors",
        "error",
        "metadata",
    }
)


def _redacted(value: Any) -> Any:
    """``value`` (a record, or part of one) with secrets taken out of its :data:`_FREE_TEXT`."""
    if isinstance(value, Mapping):
        return {k: _scrubbed(v) if k in _FREE_TEXT else _redacted(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redacted(v) for v in value]
    return value


def _scrubbed(value: Any) -> Any:
    """Free text with secrets redacted in every string it holds (dict keys are structure)."""
    if isinstance(value, Mapping):
        return {k: _scrubbed(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrubbed(v) for v in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return redact(str(value))  # a path or any other object is logged as its text


def _repair_last_line(f: BinaryIO, path: Path, chunk: int = 1 << 16) -> None:
    """End the log ``f`` (opened for reading and writing, and locked) with a newline, so the next
    record starts on a line of its own.

    A last line that starts a JSON object but does not parse is the record a crash cut short:
    it is cut. One that parses is a complete record written without its newline (a hand edit,
    another tool): the newline is added, and the record kept. Any other last line means this is
    not a log the agent wrote, and nothing is cut from it.

    Raises:
        InputFileError: the file ends with a line that is no run record, whole or cut short.
    """
    end = f.seek(0, os.SEEK_END)
    if end == 0:
        return
    f.seek(end - 1)
    if f.read(1) == b"\n":
        return
    start = _last_line_start(f, end, chunk)
    f.seek(start)
    last = f.read()
    try:
        json.loads(last)
    except ValueError:  # not JSON, or not even UTF-8
        if not last.startswith(b"{"):
            raise InputFileError(
                f"execution log {path} ends with {last[:40]!r}, which is no run record; "
                "pass the JSON-lines log the agent writes, or a new file"
            ) from None
        f.truncate(start)
    else:
        f.write(b"\n")


def _lock_file(f: BinaryIO) -> None:
    """Wait for, then hold, the exclusive lock on ``f`` that every writer of a log takes; closing
    ``f`` lets it go. Nothing on Windows (no ``flock``), where the thread lock alone orders
    writers."""
    if fcntl is not None:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX)


def _last_line_start(f: BinaryIO, end: int, chunk: int) -> int:
    position = end
    while position > 0:  # scan back for the last newline
        start = max(0, position - chunk)
        f.seek(start)
        newline = f.read(position - start).rfind(b"\n")
        if newline >= 0:
            return start + newline + 1
        position = start
    return 0
