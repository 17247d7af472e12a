"""Tool inventories: the tools an open-vocabulary planner may use, known by their descriptions.

The file format is TaskBench's ``tool_desc.json`` (``{"nodes": [{"id": name, "desc": text}]}``),
which ``orchestai plan --tools`` also accepts at inference. NesTools gives each request its own
candidate APIs instead; :func:`load_nestools_inventories` reads those.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orchestai_agents.planner.inventory import read_tool_desc

from ._json_files import iter_json_lines
from .errors import DatasetFormatError

__all__ = ["Tool", "load_nestools_inventories", "load_tool_inventory"]


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
