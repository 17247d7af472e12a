from __future__ import annotations

import numpy as np
import pytest
from orchestai_agents.training.routing.baselines import KNNRouter, PerTaskRouter, oracle_choices
from orchestai_agents.training.routing.metrics import (
    RoutePoint,
    aiq,
    cost_to_reach,
    frontier,
    frontier_gap,
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


def test_aiq_over_a_zero_width_range_is_the_frontier_there():
    # Every model with the same mean cost: the range is one point, where the hull is at 0.7 ($2,
    # halfway from 0.5 at $1 to 0.9 at $3); below the cheapest point it is 0, beyond flat at 0.9.
    assert aiq(POINTS, (2.0, 2.0)) == pytest.approx(0.7)
    assert aiq(POINTS, (0.5, 0.5)) == 0.0
    assert aiq(POINTS, (9.0, 9.0)) == pytest.approx(0.9)
    assert aiq([RoutePoint(0.6, 0.0)], (0.0, 0.0)) == pytest.approx(0.6)


def test_cost_to_reach_interpolates_on_the_hull():
    assert cost_to_reach(POINTS, 0.75) == pytest.approx(2.25)  # 1 + 2 * (0.25 / 0.4)
    assert cost_to_reach(POINTS, 0.95) is None


def test_frontier_gap_finds_where_a_router_falls_below_the_reference():
    # Hull of POINTS: 0.5 at $1 rising to 0.9 at $3, flat after. This router is better at $1
    # (0.6) but reaches only 0.8 at $3: its worst shortfall is 0.1, from $3 on.
    router = [RoutePoint(0.6, 1.0), RoutePoint(0.8, 3.0)]
    gap, usd = frontier_gap(router, POINTS, 4.0)
    assert gap == pytest.approx(-0.1) and usd == pytest.approx(3.0, abs=1e-2)
    assert frontier_gap(POINTS, POINTS, 4.0)[0] == pytest.approx(0.0)
    # A router with no point as cheap as the reference's scores 0 there: its worst shortfall is
    # just below its cheapest point, $2, where the reference is at 0.7.
    gap, usd = frontier_gap([RoutePoint(0.9, 2.0)], POINTS, 4.0)
    assert gap == pytest.approx(-0.7, abs=1e-2) and usd == pytest.approx(2.0, abs=1e-2)


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
