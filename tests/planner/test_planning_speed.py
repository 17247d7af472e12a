"""``benchmarks/planning_speed.py``: each stage of a plan is found in the profile (``--stages``),
and the shipped planner is timed on requests over its own task types."""

from __future__ import annotations

import pytest

from benchmarks.planning_speed import STAGES, main, stage_rows
from orchestai_agents.planner import Inventory, Planner


def test_every_stage_of_a_plan_is_timed_once(tiny_planner: Planner, inventory: Inventory) -> None:
    requests = ["Summarise this paper.", "Translate the report into French, then summarise it."]

    rows = dict(stage_rows(tiny_planner, requests, inventory))

    assert list(rows) == [*STAGES, "rest", "whole plan, profiled"]
    # A stage whose scope were missing from Planner.predict would read 0.
    assert all(rows[name] > 0 for name in STAGES)
    # The scopes follow one another inside the plan: none is counted twice.
    assert 0 <= rows["rest"] < rows["whole plan, profiled"]


@pytest.mark.slow  # the shipped planner and a float32 MiniLM load
def test_the_shipped_planner_is_timed_on_the_builtin_requests(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # On UltraTool's tools it would plan zero-shot, and score 0 beside SmolLM2 (make bench did).
    main(["--requests", "3", "--llm", "0", "--threads", "1"])

    assert "Planning speed on builtin (3 requests" in capsys.readouterr().out
