"""What a run cost: per-node records and the run's result, as plain JSON-ready data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["NodeRecord", "RunResult"]


@dataclass(frozen=True)
class NodeRecord:
    """One sub-task's execution.

    Attributes:
        node_id: the plan node.
        worker: the worker that produced the output (a fallback's name if the first failed).
        task_type: the node's task type.
        seconds: wall time of the worker call(s), dependency waits excluded.
        usd: cost from the worker's cost model and reported usage.
        input_tokens, output_tokens: usage the worker reported (0 if it counts none).
        success: whether the node produced an output.
        error: the failure, or ``None``.
        attempts: workers tried, in order.
    """

    node_id: str
    worker: str
    task_type: str
    seconds: float
    usd: float
    input_tokens: int = 0
    output_tokens: int = 0
    success: bool = True
    error: str | None = None
    attempts: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "attempts", tuple(self.attempts))

    @property
    def called_no_worker(self) -> bool:
        """Skipped after a failed dependency, or the run stopped before the node's first call
        (the executor's error notes start so): its failure says nothing about its worker."""
        return (self.error or "").startswith(("skipped:", "cancelled:"))

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["attempts"] = list(self.attempts)
        return data


@dataclass(frozen=True)
class RunResult:
    """The outcome of one plan execution.

    Attributes:
        run_id: unique id of this run.
        instruction: what the user asked.
        plan: the executed plan, as a dict (see :meth:`Plan.to_dict`).
        outputs: node id -> :class:`WorkerOutput` dict, for the nodes that succeeded.
        nodes: per-node records, in the plan's topological order.
        final_output: the text of the plan's sink nodes.
        latency_s: wall time of the whole run.
    """

    run_id: str
    instruction: str
    plan: Mapping[str, Any]
    outputs: Mapping[str, Mapping[str, Any]]
    nodes: tuple[NodeRecord, ...]
    final_output: str
    latency_s: float
    inputs: tuple[str, ...] = ()
    metadata: Mapping[str, Any] = field(default_factory=dict)

    @property
    def total_usd(self) -> float:
        return sum(n.usd for n in self.nodes)

    @property
    def total_tokens(self) -> int:
        return sum(n.input_tokens + n.output_tokens for n in self.nodes)

    @property
    def success(self) -> bool:
        return bool(self.nodes) and all(n.success for n in self.nodes)

    @property
    def errors(self) -> dict[str, str]:
        return {n.node_id: n.error for n in self.nodes if n.error}

    @property
    def artifacts(self) -> list[str]:
        return [path for out in self.outputs.values() for path in out.get("artifacts", ())]

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "instruction": self.instruction,
            "inputs": list(self.inputs),
            "plan": dict(self.plan),
            "outputs": {k: dict(v) for k, v in self.outputs.items()},
            "nodes": [n.to_dict() for n in self.nodes],
            "final_output": self.final_output,
            "latency_s": self.latency_s,
            "total_usd": self.total_usd,
            "total_tokens": self.total_tokens,
            "success": self.success,
            "errors": self.errors,
            "metadata": dict(self.metadata),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunResult:
        return cls(
            run_id=str(data["run_id"]),
            instruction=str(data["instruction"]),
            plan=data["plan"],
            outputs=data.get("outputs", {}),
            nodes=tuple(NodeRecord(**n) for n in data["nodes"]),
            final_output=str(data.get("final_output", "")),
            latency_s=float(data["latency_s"]),
            inputs=tuple(data.get("inputs", ())),
            metadata=data.get("metadata", {}),
        )

    def table(self) -> list[tuple[str, str, float, float, str]]:
        """Rows of (node, worker, seconds, USD, status) for display."""
        return [
            (n.node_id, n.worker, n.seconds, n.usd, "ok" if n.success else "failed")
            for n in self.nodes
        ]
