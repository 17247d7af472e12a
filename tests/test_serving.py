"""langgraph.json names a graph that the LangGraph server can load."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
from pathlib import Path

import pytest
from langgraph.graph.state import CompiledStateGraph

from orchestai_agents.errors import ConfigError

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


def test_the_operator_sets_the_folders_the_served_file_tools_may_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orchestai_agents import serving

    shared, other = tmp_path / "shared", tmp_path / "uploads"
    shared.mkdir(), other.mkdir()
    monkeypatch.setenv(serving.ALLOWED_DIRS_ENV, f"{shared}{os.pathsep}{other}")
    assert serving._allowed_dirs() == [shared, other]
    monkeypatch.setenv(serving.ALLOWED_DIRS_ENV, str(tmp_path / "missing"))
    with pytest.raises(ConfigError, match=r"ORCHESTAI_ALLOWED_DIRS names .*missing"):
        serving._allowed_dirs()
    monkeypatch.delenv(serving.ALLOWED_DIRS_ENV)
    assert serving._allowed_dirs() is None  # the working directory and the temp folder


@pytest.mark.slow
def test_the_served_file_tools_stay_inside_the_operators_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orchestai_agents import serving

    allowed, private = tmp_path / "allowed", tmp_path / "private"
    allowed.mkdir(), private.mkdir()
    paper = private / "paper.pdf"
    shutil.copy(ROOT / "examples" / "data" / "paper.pdf", paper)
    monkeypatch.setenv(serving.ALLOWED_DIRS_ENV, str(allowed))
    read = {
        "format_version": 1,
        "instruction": "Extract the text",
        "subtasks": [
            {
                "id": "read",
                "description": "Extract",
                "task_type": "extract_text",
                "worker": "pdf_text",
            }
        ],
    }
    request = {"plan": read, "inputs": [str(paper)], "output_dir": str(allowed)}

    refused = serving.make_graph().invoke(request)["result"]
    assert "outside the allowed folders" in refused["errors"]["read"]

    shutil.copy(paper, allowed / "paper.pdf")  # the same file inside the operator's folder
    done = serving.make_graph().invoke({**request, "inputs": [str(allowed / "paper.pdf")]})
    assert done["result"]["success"], done["result"]["errors"]
