"""Plan validation: a plan must be a DAG over known workers that can do each sub-task."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from orchestai_agents.errors import PlanValidationError
from orchestai_agents.plan import Plan, SubTask
from orchestai_agents.registry import WorkerRegistry

__all__ = ["MAX_SUBTASKS", "RESERVED_IDS", "topological_order", "validate_plan"]

MAX_SUBTASKS = 64
# Sub-tasks run as LangGraph tasks named by their ids, and stream_mode="updates" keys each update
# by that name: a sub-task named like one of the graphs' own nodes (create_orchestai_agent's
# plan -> execute -> respond, compile_plan's prepare -> execute) would stream as that node, and
# one named like LangGraph's own keys (``__interrupt__``, ``__start__``, ...) as that signal.
RESERVED_IDS = frozenset({"plan", "execute", "respond", "prepare"})
_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def validate_plan(plan: Plan, registry: WorkerRegistry | None = None) -> Plan:
    """Check ``plan`` and return it unchanged, or raise an error naming the node and the fix.

    Checks: at least one sub-task, unique well-formed ids that are not reserved (not in
    :data:`RESERVED_IDS`, not starting with ``__``), complexity in [0, 1], no self-loops,
    no dangling dependencies, no cycles; with a registry also known workers (and alternatives)
    that can do the sub-task's task type.

    Raises:
        PlanValidationError: on the first problem found.
    """
    if not plan.subtasks:
        raise PlanValidationError("the plan has no sub-tasks; add at least one")
    if len(plan.subtasks) > MAX_SUBTASKS:
        raise PlanValidationError(
            f"the plan has {len(plan.subtasks)} sub-tasks; at most {MAX_SUBTASKS} are allowed. Split it."
        )
    _check_nodes(plan.subtasks)
    topological_order(plan.subtasks)
    if registry is not None:
        _check_workers(plan.subtasks, registry)
    return plan


def _check_nodes(subtasks: Sequence[SubTask]) -> None:
    seen: set[str] = set()
    for s in subtasks:
        if not _ID.fullmatch(s.id):
            raise PlanValidationError(
                f"sub-task id {s.id!r} is not valid; use 1-64 letters, digits, '_' or '-'",
                node=s.id,
            )
        if s.id in RESERVED_IDS or s.id.startswith("__"):
            raise PlanValidationError(
                f"sub-task id {s.id!r} is reserved: the graph's own steps are named "
                f"{sorted(RESERVED_IDS)} and LangGraph's start with '__'; rename the sub-task, "
                f"e.g. to {s.id.strip('_') + '_step'!r}",
                node=s.id,
            )
        if s.id in seen:
            raise PlanValidationError(
                f"sub-task id {s.id!r} appears twice; make ids unique", node=s.id
            )
        seen.add(s.id)
    for s in subtasks:
        odd = [a.worker for a in s.alternatives if not math.isfinite(a.score)]
        if odd:
            raise PlanValidationError(
                f"sub-task {s.id!r} scores alternative(s) {odd} with no finite number; "
                "give each a real score",
                node=s.id,
            )
        if not 0.0 <= s.complexity <= 1.0:
            raise PlanValidationError(
                f"sub-task {s.id!r} has complexity {s.complexity}; it must lie in [0, 1]", node=s.id
            )
        if s.id in s.dependencies:
            raise PlanValidationError(
                f"sub-task {s.id!r} depends on itself; remove {s.id!r} from its dependencies",
                node=s.id,
            )
        if len(set(s.dependencies)) != len(s.dependencies):
            raise PlanValidationError(f"sub-task {s.id!r} lists a dependency twice", node=s.id)
        for d in s.dependencies:
            if d not in seen:
                raise PlanValidationError(
                    f"sub-task {s.id!r} depends on {d!r}, which is not in the plan; "
                    f"add {d!r} or remove the dependency",
                    node=s.id,
                )


def _check_workers(subtasks: Sequence[SubTask], registry: WorkerRegistry) -> None:
    for s in subtasks:
        for name in (s.worker, *(a.worker for a in s.alternatives)):
            if name not in registry:
                raise PlanValidationError(
                    f"sub-task {s.id!r} names worker {name!r}, which is not registered; "
                    f"register it or use one of {sorted(registry)}",
                    node=s.id,
                )
            if not registry[name].can_do(s.task_type):
                capable = registry.capable(s.task_type)
                hint = (
                    f"workers that can: {capable}"
                    if capable
                    else "no registered worker can; register one"
                )
                raise PlanValidationError(
                    f"sub-task {s.id!r} needs task type {s.task_type!r}, which worker {name!r} cannot do; {hint}",
                    node=s.id,
                )


def topological_order(subtasks: Sequence[SubTask]) -> list[SubTask]:
    """Kahn's algorithm, stable on the given order.

    Raises:
        PlanValidationError: naming the sub-tasks on a cycle, or a dependency that is not there.
    """
    by_id = {s.id: s for s in subtasks}
    indegree = {s.id: 0 for s in subtasks}
    dependents: dict[str, list[str]] = {s.id: [] for s in subtasks}
    for s in subtasks:
        for d in s.dependencies:
            if d not in by_id:
                raise PlanValidationError(f"sub-task {s.id!r} depends on missing {d!r}", node=s.id)
            indegree[s.id] += 1
            dependents[d].append(s.id)
    ready = [s.id for s in subtasks if indegree[s.id] == 0]
    order: list[SubTask] = []
    while ready:
        node = ready.pop(0)
        order.append(by_id[node])
        for nxt in dependents[node]:
            indegree[nxt] -= 1
            if indegree[nxt] == 0:
                ready.append(nxt)
    if len(order) != len(subtasks):
        stuck = sorted(_on_cycles({n for n, d in indegree.items() if d > 0}, by_id))
        raise PlanValidationError(
            f"the plan has a cycle through {stuck}; remove one of their dependencies so the graph is acyclic",
            node=stuck[0],
        )
    return order


def _on_cycles(stuck: set[str], by_id: dict[str, SubTask]) -> set[str]:
    """Of the nodes Kahn's algorithm could not order, those on a cycle (not merely after one).

    A node that no other stuck node depends on only sits downstream of a cycle; peel those off
    until every remaining node feeds another.
    """
    remaining = set(stuck)
    while True:
        feeding = {d for n in remaining for d in by_id[n].dependencies if d in remaining}
        downstream = remaining - feeding
        if not downstream:
            return remaining
        remaining -= downstream
