"""The execution log: one JSON line per run, the input of continual learning. Never pickle."""

from __future__ import annotations

import json
import math
import os
import reprlib
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from orchestai_agents._internal._files import create_stamped, lock_exclusively
from orchestai_agents._internal._secrets import redact_record
from orchestai_agents.accounting import RunResult
from orchestai_agents.errors import InputFileError
from orchestai_agents.plan import Plan

__all__ = ["ExecutionLog", "distinct_runs"]


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
        line = json.dumps(redact_record(result.to_dict()), ensure_ascii=True, default=str) + "\n"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, self.path.open("a+b") as f:
            lock_exclusively(f)
            _repair_last_line(f, self.path)
            if _ends_with_run(f, result.run_id):
                return  # logged already: a run resumed after a crash in between runs respond again
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
                lock_exclusively(f)
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
        with self.path.open("rb") as f:  # line by line: a log of long answers may not fit twice
            for number, line in enumerate(f, 1):
                if line.strip():
                    run = self._record(number, line)
                    if run is None:
                        return  # the run in flight when the process died (never before the end)
                    yield run

    def _record(self, number: int, line: bytes) -> RunResult | None:
        """The run on line ``number``, or ``None`` for a last line cut short, with no newline."""
        try:
            data = json.loads(line.decode("utf-8"))
        except UnicodeDecodeError as exc:  # the agent writes ASCII: an editor, or another file
            raise InputFileError(
                f"execution log {self.path} is not UTF-8 text on line {number} ({exc.reason} at "
                f"byte {exc.start} of the line); re-save that line as UTF-8 or remove it, or "
                "pass the JSON-lines log the agent writes"
            ) from exc
        except json.JSONDecodeError as exc:
            if not line.endswith(b"\n"):
                return None
            raise self._not_a_run(number, exc) from exc
        try:
            return _run_record(data)
        except (KeyError, TypeError, ValueError) as exc:  # ValueError: PlanValidationError too
            raise self._not_a_run(number, exc) from exc

    def _not_a_run(self, number: int, exc: Exception) -> InputFileError:
        problem = f"lacks the field {exc}" if isinstance(exc, KeyError) else str(exc)
        return InputFileError(
            f"execution log {self.path} line {number} is not a run record ({problem}); "
            "repair or remove that line"
        )

    def __len__(self) -> int:
        return sum(1 for _ in self.records())


def distinct_runs(runs: Iterable[RunResult]) -> tuple[list[RunResult], int]:
    """The first record of each run, in log order, and how many records repeated a run_id.

    :meth:`ExecutionLog.append` does not log a run twice in a row, but a log can still hold a
    run twice: appended by an older version when a run resumed after a crash, another process's
    run logged in between, or lines copied by hand. Learning from both would count the run twice.

    Example:
        >>> runs, repeats = distinct_runs(ExecutionLog("runs/executions.jsonl"))  # doctest: +SKIP
    """
    first: dict[str, RunResult] = {}
    repeats = 0
    for run in runs:
        if run.run_id in first:
            repeats += 1
        else:
            first[run.run_id] = run
    return list(first.values()), repeats


def _is_text(value: object) -> bool:
    return isinstance(value, str)


def _is_amount(value: object) -> bool:
    # A bool is an int to isinstance, not a count or an amount.
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value >= 0
    )


def _is_count(value: object) -> bool:
    return isinstance(value, int) and _is_amount(value)


