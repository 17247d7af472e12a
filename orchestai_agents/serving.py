"""The graph the LangGraph server serves (``langgraph.json`` names :func:`make_graph`).

The server brings its own persistence, so the graph is compiled without a checkpointer. Run it
locally with ``langgraph dev`` (``pip install "langgraph-cli[inmem]"``).

Every client of the server can name files in its requests, so the folders the file tools may
read and write are the operator's to set: ``ORCHESTAI_ALLOWED_DIRS``, folders separated by
``os.pathsep`` (``:`` on Linux and macOS). Unset, they are the server's working directory and the
system temp folder.
"""

from __future__ import annotations

import os
from pathlib import Path

from langgraph.graph.state import CompiledStateGraph

from orchestai_agents.agent import create_orchestai_agent
from orchestai_agents.errors import ConfigError

__all__ = ["ALLOWED_DIRS_ENV", "make_graph"]

ALLOWED_DIRS_ENV = "ORCHESTAI_ALLOWED_DIRS"


def make_graph() -> CompiledStateGraph:
    """The default agent: the built-in offline workers planned by the shipped planner."""
    from orchestai_agents.adapters import default_registry

    return create_orchestai_agent(default_registry(allowed_dirs=_allowed_dirs()))


def _allowed_dirs() -> list[Path] | None:
    """The folders ``ORCHESTAI_ALLOWED_DIRS`` names (each must exist); ``None`` when unset."""
    value = os.environ.get(ALLOWED_DIRS_ENV, "").strip()
    if not value:
        return None
    folders = [Path(p).expanduser() for p in value.split(os.pathsep) if p.strip()]
    missing = [str(f) for f in folders if not f.is_dir()]
    if missing:
        raise ConfigError(
            f"{ALLOWED_DIRS_ENV} names {missing}, which are not folders; create them or fix the "
            f"variable (folders separated by {os.pathsep!r})"
        )
    return folders
