"""``benchmarks/planning_speed.py --stages``: each stage of a plan is found in the profile."""

from __future__ import annotations

from benchmarks.planning_speed import STAGES, stage_rows
from orchestai_agents.planner import Inventory, Planner


def test_every_stage_of_a_plan_is_timed_once(tiny_planner: Planner, inventory: Inventory) -> None:
    requests = ["Summarise this paper.", "Translate the report into French, then summarise it."]

    rows = dict(stage_rows(tiny_planner, requests, inventory))

    assert list(rows) == [*STAGES, "rest", "whole plan, profiled"]
    # A stage whose scope were missing from Planner.predict would read 0.
    assert all(rows[name] > 0 for name in STAGES)
    # The scopes follow one another inside the plan: none is counted twice.
    assert 0 <= rows["rest"] < rows["whole plan, profiled"]
