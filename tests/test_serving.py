"""langgraph.json names a graph that the LangGraph server can load."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from langgraph.graph.state import CompiledStateGraph

ROOT = Path(__file__).resolve().parents[1]


def load_graph_from_config(config_path: Path, name: str) -> object:
    """Resolve ``./file.py:attr`` the way the LangGraph server does, and call factories."""
    spec_text = json.loads(config_path.read_text())["graphs"][name]
    file_part, attr = spec_text.rsplit(":", 1)
    spec = importlib.util.spec_from_file_location(
        f"langgraph_served_{name}", config_path.parent / file_part
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    target = getattr(module, attr)
    return target() if callable(target) and not isinstance(target, CompiledStateGraph) else target


def test_langgraph_json_is_a_valid_server_config() -> None:
    from langgraph_cli.config import validate_config_file

    config = validate_config_file(ROOT / "langgraph.json")
    assert set(config["graphs"]) == {"orchestai"}


@pytest.mark.slow
def test_served_graph_loads_offline_with_the_agents_nodes() -> None:
    graph = load_graph_from_config(ROOT / "langgraph.json", "orchestai")
    assert isinstance(graph, CompiledStateGraph)
    assert {"plan", "execute", "respond"} <= set(graph.get_graph().nodes)
