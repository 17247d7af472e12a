"""Inventories: the task types a planner may emit and the workers it may choose, by description."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orchestai_agents.errors import DatasetFormatError, OrchestAIError
from orchestai_agents.registry import WorkerRegistry
from orchestai_agents.task_types import BUILTIN_TASK_TYPES

__all__ = ["Inventory", "read_tool_desc"]


@dataclass(frozen=True)
class Inventory:
    """Task types and workers known by their descriptions (the planner's open vocabulary).

    Attributes:
        task_types: names in scoring order; descriptions: one per task type.
        workers: worker names; worker_descriptions: one per worker.
        capable: for each task type, the indices of the workers that can do it.

    Example:
        >>> inv = Inventory.of_tools({"flight_search": "Search flights", "send_sms": "Send an SMS"})
        >>> inv.capable_workers("send_sms")
        ['send_sms']
    """

    task_types: tuple[str, ...]
    descriptions: tuple[str, ...]
    workers: tuple[str, ...]
    worker_descriptions: tuple[str, ...]
    capable: tuple[tuple[int, ...], ...]

    def __post_init__(self) -> None:
        if not self.task_types:
            raise OrchestAIError("an inventory needs at least one task type")
        if len(self.descriptions) != len(self.task_types) or len(self.capable) != len(
            self.task_types
        ):
            raise OrchestAIError(
                "an inventory needs one description and one capable list per task type"
            )
        if len(self.worker_descriptions) != len(self.workers):
            raise OrchestAIError("an inventory needs one description per worker")
        orphans = [t for t, c in zip(self.task_types, self.capable, strict=True) if not c]
        if orphans:
            raise OrchestAIError(
                f"no worker can do the task type(s) {orphans}; register a worker for them"
            )

    def capable_workers(self, task_type: str) -> list[str]:
        return [self.workers[i] for i in self.capable[self.task_types.index(task_type)]]

    @classmethod
    def of_tools(cls, tools: Mapping[str, str]) -> Inventory:
        """Tools as both task types and workers: each tool does only its own task (TaskBench style)."""
        names = tuple(tools)
        return cls(
            names,
            tuple(tools.values()),
            names,
            tuple(tools.values()),
            tuple((i,) for i in range(len(names))),
        )

    @classmethod
    def from_tool_desc(cls, path: str | Path) -> Inventory:
        """A TaskBench / GNN4TaskPlan ``tool_desc.json`` (see :func:`read_tool_desc`)."""
        return cls.of_tools(read_tool_desc(path))

    @classmethod
    def from_registry(
        cls, registry: WorkerRegistry, task_descriptions: Mapping[str, str] = BUILTIN_TASK_TYPES
    ) -> Inventory:
        """The registry's task types (described by ``task_descriptions``, else by their workers)."""
        types = tuple(registry.task_types)
        workers = tuple(registry)
        descriptions = tuple(
            task_descriptions.get(t)
            or "; ".join(registry[w].description for w in registry.capable(t))
            for t in types
        )
        capable = tuple(tuple(workers.index(w) for w in registry.capable(t)) for t in types)
        return cls(
            types, descriptions, workers, tuple(registry[w].description for w in workers), capable
        )

    @classmethod
    def from_config(
        cls, task_types: Mapping[str, str], workers: Mapping[str, Mapping[str, Any]]
    ) -> Inventory:
        """The inventory stored in a planner config; without workers, each task type is its own worker."""
        if not workers:
            return cls.of_tools(task_types)
        names = tuple(workers)
        capable = tuple(
            tuple(i for i, w in enumerate(names) if t in workers[w]["task_types"])
            for t in task_types
        )
        return cls(
            tuple(task_types),
            tuple(task_types.values()),
            names,
            tuple(str(workers[w]["description"]) for w in names),
            capable,
        )


def read_tool_desc(path: str | Path) -> dict[str, str]:
    """Tool name -> description from TaskBench's ``tool_desc.json``.

    Accepts ``{"nodes": [{"id", "desc"}]}`` or a bare list of such entries (``description`` may
    stand for ``desc``). Each id appears once; a description is a string.

    Raises:
        DatasetFormatError: naming the file, and the entry when one is to blame.
    """
    what = "expected TaskBench's tool_desc.json, {'nodes': [{'id': ..., 'desc': ...}]}"
    try:
        # A byte-order mark (Windows editors write one) is not an error.
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise DatasetFormatError(path, f"cannot read it ({exc.strerror}); {what}") from exc
    except UnicodeDecodeError as exc:
        raise DatasetFormatError(path, f"not UTF-8 text ({exc.reason}); {what}") from exc
    except json.JSONDecodeError as exc:
        raise DatasetFormatError(
            path, f"not valid JSON ({exc.msg}); {what}", line=exc.lineno
        ) from exc
    nodes = data.get("nodes") if isinstance(data, dict) else data
    if not isinstance(nodes, list):
        raise DatasetFormatError(path, "expected {'nodes': [...]} or a list of tools")
    tools: dict[str, str] = {}
    for number, entry in enumerate(nodes, start=1):
        name, description = _tool(entry, path, number)
        if name in tools:  # every entry before this one is in tools, in file order
            raise DatasetFormatError(
                path,
                f"tool id {name!r} is already entry {list(tools).index(name) + 1}; "
                "give each tool one entry with its own id",
                line=number,
            )
        tools[name] = description
    if not tools:
        raise DatasetFormatError(path, f"lists no tools; a planner needs at least one ({what})")
    return tools


def _tool(entry: Any, path: str | Path, number: int) -> tuple[str, str]:
    """(id, description) of one ``tool_desc.json`` entry."""
    if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
        raise DatasetFormatError(path, "tool entry needs a string 'id' (its name)", line=number)
    description = entry.get("desc", entry.get("description", ""))
    if not isinstance(description, str):
        raise DatasetFormatError(
            path,
            f"'desc' of tool {entry['id']!r} should be str, got {type(description).__name__}; "
            "write its description as a string",
            line=number,
        )
    return entry["id"], description
