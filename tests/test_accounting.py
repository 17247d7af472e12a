"""Run accounting: totals, success and errors worked out by hand, and lossless dict round-trips."""

from __future__ import annotations

import pytest

from orchestai_agents import CostModel, NodeRecord, RunResult, Usage
from orchestai_agents.budget import Budget


def _run(*nodes: NodeRecord, outputs: dict | None = None) -> RunResult:
    return RunResult("r", "go", {"subtasks": []}, outputs or {}, nodes, "answer", 1.5)


OK_A = NodeRecord("a", "llm", "summarize", 1.0, 0.25, input_tokens=100, output_tokens=20)
OK_B = NodeRecord(
    "b",
    "api",
    "generate_text",
    0.5,
    0.125,
    input_tokens=7,
    output_tokens=3,
    error="cheap: TimeoutError: slow",
    attempts=["cheap", "api"],
)
FAILED_C = NodeRecord(
    "c", "pdf", "extract_text", 0.1, 0.0, success=False, error="pdf: ValueError: bad file"
)


def test_totals_sum_the_nodes():
    run = _run(OK_A, OK_B)
    assert run.total_usd == pytest.approx(0.375)
    assert run.total_tokens == 130


def test_success_needs_every_node_to_succeed_and_at_least_one_node():
    assert _run(OK_A, OK_B).success is True
    assert _run(OK_A, FAILED_C).success is False
    assert _run().success is False


def test_errors_map_each_node_with_an_error_note():
    assert _run(OK_A, OK_B, FAILED_C).errors == {
        "b": "cheap: TimeoutError: slow",
        "c": "pdf: ValueError: bad file",
    }


def test_artifacts_collect_every_output_file():
    outputs = {
        "x": {"text": "", "artifacts": ["a.png"]},
        "y": {"text": "t"},
        "z": {"artifacts": ["deck.pptx"]},
    }
    assert _run(OK_A, outputs=outputs).artifacts == ["a.png", "deck.pptx"]


def test_table_rows_give_node_worker_seconds_usd_status():
    assert _run(OK_A, FAILED_C).table() == [
        ("a", "llm", 1.0, 0.25, "ok"),
        ("c", "pdf", 0.1, 0.0, "failed"),
    ]


def test_dict_round_trip_is_lossless():
    run = RunResult(
        "r",
        "go",
        {"subtasks": []},
        {"a": {"text": "t"}},
        (OK_A, OK_B, FAILED_C),
        "t",
        2.0,
        inputs=("in.pdf",),
        metadata={"budget": {"max_usd": 1.0}},
    )
    data = run.to_dict()
    assert RunResult.from_dict(data) == run
    assert data["nodes"][1]["attempts"] == ["cheap", "api"]
    assert (data["total_usd"], data["total_tokens"], data["success"]) == (
        pytest.approx(0.375),
        130,
        False,
    )


def test_attempts_become_a_tuple():
    assert OK_B.attempts == ("cheap", "api")


def test_cost_model_prices_tokens_and_calls():
    # 0.01 + 1000 * 3e-6 + 500 * 15e-6 = 0.01 + 0.003 + 0.0075
    cost = CostModel(usd_per_input_token=3e-6, usd_per_output_token=15e-6, usd_per_call=0.01)
    assert cost.cost(Usage(1000, 500)) == pytest.approx(0.0205)
    assert CostModel.per_million_tokens(3.0, 15.0).cost(Usage(1000, 500)) == pytest.approx(0.0105)
    for bad in (-1, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="usd_per_call must be a number >= 0"):
            CostModel(usd_per_call=bad)


def test_a_budget_that_is_no_number_is_refused():
    for bad in (-0.5, float("nan"), float("inf")):
        with pytest.raises(ValueError, match=r"Budget\.max_usd must be a number >= 0"):
            Budget(max_usd=bad)
