"""``read_tool_desc``: a TaskBench tool_desc.json, and the entries it refuses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from orchestai_agents.errors import DatasetFormatError
from orchestai_agents.planner.inventory import read_tool_desc


def _tool_desc(folder: Path, *nodes: object) -> Path:
    path = folder / "tool_desc.json"
    path.write_text(json.dumps({"nodes": list(nodes)}))
    return path


def test_tools_are_read_in_file_order(tmp_path: Path) -> None:
    path = _tool_desc(tmp_path, {"id": "b", "desc": "B."}, {"id": "a", "description": "A."})

    assert list(read_tool_desc(path).items()) == [("b", "B."), ("a", "A.")]


def test_a_byte_order_mark_is_read_past(tmp_path: Path) -> None:
    path = _tool_desc(tmp_path, {"id": "a", "desc": "A."})
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())  # as Windows editors save UTF-8

    assert read_tool_desc(path) == {"a": "A."}


def test_a_repeated_tool_id_names_both_entries(tmp_path: Path) -> None:
    path = _tool_desc(
        tmp_path, {"id": "a", "desc": "x"}, {"id": "b", "desc": "y"}, {"id": "a", "desc": "z"}
    )

    with pytest.raises(DatasetFormatError, match=r"line 3: tool id 'a' is already entry 1; give"):
        read_tool_desc(path)


@pytest.mark.parametrize(("desc", "kind"), [(5, "int"), (None, "NoneType"), (["x"], "list")])
def test_a_description_that_is_no_string_is_named(tmp_path: Path, desc: object, kind: str) -> None:
    path = _tool_desc(tmp_path, {"id": "ok", "desc": "fine"}, {"id": "image_caption", "desc": desc})

    with pytest.raises(DatasetFormatError) as refused:
        read_tool_desc(path)

    assert str(refused.value) == (
        f"{path}, line 2: 'desc' of tool 'image_caption' should be str, got {kind}; "
        "write its description as a string"
    )
