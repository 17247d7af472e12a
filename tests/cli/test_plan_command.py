"""``orchestai plan`` on bad input: exit status 2 and one line naming the file or flag, before
any planner is loaded."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

Orchestai = Callable[..., tuple[int, str]]  # the conftest fixture: argv -> (status, error line)


@pytest.fixture
def requests(tmp_path: Path) -> Path:
    path = tmp_path / "requests.jsonl"
    path.write_text(json.dumps({"id": "1", "user_request": "summarise a file"}) + "\n")
    return path


@pytest.mark.parametrize("content", [b"", b"\n\n"])
def test_a_requests_file_without_requests_is_refused(
    orchestai: Orchestai, tmp_path: Path, content: bytes
) -> None:
    empty = tmp_path / "requests.jsonl"
    empty.write_bytes(content)

    code, said = orchestai("plan", "--requests", str(empty), "--out", str(tmp_path / "o.jsonl"))

    assert code == 2 and f"{empty} holds no requests" in said
    assert not (tmp_path / "o.jsonl").exists()


def test_a_requests_file_that_is_not_text_is_refused(orchestai: Orchestai, tmp_path: Path) -> None:
    binary = tmp_path / "requests.jsonl"
    binary.write_bytes(b'\xff\xfe{"id"')

    code, said = orchestai("plan", "--requests", str(binary), "--out", str(tmp_path / "o.jsonl"))

    assert code == 2 and f"{binary}, line 1: not UTF-8 text" in said


def test_out_that_is_a_folder_is_refused(orchestai: Orchestai, requests: Path) -> None:
    code, said = orchestai("plan", "--requests", str(requests), "--out", str(requests.parent))

    assert code == 2 and "argument --out" in said and "is a folder; give a file name" in said


def test_out_under_a_file_is_refused(orchestai: Orchestai, requests: Path) -> None:
    code, said = orchestai("plan", "--requests", str(requests), "--out", f"{requests}/plans.jsonl")

    assert code == 2 and "argument --out" in said and "which is a file" in said


def test_out_in_a_folder_one_may_not_write_in_is_refused(
    orchestai: Orchestai, requests: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The tests run as root, who may write anywhere; os.access stands in for a read-only folder.
    locked = requests.parent / "locked"
    locked.mkdir()
    monkeypatch.setattr(os, "access", lambda path, mode: Path(path) != locked)

    code, said = orchestai("plan", "--requests", str(requests), "--out", f"{locked}/new/p.jsonl")

    assert code == 2 and f"cannot write in '{locked}'" in said and "check its permissions" in said


@pytest.mark.parametrize("spelling", ["same", "dotted", "symlink"])
def test_out_that_is_the_requests_file_is_refused(
    orchestai: Orchestai, requests: Path, spelling: str
) -> None:
    before = requests.read_text()
    out = {
        "same": requests,
        "dotted": requests.parent / "." / requests.name,
        "symlink": requests.parent / "link.jsonl",
    }[spelling]
    if spelling == "symlink":
        out.symlink_to(requests)

    code, said = orchestai("plan", "--requests", str(requests), "--out", str(out))

    assert code == 2 and f"--out {out} is the --requests file" in said and "another" in said
    assert requests.read_text() == before


def test_out_that_is_the_tools_file_is_refused(orchestai: Orchestai, requests: Path) -> None:
    tools = requests.parent / "tool_desc.json"
    tools.write_text(json.dumps({"nodes": [{"id": "summarize", "desc": "Summarise a text."}]}))

    code, said = orchestai(
        "plan", "--requests", str(requests), "--tools", str(tools), "--out", str(tools)
    )

    assert code == 2 and f"--out {tools} is the --tools file" in said
    assert json.loads(tools.read_text())["nodes"][0]["id"] == "summarize"


def test_a_missing_planner_folder_is_named(orchestai: Orchestai, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-planner"

    code, said = orchestai("plan", "make slides", "--planner", str(missing))

    assert code == 2 and f"{missing}: no such folder" in said


def test_a_blank_instruction_is_refused(orchestai: Orchestai) -> None:
    code, said = orchestai("plan", "   ")

    assert code == 2 and "the instruction is blank" in said


def test_a_requests_folder_is_named_as_a_folder(orchestai: Orchestai, tmp_path: Path) -> None:
    code, said = orchestai("plan", "--requests", str(tmp_path), "--out", str(tmp_path / "o.jsonl"))

    assert code == 2 and f"{tmp_path}: is a folder, not a file" in said


def test_a_tool_list_without_tools_is_named_before_the_planner_loads(
    orchestai: Orchestai, tmp_path: Path
) -> None:
    tools = tmp_path / "tool_desc.json"
    tools.write_text('{"nodes": []}')

    code, said = orchestai(
        "plan", "make slides", "--tools", str(tools), "--planner", str(tmp_path / "none")
    )

    assert code == 2 and f"{tools}: lists no tools" in said


def test_a_file_given_as_planner_is_refused(orchestai: Orchestai, requests: Path) -> None:
    code, said = orchestai("plan", "make slides", "--planner", str(requests))

    assert code == 2 and f"{requests} is a file; pass the planner folder" in said


@pytest.mark.parametrize(
    ("decomposer", "named"), [({"hidden_sise": 64}, "hidden_sise"), (5, "got int")]
)
def test_a_planner_config_json_with_a_bad_section_is_named(
    orchestai: Orchestai, tmp_path: Path, decomposer: object, named: str
) -> None:
    folder = tmp_path / "planner"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"decomposer": decomposer}))

    code, said = orchestai("plan", "make slides", "--planner", str(folder))

    assert code == 2 and f"{folder}/config.json describes no valid planner" in said
    assert named in said and "re-save" in said


def test_an_hf_model_folder_given_as_planner_is_named(orchestai: Orchestai) -> None:
    from orchestai_agents.encoders import default_encoder_path

    encoder = default_encoder_path()  # a BERT folder: its config.json is no planner config

    code, said = orchestai("plan", "make slides", "--planner", encoder)

    assert code == 2 and f"{encoder}/config.json describes no valid planner" in said
    assert "unknown key(s) ['_name_or_path', 'architectures'" in said
    assert "missing ['encoder', 'decomposer'" in said and "`orchestai train`" in said


def test_a_planner_config_json_holding_a_list_is_named(
    orchestai: Orchestai, tmp_path: Path
) -> None:
    (tmp_path / "config.json").write_text("[1, 2]")

    code, said = orchestai("plan", "make slides", "--planner", str(tmp_path))

    assert code == 2 and f"{tmp_path}/config.json describes no valid planner" in said
    assert "got a list" in said and "`orchestai train`" in said


def test_out_with_one_instruction_is_refused(orchestai: Orchestai, tmp_path: Path) -> None:
    out = tmp_path / "plan.jsonl"

    code, said = orchestai("plan", "make slides", "--out", str(out))

    assert code == 2 and "--out is for --requests" in said and "stdout" in said
    assert not out.exists()


@pytest.mark.parametrize(
    ("lines", "named"),
    [
        (['{"id": "a", "user_request": null}'], "line 1: field 'user_request' should be str"),
        (['{"id": "a", "user_request": ["go"]}'], "line 1: field 'user_request' should be str"),
        (['{"id": "a", "user_request": "  "}'], "line 1: 'user_request' must be a non-empty"),
        (['{"id": null, "user_request": "go"}'], "line 1: field 'id' should be str or int"),
        (['{"id": true, "user_request": "go"}'], "line 1: field 'id' should be str or int"),
        (['{"user_request": "go"}'], "line 1: record has no 'id' field"),
        (
            ['{"id": "1", "user_request": "go"}', "", '{"id": 1, "user_request": "stop"}'],
            "line 3: id '1' repeats line 1",
        ),
    ],
)
def test_a_request_with_a_bad_id_or_request_is_named_before_planning(
    orchestai: Orchestai, tmp_path: Path, lines: list[str], named: str
) -> None:
    requests = tmp_path / "requests.jsonl"
    requests.write_text("\n".join(lines) + "\n")
    out = tmp_path / "plans.jsonl"
    out.write_text("earlier plans\n")

    code, said = orchestai("plan", "--requests", str(requests), "--out", str(out))

    assert code == 2 and f"{requests}, {named}" in said
    assert out.read_text() == "earlier plans\n"


def test_requests_are_split_on_line_feeds_only(orchestai: Orchestai, tmp_path: Path) -> None:
    """U+2028, U+0085 and \\x1c are legal in a JSON string; str.splitlines would split there."""
    requests = tmp_path / "requests.jsonl"
    first = {"id": "a", "user_request": "Summarise:\u2028it was\x85a dark\x1cnight."}
    requests.write_text(json.dumps(first, ensure_ascii=False) + '\n{"id": "b"}\n')

    code, said = orchestai("plan", "--requests", str(requests), "--out", str(tmp_path / "o.jsonl"))

    assert code == 2 and f"{requests}, line 2: record has no 'user_request' field" in said


@pytest.fixture
def stub_planner(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stand in for the shipped planner: each request becomes one ``summarize`` step, and the
    request "stop" is a Ctrl-C while planning."""
    import orchestai_agents.planner
    from orchestai_agents.planner import Inventory, PredictedGraph

    class Stub:
        inventory = Inventory.of_tools({"summarize": "Summarise a text."})

        def predict(
            self, requests: list[str], inventory: Inventory, **restrictions: object
        ) -> list[PredictedGraph]:
            if "stop" in requests:
                raise KeyboardInterrupt
            step = (("summarize", 1.0),)
            return [
                PredictedGraph(("summarize",), ((),), (0.5,), (step,), ((0, 1),)) for _ in requests
            ]

    monkeypatch.setattr(orchestai_agents.planner, "load_default_planner", Stub)


