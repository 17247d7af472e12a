"""Evaluation: predict-function plumbing, per-group scores, the table and its JSON."""

from __future__ import annotations

import json

import pytest
from orchestai_agents.training.evaluation import (
    ULTRATOOL_ANCHORS,
    ResultRow,
    evaluate_planner,
    evaluate_planner_by_group,
    format_table,
    predict_plans,
    results_to_json,
    workflow_group,
)
from orchestai_agents.training.metrics import PredictedPlan
from orchestai_agents.training.workflows import AnnotatedWorkflow, WorkflowNode


def wf(id: str, names: list[str], links: list[tuple[int, int]]) -> AnnotatedWorkflow:
    return AnnotatedWorkflow(
        id, f"request {id}", tuple(WorkflowNode(n) for n in names), tuple(links)
    )


GOLD = [
    wf("single", ["a"], []),
    wf("parallel", ["a", "b"], []),
    wf("chain", ["a", "b", "c"], [(0, 1), (1, 2)]),
    wf("dag", ["a", "b", "c"], [(0, 2), (1, 2)]),
]


def oracle(requests: list[str]) -> list[PredictedPlan]:
    by_request = {w.request: (w.node_names, w.named_links) for w in GOLD}
    return [by_request[r] for r in requests]


def test_groups() -> None:
    assert [workflow_group(w) for w in GOLD] == ["single", "parallel", "chain", "dag"]


def test_oracle_scores_100_in_every_group() -> None:
    groups = evaluate_planner_by_group(oracle, GOLD)
    assert list(groups) == ["all", "single", "parallel", "chain", "dag"]
    assert all(s.node_f1 == 100.0 and s.accuracy == 100.0 for s in groups.values())
    assert groups["all"].n_with_links == 2 and groups["single"].link_f1 is None


def test_group_scores_by_hand() -> None:
    def planner(requests: list[str]) -> list[PredictedPlan | None]:
        # the chain request gets the chain a -> b only; every other request gets nothing
        return [(["a", "b"], [("a", "b")]) if r == "request chain" else None for r in requests]

    groups = evaluate_planner_by_group(planner, GOLD)
    # chain: nodes 2*2/(2+3) = 0.8, links 2*1/(1+2) = 2/3
    assert groups["chain"].node_f1 == pytest.approx(80.0)
    assert groups["chain"].link_f1 == pytest.approx(200 / 3)
    assert groups["all"].node_f1 == pytest.approx(20.0)  # 0.8 over 4 requests
    assert groups["all"].link_f1 == pytest.approx(100 / 3)  # 2/3 and 0 over the 2 with links
    assert groups["dag"].node_f1 == 0.0


def test_batches_and_wrong_counts() -> None:
    seen: list[int] = []

    def planner(requests: list[str]) -> list[PredictedPlan]:
        seen.append(len(requests))
        return oracle(requests)

    assert evaluate_planner(planner, GOLD, batch_size=3).accuracy == 100.0
    assert seen == [3, 1]
    with pytest.raises(ValueError, match="returned 0 plans for 4 requests"):
        predict_plans(lambda requests: [], GOLD)


def test_table_puts_anchors_beside_our_rows() -> None:
    rows = [
        ResultRow("1-NN", "ultratool", s, g)
        for g, s in evaluate_planner_by_group(oracle, GOLD).items()
    ]
    table = format_table(rows, ULTRATOOL_ANCHORS)
    lines = table.splitlines()
    assert lines[0].split()[:3] == ["dataset", "group", "planner"]
    assert "GPT-4-turbo + GraphSAGE    70.75    47.68    37.22" in lines[2]
    assert "CodeLlama-13B + GraphSAGE  72.81    45.26    43.49" in lines[3]
    assert lines[4].split()[:4] == ["ultratool", "all", "1-NN", "100.00"]
    assert len(lines) == 2 + 2 + 5
    assert " - " in lines[5]  # the single group has no link F1


def test_json_round_trips() -> None:
    rows = [ResultRow("oracle", "toy", evaluate_planner(oracle, GOLD))]
    data = json.loads(results_to_json(rows, ULTRATOOL_ANCHORS))
    assert data["results"][0] == {
        "planner": "oracle", "dataset": "toy", "group": "all", "node_f1": 100.0, "link_f1": 100.0,
        "accuracy": 100.0, "micro_node_f1": 100.0, "micro_link_f1": 100.0, "n": 4, "n_with_links": 2,
    }  # fmt: skip
    assert data["anchors"][0]["node_f1"] == 70.75
