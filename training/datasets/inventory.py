"""Tool inventories: the tools an open-vocabulary planner may use, known by their descriptions.

The file format is TaskBench's ``tool_desc.json`` (``{"nodes": [{"id": name, "desc": text}]}``),
which ``orchestai plan --tools`` also accepts at inference. NesTools gives each request its own
candidate APIs instead (``AnnotatedWorkflow.candidates``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from orchestai_agents.planner.inventory import read_tool_desc

__all__ = ["Tool", "load_tool_inventory"]


@dataclass(frozen=True)
class Tool:
    """One tool of an inventory, known to an open-vocabulary planner by its description."""

    name: str
    description: str = ""


def load_tool_inventory(path: str | Path) -> list[Tool]:
    """Read a TaskBench ``tool_desc.json`` (``{"nodes": [{"id", "desc"}]}`` or a bare list).

    The planner reads the same file at inference through
    :func:`orchestai_agents.planner.inventory.read_tool_desc`; this is that reader, as Tools.

    Example:
        >>> tools = load_tool_inventory("../shared/datasets/planning/ultratool/tool_desc.json")
        >>> len(tools), tools[0].name
        (260, 'order_tracking')
    """
    return [Tool(name, description) for name, description in read_tool_desc(path).items()]
