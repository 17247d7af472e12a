import json
from pathlib import Path

import pytest

from orchestai_agents.cli.main import main
from orchestai_agents.errors import InputFileError
from orchestai_agents.planner import Planner


def test_batch_planning_writes_one_plan_per_request_over_a_tool_desc(
    tiny_planner: Planner, tools: dict[str, str], tmp_path: Path
) -> None:
    tiny_planner.save_pretrained(tmp_path / "ckpt")
    requests = tmp_path / "requests.jsonl"
    requests.write_text(
        "\n".join(
            json.dumps({"id": str(i), "user_request": r})
            for i, r in enumerate(["read it", "slides please"])
        )
    )
    tool_desc = tmp_path / "tool_desc.json"
    new_tools = {**tools, "send_sms": "Send an SMS message."}  # an inventory it was not trained on
    tool_desc.write_text(
        json.dumps({"nodes": [{"id": k, "desc": v} for k, v in new_tools.items()]})
    )
    out = tmp_path / "plans.jsonl"
    argv = [
        "plan",
        "--planner",
        str(tmp_path / "ckpt"),
        "--requests",
        str(requests),
        "--out",
        str(out),
    ]
    assert main([*argv, "--tools", str(tool_desc)]) == 0
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["id"] for line in lines] == ["0", "1"]
    for line in lines:
        assert {n["task"] for n in line["task_nodes"]} <= set(new_tools)
        ids = [s["id"] for s in line["subtasks"]]
        assert all(ids.index(a) < ids.index(b) for a, b in line["edges"])
        assert all(s["worker"] == s["task_type"] for s in line["subtasks"])


def test_bad_request_lines_name_the_line(tiny_planner: Planner, tmp_path: Path) -> None:
    tiny_planner.save_pretrained(tmp_path / "ckpt")
    requests = tmp_path / "requests.jsonl"
    requests.write_text('{"id": 1, "user_request": "x"}\n{"request": "no id"}\n')
    with pytest.raises(InputFileError, match="line 2"):
        from orchestai_agents.cli.plan import _read_requests

        _read_requests(requests)
