"""Where episode outcomes come from: recorded outcomes (replay) or real execution (live).

The environment asks a back-end for a workflow to route, then, once every node has a worker,
for the outcome of each node. Replay reads a recorded :class:`OutcomeTable`; live compiles the
plan with the chosen workers, runs it and applies the user's success check.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol, runtime_checkable

import numpy as np
from orchestai_agents.training.routing.outcomes import OutcomeTable

from orchestai_agents.accounting import RunResult
from orchestai_agents.errors import ConfigError
from orchestai_agents.plan import Plan
from orchestai_agents.planner.routing import worker_features
from orchestai_agents.registry import WorkerRegistry

__all__ = [
    "EpisodeWorkflow",
    "LiveBackend",
    "NodeOutcome",
    "OutcomeBackend",
    "PlanRunner",
    "ReplayBackend",
    "SuccessCheck",
]


class NodeOutcome(NamedTuple):
    """What running one node with the chosen worker gave."""

    success: bool
    usd: float
    seconds: float


@dataclass(frozen=True, eq=False)
class EpisodeWorkflow:
    """One workflow to route, nodes in topological order.

    Attributes:
        instruction: (hidden,) embedding of the whole request.
        nodes: (n_nodes, hidden) embedding of each sub-task.
        dependencies: for each node, the indices of earlier nodes it reads.
        masks: (n_nodes, n_workers) bool, the workers able to do each node.
        est_usd: (n_nodes, n_workers) expected USD of each choice, known before the call.
        payload: what the back-end needs to execute it (table rows, a plan).
    """

    instruction: np.ndarray
    nodes: np.ndarray
    dependencies: tuple[tuple[int, ...], ...]
    masks: np.ndarray
    est_usd: np.ndarray
    payload: Any = None

    def __len__(self) -> int:
        return len(self.nodes)


@runtime_checkable
class OutcomeBackend(Protocol):
    """The source of workflows and of their outcomes."""

    worker_names: tuple[str, ...]
    worker_features: np.ndarray  # (n_workers, worker_dim)

    def sample(self, rng: np.random.Generator, n_nodes: int) -> EpisodeWorkflow:
        """A workflow of (at most) ``n_nodes`` nodes."""
        ...

    def execute(self, workflow: EpisodeWorkflow, choices: Sequence[int]) -> list[NodeOutcome]:
        """The outcome of each node under ``choices`` (a worker index per node; -1 for a choice
        the mask refused: that node does not run, fails and costs nothing)."""
        ...


def _random_dependencies(
    rng: np.random.Generator, n_nodes: int, edge_prob: float
) -> tuple[tuple[int, ...], ...]:
    return tuple(tuple(j for j in range(i) if rng.random() < edge_prob) for i in range(n_nodes))


class ReplayBackend:
    """Workflows composed from recorded prompts; outcomes read from the table.

    A workflow of n nodes is n random rows with random forward dependencies. With
    ``propagate_failures`` a node fails when a node it reads failed (its input was wrong).

    Args:
        table: recorded outcomes.
        embeddings: (rows, hidden) prompt embeddings, aligned with ``table``.
        features: (models, worker_dim) worker features (see :func:`worker_features`).
        rows: the rows episodes may use (e.g. the train split's); all by default.
        edge_prob: chance that a node reads each earlier node.
        propagate_failures: fail nodes downstream of a failed node.
    """

    def __init__(
        self,
        table: OutcomeTable,
        embeddings: np.ndarray,
        features: np.ndarray,
        *,
        rows: Sequence[int] | np.ndarray | None = None,
        edge_prob: float = 0.5,
        propagate_failures: bool = True,
    ) -> None:
        if len(embeddings) != len(table):
            raise ValueError(f"{len(embeddings)} embeddings for {len(table)} table rows")
        if len(features) != len(table.models):
            raise ValueError(f"{len(features)} worker feature rows for {len(table.models)} models")
        self.table = table
        self.embeddings = embeddings.astype(np.float32)
        self.worker_names = table.models
        self.worker_features = features.astype(np.float32)
        self.rows = np.arange(len(table)) if rows is None else np.asarray(rows, dtype=np.int64)
        self.edge_prob = edge_prob
        self.propagate_failures = propagate_failures

    def workflow(
        self,
        rows: Sequence[int] | np.ndarray,
        dependencies: tuple[tuple[int, ...], ...] | None = None,
    ) -> EpisodeWorkflow:
        """The workflow over the given table rows (independent nodes unless told)."""
        index = np.asarray(rows, dtype=np.int64)
        nodes = self.embeddings[index]
        instruction = nodes.mean(0)
        instruction /= max(float(np.linalg.norm(instruction)), 1e-8)
        return EpisodeWorkflow(
            instruction=instruction,
            nodes=nodes,
            dependencies=dependencies or tuple(() for _ in index),
            masks=np.ones((len(index), len(self.worker_names)), dtype=bool),
            est_usd=self.table.cost[index],
            payload=index,
        )

    def sample(self, rng: np.random.Generator, n_nodes: int) -> EpisodeWorkflow:
        """A workflow of ``n_nodes`` distinct rows.

        Raises:
            ConfigError: naming both numbers when there are fewer rows than ``n_nodes``.
        """
        if n_nodes > len(self.rows):
            raise ConfigError(
                f"a workflow of {n_nodes} nodes needs {n_nodes} distinct table rows, but the "
                f"replay back-end has {len(self.rows)}; set EnvConfig.max_nodes (and min_nodes) "
                f"to at most {len(self.rows)}, or add rows"
            )
        rows = rng.choice(self.rows, size=n_nodes, replace=False)
        return self.workflow(rows, _random_dependencies(rng, n_nodes, self.edge_prob))

    def execute(self, workflow: EpisodeWorkflow, choices: Sequence[int]) -> list[NodeOutcome]:
        rows = workflow.payload
        ok: list[bool] = []
        outcomes = []
        for i, (row, worker) in enumerate(zip(rows, choices, strict=True)):
            if worker < 0:  # refused by the mask: it did not run
                ok.append(False)
                outcomes.append(NodeOutcome(False, 0.0, 0.0))
                continue
            success = bool(self.table.success[row, worker])
            if self.propagate_failures:
                success = success and all(ok[d] for d in workflow.dependencies[i])
            ok.append(success)
            outcomes.append(
                NodeOutcome(
                    success,
                    float(self.table.cost[row, worker]),
                    float(self.table.seconds[row, worker]),
                )
            )
        return outcomes


PlanRunner = Callable[[Plan], RunResult]
"""Runs a plan whose workers are chosen and returns its result (the compiled graph by default)."""

SuccessCheck = Callable[[Plan, RunResult], "bool | Mapping[str, bool]"]
"""The user's judgement of a run: one bool for the sinks (final outputs) or one per node id."""


def compiled_runner(registry: WorkerRegistry) -> PlanRunner:
    """Run plans through :func:`orchestai_agents.compiler.compile_plan` over ``registry``."""
    from orchestai_agents.compiler import compile_plan

    def run(plan: Plan) -> RunResult:
        return RunResult.from_dict(compile_plan(plan, registry).invoke({})["result"])

    return run


class LiveBackend:
    """Workflows from real plans; outcomes from executing them with real workers.

    Args:
        plans: the tasks to train on; their ``worker`` fields are replaced by the choices.
        registry: the workers (order fixes the action indices).
        embed: texts -> (n, hidden) L2-normalised embeddings (e.g. :func:`embed_texts`).
        success_check: the user's verdict on a finished run.
        runner: executes a plan; the compiled LangGraph graph by default.
        input_tokens: tokens assumed per call for the cost estimate before the call.
    """

    def __init__(
        self,
        plans: Sequence[Plan],
        registry: WorkerRegistry,
        embed: Callable[[Sequence[str]], np.ndarray],
        success_check: SuccessCheck,
        *,
        runner: PlanRunner | None = None,
        input_tokens: int = 512,
    ) -> None:
        if not plans:
            raise ValueError("LiveBackend needs at least one plan to train on")
        self.plans = list(plans)
        self.registry = registry
        self.embed = embed
        self.success_check = success_check
        self.runner = runner or compiled_runner(registry)
        self.worker_names = tuple(registry)
        specs = [registry[name] for name in self.worker_names]
        self._usd = np.array([s.estimate_usd(input_tokens) for s in specs], dtype=np.float32)
        self.worker_features = worker_features(embed([s.description for s in specs]), self._usd)

    def sample(self, rng: np.random.Generator, n_nodes: int) -> EpisodeWorkflow:
        """A plan of at most ``n_nodes`` sub-tasks (the shortest plan if none is that short).

        Raises:
            ValueError: the plan has a sub-task no worker of the registry can do.
        """
        fitting = [p for p in self.plans if len(p) <= n_nodes] or [min(self.plans, key=len)]
        plan = fitting[int(rng.integers(len(fitting)))]
        order = plan.topological_order()
        orphans = [s.id for s in order if not self.registry.capable(s.task_type)]
        if orphans:
            raise ValueError(
                f"no worker in the registry can do sub-task(s) {orphans} of the plan "
                f"{plan.instruction!r}; register one, or leave the plan out"
            )
        index = {s.id: i for i, s in enumerate(order)}
        vectors = self.embed(
            [plan.instruction] + [f"{s.task_type}: {s.description}" for s in order]
        )
        return EpisodeWorkflow(
            instruction=vectors[0],
            nodes=vectors[1:],
            dependencies=tuple(tuple(index[d] for d in s.dependencies) for s in order),
            masks=np.array(
                [[self.registry[w].can_do(s.task_type) for w in self.worker_names] for s in order]
            ),
            est_usd=np.tile(self._usd, (len(order), 1)),
            payload=(plan, order),
        )

    def execute(self, workflow: EpisodeWorkflow, choices: Sequence[int]) -> list[NodeOutcome]:
        plan, order = workflow.payload
        if min(choices) < 0:  # a choice the mask refused: the plan is not run, nothing is paid
            return [NodeOutcome(False, 0.0, 0.0) for _ in order]
        chosen = plan.with_workers(
            {s.id: self.worker_names[c] for s, c in zip(order, choices, strict=True)}
        )
        result = self.runner(chosen)
        verdict = self.success_check(chosen, result)
        if isinstance(verdict, bool):
            sinks = set(chosen.sinks())
            verdict = {s.id: verdict for s in order if s.id in sinks}
        records = {n.node_id: n for n in result.nodes}
        outcomes = []
        for s in order:
            record = records.get(s.id)
            if record is None:  # never ran: a dependency failed before it
                outcomes.append(NodeOutcome(False, 0.0, 0.0))
                continue
            success = record.success and verdict.get(s.id, True)
            outcomes.append(NodeOutcome(bool(success), record.usd, record.seconds))
        return outcomes
