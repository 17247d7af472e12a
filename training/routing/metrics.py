"""Routing metrics: accuracy and USD of a router's choices, RouterBench's AIQ, and the cost at
which a router reaches a target accuracy (RouteLLM's "95% of GPT-4" measure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from orchestai_agents.training.routing.outcomes import OutcomeTable

__all__ = ["RoutePoint", "aiq", "cost_to_reach", "frontier", "frontier_gap", "score_choices"]


@dataclass(frozen=True)
class RoutePoint:
    """One operating point of a router on a table.

    Attributes:
        accuracy: fraction of rows whose chosen model succeeded.
        usd: total USD of the chosen calls.
        cost_weight: the router's cost knob at this point (``None`` for fixed routers).
    """

    accuracy: float
    usd: float
    cost_weight: float | None = None


def score_choices(
    table: OutcomeTable, choices: np.ndarray, cost_weight: float | None = None
) -> RoutePoint:
    """Accuracy and USD of routing row i to model ``choices[i]``."""
    rows = np.arange(len(table))
    return RoutePoint(
        float(table.success[rows, choices].mean()),
        float(table.cost[rows, choices].sum()),
        cost_weight,
    )


def frontier(points: Sequence[RoutePoint]) -> tuple[np.ndarray, np.ndarray]:
    """The non-decreasing upper convex hull of (usd, accuracy) points, as (costs, accuracies).

    Any point on it is reachable by randomly mixing two of the router's settings, which is why
    RouterBench scores routers by this hull rather than their raw points.
    """
    pts = sorted({(p.usd, p.accuracy) for p in points})
    hull: list[tuple[float, float]] = []
    for c, a in pts:
        if hull and a <= hull[-1][1]:
            continue  # costs more and is no better: never on a non-decreasing frontier
        while len(hull) >= 2 and _cross(hull[-2], hull[-1], (c, a)) >= 0:
            hull.pop()
        hull.append((c, a))
    return np.array([c for c, _ in hull]), np.array([a for _, a in hull])


def _cross(o: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def _frontier_on(points: Sequence[RoutePoint], grid: np.ndarray) -> np.ndarray:
    """The frontier's accuracy at each cost of ``grid``: 0 below its cheapest point, flat beyond."""
    costs, accs = frontier(points)
    values = np.interp(grid, costs, accs, left=0.0, right=accs[-1])
    values[grid < costs[0]] = 0.0
    return values


def frontier_gap(
    points: Sequence[RoutePoint], reference: Sequence[RoutePoint], high: float
) -> tuple[float, float]:
    """(smallest accuracy difference, the USD where it occurs) of a router's frontier minus a
    reference router's, over the reference's costs from its cheapest point to ``high``.

    A router dominates the reference everywhere when the difference is >= 0.
    """
    grid = np.linspace(frontier(reference)[0][0], high, 2001)
    gap = _frontier_on(points, grid) - _frontier_on(reference, grid)
    i = int(gap.argmin())
    return float(gap[i]), float(grid[i])


def aiq(points: Sequence[RoutePoint], cost_range: tuple[float, float]) -> float:
    """RouterBench's Average Improvement in Quality: the mean of the frontier over ``cost_range``.

    The frontier is 0 below the router's cheapest point and flat beyond its dearest one. A
    zero-width range (every model costs the same on average) gives the frontier's value there:
    dividing its zero area by a zero width would be NaN, which JSON cannot hold.
    """
    low, high = cost_range
    if high == low:
        return float(_frontier_on(points, np.array([low]))[0])
    grid = np.linspace(low, high, 2001)
    return float(np.trapezoid(_frontier_on(points, grid), grid) / (high - low))


def cost_to_reach(points: Sequence[RoutePoint], accuracy: float) -> float | None:
    """The least USD at which the router's frontier reaches ``accuracy`` (``None``: never)."""
    costs, accs = frontier(points)
    if accs[-1] < accuracy:
        return None
    i = int(np.searchsorted(accs, accuracy))
    if i == 0:
        return float(costs[0])
    # Linear between the two hull points around the target: a mix of two settings.
    t = (accuracy - accs[i - 1]) / (accs[i] - accs[i - 1])
    return float(costs[i - 1] + t * (costs[i] - costs[i - 1]))
