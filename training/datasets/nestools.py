"""NesTools (arXiv 2410.11805): nested API calls whose arguments consume earlier calls' outputs.

JSON lines with ``test_id``, ``task`` (the instruction), ``api`` (candidate API schemas) and
``call``: ``[{"api_name", "parameters", "responses"}]``. Each call's ``responses`` lists the
placeholders it produces (``"API_call_0"``, ...); a parameter value that names a placeholder
(``"API_call_2"``, also inside lists or longer strings) consumes that output. A link
(producer call -> consumer call) is added once per consuming call, whatever the number of
placeholders shared, so the gold is a data-flow DAG over the calls in their listed order.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..workflows import AnnotatedWorkflow, WorkflowNode
from ._json_files import check_unique_ids, iter_json_lines, iter_strings, require
from .errors import DatasetFormatError

__all__ = ["load_nestools", "parse_nestools_record"]

_PLACEHOLDER = re.compile(r"\bAPI_call_\d+\b")


def load_nestools(path: str | Path, *, source: str = "nestools") -> list[AnnotatedWorkflow]:
    """Load a NesTools JSON-lines file (e.g. ``test_data.jsonl``) in file order.

    Raises:
        DatasetFormatError: naming the file and line of a malformed record, or of a record
            whose ``test_id`` an earlier line already has (and that line).
    """
    what = "a NesTools JSON-lines file with test_id, task, api and call per line"
    numbered = [
        (line, parse_nestools_record(record, Path(path), line, source))
        for line, record in iter_json_lines(path, what)
    ]
    check_unique_ids(((line, w.id) for line, w in numbered), Path(path))
    return [w for _, w in numbered]


def parse_nestools_record(
    record: dict[str, Any], path: Path, line: int, source: str = "nestools"
) -> AnnotatedWorkflow:
    """One NesTools line as a workflow; ``path`` and ``line`` only name the culprit in errors."""
    calls = require(record, "call", list, path, line)
    if not all(isinstance(c, dict) and isinstance(c.get("api_name"), str) for c in calls):
        raise DatasetFormatError(path, "every entry of 'call' needs a string 'api_name'", line=line)
    candidates = _candidate_apis(record, path, line)
    descriptions = {c.name: c.description for c in candidates}
    _check_calls_are_candidates(calls, descriptions, path, line)
    return AnnotatedWorkflow(
        id=str(require(record, "test_id", (str, int), path, line)),
        request=require(record, "task", str, path, line).strip(),
        nodes=tuple(
            WorkflowNode(c["api_name"], descriptions.get(c["api_name"], "")) for c in calls
        ),
        links=_data_flow_links(calls, path, line),
        source=source,
        candidates=candidates,
    )


def _candidate_apis(record: dict[str, Any], path: Path, line: int) -> tuple[WorkflowNode, ...]:
    """The request's own candidate APIs: NesTools names its APIs per request (2,799 distinct
    names among 3,036 calls), so a planner can only name the right tools when handed these."""
    apis = record.get("api")
    if not isinstance(apis, list) or not all(
        isinstance(a, dict) and isinstance(a.get("api_name"), str) for a in apis
    ):
        raise DatasetFormatError(
            path, "field 'api' should be a list of {'api_name', 'api_description'}", line=line
        )
    return tuple(WorkflowNode(a["api_name"], str(a.get("api_description", ""))) for a in apis)


def _check_calls_are_candidates(
    calls: list[dict[str, Any]], candidates: dict[str, str], path: Path, line: int
) -> None:
    """Each gold call must be one of the record's candidate APIs when it lists any: training
    and evaluation plan the request over those alone, so a gold call outside them cannot be
    learned (training's type loss meets a masked-out gold type)."""
    for index, call in enumerate(calls):
        if candidates and call["api_name"] not in candidates:
            raise DatasetFormatError(
                path,
                f"call {index} ({call['api_name']}) is not among the record's candidate APIs in "
                f"'api' ({', '.join(candidates)}); add its schema to 'api' or fix its 'api_name'",
                line=line,
            )


def _data_flow_links(
    calls: list[dict[str, Any]], path: Path, line: int
) -> tuple[tuple[int, int], ...]:
    producer: dict[str, int] = {}
    links: set[tuple[int, int]] = set()
    for index, call in enumerate(calls):
        for placeholder in {
            p
            for text in iter_strings(call.get("parameters", {}))
            for p in _PLACEHOLDER.findall(text)
        }:
            if placeholder not in producer:
                raise DatasetFormatError(
                    path,
                    f"call {index} ({call['api_name']}) consumes {placeholder}, which no "
                    "earlier call lists in its 'responses'",
                    line=line,
                )
            links.add((producer[placeholder], index))
        for placeholder in iter_strings(call.get("responses", [])):
            producer.setdefault(placeholder, index)
    return tuple(sorted(links))
