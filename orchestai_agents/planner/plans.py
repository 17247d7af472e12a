"""Decoded graphs -> :class:`~orchestai_agents.plan.Plan` (ids, descriptions, ranked alternatives)."""

from __future__ import annotations

import re

from orchestai_agents.plan import Alternative, Plan, SubTask, planned_description
from orchestai_agents.planner.inventory import Inventory
from orchestai_agents.planner.model import PredictedGraph
from orchestai_agents.validation import validate_plan

__all__ = ["clause_at", "to_plan"]

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
# A full stop, "!" or "?" ends a clause only before a space or the end: "notes.txt" and "3.5" go on.
_CLAUSE_END = re.compile(r"[;\n]|[.!?](?=\s|$)|,\s|\band then\b|\bthen\b|\band\b")


def clause_at(text: str, span: tuple[int, int]) -> str:
    """The clause of ``text`` around character ``span`` (split at punctuation, 'and', 'then')."""
    start, end = span
    if end <= start:
        return text.strip()
    bounds = [0, *[m.end() for m in _CLAUSE_END.finditer(text) if m.end() <= start]]
    tail = [m.start() for m in _CLAUSE_END.finditer(text) if m.start() >= end]
    clause = text[bounds[-1] : tail[0] if tail else len(text)].strip(" ,")
    return clause or text.strip()


def to_plan(
    instruction: str, graph: PredictedGraph, inventory: Inventory, *, alternatives: int = 3
) -> Plan:
    """Build and validate the plan; sub-task ids are ``<position>_<task type>``."""
    ids = [f"{i + 1}_{_UNSAFE.sub('_', t)}"[:64] for i, t in enumerate(graph.task_types)]
    subtasks = []
    for i, task_type in enumerate(graph.task_types):
        ranked = graph.workers[i]
        type_desc = inventory.descriptions[inventory.task_types.index(task_type)]
        subtasks.append(
            SubTask(
                id=ids[i],
                description=planned_description(type_desc, clause_at(instruction, graph.focus[i])),
                task_type=task_type,
                worker=ranked[0][0],
                dependencies=tuple(ids[j] for j in graph.dependencies[i]),
                complexity=round(min(max(graph.complexity[i], 0.0), 1.0), 4),
                alternatives=tuple(Alternative(w, round(p, 4)) for w, p in ranked[:alternatives]),
            )
        )
    return validate_plan(Plan(instruction, tuple(subtasks)))
