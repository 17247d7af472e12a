"""Evaluate a planner on annotated workflows and print our numbers beside the published anchors.

A planner is anything with the signature ``list[str] -> list[(node_names, named_links)]``: the
learned planner's predict function, :class:`~.retrieval.NearestNeighbourPlanner`, or an LLM
wrapper. Scores follow :mod:`.metrics`; a prediction that is ``None`` or malformed scores 0.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .metrics import PlanningScores, PredictedPlan, score_plans
from .workflows import AnnotatedWorkflow

__all__ = [
    "GROUPS",
    "ULTRATOOL_ANCHORS",
    "Anchor",
    "PredictFn",
    "ResultRow",
    "evaluate_planner",
    "evaluate_planner_by_group",
    "format_table",
    "predict_plans",
    "result_rows",
    "results_to_json",
    "scores_by_group",
    "workflow_group",
]

PredictFn = Callable[[list[str]], Sequence[PredictedPlan | None]]
GROUPS: tuple[str, ...] = ("single", "parallel", "chain", "dag")


@dataclass(frozen=True)
class Anchor:
    """A published result to print beside ours (no micro F1 or counts are published)."""

    planner: str
    dataset: str
    node_f1: float
    link_f1: float
    accuracy: float
    source: str


ULTRATOOL_ANCHORS: tuple[Anchor, ...] = (
    Anchor(
        "GPT-4-turbo + GraphSAGE", "ultratool", 70.75, 47.68, 37.22, "GNN4TaskPlan Table 3, 1-shot"
    ),
    Anchor(
        "CodeLlama-13B + GraphSAGE",
        "ultratool",
        72.81,
        45.26,
        43.49,
        "GNN4TaskPlan Table 3, 1-shot",
    ),
)


@dataclass(frozen=True)
class ResultRow:
    """Our measured scores of one planner on one data set (``group``: "all" or a workflow group)."""

    planner: str
    dataset: str
    scores: PlanningScores
    group: str = "all"


def workflow_group(workflow: AnnotatedWorkflow) -> str:
    """``"single"`` (one node), ``"parallel"`` (several, no links), ``"chain"`` or ``"dag"`` (fan-in/out).

    ``AnnotatedWorkflow.shape`` calls several unlinked calls a chain; here they get their own
    group because they test a different skill (knowing that nothing depends on anything).
    """
    if len(workflow.nodes) > 1 and not workflow.links:
        return "parallel"
    return workflow.shape


def predict_plans(
    predict_fn: PredictFn, workflows: Sequence[AnnotatedWorkflow], *, batch_size: int | None = None
) -> list[PredictedPlan | None]:
    """Run ``predict_fn`` over the requests (in batches if asked) and check it answered each one."""
    requests = [w.request for w in workflows]
    step = batch_size or max(len(requests), 1)
    predictions: list[PredictedPlan | None] = []
    for start in range(0, len(requests), step):
        batch = requests[start : start + step]
        answers = list(predict_fn(batch))
        if len(answers) != len(batch):
            raise ValueError(
                f"predict_fn returned {len(answers)} plans for {len(batch)} requests; it must return "
                "one plan per request, in order (None for a request it cannot plan)"
            )
        predictions.extend(answers)
    return predictions


def evaluate_planner(
    predict_fn: PredictFn,
    test_workflows: Sequence[AnnotatedWorkflow],
    *,
    batch_size: int | None = None,
) -> PlanningScores:
    """Scores of ``predict_fn`` on every test workflow.

    Example:
        >>> planner = NearestNeighbourPlanner(load_planning_dataset("ultratool", split="train"))
        >>> evaluate_planner(planner.predict, load_planning_dataset("ultratool", split="test")).node_f1
        80.85...
    """
    return score_plans(
        predict_plans(predict_fn, test_workflows, batch_size=batch_size), test_workflows
    )


def scores_by_group(
    predictions: Sequence[PredictedPlan | None], workflows: Sequence[AnnotatedWorkflow]
) -> dict[str, PlanningScores]:
    """Scores over all workflows (key ``"all"``) and per non-empty :func:`workflow_group`."""
    if len(predictions) != len(workflows):
        raise ValueError(f"got {len(predictions)} predictions for {len(workflows)} workflows")
    result = {"all": score_plans(predictions, workflows)}
    for group in GROUPS:
        members = [i for i, w in enumerate(workflows) if workflow_group(w) == group]
        if members:
            result[group] = score_plans(
                [predictions[i] for i in members], [workflows[i] for i in members]
            )
    return result


def evaluate_planner_by_group(
    predict_fn: PredictFn,
    test_workflows: Sequence[AnnotatedWorkflow],
    *,
    batch_size: int | None = None,
) -> dict[str, PlanningScores]:
    """:func:`scores_by_group` of one prediction pass over ``test_workflows``."""
    return scores_by_group(
        predict_plans(predict_fn, test_workflows, batch_size=batch_size), test_workflows
    )


_HEADER = (
    "dataset",
    "group",
    "planner",
    "node-F1",
    "link-F1",
    "acc",
    "micro node-F1",
    "micro link-F1",
    "n",
    "n links",
    "source",
)


def format_table(rows: Sequence[ResultRow], anchors: Sequence[Anchor] = ()) -> str:
    """A plain-text table: for each data set, the published anchors first, then our rows."""
    lines: list[tuple[str, ...]] = [_HEADER]
    for dataset in dict.fromkeys([a.dataset for a in anchors] + [r.dataset for r in rows]):
        lines += [_anchor_cells(a) for a in anchors if a.dataset == dataset]
        lines += [_row_cells(r) for r in rows if r.dataset == dataset]
    return "\n".join(aligned(lines, rule=True))


def aligned(lines: Sequence[Sequence[str]], *, rule: bool = False) -> list[str]:
    """Rows of cells as text lines, each column padded to its widest cell, two spaces apart;
    ``rule`` puts a line of dashes under the first row (the header)."""
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    text = [
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
        for line in lines
    ]
    if rule:
        text.insert(1, "  ".join("-" * w for w in widths))
    return text


def result_rows(planner: str, dataset: str, groups: dict[str, PlanningScores]) -> list[ResultRow]:
    """Table rows from :func:`evaluate_planner_by_group`'s output, "all" first."""
    return [ResultRow(planner, dataset, scores, group) for group, scores in groups.items()]


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _anchor_cells(anchor: Anchor) -> tuple[str, ...]:
    return (
        anchor.dataset,
        "all",
        anchor.planner,
        _number(anchor.node_f1),
        _number(anchor.link_f1),
        _number(anchor.accuracy),
        "-",
        "-",
        "-",
        "-",
        anchor.source,
    )


def _row_cells(row: ResultRow) -> tuple[str, ...]:
    s = row.scores
    return (
        row.dataset,
        row.group,
        row.planner,
        _number(s.node_f1),
        _number(s.link_f1),
        _number(s.accuracy),
        _number(s.micro_node_f1),
        _number(s.micro_link_f1),
        str(s.n),
        str(s.n_with_links),
        "measured",
    )


def results_to_json(rows: Sequence[ResultRow], anchors: Sequence[Anchor] = ()) -> str:
    """The same content as :func:`format_table`, as a JSON document ``{"results": [...], "anchors": [...]}``."""
    return json.dumps(
        {
            "results": [
                {"planner": r.planner, "dataset": r.dataset, "group": r.group, **r.scores.to_dict()}
                for r in rows
            ],
            "anchors": [a.__dict__ for a in anchors],
        },
        indent=2,
    )
