"""The NESTFUL format (used for ComplexFuncBench): a JSON array of sequences of labelled calls.

Each record: ``input`` (the instruction) and ``output``: ``[{"name", "arguments", "label"}]``.
An argument value ``"$var1.coordinates.latitude$"`` (or ``"$var_1.result$"``) consumes the output
of the call labelled ``var1``, so the gold is a data-flow DAG over the calls in listed order. A
link (producer -> consumer) is added once per consuming call. Records carry no id in the
ComplexFuncBench release, so a record's id is its ``sample_id``/``id`` field when present and
otherwise its 0-based position in the file (stable as long as the file is). Node descriptions
come from the API specs (``*-spec*.json`` beside the data, ``[{"name", "description"}]``) when
given.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ..workflows import AnnotatedWorkflow, WorkflowNode
from ._json_files import REPEATED_ID, check_unique_ids, iter_strings, read_json, require
from .errors import DatasetFormatError

__all__ = ["load_nestful", "load_nestful_specs", "parse_nestful_record"]

# "$<label>" followed by a field path or the closing "$".
_REFERENCE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)(?=[.\[$])")
_VARIABLE = re.compile(r"var_?\d+")


def load_nestful(
    path: str | Path, *, spec_path: str | Path | None = None, source: str | None = None
) -> list[AnnotatedWorkflow]:
    """Load a NESTFUL data file (a JSON array); ``spec_path`` adds the APIs' descriptions.

    Raises:
        DatasetFormatError: naming the file and record (counted from 1) that is malformed, or
            whose id an earlier record already has (and that record).
    """
    path = Path(path)
    records = read_json(path, "a NESTFUL data file: a JSON array of {input, output} records")
    if not isinstance(records, list):
        raise DatasetFormatError(
            path, f"expected a JSON array of records, got {type(records).__name__}"
        )
    descriptions = load_nestful_specs(spec_path) if spec_path is not None else {}
    source = source or path.stem.split("-")[0]
    workflows = [
        parse_nestful_record(record, path, number, source, descriptions)
        for number, record in enumerate(records)
    ]
    check_unique_ids(
        ((number, w.id) for number, w in enumerate(workflows, start=1)),
        path,
        unit="record",
        what=f"{REPEATED_ID} (a record without 'sample_id' or 'id' takes its 0-based position)",
    )
    return workflows


def load_nestful_specs(path: str | Path) -> dict[str, str]:
    """API name -> description, from a NESTFUL spec file (a JSON array of API specs).

    Raises:
        DatasetFormatError: naming the file, and the entry that is no object with a string 'name'.
    """
    specs = read_json(path, "a NESTFUL spec file: a JSON array of {name, description}")
    if not isinstance(specs, list):
        raise DatasetFormatError(path, "expected a JSON array of API specs")
    return dict(_api_spec(spec, path, number) for number, spec in enumerate(specs, start=1))


def _api_spec(spec: Any, path: str | Path, number: int) -> tuple[str, str]:
    """(name, description) of entry ``number`` (1-based) of a spec file."""
    if isinstance(spec, dict) and isinstance(spec.get("name"), str):
        return spec["name"], str(spec.get("description", ""))
    if not isinstance(spec, dict):
        got = f"it is a {type(spec).__name__}"
    elif "name" in spec:
        got = f"its 'name' is a {type(spec['name']).__name__}"
    else:
        got = f"it has no 'name' (fields: {sorted(spec)})"
    raise DatasetFormatError(
        path,
        f"API spec entry {number} should be an object with a string 'name', but {got}; "
        "fix or remove that entry",
    )


def parse_nestful_record(
    record: Any,
    path: Path,
    index: int,
    source: str = "",
    descriptions: dict[str, str] | None = None,
) -> AnnotatedWorkflow:
    """Record ``index`` (0-based) of a NESTFUL array as a workflow; errors name it as record index + 1."""
    line = index + 1
    if not isinstance(record, dict):
        raise DatasetFormatError(
            path, f"record should be a JSON object, got {type(record).__name__}", line=line
        )
    calls = require(record, "output", list, path, line)
    if not all(isinstance(c, dict) and isinstance(c.get("name"), str) for c in calls):
        raise DatasetFormatError(path, "every entry of 'output' needs a string 'name'", line=line)
    descriptions = descriptions or {}
    return AnnotatedWorkflow(
        id=_record_id(record, index, path),
        request=require(record, "input", str, path, line).strip(),
        nodes=tuple(WorkflowNode(c["name"], descriptions.get(c["name"], "")) for c in calls),
        links=_data_flow_links(calls, path, line),
        source=source,
    )


def _record_id(record: dict[str, Any], index: int, path: Path) -> str:
    """The record's ``sample_id`` (else ``id``) when it has one, else its 0-based position."""
    key = next((k for k in ("sample_id", "id") if k in record), None)
    if key is None:
        return str(index)
    value = record[key]
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise DatasetFormatError(
            path,
            f"field {key!r} should be a string or integer id, got {json.dumps(value)[:40]}; "
            "give each record its own id, or drop the field to number records by position",
            line=index + 1,
        )
    return str(value)


def _data_flow_links(
    calls: list[dict[str, Any]], path: Path, line: int
) -> tuple[tuple[int, int], ...]:
    producer: dict[str, int] = {}
    links: set[tuple[int, int]] = set()
    for index, call in enumerate(calls):
        for label in {
            m for text in iter_strings(call.get("arguments", {})) for m in _REFERENCE.findall(text)
        }:
            if label in producer:
                links.add((producer[label], index))
            elif _VARIABLE.fullmatch(label):
                raise DatasetFormatError(
                    path,
                    f"call {index} ({call['name']}) reads ${label}, which no earlier "
                    "call has as its 'label'",
                    line=line,
                )
        if isinstance(call.get("label"), str):
            producer[call["label"]] = index
    return tuple(sorted(links))
