"""The graph the LangGraph server serves (``langgraph.json`` names :func:`make_graph`).

The server brings its own persistence, so the graph is compiled without a checkpointer. Run it
locally with ``langgraph dev`` (``pip install "langgraph-cli[inmem]"``).
"""

from __future__ import annotations

from langgraph.graph.state import CompiledStateGraph

from orchestai_agents.agent import create_orchestai_agent

__all__ = ["make_graph"]


def make_graph() -> CompiledStateGraph:
    """The default agent: the built-in offline workers planned by the shipped planner."""
    return create_orchestai_agent()
