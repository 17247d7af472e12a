"""Requests that come with their own candidate tools (NesTools) are planned over those alone."""

from __future__ import annotations

import pytest
from orchestai_agents.training.phase1_eval import (
    Benchmark,
    evaluate_benchmarks,
    plan_with_candidates,
)
from orchestai_agents.training.workflows import AnnotatedWorkflow, WorkflowNode

from orchestai_agents.planner import Inventory, Planner


def _workflow(i: int, *candidates: str) -> AnnotatedWorkflow:
    nodes = tuple(WorkflowNode(c, f"Does {c.replace('_', ' ')}.") for c in candidates)
    return AnnotatedWorkflow(
        str(i), f"request {i}: {' then '.join(candidates)}", nodes, candidates=nodes
    )


def test_each_request_is_planned_over_its_own_candidates_only(tiny_planner: Planner) -> None:
    workflows = [
        _workflow(0, "scan_isbn", "locate_book"),
        _workflow(1, "book_flight"),
        _workflow(2, "fetch_weather", "plan_route", "notify_user"),
    ]
    predictions, valid = plan_with_candidates(tiny_planner, workflows)
    assert valid == 100.0 and len(predictions) == 3
    for (names, links), w in zip(predictions, workflows, strict=True):
        allowed = {c.name for c in w.candidates}
        assert names and set(names) <= allowed  # none of the tiny planner's own four tools
        assert {n for link in links for n in link} <= allowed


def test_evaluate_plans_as_the_planner_plans_for_users(
    tiny_planner: Planner, inventory: Inventory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Training plans that repeat a tool do not let evaluate repeat tools where Planner.plan,
    orchestai plan and the agent would not: the checkpoint's repeatable types decide for all."""
    repeating = [
        AnnotatedWorkflow(str(i), f"summarise twice {i}", (WorkflowNode("summarize", "S."),) * 2)
        for i in range(4)
    ]
    calls: list[dict] = []
    predict = tiny_planner.predict
    monkeypatch.setattr(
        tiny_planner, "predict", lambda *a, **k: calls.append(k) or predict(*a, **k)
    )

    evaluate_benchmarks(
        tiny_planner, [Benchmark("repeats", repeating, repeating[:2], inventory)], baseline=False
    )

    assert calls and all(k.get("allow_repeats") is None for k in calls)