def _requests(folder: Path, *texts: str) -> Path:
    path = folder / "requests.jsonl"  # GNN4TaskPlan ids are strings; integers are taken too
    lines = [
        json.dumps({"id": i, "user_request": t}, ensure_ascii=False) for i, t in enumerate(texts)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.usefixtures("stub_planner")
def test_plans_replace_out_once_all_are_written(orchestai: Orchestai, tmp_path: Path) -> None:
    requests = _requests(tmp_path, "read it", "Summarise:\u2028it was\x85a dark night.")
    out = tmp_path / "plans.jsonl"
    out.write_text("earlier plans\n")

    code, _ = orchestai("plan", "--requests", str(requests), "--out", str(out), "--batch-size", "1")

    plans = [json.loads(line) for line in out.read_text(encoding="utf-8").split("\n") if line]
    assert code == 0 and [p["id"] for p in plans] == ["0", "1"]
    assert plans[1]["user_request"] == "Summarise:\u2028it was\x85a dark night."
    assert plans[1]["task_nodes"] == [{"task": "summarize"}]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plans.jsonl", "requests.jsonl"]


@pytest.mark.usefixtures("stub_planner")
def test_an_interrupted_run_leaves_the_earlier_out_as_it_was(
    orchestai: Orchestai, tmp_path: Path
) -> None:
    requests = _requests(tmp_path, "read it", "stop")
    out = tmp_path / "plans.jsonl"
    out.write_text("earlier plans\n")

    code, said = orchestai(
        "plan", "--requests", str(requests), "--out", str(out), "--batch-size", "1"
    )

    assert code == 130 and said.startswith("interrupted")
    assert out.read_text() == "earlier plans\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plans.jsonl", "requests.jsonl"]


