"""The GNN4TaskPlan / TaskBench format: ``data.json``, ``tool_desc.json``, ``split_ids.json``.

A data folder holds:

- ``data.json``: JSON lines, one request each: ``id``, ``user_request``, ``task_steps`` (strings),
  ``task_nodes`` (``[{"task": tool}]``), ``task_links`` (``[{"source": tool, "target": tool}]``).
- ``tool_desc.json``: ``{"nodes": [{"id": tool, "desc": text, ...}]}``, the tool inventory
  (read by :func:`~.inventory.load_tool_inventory`).
- ``split_ids.json``: ``{"test_ids": {mode: [ids]}}`` (or a plain list); everything else trains.

Links name tools, not steps, so a plan that calls one tool twice (UltraTool has 39 such plans,
e.g. ``postal_code_search`` four times) is ambiguous. Each link is placed on the pair of node
positions (i, j) not yet used by an earlier link that carries those names, preferring a forward
pair (i < j), then the nearest one, then the earliest source. On UltraTool this reproduces the
step-by-step chain of every record. When some link can only point backwards, the nodes are
reordered topologically (stable: ties keep file order) so that links point forward as
``AnnotatedWorkflow`` requires; a cycle is an error.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..workflows import AnnotatedWorkflow, WorkflowNode
from ._json_files import check_unique_ids, iter_json_lines, read_json, require
from .errors import DatasetFormatError

__all__ = [
    "load_taskbench",
    "parse_taskbench_record",
    "taskbench_split",
]

_STEP_PREFIX = re.compile(r"^\s*Step\s*\d+\s*[:.]?\s*", re.IGNORECASE)


def load_taskbench(folder: str | Path, *, source: str | None = None) -> list[AnnotatedWorkflow]:
    """Load every request of a TaskBench folder (or of a ``data.json`` file) in file order.

    Raises:
        DatasetFormatError: naming the file and line of a malformed record, or of a record
            whose id an earlier line already has (and that line).
    """
    data_file = _data_file(folder)
    source = source or data_file.parent.name
    numbered = [
        (number, parse_taskbench_record(record, data_file, number, source))
        for number, record in iter_json_lines(
            data_file, "a TaskBench data.json: one JSON request per line"
        )
    ]
    check_unique_ids(((number, w.id) for number, w in numbered), data_file)
    return [w for _, w in numbered]


def taskbench_split(folder: str | Path) -> tuple[list[AnnotatedWorkflow], list[AnnotatedWorkflow]]:
    """(train, test): test = every id listed under ``test_ids`` in ``split_ids.json``, train = the rest."""
    data_file = _data_file(folder)
    workflows = load_taskbench(data_file)
    test_ids = _test_ids(data_file.parent / "split_ids.json")
    missing = test_ids - {w.id for w in workflows}
    if missing:
        raise DatasetFormatError(
            data_file.parent / "split_ids.json",
            f"{len(missing)} test ids are not in {data_file.name}, e.g. {sorted(missing)[:3]}",
        )
    return [w for w in workflows if w.id not in test_ids], [
        w for w in workflows if w.id in test_ids
    ]


def _data_file(folder: str | Path) -> Path:
    path = Path(folder)
    return path / "data.json" if path.is_dir() else path


def _test_ids(path: Path) -> set[str]:
    data = read_json(path, "split_ids.json lists the test ids under 'test_ids'")
    groups = data.get("test_ids") if isinstance(data, dict) else None
    if isinstance(groups, list):
        return {str(i) for i in groups}
    if isinstance(groups, dict) and all(isinstance(ids, list) for ids in groups.values()):
        return {str(i) for ids in groups.values() for i in ids}
    raise DatasetFormatError(path, "expected {'test_ids': [ids]} or {'test_ids': {mode: [ids]}}")


def parse_taskbench_record(
    record: dict[str, Any], path: Path, line: int, source: str = ""
) -> AnnotatedWorkflow:
    """One ``data.json`` line as a workflow; ``path`` and ``line`` only name the culprit in errors."""
    names = [
        _node_name(node, path, line) for node in require(record, "task_nodes", list, path, line)
    ]
    links = [
        _link_names(link, path, line) for link in require(record, "task_links", list, path, line)
    ]
    pairs = _place_links(names, links, path, line)
    steps = _step_texts(record.get("task_steps"), len(names))
    order = _topological_order(len(names), pairs, path, line)
    position = {old: new for new, old in enumerate(order)}
    return AnnotatedWorkflow(
        id=str(require(record, "id", (str, int), path, line)),
        request=require(record, "user_request", str, path, line).strip(),
        nodes=tuple(WorkflowNode(names[i], steps[i]) for i in order),
        links=tuple(sorted((position[s], position[t]) for s, t in pairs)),
        source=source,
    )


def _node_name(node: Any, path: Path, line: int) -> str:
    if isinstance(node, str):
        return node
    if isinstance(node, dict):
        for key in ("task", "name"):
            if isinstance(node.get(key), str):
                return node[key]
    raise DatasetFormatError(
        path, f"task node {node!r} should be a tool name or {{'task': name}}", line=line
    )


def _link_names(link: Any, path: Path, line: int) -> tuple[str, str]:
    if (
        isinstance(link, dict)
        and isinstance(link.get("source"), str)
        and isinstance(link.get("target"), str)
    ):
        return link["source"], link["target"]
    raise DatasetFormatError(
        path, f"task link {link!r} should be {{'source': tool, 'target': tool}}", line=line
    )


def _place_links(
    names: Sequence[str], links: Sequence[tuple[str, str]], path: Path, line: int
) -> list[tuple[int, int]]:
    """Map (tool, tool) links to (node index, node index) pairs; see the module docstring."""
    used: set[tuple[int, int]] = set()
    for source, target in links:
        free = [
            (i, j)
            for i, a in enumerate(names)
            if a == source
            for j, b in enumerate(names)
            if b == target and i != j and (i, j) not in used
        ]
        if not free:
            raise DatasetFormatError(
                path,
                f"link {source} -> {target} matches no unused pair of task_nodes "
                f"{list(names)}; every link must join two listed nodes",
                line=line,
            )
        used.add(min(free, key=lambda p: (p[1] < p[0], abs(p[1] - p[0]), p[0])))
    return sorted(used)


def _topological_order(
    n: int, pairs: Sequence[tuple[int, int]], path: Path, line: int
) -> list[int]:
    """Kahn's algorithm, always taking the earliest ready node so forward-only plans keep their order."""
    indegree = [0] * n
    for _, t in pairs:
        indegree[t] += 1
    ready = [i for i in range(n) if indegree[i] == 0]
    heapq.heapify(ready)
    order: list[int] = []
    while ready:
        node = heapq.heappop(ready)
        order.append(node)
        for s, t in pairs:
            if s == node:
                indegree[t] -= 1
                if indegree[t] == 0:
                    heapq.heappush(ready, t)
    if len(order) < n:
        raise DatasetFormatError(path, "task_links form a cycle; a plan must be a DAG", line=line)
    return order


def _step_texts(steps: Any, n_nodes: int) -> list[str]:
    """Step k describes node k when there is one string step per node; otherwise no descriptions."""
    if (
        not isinstance(steps, list)
        or len(steps) != n_nodes
        or not all(isinstance(s, str) for s in steps)
    ):
        return [""] * n_nodes
    return [_STEP_PREFIX.sub("", step).strip() for step in steps]
