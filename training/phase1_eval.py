"""Evaluate a trained planner on the public benchmarks, beside the 1-NN baseline and the anchors."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

from orchestai_agents.errors import PlanValidationError
from orchestai_agents.planner import Inventory, Planner
from orchestai_agents.planner.plans import to_plan

from .datasets import empty_split_error, load_planning_dataset
from .evaluation import ULTRATOOL_ANCHORS, Anchor, ResultRow, result_rows, scores_by_group
from .metrics import PredictedPlan
from .phase1_data import dataset_inventory
from .plan_errors import PlanErrors, plan_errors
from .workflows import AnnotatedWorkflow

__all__ = [
    "Benchmark",
    "BenchmarkReport",
    "evaluate_benchmarks",
    "load_benchmarks",
    "plan_requests",
    "plan_with_candidates",
    "test_split",
]

OURS = "orchestai planner"
BASELINE = "1-NN retrieval (MiniLM)"
CANDIDATE_CHAIN = "candidate APIs chained in listed order"


@dataclass
class BenchmarkReport:
    """Table rows, anchors, and per data set the share of predictions that are valid plans
    and the planner's errors by kind."""

    rows: list[ResultRow] = field(default_factory=list)
    anchors: list[Anchor] = field(default_factory=list)
    valid_dag_rate: dict[str, float] = field(default_factory=dict)
    errors: dict[str, PlanErrors] = field(default_factory=dict)


def test_split(name: str) -> tuple[list[AnnotatedWorkflow], list[AnnotatedWorkflow]]:
    """(train, test) of a data set; ``builtin`` is the project's workflows with their validation ids.

    Raises:
        DatasetFormatError: when the test side is empty (nothing to score), saying why.
    """
    if name == "builtin":
        from .data import load_builtin_workflows

        return load_builtin_workflows()
    test = load_planning_dataset(name, "test")
    if not test:
        raise empty_split_error(name, "test")
    return load_planning_dataset(name, "train"), test


def plan_requests(
    planner: Planner,
    requests: Sequence[str],
    inventory: Inventory,
    *,
    batch_size: int = 64,
) -> tuple[list[PredictedPlan], float]:
    """Predictions as (node names, named links) and the percentage that validate as plans.

    Planned as ``Planner.plan`` and ``orchestai plan`` plan: the checkpoint's own setting says
    which task types may repeat.
    """
    predictions: list[PredictedPlan] = []
    valid = 0
    for start in range(0, len(requests), batch_size):
        batch = list(requests[start : start + batch_size])
        for request, graph in zip(batch, planner.predict(batch, inventory), strict=True):
            predictions.append((list(graph.task_types), graph.named_links))
            try:
                to_plan(request, graph, inventory)
                valid += 1
            except PlanValidationError:
                pass
    return predictions, 100.0 * valid / max(len(requests), 1)


def plan_with_candidates(
    planner: Planner, workflows: Sequence[AnnotatedWorkflow]
) -> tuple[list[PredictedPlan], float]:
    """Plan each request over its own candidate tools (the open-vocabulary path, batch 1)."""
    predictions: list[PredictedPlan] = []
    valid = 0.0
    for w in workflows:
        inventory = Inventory.of_tools({c.name: c.description for c in w.candidates})
        plans, rate = plan_requests(planner, [w.request], inventory)
        predictions += plans
        valid += rate
    return predictions, valid / max(len(workflows), 1)


def _candidate_chain(w: AnnotatedWorkflow) -> PredictedPlan:
    """The trivial plan over a request's candidates: every one, each feeding the next."""
    names = [c.name for c in w.candidates]
    return names, list(itertools.pairwise(names))


@dataclass(frozen=True)
class Benchmark:
    """A data set ready to score: both sides of its split and the inventory to plan over.

    Attributes:
        inventory: ``None`` when each test request is planned over its own candidate tools.
    """

    name: str
    train: list[AnnotatedWorkflow]
    test: list[AnnotatedWorkflow]
    inventory: Inventory | None


def load_benchmarks(
    names: Sequence[str], *, baseline: bool = True, inventory: Inventory | None = None
) -> list[Benchmark]:
    """Read and check every data set, so bad data is named before a planner loads or plans.

    ``inventory`` replaces each data set's own (and each request's candidates).

    Raises:
        DatasetFormatError: a malformed file, an empty test split, or (with ``baseline``) an
            empty train split, saying why.
    """
    benchmarks = []
    for name in names:
        train, test = test_split(name)
        if baseline and not train:
            raise empty_split_error(
                name, "train", instead="evaluate without the 1-NN baseline (--no-baseline)"
            )
        # A data set that hands each request its own candidate tools is planned over those.
        per_request = inventory is None and all(w.candidates for w in test)
        planned_over = None if per_request else inventory or dataset_inventory(name)
        benchmarks.append(Benchmark(name, train, test, planned_over))
    return benchmarks


def evaluate_benchmarks(
    planner: Planner,
    benchmarks: Sequence[Benchmark],
    *,
    baseline: bool = True,
    cache_dir: str | None = "runs/cache",
) -> BenchmarkReport:
    """Score ``planner`` on each benchmark's test split (chains and fan-in/out DAGs apart)."""
    report = BenchmarkReport()
    for b in benchmarks:
        if b.inventory is None:
            predictions, rate = plan_with_candidates(planner, b.test)
        else:
            predictions, rate = plan_requests(planner, [w.request for w in b.test], b.inventory)
        report.valid_dag_rate[b.name] = rate
        report.errors[b.name] = plan_errors(predictions, b.test)
        report.rows += result_rows(OURS, b.name, scores_by_group(predictions, b.test))
        if baseline:
            nearest = _nearest(b.train, b.test, cache_dir)
            report.rows += result_rows(BASELINE, b.name, scores_by_group(nearest, b.test))
        if baseline and b.inventory is None:
            chains = [_candidate_chain(w) for w in b.test]
            report.rows += result_rows(CANDIDATE_CHAIN, b.name, scores_by_group(chains, b.test))
        if b.name == "ultratool":
            report.anchors += ULTRATOOL_ANCHORS
    return report


def _nearest(
    train: list[AnnotatedWorkflow], test: list[AnnotatedWorkflow], cache_dir: str | None
) -> list[PredictedPlan]:
    from .retrieval import NearestNeighbourPlanner

    return NearestNeighbourPlanner(train, cache_dir=cache_dir).predict([w.request for w in test])
