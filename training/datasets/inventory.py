"""Tool inventories: the tools an open-vocabulary planner may use, known by their descriptions.

The file format is TaskBench's ``tool_desc.json`` (``{"nodes": [{"id": name, "desc": text}]}``),
which ``orchestai plan --tools`` also accepts at inference. NesTools gives each request its own
candidate APIs instead; :func:`load_nestools_inventories` reads those.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._json_files import iter_json_lines, read_json
from .errors import DatasetFormatError

__all__ = ["Tool", "load_nestools_inventories", "load_tool_inventory"]


@dataclass(frozen=True)
class Tool:
    """One tool of an inventory, known to an open-vocabulary planner by its description."""

    name: str
    description: str = ""


def load_tool_inventory(path: str | Path) -> list[Tool]:
    """Read a TaskBench ``tool_desc.json`` (``{"nodes": [{"id", "desc"}]}`` or a bare list).

    Example:
        >>> tools = load_tool_inventory("../shared/datasets/planning/ultratool/tool_desc.json")
        >>> len(tools), tools[0].name
        (260, 'order_tracking')
    """
    data = read_json(path, "a TaskBench tool inventory, {'nodes': [{'id': ..., 'desc': ...}]}")
    nodes = data.get("nodes") if isinstance(data, dict) else data
    if not isinstance(nodes, list):
        raise DatasetFormatError(path, "expected {'nodes': [...]} or a list of tools")
    return [_tool(entry, Path(path), number) for number, entry in enumerate(nodes, start=1)]


def _tool(entry: Any, path: Path, number: int) -> Tool:
    if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
        raise DatasetFormatError(path, "tool entry needs a string 'id' (its name)", line=number)
    return Tool(name=entry["id"], description=str(entry.get("desc", entry.get("description", ""))))


def load_nestools_inventories(path: str | Path) -> dict[str, list[Tool]]:
    """Each NesTools request's own candidate APIs (its ``api`` field), by request id.

    NesTools names its APIs per request (2,799 distinct names among 3,036 calls), so a planner
    can only name the right tools when handed this per-request inventory.
    """
    what = "a NesTools JSON-lines file with test_id and api per line"
    return {
        str(record.get("test_id")): _candidate_apis(record, Path(path), line)
        for line, record in iter_json_lines(path, what)
    }


def _candidate_apis(record: dict[str, Any], path: Path, line: int) -> list[Tool]:
    apis = record.get("api")
    if not isinstance(apis, list) or not all(
        isinstance(a, dict) and isinstance(a.get("api_name"), str) for a in apis
    ):
        raise DatasetFormatError(
            path, "field 'api' should be a list of {'api_name', 'api_description'}", line=line
        )
    return [Tool(a["api_name"], str(a.get("api_description", ""))) for a in apis]
