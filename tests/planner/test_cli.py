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


@pytest.mark.slow  # the shipped planner loads the offline MiniLM
def test_one_instruction_with_input_files_is_planned_as_the_agent_plans_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from orchestai_agents.adapters import default_registry

    from orchestai_agents.planner import load_default_planner

    request = "Transcribe this recording and summarise it"
    expected = load_default_planner().plan(request, default_registry(), inputs=["notes.txt"])

    assert main(["plan", request, "--input", "notes.txt"]) == 0  # only the suffix is read
    planned = json.loads(capsys.readouterr().out)

    assert planned == json.loads(json.dumps(expected.to_dict()))
    assert "transcribe_audio" not in {s["task_type"] for s in planned["subtasks"]}


@pytest.mark.slow
@pytest.mark.parametrize(
    "flags", [["--input", "paper.pdf", "--input", "sales.csv"], ["-i", "paper.pdf", "sales.csv"]]
)
def test_every_input_given_is_planned_for_however_the_flag_is_written(
    capsys: pytest.CaptureFixture[str], flags: list[str]
) -> None:
    from orchestai_agents.adapters import default_registry

    from orchestai_agents.planner import load_default_planner

    request = "Make a presentation from the paper and chart the sales"
    expected = load_default_planner().plan(
        request, default_registry(), inputs=["paper.pdf", "sales.csv"]
    )

    assert main(["plan", request, *flags]) == 0
    planned = json.loads(capsys.readouterr().out)

    assert planned == json.loads(json.dumps(expected.to_dict()))
    assert "extract_text" in {s["task_type"] for s in planned["subtasks"]}  # the paper is read


@pytest.mark.slow
def test_request_lines_with_inputs_are_each_planned_as_alone(tmp_path: Path) -> None:
    """Lines with and without inputs, with different once-only types and reading groups, in one
    batch."""
    from orchestai_agents.adapters import default_registry

    from orchestai_agents.planner import load_default_planner
    from orchestai_agents.planner.model import input_restrictions

    lines = [
        ("a", "Transcribe this recording and summarise it", ["notes.txt"]),
        ("b", "Transcribe this recording and summarise it", None),
        ("c", "Translate letter.pdf to English", ["letter.pdf"]),
        ("d", "Translate both letters to English", ["one.pdf", "two.pdf"]),
        ("e", "Chart the monthly sales in this table", ["sales.csv"]),
        ("f", "Summarise the paper and chart the table", ["p.pdf", "t.csv", "r.wav", "i.png"]),
        ("g", "Summarise the paper and the call", ["q.pdf", "s.wav"]),
        ("h", "Translate this into Spanish", ["prices.csv"]),
        ("i", "Write a short blog post based on this", ["photo.png"]),
    ]
    requests = tmp_path / "requests.jsonl"
    requests.write_text(
        "\n".join(
            json.dumps({"id": i, "user_request": r, **({"inputs": f} if f else {})})
            for i, r, f in lines
        )
    )
    out = tmp_path / "plans.jsonl"

    assert main(["plan", "--requests", str(requests), "--out", str(out)]) == 0

    planner, registry = load_default_planner(), default_registry()
    # e and h share their restrictions, so a batch: e's plan reads its table, h's is decoded
    # again to read it. c has g's once-only types but other reading groups: a batch of its own.
    c, e, g, h = (
        input_restrictions(registry, lines[k][2], planner.inventory) for k in (2, 4, 6, 7)
    )
    assert e[1:] == h[1:]
    assert c[1] == g[1] and c[2] != g[2]
    written = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(w["id"], w.get("inputs")) for w in written] == [(i, f) for i, _, f in lines]
    for (_, request, inputs), line in zip(lines, written, strict=True):
        alone = planner.plan(request, registry, inputs=inputs)
        assert line["subtasks"] == json.loads(json.dumps(alone.to_dict()))["subtasks"]
    types = {w["id"]: [s["task_type"] for s in w["subtasks"]] for w in written}
    assert "transcribe_audio" not in types["a"] and "transcribe_audio" in types["b"]
    assert types["c"].count("extract_text") == 1
    assert types["e"] == ["analyze_table", "render_chart"]
    assert types["h"][0] in {"analyze_table", "render_chart"} and "translate" in types["h"]
    assert types["i"][0] in {"caption_image", "make_slides", "write_report"}
