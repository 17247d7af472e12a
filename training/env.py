"""A Gymnasium environment over orchestration episodes: route every sub-task of a workflow.

An episode is one workflow. Each step picks the worker of the next sub-task in topological
order; when every sub-task has a worker the back-end executes the workflow (replaying recorded
outcomes or running it live) and the episode's reward arrives on the last step:

    R = alpha * Success - beta * Cost(USD) - gamma * Latency(s) + bonus * (successful sub-tasks)

The cost weight ``beta`` can be drawn per episode and shown to the policy (``preference``), so
one policy serves every cost preference at call time.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import gymnasium as gym
import numpy as np
from gymnasium import spaces
from orchestai_agents.training.routing.backends import EpisodeWorkflow, NodeOutcome, OutcomeBackend

from orchestai_agents.planner.selector import node_context

__all__ = ["EnvConfig", "OrchestrationEnv", "RewardConfig", "single_node_observations"]


@dataclass(frozen=True)
class RewardConfig:
    """Reward coefficients.

    Attributes:
        alpha: weight of workflow success (every sub-task succeeded).
        beta: USD cost weight, used when :attr:`EnvConfig.beta_range` is ``None``.
        gamma: weight of summed latency in seconds.
        node_bonus: reward per successful sub-task.
    """

    alpha: float = 10.0
    beta: float = 0.1
    gamma: float = 0.01
    node_bonus: float = 0.1

    def __call__(self, outcomes: Sequence[NodeOutcome], beta: float | None = None) -> float:
        success = all(o.success for o in outcomes)
        cost = sum(o.usd for o in outcomes)
        latency = sum(o.seconds for o in outcomes)
        beta = self.beta if beta is None else beta
        return (
            self.alpha * success
            - beta * cost
            - self.gamma * latency
            + self.node_bonus * sum(o.success for o in outcomes)
        )


@dataclass(frozen=True)
class EnvConfig:
    """How episodes are drawn.

    Attributes:
        reward: the reward coefficients.
        max_nodes: the most sub-tasks a workflow has; it also sizes the padded graph features.
        min_nodes: the fewest sub-tasks a workflow has.
        curriculum_nodes: the current cap on sub-tasks (easy -> hard), held within
            [min_nodes, max_nodes]; ``None`` means max_nodes.
        budget_usd: per-workflow USD budget; workers it cannot pay for are masked. ``None``: no cap.
        beta_range: draw the cost weight log-uniformly from this range each episode (the policy
            sees it); ``None`` keeps ``reward.beta`` fixed.
        beta_scale: the cost weight that maps to preference 1.0.
    """

    reward: RewardConfig = field(default_factory=RewardConfig)
    max_nodes: int = 5
    min_nodes: int = 1
    curriculum_nodes: int | None = None
    budget_usd: float | None = None
    beta_range: tuple[float, float] | None = None
    beta_scale: float = 3e4

    def __post_init__(self) -> None:
        if not 1 <= self.min_nodes <= self.max_nodes:
            raise ValueError(
                f"need 1 <= min_nodes <= max_nodes, got {self.min_nodes}, {self.max_nodes}"
            )
        if self.beta_range is not None and not 0 < self.beta_range[0] <= self.beta_range[1]:
            raise ValueError(
                f"beta_range must be (low, high) with 0 < low <= high, got {self.beta_range}"
            )
        if self.budget_usd is not None and self.budget_usd <= 0:
            raise ValueError(f"budget_usd must be > 0, got {self.budget_usd}")
        if self.curriculum_nodes is not None:
            cap = max(self.min_nodes, min(int(self.curriculum_nodes), self.max_nodes))
            object.__setattr__(self, "curriculum_nodes", cap)


class OrchestrationEnv(gym.Env):
    """Route each sub-task of a workflow to a worker.

    Observation (a ``Dict``, fixed size, padded to ``max_nodes``):
        instruction: (hidden,) the request's embedding.
        node: (hidden,) the current sub-task's embedding.
        graph: (2 * max_nodes + 2,) which earlier slots this node depends on, which slots are
            already routed, position / max_nodes and n_nodes / max_nodes.
        mask: (n_workers,) 1 for the workers that can do this node within the budget.
        budget: (1,) fraction of the USD budget left (1.0 without a budget).
        preference: (1,) the episode's cost weight on a log scale in [0, 1].
    graph + budget + preference is exactly :func:`~orchestai_agents.planner.selector.node_context`,
    so a planner builds the same context at inference with the caller's cost weight.

    Action: ``Discrete(n_workers)``. A masked worker is never called: the node fails at no cost.

    Example:
        >>> env = OrchestrationEnv(backend, EnvConfig(beta_range=(1.0, 1e4)))  # doctest: +SKIP
        >>> obs, info = env.reset(seed=0)  # doctest: +SKIP
        >>> obs, reward, done, truncated, info = env.step(int(env.action_masks().argmax()))  # doctest: +SKIP
    """

    metadata = {"render_modes": []}  # noqa: RUF012 (gymnasium declares it on the instance)

    def __init__(self, backend: OutcomeBackend, config: EnvConfig | None = None) -> None:
        super().__init__()
        self.backend = backend
        self.config = config or EnvConfig()
        # The largest workflow an episode may ask for: a back-end that cannot compose one (too
        # few rows to replay) fails here rather than at some later reset.
        probe = backend.sample(np.random.default_rng(0), self.config.max_nodes)
        hidden = int(np.asarray(probe.nodes).shape[1])
        n_workers = len(backend.worker_names)
        graph = 2 * self.config.max_nodes + 2
        self.observation_space = spaces.Dict(
            {
                "instruction": spaces.Box(-1.0, 1.0, (hidden,), np.float32),
                "node": spaces.Box(-1.0, 1.0, (hidden,), np.float32),
                "graph": spaces.Box(0.0, 1.0, (graph,), np.float32),
                "mask": spaces.MultiBinary(n_workers),
                "budget": spaces.Box(0.0, 1.0, (1,), np.float32),
                "preference": spaces.Box(0.0, 1.0, (1,), np.float32),
            }
        )
        self.action_space = spaces.Discrete(n_workers)
        self._workflow: EpisodeWorkflow | None = None
        self._choices: list[int] = []
        self._spent = 0.0
        self._beta = self.config.reward.beta

    @property
    def workflow(self) -> EpisodeWorkflow | None:
        """The workflow of the current episode."""
        return self._workflow

    def set_curriculum(self, n_nodes: int) -> None:
        """Cap workflows at ``n_nodes`` sub-tasks from the next episode on (a curriculum stage)."""
        self.config = replace(self.config, curriculum_nodes=n_nodes)

    def reset(
        self, *, seed: int | None = None, options: dict | None = None
    ) -> tuple[dict[str, np.ndarray], dict]:
        super().reset(seed=seed)
        cap = self.config.curriculum_nodes or self.config.max_nodes
        n_nodes = int(self.np_random.integers(self.config.min_nodes, cap + 1))
        self._workflow = self.backend.sample(self.np_random, n_nodes)
        self._choices, self._spent = [], 0.0
        if self.config.beta_range is not None:
            low, high = self.config.beta_range
            self._beta = float(math.exp(self.np_random.uniform(math.log(low), math.log(high))))
        return self._observation(), {"n_nodes": len(self._workflow), "beta": self._beta}

    def step(self, action: int) -> tuple[dict[str, np.ndarray], float, bool, bool, dict]:
        if self._workflow is None:
            raise RuntimeError("call reset() before step()")
        action = int(action)
        node = len(self._choices)
        valid = bool(self.action_masks()[action])
        self._choices.append(action if valid else -1)
        if valid:
            self._spent += float(self._workflow.est_usd[node, action])
        if len(self._choices) < len(self._workflow):
            return self._observation(), 0.0, False, False, {}
        outcomes = self._execute()
        reward = self.config.reward(outcomes, self._beta)
        info = {
            "success": all(o.success for o in outcomes),
            "usd": sum(o.usd for o in outcomes),
            "seconds": sum(o.seconds for o in outcomes),
            "choices": list(self._choices),
        }
        return self._observation(), float(reward), True, False, info

    def action_masks(self) -> np.ndarray:
        """(n_workers,) bool: capable workers the budget can still pay for (at least the cheapest)."""
        assert self._workflow is not None, "call reset() first"
        node = min(len(self._choices), len(self._workflow) - 1)
        mask = self._workflow.masks[node].astype(bool).copy()
        if self.config.budget_usd is not None:
            affordable = mask & (
                self._workflow.est_usd[node] <= self.config.budget_usd - self._spent
            )
            if not affordable.any() and mask.any():  # always leave the cheapest capable worker
                affordable[np.where(mask, self._workflow.est_usd[node], np.inf).argmin()] = True
            mask = affordable
        return mask

    def _execute(self) -> list[NodeOutcome]:
        assert self._workflow is not None
        return self.backend.execute(self._workflow, self._choices)  # -1: refused by the mask

    def _observation(self) -> dict[str, np.ndarray]:
        wf = self._workflow
        assert wf is not None
        node = min(len(self._choices), len(wf) - 1)
        budget = 1.0
        if self.config.budget_usd is not None:
            budget = 1.0 - self._spent / self.config.budget_usd  # node_context clamps it
        context = np.asarray(
            node_context(
                max_nodes=self.config.max_nodes,
                position=node,
                n_nodes=len(wf),
                dependencies=wf.dependencies[node],
                budget_left=budget,
                cost_weight=self._beta,
                cost_weight_scale=self.config.beta_scale,
            ),
            np.float32,
        )
        return {
            "instruction": wf.instruction.astype(np.float32),
            "node": wf.nodes[node].astype(np.float32),
            "graph": context[:-2],
            "mask": self.action_masks().astype(np.int8),
            "budget": context[-2:-1],
            "preference": context[-1:],
        }


def single_node_observations(
    nodes: np.ndarray, masks: np.ndarray, beta: float | np.ndarray, config: EnvConfig
) -> dict[str, np.ndarray]:
    """A batch of first-step observations of one-node workflows, as the env would show them.

    Routing evaluation scores thousands of prompts at many cost weights; building the batch
    directly is the same observation without stepping an env per row.

    Shapes:
        nodes: (batch, hidden); masks: (batch, n_workers); beta: scalar or (batch,)
        -> each key batched along dim 0.
    """
    batch = len(nodes)
    betas = np.broadcast_to(np.asarray(beta, dtype=np.float64), (batch,))
    context = np.array(
        [
            node_context(
                max_nodes=config.max_nodes,
                position=0,
                n_nodes=1,
                cost_weight=float(b),
                cost_weight_scale=config.beta_scale,
            )
            for b in betas
        ],
        np.float32,
    )
    return {
        "instruction": nodes.astype(np.float32),
        "node": nodes.astype(np.float32),
        "graph": context[:, :-2],
        "mask": masks.astype(np.int8),
        "budget": context[:, -2:-1],
        "preference": context[:, -1:],
    }
