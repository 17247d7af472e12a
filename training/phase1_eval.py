"""Evaluate a trained planner on the public benchmarks, beside the 1-NN baseline and the anchors."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from orchestai_agents.errors import PlanValidationError
from orchestai_agents.planner import Inventory, Planner
from orchestai_agents.planner.plans import to_plan

from .datasets import load_planning_dataset
from .evaluation import ULTRATOOL_ANCHORS, Anchor, ResultRow, result_rows, scores_by_group
from .metrics import PredictedPlan
from .phase1_data import dataset_inventory
from .workflows import AnnotatedWorkflow

__all__ = ["BenchmarkReport", "evaluate_benchmarks", "plan_requests", "test_split"]

OURS = "orchestai planner"
BASELINE = "1-NN retrieval (MiniLM)"


@dataclass
class BenchmarkReport:
    """Table rows, anchors, and the share of predictions that are valid plans, per data set."""

    rows: list[ResultRow] = field(default_factory=list)
    anchors: list[Anchor] = field(default_factory=list)
    valid_dag_rate: dict[str, float] = field(default_factory=dict)


def test_split(name: str) -> tuple[list[AnnotatedWorkflow], list[AnnotatedWorkflow]]:
    """(train, test) of a data set; ``builtin`` is the project's workflows with their validation ids."""
    if name == "builtin":
        from .data import load_builtin_workflows

        return load_builtin_workflows()
    return load_planning_dataset(name, "train"), load_planning_dataset(name, "test")


def plan_requests(
    planner: Planner,
    requests: Sequence[str],
    inventory: Inventory,
    *,
    batch_size: int = 64,
    allow_repeats: bool | None = None,
) -> tuple[list[PredictedPlan], float]:
    """Predictions as (node names, named links) and the percentage that validate as plans."""
    predictions: list[PredictedPlan] = []
    valid = 0
    for start in range(0, len(requests), batch_size):
        batch = list(requests[start : start + batch_size])
        for request, graph in zip(
            batch, planner.predict(batch, inventory, allow_repeats=allow_repeats), strict=True
        ):
            predictions.append((list(graph.task_types), graph.named_links))
            try:
                to_plan(request, graph, inventory)
                valid += 1
            except PlanValidationError:
                pass
    return predictions, 100.0 * valid / max(len(requests), 1)


def evaluate_benchmarks(
    planner: Planner,
    names: Sequence[str],
    *,
    baseline: bool = True,
    cache_dir: str | None = "runs/cache",
    inventory: Inventory | None = None,
) -> BenchmarkReport:
    """Score ``planner`` on each data set's test split (chains and fan-in/out DAGs apart)."""
    report = BenchmarkReport()
    for name in names:
        train, test = test_split(name)
        inv = inventory or dataset_inventory(name)
        repeats = any(len(set(w.node_names)) < len(w.nodes) for w in train[:2000])
        predictions, report.valid_dag_rate[name] = plan_requests(
            planner, [w.request for w in test], inv, allow_repeats=repeats or None
        )
        report.rows += result_rows(OURS, name, scores_by_group(predictions, test))
        if baseline:
            report.rows += result_rows(
                BASELINE, name, scores_by_group(_nearest(train, test, cache_dir), test)
            )
        if name == "ultratool":
            report.anchors += ULTRATOOL_ANCHORS
    return report


def _nearest(
    train: list[AnnotatedWorkflow], test: list[AnnotatedWorkflow], cache_dir: str | None
) -> list[PredictedPlan]:
    from .retrieval import NearestNeighbourPlanner

    return NearestNeighbourPlanner(train, cache_dir=cache_dir).predict([w.request for w in test])
