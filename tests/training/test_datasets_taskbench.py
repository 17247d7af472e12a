"""The GNN4TaskPlan/TaskBench loader on small files written by the tests, and on UltraTool."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from orchestai_agents.training.datasets import (
    DatasetFormatError,
    load_taskbench,
    load_tool_inventory,
    taskbench_split,
)

ULTRATOOL = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "planning" / "ultratool"
needs_ultratool = pytest.mark.skipif(
    not ULTRATOOL.is_dir(), reason=f"UltraTool is not at {ULTRATOOL} (the shared data sets folder)"
)


def record(
    id: str, nodes: list[str], links: list[tuple[str, str]], steps: list[str] | None = None
) -> dict:
    return {
        "id": id,
        "user_request": f"request {id}\n",
        "task_steps": steps
        if steps is not None
        else [f"Step {i + 1} Call {n}" for i, n in enumerate(nodes)],
        "task_nodes": [{"task": n} for n in nodes],
        "task_links": [{"source": s, "target": t} for s, t in links],
        "n_tools": len(nodes),
        "type": "chain",
    }


def write_folder(folder: Path, records: list[dict], test_ids: object = None) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "data.json").write_text("".join(json.dumps(r) + "\n" for r in records))
    if test_ids is not None:
        (folder / "split_ids.json").write_text(json.dumps({"test_ids": test_ids}))
    return folder


def test_chain_with_steps_as_descriptions(tmp_path: Path) -> None:
    folder = write_folder(
        tmp_path / "bench", [record("7", ["search", "book"], [("search", "book")])]
    )
    [w] = load_taskbench(folder)
    assert (w.id, w.request, w.source) == ("7", "request 7", "bench")
    assert w.node_names == ["search", "book"]
    assert w.links == ((0, 1),)
    assert [n.description for n in w.nodes] == ["Call search", "Call book"]


def test_repeated_tool_links_follow_the_steps(tmp_path: Path) -> None:
    # a -> b -> a -> b: each link takes the nearest unused forward pair of positions
    rec = record("1", ["a", "b", "a", "b"], [("a", "b"), ("b", "a"), ("a", "b")])
    [w] = load_taskbench(write_folder(tmp_path / "d", [rec]))
    assert w.links == ((0, 1), (1, 2), (2, 3))
    [w] = load_taskbench(write_folder(tmp_path / "e", [record("2", ["p", "p"], [("p", "p")])]))
    assert w.links == ((0, 1),)


def test_backward_links_reorder_nodes_topologically(tmp_path: Path) -> None:
    rec = record("3", ["report", "fetch", "clean"], [("fetch", "clean"), ("clean", "report")])
    [w] = load_taskbench(write_folder(tmp_path / "d", [rec]))
    assert w.node_names == ["fetch", "clean", "report"]
    assert w.named_links == [("fetch", "clean"), ("clean", "report")]
    assert w.nodes[2].description == "Call report"  # descriptions move with their nodes


def test_fan_in_is_a_dag(tmp_path: Path) -> None:
    rec = record("4", ["x", "y", "z"], [("x", "z"), ("y", "z")])
    [w] = load_taskbench(write_folder(tmp_path / "d", [rec]))
    assert w.links == ((0, 2), (1, 2)) and w.shape == "dag"


def test_split_by_split_ids(tmp_path: Path) -> None:
    records = [record(str(i), ["a", "b"], [("a", "b")]) for i in range(5)]
    folder = write_folder(tmp_path / "d", records, test_ids={"chain": ["1", "3"], "single": [4]})
    train, test = taskbench_split(folder)
    assert [w.id for w in train] == ["0", "2"]
    assert [w.id for w in test] == ["1", "3", "4"]


def test_unknown_test_id_is_an_error(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "d", [record("0", ["a"], [])], test_ids=["0", "99"])
    with pytest.raises(
        DatasetFormatError, match=r"split_ids.json: 1 test ids are not in data.json"
    ):
        taskbench_split(folder)


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ("{not json", r"data.json, line 2: not valid JSON"),
        (
            json.dumps({"id": "9", "user_request": "r", "task_links": []}),
            r"line 2: record has no 'task_nodes'",
        ),
        (
            json.dumps(record("9", ["a"], [("a", "zz")])),
            r"line 2: link a -> zz matches no unused pair",
        ),
        (
            json.dumps(record("9", ["a", "b"], [("a", "b"), ("b", "a")])),
            r"line 2: task_links form a cycle",
        ),
        (  # every true id became "True"
            json.dumps({**record("9", ["a"], []), "id": True}),
            r"line 2: field 'id' should be str or int, got bool",
        ),
    ],
)
def test_malformed_line_names_file_and_line(tmp_path: Path, bad_line: str, message: str) -> None:
    (tmp_path / "data.json").write_text(json.dumps(record("0", ["a"], [])) + "\n" + bad_line + "\n")
    with pytest.raises(DatasetFormatError, match=message) as info:
        load_taskbench(tmp_path)
    assert info.value.line == 2


def test_missing_file_says_what_it_should_be(tmp_path: Path) -> None:
    with pytest.raises(DatasetFormatError, match=r"no such file; a TaskBench data\.json"):
        load_taskbench(tmp_path)


def test_a_line_that_is_not_utf8_is_named(tmp_path: Path) -> None:
    (tmp_path / "data.json").write_bytes(json.dumps(record("0", ["a"], [])).encode() + b"\n\xff\n")
    with pytest.raises(DatasetFormatError, match=r"data\.json, line 2: not UTF-8 text"):
        load_taskbench(tmp_path)


def test_a_tool_list_that_is_not_utf8_is_named(tmp_path: Path) -> None:
    path = tmp_path / "tool_desc.json"
    path.write_bytes(b'\xff\xfe{"nodes": []}')
    with pytest.raises(DatasetFormatError, match=r"tool_desc\.json: not UTF-8 text"):
        load_tool_inventory(path)


def test_tool_inventory(tmp_path: Path) -> None:
    path = tmp_path / "tool_desc.json"
    path.write_text(
        json.dumps({"nodes": [{"id": "a", "desc": "does a", "domain": []}, {"id": "b"}]})
    )
    assert [(t.name, t.description) for t in load_tool_inventory(path)] == [
        ("a", "does a"),
        ("b", ""),
    ]
    path.write_text(json.dumps({"nodes": [{"desc": "nameless"}]}))
    with pytest.raises(DatasetFormatError, match="line 1: tool entry needs a string 'id'"):
        load_tool_inventory(path)


@needs_ultratool
def test_ultratool_matches_the_files() -> None:
    train, test = taskbench_split(ULTRATOOL)
    assert (len(train), len(test)) == (3027, 500)
    lines = (ULTRATOOL / "data.json").read_text().splitlines()
    raw = {record["id"]: record for record in map(json.loads, lines)}
    for w in train + test:  # every record keeps its tools and its tool-named links, in order
        assert w.node_names == [n["task"] for n in raw[w.id]["task_nodes"]]
        assert w.named_links == [
            (link["source"], link["target"]) for link in raw[w.id]["task_links"]
        ]
    assert len(load_tool_inventory(ULTRATOOL / "tool_desc.json")) == 260
