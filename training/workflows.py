"""Annotated workflows: the common form every planning data set is loaded into.

A workflow is a request and its gold DAG: nodes (each a task type or tool name, with a short
description) and directed links between node indices. Loaders for the public formats
(GNN4TaskPlan/TaskBench, NesTools, NESTFUL/ComplexFuncBench) and the project's own annotated
workflows all produce these; the phase-1 trainer and the evaluation consume them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["AnnotatedWorkflow", "WorkflowNode"]


@dataclass(frozen=True)
class WorkflowNode:
    """One gold step: the tool (or task type) it calls and what it does."""

    name: str
    description: str = ""
    worker: str | None = None


@dataclass(frozen=True)
class AnnotatedWorkflow:
    """A request with its gold plan.

    Attributes:
        id: the record's id in its data set.
        request: the user's instruction.
        nodes: steps in execution order (a topological order of ``links``).
        links: directed (source index, target index) pairs into ``nodes``, source < target.
        source: the data set it came from, e.g. ``"ultratool"``.
        candidates: the tools this request may use, when the data set hands each request its
            own (NesTools' ``api`` list); empty when the data set's whole inventory applies.
    """

    id: str
    request: str
    nodes: tuple[WorkflowNode, ...]
    links: tuple[tuple[int, int], ...] = ()
    source: str = ""
    candidates: tuple[WorkflowNode, ...] = ()

    def __post_init__(self) -> None:
        n = len(self.nodes)
        for s, t in self.links:
            if not (0 <= s < t < n):
                raise ValueError(
                    f"workflow {self.id!r}: link ({s}, {t}) must point forward between node indices 0..{n - 1}"
                )

    @property
    def node_names(self) -> list[str]:
        return [node.name for node in self.nodes]

    @property
    def named_links(self) -> list[tuple[str, str]]:
        return [(self.nodes[s].name, self.nodes[t].name) for s, t in self.links]

    @property
    def shape(self) -> str:
        """``"single"``, ``"chain"`` or ``"dag"`` (some node with fan-in or fan-out)."""
        if len(self.nodes) <= 1:
            return "single"
        outs = [s for s, _ in self.links]
        ins = [t for _, t in self.links]
        if (
            max(map(outs.count, set(outs)), default=0) > 1
            or max(map(ins.count, set(ins)), default=0) > 1
        ):
            return "dag"
        return "chain"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "request": self.request,
            "nodes": [
                {"name": n.name, "description": n.description, "worker": n.worker}
                for n in self.nodes
            ],
            "links": [list(link) for link in self.links],
            "source": self.source,
            **(
                {
                    "candidates": [
                        {"name": c.name, "description": c.description} for c in self.candidates
                    ]
                }
                if self.candidates
                else {}
            ),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AnnotatedWorkflow:
        return cls(
            id=str(data["id"]),
            request=str(data["request"]),
            nodes=tuple(WorkflowNode(**n) for n in data["nodes"]),
            links=tuple((int(s), int(t)) for s, t in data.get("links", ())),
            source=str(data.get("source", "")),
            candidates=tuple(WorkflowNode(**c) for c in data.get("candidates", ())),
        )
