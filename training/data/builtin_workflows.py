"""The built-in workflows data set: expand the annotated recipes, split, write and load them.

The JSON-lines file beside this module is the data set; it is written from
:mod:`~orchestai_agents.training.data.builtin_recipes` by::

    python -m orchestai_agents.training.data

Expansion is deterministic (no randomness), so rewriting reproduces the committed files byte for
byte, and a test checks that they are in sync.

Example:
    >>> from orchestai_agents.training.data.builtin_workflows import load_builtin_workflows
    >>> train, val = load_builtin_workflows()
    >>> train[0].source
    'builtin'
"""

from __future__ import annotations

import json
import math
import string
from dataclasses import replace
from pathlib import Path

from orchestai_agents.training.data.builtin_recipes import RECIPES, Recipe
from orchestai_agents.training.data.builtin_workers import builtin_worker_for
from orchestai_agents.training.workflows import AnnotatedWorkflow, WorkflowNode

__all__ = [
    "VALIDATION_IDS_PATH",
    "WORKFLOWS_PATH",
    "build_builtin_workflows",
    "load_builtin_workflows",
    "write_builtin_workflows",
]

WORKFLOWS_PATH = Path(__file__).with_name("builtin_workflows.jsonl")
VALIDATION_IDS_PATH = Path(__file__).with_name("builtin_workflows_val_ids.json")
SOURCE = "builtin"


def _slots(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _check(recipe: Recipe) -> None:
    """Reject a recipe whose descriptions could name something its request does not say."""
    used = set().union(*(_slots(step.description) for step in recipe.steps))
    for template in recipe.requests:
        if missing := used - _slots(template):
            raise ValueError(
                f"recipe {recipe.name!r}: request {template!r} lacks slots {sorted(missing)}"
            )
    if recipe.count > len(recipe.requests) * len(recipe.fills):
        raise ValueError(
            f"recipe {recipe.name!r}: count {recipe.count} exceeds its phrasing x filling pairs"
        )


def _pairs(recipe: Recipe) -> list[tuple[int, int]]:
    """The first ``count`` (phrasing, filling) pairs in a diagonal order that cycles both evenly."""
    n_req, n_fill = len(recipe.requests), len(recipe.fills)
    cycle = math.lcm(n_req, n_fill)
    return [(k % n_req, (k + k // cycle) % n_fill) for k in range(recipe.count)]


def _expand(recipe: Recipe) -> list[tuple[AnnotatedWorkflow, bool]]:
    """The recipe's workflows (ids left blank), each flagged if its phrasing is held out."""
    _check(recipe)
    held_out = len(recipe.requests) - 1
    out = []
    for req, fill in _pairs(recipe):
        slots = recipe.fills[fill]
        nodes = tuple(
            WorkflowNode(
                s.task_type, s.description.format(**slots), builtin_worker_for(s.task_type)
            )
            for s in recipe.steps
        )
        links = tuple(sorted((d, i) for i, s in enumerate(recipe.steps) for d in s.deps))
        request = recipe.requests[req].format(**slots)
        out.append((AnnotatedWorkflow("", request, nodes, links, SOURCE), req == held_out))
    return out


def build_builtin_workflows() -> tuple[list[AnnotatedWorkflow], list[str]]:
    """All workflows with ids ``bw-0001``... in recipe order, and the validation ids.

    The validation split is every workflow written with its recipe's last phrasing, so validation
    requests are worded in ways training never saw, while every DAG shape appears on both sides.
    """
    names = [recipe.name for recipe in RECIPES]
    if len(set(names)) != len(names):
        raise ValueError(
            f"recipe names must be unique: {sorted(n for n in set(names) if names.count(n) > 1)}"
        )
    workflows, val_ids = [], []
    expanded = [item for recipe in RECIPES for item in _expand(recipe)]
    for i, (wf, held_out) in enumerate(expanded, start=1):
        wf_id = f"bw-{i:04d}"
        workflows.append(replace(wf, id=wf_id))
        if held_out:
            val_ids.append(wf_id)
    requests = [wf.request for wf in workflows]
    if len(set(requests)) != len(requests):
        dupes = sorted({r for r in requests if requests.count(r) > 1})
        raise ValueError(f"duplicate requests across recipes: {dupes}")
    return workflows, val_ids


def load_builtin_workflows(
    path: Path = WORKFLOWS_PATH, val_ids_path: Path = VALIDATION_IDS_PATH
) -> tuple[list[AnnotatedWorkflow], list[AnnotatedWorkflow]]:
    """The committed data set as (train, validation) lists, in file order."""
    val = set(json.loads(val_ids_path.read_text(encoding="utf-8")))
    with path.open(encoding="utf-8") as f:
        workflows = [AnnotatedWorkflow.from_dict(json.loads(line)) for line in f if line.strip()]
    return [w for w in workflows if w.id not in val], [w for w in workflows if w.id in val]


def write_builtin_workflows(
    path: Path = WORKFLOWS_PATH, val_ids_path: Path = VALIDATION_IDS_PATH
) -> None:
    """Write the data set and its validation ids (the committed files)."""
    workflows, val_ids = build_builtin_workflows()
    lines = (json.dumps(w.to_dict(), ensure_ascii=False) + "\n" for w in workflows)
    path.write_text("".join(lines), encoding="utf-8")
    val_ids_path.write_text(json.dumps(val_ids, indent=2) + "\n", encoding="utf-8")
