"""Reading JSON and JSON-lines files with errors that name the file and the line."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from .errors import DatasetFormatError

REPEATED_ID = (
    "records are split into train and test, and scored, by id, so no two may share one; "
    "give each record its own id, or delete the repeated record"
)


def existing_file(path: str | Path, what: str) -> Path:
    """``path`` as a Path, or a DatasetFormatError saying which file is missing and why it is needed."""
    path = Path(path)
    if path.is_dir():
        raise DatasetFormatError(path, f"is a folder, not a file; {what}")
    if not path.is_file():
        raise DatasetFormatError(path, f"no such file; {what}")
    return path


def read_json(path: str | Path, what: str) -> Any:
    """Parse one JSON document."""
    path = existing_file(path, what)
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))  # a byte-order mark is no error
    except OSError as err:
        raise unreadable(path, err, what) from err
    except json.JSONDecodeError as err:
        raise DatasetFormatError(
            path, f"not valid JSON ({err.msg}); {what}", line=err.lineno
        ) from err
    except UnicodeDecodeError as err:
        raise DatasetFormatError(path, f"not UTF-8 text ({err.reason}); {what}") from err


def iter_json_lines(path: str | Path, what: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (1-based line number, object) for each non-blank line of a JSON-lines file."""
    path = Path(path)
    first = True
    for number, text in text_lines(path, what):
        if first and text.lstrip().startswith("["):  # no JSON-lines record is an array
            raise DatasetFormatError(
                path,
                "this is a JSON array; give JSON lines (one record per line, e.g. what "
                f"jq -c '.[]' {path.name} prints)",
                line=number,
            )
        first = False
        try:
            record = json.loads(text)
        except json.JSONDecodeError as err:
            raise DatasetFormatError(
                path, f"not valid JSON ({err.msg}); fix or remove this line", line=number
            ) from err
        if not isinstance(record, dict):
            raise DatasetFormatError(
                path, f"expected a JSON object, got {type(record).__name__}", line=number
            )
        yield number, record


def text_lines(path: str | Path, what: str) -> Iterator[tuple[int, str]]:
    """Yield (1-based line number, text) for each non-blank line, decoded as UTF-8; a byte-order
    mark (as Windows editors write) before the first line is dropped."""
    path = Path(path)
    for number, raw in _raw_lines(path, what):
        try:
            text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as err:
            raise DatasetFormatError(
                path, f"not UTF-8 text ({err.reason}); {what}", line=number
            ) from err
        if text.strip():
            yield number, text


def _raw_lines(path: Path, what: str) -> Iterator[tuple[int, bytes]]:
    """(1-based number, undecoded line): decoded by the caller, so a bad byte is blamed on its line."""
    path = existing_file(path, what)
    try:
        with path.open("rb") as handle:
            yield from enumerate(handle, start=1)
    except OSError as err:
        raise unreadable(path, err, what) from err


def unreadable(path: Path, err: OSError, what: str) -> DatasetFormatError:
    """The error for a file that exists but cannot be opened or read (permissions, I/O)."""
    return DatasetFormatError(path, f"cannot read it ({err.strerror or err}); {what}")


def require(
    record: dict[str, Any], key: str, kind: type | tuple[type, ...], path: Path, line: int
) -> Any:
    """``record[key]`` checked against ``kind``, else an error naming the field, file and line."""
    if key not in record:
        raise DatasetFormatError(
            path, f"record has no {key!r} field (fields: {sorted(record)})", line=line
        )
    value = record[key]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    # A bool is an int to isinstance, but true is no id.
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
        raise DatasetFormatError(
            path,
            f"field {key!r} should be {' or '.join(k.__name__ for k in kinds)}, "
            f"got {type(value).__name__}",
            line=line,
        )
    return value


def check_unique_ids(
    numbered_ids: Iterable[tuple[int, str]],
    path: Path,
    *,
    unit: str = "line",
    what: str = REPEATED_ID,
) -> None:
    """Refuse the second of two records that share an id, naming both by ``unit`` and number.

    ``what`` says why ids must differ and what to do. Ids are compared as strings, so ``1`` and
    ``"1"`` are one id, as they are to :func:`~.splits.in_test_split`.
    """
    first: dict[str, int] = {}
    for number, record_id in numbered_ids:
        if record_id in first:
            raise DatasetFormatError(
                path, f"id {record_id!r} repeats {unit} {first[record_id]}; {what}", line=number
            )
        first[record_id] = number


def iter_strings(value: Any) -> Iterator[str]:
    """Every string inside a nested JSON value (dict values, list items), depth first."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from iter_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from iter_strings(item)