def test_a_large_inventory_is_announced_before_its_descriptions_are_embedded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from orchestai_agents.cli import plan
    from orchestai_agents.cli.main import main

    tools = tmp_path / "tool_desc.json"
    tools.write_text(json.dumps([{"id": f"tool_{i}", "desc": f"Tool {i}."} for i in range(3)]))
    monkeypatch.setattr(plan, "LARGE_INVENTORY", 3)

    assert main(["plan", "use tool 1", "--tools", str(tools)]) == 0

    assert "embedding the descriptions of 3 task types and 3 workers" in capsys.readouterr().err


@pytest.mark.parametrize("inputs", ["paper.pdf", ["paper.pdf", 3], [" "], {"file": "a.pdf"}])
def test_request_inputs_that_are_not_a_list_of_file_names_are_refused(
    orchestai: Orchestai, tmp_path: Path, inputs: object
) -> None:
    requests = tmp_path / "requests.jsonl"
    good = {"id": "1", "user_request": "summarise it", "inputs": ["notes.txt"]}
    bad = {"id": "2", "user_request": "summarise it", "inputs": inputs}
    requests.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n")

    code, said = orchestai("plan", "--requests", str(requests), "--out", str(tmp_path / "o.jsonl"))

    assert code == 2 and f"{requests}, line 2" in said
    assert "'inputs' must be a list of file names" in said


def test_input_files_with_requests_are_refused(orchestai: Orchestai, requests: Path) -> None:
    out = requests.parent / "o.jsonl"

    code, said = orchestai("plan", "--requests", str(requests), "--out", str(out), "-i", "a.pdf")

    assert code == 2 and "give each line its own 'inputs' list" in said


@pytest.mark.parametrize("where", ["flag", "line"])
def test_input_files_with_a_tool_inventory_are_refused(
    orchestai: Orchestai, tmp_path: Path, where: str
) -> None:
    tools = tmp_path / "tool_desc.json"
    tools.write_text(json.dumps({"nodes": [{"id": "summarize", "desc": "Summarise a text."}]}))
    if where == "flag":
        argv = ["plan", "summarise it", "--input", "notes.txt"]
    else:
        requests = tmp_path / "requests.jsonl"
        line = {"id": "1", "user_request": "summarise it", "inputs": ["notes.txt"]}
        requests.write_text(json.dumps(line) + "\n")
        argv = ["plan", "--requests", str(requests), "--out", str(tmp_path / "o.jsonl")]

    code, said = orchestai(*argv, "--tools", str(tools), "--planner", str(tmp_path / "none"))

    assert code == 2 and "--tools names tools by their descriptions alone" in said
