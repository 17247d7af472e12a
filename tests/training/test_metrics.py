"""Planning metrics on plans small enough to score by hand."""

from __future__ import annotations

import pytest
from orchestai_agents.training.metrics import PlanningScores, coerce_prediction, score_plans, set_f1
from orchestai_agents.training.workflows import AnnotatedWorkflow, WorkflowNode


def wf(names: list[str], links: list[tuple[int, int]] = (), id: str = "x") -> AnnotatedWorkflow:
    return AnnotatedWorkflow(id, "request", tuple(WorkflowNode(n) for n in names), tuple(links))


def test_set_f1_by_hand() -> None:
    # P = {a, b, c}, G = {a, b, d, e}: 2 hits, precision 2/3, recall 2/4 -> F1 = 2*2/(3+4) = 4/7
    assert set_f1(["a", "b", "c"], ["a", "b", "d", "e"]) == pytest.approx(4 / 7)
    assert set_f1([], ["a"]) == 0.0
    assert set_f1(["a"], []) == 0.0
    assert set_f1(["x"], ["a"]) == 0.0


def test_repeated_tools_count_once() -> None:
    # GNN4TaskPlan's evaluate.py divides by list lengths and would give 0.5 here.
    assert set_f1(["a", "a"], ["a", "a"]) == 1.0
    assert set_f1(["a"], ["a", "a"]) == 1.0


def test_score_plans_two_requests_by_hand() -> None:
    gold = [
        wf(["a", "b", "c"], [(0, 1), (1, 2)]),  # chain a -> b -> c
        wf(["d", "e"], [(0, 1)]),  # d -> e
    ]
    predictions = [
        (
            ["a", "b", "x"],
            [("a", "b"), ("b", "x")],
        ),  # nodes 2/3 & 2/3 -> 2/3; links 1/2 & 1/2 -> 1/2
        (["e", "d"], [("e", "d")]),  # nodes exact set -> 1; link reversed -> 0
    ]
    scores = score_plans(predictions, gold)
    assert scores.node_f1 == pytest.approx(100 * (2 / 3 + 1) / 2)  # 83.33
    assert scores.link_f1 == pytest.approx(100 * (1 / 2 + 0) / 2)  # 25.00
    assert scores.accuracy == pytest.approx(50.0)  # only the second node set matches
    # micro nodes: hits 2 + 2 = 4, predicted 3 + 2, gold 3 + 2 -> 2*4/10
    assert scores.micro_node_f1 == pytest.approx(80.0)
    # micro links: hits 1 + 0, predicted 2 + 1, gold 2 + 1 -> 2*1/6
    assert scores.micro_link_f1 == pytest.approx(100 / 3)
    assert (scores.n, scores.n_with_links) == (2, 2)


def test_missing_and_malformed_predictions_score_zero() -> None:
    gold = [wf(["a", "b"], [(0, 1)], id=str(i)) for i in range(4)]
    predictions = [(["a", "b"], [("a", "b")]), None, ([], []), ("not", "a plan")]
    scores = score_plans(predictions, gold)
    assert scores.node_f1 == pytest.approx(25.0)
    assert scores.link_f1 == pytest.approx(25.0)
    assert scores.accuracy == pytest.approx(25.0)
    assert scores.micro_node_f1 == pytest.approx(
        100 * 2 * 2 / (2 + 8)
    )  # 2 hits, 2 predicted, 8 gold


def test_requests_without_gold_links_leave_the_link_average() -> None:
    gold = [wf(["a"]), wf(["b", "c"], [(0, 1)])]
    predictions = [(["a"], [("a", "z")]), (["b", "c"], [("b", "c")])]
    scores = score_plans(predictions, gold)
    assert scores.link_f1 == pytest.approx(100.0)  # only the second request has gold links
    assert scores.n_with_links == 1
    # but the spurious link of the first request counts in the pooled F1: 2*1/(2 + 1)
    assert scores.micro_link_f1 == pytest.approx(200 / 3)


def test_no_links_anywhere_gives_no_link_scores() -> None:
    scores = score_plans([(["a"], [])], [wf(["a"])])
    assert scores.link_f1 is None and scores.micro_link_f1 is None
    assert scores == PlanningScores(100.0, None, 100.0, 100.0, None, 1, 0)


def test_malformed_links_void_the_whole_plan() -> None:
    assert coerce_prediction((["a", "b"], [("a",)])) == ([], [])
    assert coerce_prediction((["a", 3], [])) == ([], [])
    assert coerce_prediction((["a", "b"], [["a", "b"]])) == (["a", "b"], [("a", "b")])


def test_length_mismatch_is_an_error() -> None:
    with pytest.raises(ValueError, match="1 predictions for 2 gold"):
        score_plans([None], [wf(["a"]), wf(["b"])])
    with pytest.raises(ValueError, match="empty"):
        score_plans([], [])


def test_validation_score_weighs_each_data_set_equally() -> None:
    from dataclasses import replace

    from orchestai_agents.training.phase1 import validation_score

    from orchestai_agents.planner import PredictedGraph

    def predicted(names: list[str]) -> PredictedGraph:
        n = len(names)
        deps = tuple((i - 1,) if i else () for i in range(n))
        return PredictedGraph(
            tuple(names), deps, (0.5,) * n, (((names[0], 1.0),),) * n, ((0, 1),) * n
        )

    big = [replace(wf(["a", "b"], [(0, 1)], id=f"b{i}"), source="big") for i in range(3)]
    small = [replace(wf(["c", "d"], [(0, 1)], id="s"), source="small")]
    plans = [predicted(["a", "b"])] * 3 + [predicted(["x", "y"])]
    # pooled over the four requests it would be 150; per data set it is (200 + 0) / 2
    assert validation_score(plans, big + small) == pytest.approx(100.0)
    assert validation_score(plans[:3], big) == pytest.approx(200.0)
