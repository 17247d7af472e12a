"""Plan pictures: the PNG, the mermaid text, the result table and the layout."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from orchestai_agents import NodeRecord, Plan, RunResult, SubTask
from orchestai_agents.errors import PlanValidationError
from orchestai_agents.visualize import draw_plan, plan_layout, plan_to_mermaid, result_table

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def plan() -> Plan:
    return Plan(
        "Generate a presentation from this research paper",
        (
            SubTask("extract", "Extract the text", "extract_text", "pdf_text"),
            SubTask("summarize", "Summarise it", "summarize", "smollm2", ("extract",)),
            SubTask("slides", "Make slides", "make_slides", "slides", ("extract", "summarize")),
        ),
    )


@pytest.fixture
def failed_run(plan: Plan) -> RunResult:
    """extract ran, summarize failed, so slides was skipped (the executor's own error text)."""
    return RunResult(
        run_id="r1",
        instruction=plan.instruction,
        plan=plan.to_dict(),
        outputs={"extract": {"text": "t", "artifacts": [], "usage": {}}},
        nodes=(
            NodeRecord("extract", "pdf_text", "extract_text", 0.25, 0.0),
            NodeRecord(
                "summarize",
                "smollm2",
                "summarize",
                1.5,
                0.0012,
                success=False,
                error="smollm2: RuntimeError: out of memory",
            ),
            NodeRecord(
                "slides",
                "slides",
                "make_slides",
                0.0,
                0.0,
                success=False,
                error="skipped: dependency summarize failed",
            ),
        ),
        final_output="",
        latency_s=1.8,
    )


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def chain_of(n: int) -> Plan:
    """n nodes: node i depends on i-1 and, every third node, also on i-3 (fan-in and skips)."""
    subtasks = []
    for i in range(n):
        deps = {f"n{i - 1}"} if i else set()
        if i >= 3 and i % 3 == 0:
            deps.add(f"n{i - 3}")
        subtasks.append(SubTask(f"n{i}", f"step {i}", "summarize", "smollm2", tuple(sorted(deps))))
    return Plan("twenty steps", tuple(subtasks))


def wide_plan(n: int) -> Plan:
    """One source fanning out to n - 2 parallel nodes that a sink joins."""
    middle = [SubTask(f"m{i}", "part", "summarize", "smollm2", ("src",)) for i in range(n - 2)]
    sink = SubTask("join", "join", "write_report", "report", tuple(m.id for m in middle))
    return Plan(
        "fan out and in", (SubTask("src", "read", "extract_text", "pdf_text"), *middle, sink)
    )


def test_draw_plan_writes_a_png_of_sensible_size(plan: Plan, tmp_path: Path):
    path = tmp_path / "plan.png"
    fig = draw_plan(plan, path=path, dpi=100)
    width, height = png_size(path)
    # Three boxes side by side: wider than tall, and neither tiny nor poster-sized.
    assert 300 < width < 2000 and 100 < height < 1000
    assert width > height
    assert fig.get_size_inches()[0] * 100 == pytest.approx(width, abs=2)


def test_figure_shows_itself_as_png_in_notebooks(plan: Plan):
    # IPython displays any object with _repr_png_, also where no inline backend is set up.
    data = draw_plan(plan)._repr_png_()
    assert data.startswith(PNG_SIGNATURE)
    assert len(data) > 1000


def test_draw_plan_without_path_writes_nothing(
    plan: Plan, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.chdir(tmp_path)
    draw_plan(plan)
    assert list(tmp_path.iterdir()) == []


def test_boxes_carry_id_task_type_and_worker(plan: Plan):
    texts = [t.get_text() for t in draw_plan(plan).axes[0].texts]
    joined = "\n".join(texts)
    for node in plan:
        assert node.id in texts
        assert f"{node.task_type}\n{node.worker}" in joined


def test_result_colours_failed_and_skipped_nodes(plan: Plan, failed_run: RunResult):
    fig = draw_plan(plan, failed_run.to_dict())
    texts = "\n".join(t.get_text() for t in fig.axes[0].texts)
    assert "1.50 s · $0.0012 · failed" in texts
    assert "0.00 s · $0.0000 · skipped" in texts
    assert "0.25 s · $0.0000 · ok" in texts
    faces = {p.get_facecolor()[:3] for p in fig.axes[0].patches if hasattr(p, "get_boxstyle")}
    red, grey, green = (
        (1.0, 0xCD / 255, 0xD2 / 255),
        (0xE0 / 255,) * 3,
        (0xC8 / 255, 0xE6 / 255, 0xC9 / 255),
    )
    for colour in (red, grey, green):
        assert any(face == pytest.approx(colour) for face in faces), colour


def test_result_title_has_totals(plan: Plan, failed_run: RunResult):
    title = draw_plan(plan, failed_run).axes[0].get_title(loc="left")
    assert "1.80 s" in title and "$0.0012" in title and "2 node(s) failed or skipped" in title


def test_mermaid_has_labels_edges_and_status(plan: Plan, failed_run: RunResult):
    text = plan_to_mermaid(plan, failed_run)
    assert text.startswith("flowchart LR\n")
    assert (
        'summarize["summarize<br/>summarize<br/>smollm2<br/>1.50 s · $0.0012 · failed"]:::failed'
        in text
    )
    assert (
        'slides["slides<br/>make_slides<br/>slides<br/>0.00 s · $0.0000 · skipped"]:::skipped'
        in text
    )
    assert ":::ok" in text
    for source, target in plan.edges:
        assert f"    {source} --> {target}" in text
    assert "classDef failed fill:#ffcdd2" in text


def test_mermaid_without_result_marks_nodes_planned(plan: Plan):
    text = plan_to_mermaid(plan)
    assert text.count(":::planned") == 3
    assert "·" not in text  # no run figures before a run


def test_mermaid_renames_ids_mermaid_cannot_parse():
    plan = Plan(
        "x", (SubTask("end", "a", "t", "w"), SubTask("step-2", 'say "hi"', "t", "w", ("end",)))
    )
    text = plan_to_mermaid(plan)
    assert 'node_0["end<br/>t<br/>w"]' in text
    assert 'node_1["step-2<br/>t<br/>w"]' in text
    assert "node_0 --> node_1" in text


def test_mermaid_keeps_ids_that_start_with_a_digit():
    # The learned planner numbers its nodes: "1_extract_text", "2_summarize", ...
    plan = Plan(
        "x", (SubTask("1_read", "a", "t", "w"), SubTask("2_sum", "b", "t", "w", ("1_read",)))
    )
    assert "    1_read --> 2_sum" in plan_to_mermaid(plan)


def test_mermaid_escapes_quotes_in_labels():
    plan = Plan("x", (SubTask("a", "d", 'say "hi"', "w"),))
    assert "say #quot;hi#quot;" in plan_to_mermaid(plan)


def test_layout_is_layered_by_topological_depth(plan: Plan):
    assert plan_layout(plan) == {
        "extract": (0.0, 0.0),
        "summarize": (1.0, 0.0),
        "slides": (2.0, 0.0),
    }
    layout = plan_layout(wide_plan(5))
    assert layout["src"] == (0.0, 0.0) and layout["join"] == (2.0, 0.0)
    assert sorted(y for node, (x, y) in layout.items() if x == 1.0) == [-1.0, 0.0, 1.0]


def test_layout_is_deterministic():
    plan = chain_of(20)
    shuffled = Plan(plan.instruction, tuple(reversed(plan.subtasks)))
    first = plan_layout(plan)
    # Depths do not depend on the order sub-tasks are listed in.
    assert {k: x for k, (x, _) in plan_layout(shuffled).items()} == {
        k: x for k, (x, _) in first.items()
    }
    assert all(x == float(i) for i, (x, _) in enumerate(first[f"n{i}"] for i in range(20)))


def test_boxes_are_drawn_where_the_layout_puts_them(plan: Plan):
    fig = draw_plan(plan)
    centres = {t.get_text(): t.xy for t in fig.axes[0].texts if t.get_text() in plan.ids}
    assert centres == plan_layout(plan)


@pytest.mark.parametrize("make", [chain_of, wide_plan])
def test_twenty_node_plan_renders(make, tmp_path: Path):
    plan = make(20)
    path = tmp_path / "big.png"
    fig = draw_plan(plan, path=path, dpi=60)
    width, height = png_size(path)
    assert width > 0 and height > 0
    assert len([p for p in fig.axes[0].patches if hasattr(p, "get_boxstyle")]) == 20
    assert plan_to_mermaid(plan).count("-->") == len(plan.edges)


def test_draw_plan_accepts_the_plan_dict(plan: Plan, failed_run: RunResult):
    result = failed_run.to_dict()
    assert plan_to_mermaid(result["plan"], result) == plan_to_mermaid(plan, failed_run)

    def texts(fig) -> list[tuple[str, tuple[float, float]]]:
        return sorted((t.get_text(), t.xy) for t in fig.axes[0].texts)

    assert texts(draw_plan(result["plan"], result)) == texts(draw_plan(plan, failed_run))
    assert any("failed" in text for text, _ in texts(draw_plan(result["plan"], result)))


def test_cyclic_plan_is_refused_with_the_node_named():
    plan = Plan("x", (SubTask("a", "a", "t", "w", ("b",)), SubTask("b", "b", "t", "w", ("a",))))
    with pytest.raises(PlanValidationError, match=r"'a'|'b'"):
        draw_plan(plan)


def test_result_table_has_one_row_per_node(failed_run: RunResult):
    table = result_table(failed_run.to_dict())
    assert list(table.columns) == [
        "node",
        "worker",
        "task_type",
        "seconds",
        "usd",
        "tokens",
        "status",
        "error",
    ]
    assert list(table["node"]) == ["extract", "summarize", "slides"]
    assert list(table["status"]) == ["ok", "failed", "skipped"]
    assert table["usd"].sum() == pytest.approx(0.0012)