def _is_texts(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


_Field = tuple[Callable[[object], bool], str]

# What each field of a run record must hold where the record has it (those ``RunResult.from_dict``
# needs it must have): it takes values as they come, turning a null run_id into "None", and
# phase 3 computes rewards from them. The text says what is wanted in an error.
_RUN_FIELDS: dict[str, _Field] = {
    "run_id": (lambda v: isinstance(v, str) and v != "", "a non-empty string"),
    "instruction": (_is_text, "a string"),
    "final_output": (_is_text, "a string"),
    "latency_s": (_is_amount, "a number >= 0"),
    "inputs": (_is_texts, "a list of strings"),
    "outputs": (
        lambda v: isinstance(v, dict) and all(isinstance(o, dict) for o in v.values()),
        "an object of node id -> output object",
    ),
    "metadata": (lambda v: isinstance(v, dict), "an object"),
    "nodes": (
        lambda v: isinstance(v, list) and all(isinstance(n, dict) for n in v),
        "a list of node objects",
    ),
}
_NODE_FIELDS: dict[str, _Field] = {
    "node_id": (_is_text, "a string"),
    "worker": (_is_text, "a string"),
    "task_type": (_is_text, "a string"),
    "seconds": (_is_amount, "a number >= 0"),
    "usd": (_is_amount, "a number >= 0"),
    "input_tokens": (_is_count, "a whole number >= 0"),
    "output_tokens": (_is_count, "a whole number >= 0"),
    "success": (lambda v: isinstance(v, bool), "true or false"),
    "error": (lambda v: v is None or isinstance(v, str), "a string or null"),
    "attempts": (_is_texts, "a list of strings"),
}


def _run_record(data: object) -> RunResult:
    """The run in a parsed log line, once its fields hold values of their types and its plan
    is a valid DAG.

    Raises:
        KeyError: naming a missing field.
        PlanValidationError: naming what is wrong with the plan.
        TypeError, ValueError: naming the field (and the node) and the value.
    """
    if not isinstance(data, dict):
        raise TypeError(f"a run record is a JSON object, got {type(data).__name__}")
    _check_fields("", data, _RUN_FIELDS)
    for node in data.get("nodes", ()):
        _check_fields(f"node {node.get('node_id')!r}: ", node, _NODE_FIELDS)
    run = RunResult.from_dict(data)
    Plan.from_dict(run.plan).topological_order()
    return run


def _check_fields(label: str, data: dict[str, Any], fields: dict[str, _Field]) -> None:
    for name, (holds, wanted) in fields.items():
        if name in data and not holds(data[name]):
            # reprlib: a wrong value may be a whole model answer
            raise ValueError(f"{label}{name} must be {wanted}, got {reprlib.repr(data[name])}")


def _repair_last_line(f: BinaryIO, path: Path) -> None:
    """End the log ``f`` (opened for reading and writing, and locked) with a newline, so the next
    record starts on a line of its own.

    A last line that starts a JSON object but does not parse is the record a crash cut short
    (or a hand edit left unfinished): it is cut from the log, kept in a file beside it, and a
    warning names that file. Zero bytes at the end are what a power loss leaves of a record being
    written, and are cut the same way. A last line that parses is a complete record written
    without its newline (a hand edit, another tool): the newline is added, and the record kept.
    Any other last line means this is not a log the agent wrote, and nothing is cut from it.

    Raises:
        InputFileError: the file ends with a line that is no run record, whole or cut short.
    """
    end = f.seek(0, os.SEEK_END)
    if end == 0:
        return
    f.seek(end - 1)
    if f.read(1) == b"\n":
        return
    start = _last_line_start(f, end)
    f.seek(start)
    last = f.read()
    record = last.rstrip(b"\0")
    try:
        json.loads(record)
    except ValueError:  # not JSON, or not even UTF-8
        if record and not record.startswith(b"{"):
            raise InputFileError(
                f"execution log {path} ends with {last[:40]!r}, which is no run record; "
                "pass the JSON-lines log the agent writes, or a new file"
            ) from None
        _keep_cut(path, last)
        f.truncate(start)
    else:
        f.truncate(start + len(record))
        f.seek(0, os.SEEK_END)  # opened r+b, a write goes where the read stopped
        f.write(b"\n")


def _keep_cut(path: Path, cut: bytes) -> None:
    """Write ``cut``, the last line about to be cut from the log ``path``, to a new file
    ``<path>.cut-<local time>`` beside it, and warn: it may be a record edited by hand."""

    def write_new(kept: Path) -> None:
        with kept.open("xb") as f:
            f.write(cut)

    kept = create_stamped(path.with_name(f"{path.name}.cut"), write_new)
    warnings.warn(
        f"execution log {path} ended in a record cut short (a crash while it was written, or an "
        f"edit left unfinished); it was cut from the log and kept in {kept}: mend it and append "
        "it to the log, if it was a run",
        stacklevel=4,
    )


def _ends_with_run(f: BinaryIO, run_id: str) -> bool:
    """Whether the last line of the log ``f`` (whole, after :func:`_repair_last_line`) is the
    record of run ``run_id``, as :meth:`ExecutionLog.append` writes it: run_id first. Run ids
    are drawn at random, so only a second append of the same run can match."""
    end = f.seek(0, os.SEEK_END)
    if end == 0:
        return False
    head = (json.dumps({"run_id": run_id})[:-1] + ",").encode("ascii")
    f.seek(_last_line_start(f, end - 1))  # end - 1: past the newline that ends the record
    return f.read(len(head)) == head


def _last_line_start(f: BinaryIO, end: int, chunk: int = 1 << 16) -> int:
    position = end
    while position > 0:  # scan back for the last newline
        start = max(0, position - chunk)
        f.seek(start)
        newline = f.read(position - start).rfind(b"\n")
        if newline >= 0:
            return start + newline + 1
        position = start
    return 0
