"""route_plan without a router: plan scores traded against estimated prices, worked out by hand."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
from langchain_core.runnables import RunnableLambda

from orchestai_agents import (
    Alternative,
    Capabilities,
    CostModel,
    Plan,
    SubTask,
    WorkerOutput,
    WorkerRegistry,
    WorkerSpec,
)
from orchestai_agents.planner import RoutingPreference, route_plan


def _worker(name: str, usd_per_call: float) -> WorkerSpec:
    return WorkerSpec(
        name,
        f"{name} model",
        RunnableLambda(lambda t: WorkerOutput("ok")),
        Capabilities(frozenset({"answer_question"})),
        CostModel(usd_per_call=usd_per_call),
        expected_output_tokens=0,  # priced per call only: estimates are exactly usd_per_call
    )


@pytest.fixture
def registry() -> WorkerRegistry:
    return WorkerRegistry([_worker("dear", 0.01), _worker("cheap", 0.0001)])


def _node(node_id: str, deps: tuple[str, ...] = ()) -> SubTask:
    scores = (Alternative("dear", 0.6), Alternative("cheap", 0.4))
    return SubTask(node_id, "Answer it", "answer_question", "dear", deps, alternatives=scores)


def test_preference_maps_to_the_cost_weight_the_selector_was_trained_over():
    assert RoutingPreference(0.0).cost_weight == 0.0
    assert RoutingPreference(1.0).cost_weight == pytest.approx(3e4)
    assert not RoutingPreference().active and RoutingPreference(max_usd=0.0).active
    with pytest.raises(ValueError, match=r"cost_preference must lie in \[0, 1\]"):
        RoutingPreference(1.5)
    for bad in (-1.0, math.nan):
        with pytest.raises(ValueError, match="max_usd must be a number >= 0"):
            RoutingPreference(max_usd=bad)


def test_the_cheap_worker_wins_once_its_saving_outweighs_the_quality_gap(registry):
    # Utility 10 * score - w * usd: dear 6 - 0.01 w, cheap 4 - 0.0001 w; they tie at w = 2 / 0.0099,
    # i.e. at preference log1p(202.02) / log1p(3e4) = 0.5153.
    plan = Plan("What is 2 + 2?", (_node("a"),))
    tie = math.log1p(2 / 0.0099) / math.log1p(3e4)
    below = route_plan(plan, registry, RoutingPreference(tie - 0.01)).subtasks[0]
    above = route_plan(plan, registry, RoutingPreference(tie + 0.01)).subtasks[0]
    assert below.worker == "dear" and [a.worker for a in below.alternatives] == ["dear", "cheap"]
    assert above.worker == "cheap" and [a.worker for a in above.alternatives] == ["cheap", "dear"]


def test_a_usd_cap_is_shared_out_in_topological_order(registry):
    plan = Plan("q", (_node("second", ("first",)), _node("first")))
    routed = route_plan(plan, registry, RoutingPreference(max_usd=0.015))
    workers = {s.id: s.worker for s in routed.subtasks}
    # The first node's dear call ($0.01) fits; $0.005 is left, so the second gets the cheap one.
    assert workers == {"first": "dear", "second": "cheap"}
    assert [s.id for s in routed.subtasks] == ["second", "first"]  # the plan's own order is kept


def test_when_nothing_fits_the_cheapest_capable_worker_is_kept(registry):
    plan = Plan("q", (_node("a"),))
    assert route_plan(plan, registry, RoutingPreference(max_usd=0.0)).subtasks[0].worker == "cheap"


def test_a_hand_written_choice_gives_way_only_to_a_saving_worth_a_whole_success(registry):
    plan = Plan("q", (SubTask("a", "Answer it", "answer_question", "dear"),))
    # Without scores the chosen worker counts 1, the other 0: the switch needs w * 0.0099 > 10.
    assert route_plan(plan, registry, RoutingPreference(0.5)).subtasks[0].worker == "dear"
    routed = route_plan(plan, registry, RoutingPreference(1.0)).subtasks[0]
    assert routed.worker == "cheap" and routed.alternatives == ()


def test_a_hand_written_plan_keeps_its_fallbacks(registry):
    # Its alternatives are fallbacks only (the chosen worker is not among them): routing must
    # keep one fallback beside the choice, not count the choice as the fallback.
    node = SubTask(
        "a", "Answer it", "answer_question", "dear", alternatives=(Alternative("cheap", 0.5),)
    )
    for preference in (RoutingPreference(0.3), RoutingPreference(max_usd=1.0)):
        routed = route_plan(Plan("q", (node,)), registry, preference).subtasks[0]
        assert routed.worker == "dear"
        assert [a.worker for a in routed.alternatives] == ["dear", "cheap"]


def test_a_usd_cap_keeps_the_cheapest_worker_of_every_later_sub_task_affordable():
    registry = WorkerRegistry([_worker("good", 0.09), _worker("cheap", 0.02)])
    scores = (Alternative("good", 0.6), Alternative("cheap", 0.4))
    first = SubTask("first", "Answer it", "answer_question", "good", alternatives=scores)
    plan = Plan("q", (first, replace(first, id="second", dependencies=("first",))))
    routed = route_plan(plan, registry, RoutingPreference(max_usd=0.10))
    # good then cheap would cost $0.11: the first node leaves $0.02 for the second.
    assert [s.worker for s in routed.subtasks] == ["cheap", "cheap"]


def test_a_budget_that_does_not_bind_keeps_a_hand_written_choice(registry):
    node = SubTask(
        "a", "Answer it", "answer_question", "cheap", alternatives=(Alternative("dear", 2.0),)
    )
    routed = route_plan(Plan("q", (node,)), registry, RoutingPreference(max_usd=100.0))
    assert routed.subtasks[0].worker == "cheap"
