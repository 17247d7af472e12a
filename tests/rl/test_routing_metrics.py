from __future__ import annotations

import numpy as np
import pytest
from orchestai_agents.training.routing.baselines import KNNRouter, PerTaskRouter, oracle_choices
from orchestai_agents.training.routing.metrics import (
    RoutePoint,
    aiq,
    cost_to_reach,
    frontier,
    score_choices,
)

POINTS = [RoutePoint(0.5, 1.0), RoutePoint(0.6, 2.0), RoutePoint(0.9, 3.0), RoutePoint(0.8, 4.0)]


def test_frontier_drops_points_under_the_hull_and_dearer_worse_points():
    costs, accs = frontier(POINTS)
    np.testing.assert_allclose(costs, [1.0, 3.0])
    np.testing.assert_allclose(accs, [0.5, 0.9])


def test_aiq_by_hand():
    # 0 on [0, 1), a line from 0.5 to 0.9 on [1, 3] (area 1.4), 0.9 on [3, 4] (0.9): 2.3 / 4
    assert aiq(POINTS, (0.0, 4.0)) == pytest.approx(0.575, abs=1e-3)


def test_cost_to_reach_interpolates_on_the_hull():
    assert cost_to_reach(POINTS, 0.75) == pytest.approx(2.25)  # 1 + 2 * (0.25 / 0.4)
    assert cost_to_reach(POINTS, 0.95) is None


def test_score_and_oracle(table):
    choices = oracle_choices(table)
    point = score_choices(table, choices)
    assert point.accuracy == pytest.approx(table.success.any(1).mean())
    # The oracle pays for the cheapest correct model, never more than always-cheapest + correct.
    assert point.usd <= score_choices(table, np.full(len(table), 2)).usd


def test_per_task_and_knn_respond_to_the_cost_weight(table, embeddings):
    per_task = PerTaskRouter(table)
    assert set(per_task.route(table, 1e6)) == {0}  # cost dominates: the cheapest model
    knn = KNNRouter(table, embeddings, k=5)
    assert set(knn.route(embeddings, 1e6)) == {0}
    assert (
        score_choices(table, knn.route(embeddings, 0.0)).accuracy
        >= score_choices(table, knn.route(embeddings, 1e6)).accuracy
    )
