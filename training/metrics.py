"""Planning metrics: the GNN4TaskPlan protocol plus TaskBench's pooled micro F1.

Conventions (checked against the published 1-NN baseline on UltraTool, 80.85 / 50.81 / 51.40,
which these reproduce to the second decimal):

- **Node F1** per request on exact tool names, over *distinct* names on both sides
  (|P ∩ G| / |P| and |P ∩ G| / |G| with P, G sets), averaged over requests. GNN4TaskPlan's
  ``evaluate.py`` intersects sets but divides by list lengths, so a plan that rightly repeats a
  tool is punished (gold [a, a], prediction [a, a] scores 0.5); on UltraTool's 500 test ids that
  variant gives 80.51 node F1 and 50.60 accuracy for the same baseline. How many times a tool is
  repeated is therefore not scored; only which tools are used.
- **Link F1** the same way on exact directed (source name, target name) pairs, averaged over the
  requests whose gold has at least one link. A request without gold links has no defined link
  F1 (GNN4TaskPlan reports ``N/A`` for single-node requests, and its F1 is 0 whenever the gold is
  empty, which would punish a correct empty answer); spurious links there still count against
  the micro link F1.
- **Accuracy**: the predicted set of tool names equals the gold set.
- **Every test request counts**: a missing, ``None``, empty or malformed prediction scores 0.
- **Micro F1** (TaskBench): true positives, predicted and gold items pooled over all requests,
  per request as sets (TaskBench binarises labels per request), then one F1.

Scores are percentages.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, TypeAlias

from .workflows import AnnotatedWorkflow

__all__ = ["PlanningScores", "PredictedPlan", "coerce_prediction", "score_plans", "set_f1"]

PredictedPlan: TypeAlias = tuple[list[str], list[tuple[str, str]]]
"""A prediction: tool names of the nodes and (source name, target name) links."""


@dataclass(frozen=True)
class PlanningScores:
    """Scores of a planner on a set of requests, in percent.

    Attributes:
        node_f1: per-request node F1, averaged over all ``n`` requests.
        link_f1: per-request link F1, averaged over the ``n_with_links`` requests whose gold has
            links (``None`` when there are none).
        accuracy: share of requests whose predicted node set equals the gold set.
        micro_node_f1: TaskBench's node F1 pooled over requests.
        micro_link_f1: TaskBench's link F1 pooled over requests (``None`` when no request has
            gold or predicted links).
        n: requests scored.
        n_with_links: requests that enter ``link_f1``.
    """

    node_f1: float
    link_f1: float | None
    accuracy: float
    micro_node_f1: float
    micro_link_f1: float | None
    n: int
    n_with_links: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def set_f1(predicted: Iterable[Hashable], gold: Iterable[Hashable]) -> float:
    """F1 of two sets of items in [0, 1]; 0 when either is empty."""
    p, g = set(predicted), set(gold)
    hits = len(p & g)
    return 2 * hits / (len(p) + len(g)) if hits else 0.0


def coerce_prediction(prediction: Any) -> PredictedPlan:
    """A prediction as ``(names, links)``; anything malformed becomes the empty plan (scores 0)."""
    if not isinstance(prediction, (tuple, list)) or len(prediction) != 2:
        return [], []
    nodes, links = prediction
    if not isinstance(nodes, (list, tuple)) or not all(isinstance(n, str) for n in nodes):
        return [], []
    if not isinstance(links, (list, tuple)) or not all(_is_named_link(link) for link in links):
        return [], []
    return list(nodes), [(s, t) for s, t in links]


def _is_named_link(link: Any) -> bool:
    return (
        isinstance(link, (list, tuple)) and len(link) == 2 and all(isinstance(x, str) for x in link)
    )


def score_plans(
    predictions: Sequence[PredictedPlan | None], gold: Sequence[AnnotatedWorkflow]
) -> PlanningScores:
    """Score predictions against gold workflows, matched by position.

    Raises:
        ValueError: the two sequences differ in length or are empty.
    """
    if len(predictions) != len(gold):
        raise ValueError(
            f"got {len(predictions)} predictions for {len(gold)} gold workflows; "
            "pass one prediction (None if the planner gave none) per workflow, in order"
        )
    if not gold:
        raise ValueError("nothing to score: the gold list is empty")
    plans = [coerce_prediction(p) for p in predictions]
    pred_nodes, pred_links = [set(p[0]) for p in plans], [set(p[1]) for p in plans]
    gold_nodes, gold_links = [set(w.node_names) for w in gold], [set(w.named_links) for w in gold]
    link_scores = [set_f1(p, g) for p, g in zip(pred_links, gold_links, strict=True) if g]
    return PlanningScores(
        node_f1=_percent_mean([set_f1(p, g) for p, g in zip(pred_nodes, gold_nodes, strict=True)]),
        link_f1=_percent_mean(link_scores) if link_scores else None,
        accuracy=_percent_mean(
            [float(p == g) for p, g in zip(pred_nodes, gold_nodes, strict=True)]
        ),
        micro_node_f1=_micro_f1(pred_nodes, gold_nodes) or 0.0,
        micro_link_f1=_micro_f1(pred_links, gold_links),
        n=len(gold),
        n_with_links=len(link_scores),
    )


def _percent_mean(values: Sequence[float]) -> float:
    return 100.0 * sum(values) / len(values)


def _micro_f1(predicted: Sequence[set], gold: Sequence[set]) -> float | None:
    """Pooled F1 in percent; ``None`` when neither side has any item at all."""
    hits = sum(len(p & g) for p, g in zip(predicted, gold, strict=True))
    total = sum(map(len, predicted)) + sum(map(len, gold))
    return 100.0 * 2 * hits / total if total else None
