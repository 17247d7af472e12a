"""Call-time routing: choose each sub-task's worker for the caller's cost/quality preference.

One trained selector serves every preference: phase 1 and PPO train it with the cost weight drawn
per episode and shown to it (see ``training/env.py``), so a caller turns the knob without
retraining. :func:`route_plan` re-chooses the workers of a plan in topological order:

- with a :class:`Router` (a selector trained on outcomes; a planner checkpoint carries it as
  ``selector.safetensors`` and :attr:`Planner.router <orchestai_agents.planner.Planner>`), it scores every capable worker given the request, the
  node's place in the graph, the budget left and the preference;
- without one, each worker's quality prior (its score among the plan's alternatives) is traded
  against its estimated price: ``SUCCESS_VALUE * score - cost_weight * usd``, the reward the
  selector is trained on.

A ``max_usd`` budget masks the workers whose estimated call no longer fits (the cheapest capable
worker is always kept; the executor's budget check still stops a run that would overspend).

Example:
    >>> routed = route_plan(plan, registry, RoutingPreference(cost_preference=0.8))  # doctest: +SKIP
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch

from orchestai_agents._internal._files import write_text_replacing
from orchestai_agents.budget import estimate_call
from orchestai_agents.errors import CheckpointError
from orchestai_agents.plan import Alternative, Plan, SubTask
from orchestai_agents.planner.selector import (
    DEFAULT_COST_WEIGHT_SCALE,
    Selector,
    load_selector,
    node_context,
    save_selector,
)
from orchestai_agents.registry import WorkerRegistry

__all__ = [
    "ROUTER_WORKERS_FILE",
    "SUCCESS_VALUE",
    "Router",
    "RoutingPreference",
    "price_feature",
    "route_plan",
    "worker_features",
]

# A successful sub-task is worth this much reward (the env's alpha); cost weights are per USD.
SUCCESS_VALUE = 10.0
# The workers a router was trained on, in action order (phase 3 maps logged choices through it).
ROUTER_WORKERS_FILE = "selector_workers.json"


@dataclass(frozen=True)
class RoutingPreference:
    """What the caller wants from this run's routing.

    Attributes:
        cost_preference: 0 routes for quality alone, 1 for the lowest price; in between, the cost
            weight grows log-uniformly up to ``cost_weight_scale`` (the range the selector was
            trained over).
        max_usd: the plan's estimated USD may not exceed this (``None``: no cap).
        cost_weight_scale: the cost weight that preference 1.0 stands for.
    """

    cost_preference: float = 0.0
    max_usd: float | None = None
    cost_weight_scale: float = DEFAULT_COST_WEIGHT_SCALE

    def __post_init__(self) -> None:
        if not 0.0 <= self.cost_preference <= 1.0:
            raise ValueError(
                f"cost_preference must lie in [0, 1] (0: best quality, 1: cheapest), got {self.cost_preference}"
            )
        if self.max_usd is not None and not (math.isfinite(self.max_usd) and self.max_usd >= 0):
            raise ValueError(f"max_usd must be a number >= 0, got {self.max_usd}")

    @property
    def active(self) -> bool:
        """Whether routing changes anything: a preference for price or a USD cap."""
        return self.cost_preference > 0 or self.max_usd is not None

    @property
    def cost_weight(self) -> float:
        """The reward's USD weight this preference stands for (inverse of ``cost_preference``)."""
        return math.expm1(self.cost_preference * math.log1p(self.cost_weight_scale))


def price_feature(usd: np.ndarray | float) -> np.ndarray:
    """log10 of USD per call, shifted so $0.001 maps to 0 (a worker feature of order 1)."""
    return np.log10(np.maximum(np.asarray(usd, dtype=np.float32), 1e-7)) + 3.0


def worker_features(
    description_embeddings: np.ndarray, usd_per_call: Sequence[float]
) -> np.ndarray:
    """A worker's features: its description embedding and its price, (workers, hidden + 1)."""
    price = price_feature(np.asarray(usd_per_call, dtype=np.float32))[:, None]
    return np.concatenate([description_embeddings.astype(np.float32), price], axis=1)


class Router:
    """A trained selector that routes sub-tasks with the caller's preference.

    Args:
        selector: a selector whose context is :func:`node_context` (``context_dim > 0``) and whose
            worker features are :func:`worker_features`.
        embed: texts -> L2-normalised embeddings, from the encoder the selector was trained with.
        workers: the training workers in action order (name, description, usd_per_call), kept
            with the router so phase 3 can map logged choices to actions.

    Example:
        >>> router = Router.load("runs/routing/ppo/selector", embed=encode)  # doctest: +SKIP
    """

    def __init__(
        self,
        selector: Selector,
        embed: Callable[[Sequence[str]], torch.Tensor],
        workers: Sequence[dict[str, Any]] = (),
    ) -> None:
        if selector.config.context_dim < 6 or selector.config.context_dim % 2:
            raise ValueError(
                f"a router reads node_context (context_dim = 2 * max_nodes + 4), got a selector "
                f"with context_dim {selector.config.context_dim}; train it with orchestai route"
            )
        self.selector = selector.eval()
        self.embed = embed
        self.workers = list(workers)
        self.max_nodes = (selector.config.context_dim - 4) // 2
        self._descriptions: dict[str, torch.Tensor] = {}  # worker descriptions, embedded once

    @classmethod
    def load(cls, folder: str | Path, embed: Callable[[Sequence[str]], torch.Tensor]) -> Router:
        """The router in ``folder``: ``selector.safetensors``, ``selector_config.json`` and, when
        present, ``selector_workers.json``."""
        cards = Path(folder, ROUTER_WORKERS_FILE)
        try:
            workers = json.loads(cards.read_text(encoding="utf-8")) if cards.is_file() else []
        except ValueError as exc:  # bad JSON, or not UTF-8
            raise CheckpointError(
                f"{cards} is not JSON ({exc}); re-save the planner with its router "
                "(save_pretrained), or delete the file to route without worker cards"
            ) from exc
        if not isinstance(workers, list):
            raise CheckpointError(
                f"{cards} holds a {type(workers).__name__}, not a list of worker cards; re-save "
                "the planner with its router (save_pretrained)"
            )
        return cls(load_selector(folder), embed, workers)

    def save(self, folder: str | Path) -> None:
        """Write the router's files into ``folder`` (a planner checkpoint's folder, typically)."""
        save_selector(self.selector, folder)
        if self.workers:
            write_text_replacing(
                Path(folder, ROUTER_WORKERS_FILE), json.dumps(self.workers, indent=2) + "\n"
            )

    @torch.inference_mode()
    def probabilities(
        self,
        instruction: str,
        subtask: SubTask,
        workers: Sequence[tuple[str, float]],
        context: Sequence[float],
    ) -> np.ndarray:
        """P(worker) for one sub-task over ``workers`` ((description, est. USD) each).

        Shapes: context: (context_dim,) -> (len(workers),)
        """
        # The selector is small and stays on the CPU, wherever the planner's encoder runs.
        emb = self.embed([instruction, subtask.description]).float().cpu()  # (2, hidden)
        described = torch.stack([self._description(d) for d, _ in workers])  # (n_workers, hidden)
        features = torch.as_tensor(worker_features(described.numpy(), [u for _, u in workers]))
        out = self.selector(
            emb[None, 0],
            emb[None, 1],
            features,
            torch.ones(1, len(workers), dtype=torch.bool),
            torch.tensor([list(context)], dtype=torch.float32),
        )
        return torch.softmax(out.logits[0], -1).numpy()

    def _description(self, text: str) -> torch.Tensor:
        if text not in self._descriptions:
            if len(self._descriptions) >= 1024:  # registries are small; a bound keeps it so
                self._descriptions.clear()
            self._descriptions[text] = self.embed([text]).float().cpu()[0]
        return self._descriptions[text]


def route_plan(
    plan: Plan,
    registry: WorkerRegistry,
    preference: RoutingPreference,
    router: Router | None = None,
) -> Plan:
    """``plan`` with each sub-task's worker (and fallbacks) chosen for ``preference``.

    Sub-tasks are routed in topological order so a ``max_usd`` cap is shared out as the
    executor spends it: each may spend what is left once the cheapest capable worker of every
    later sub-task is set aside. Each sub-task keeps as many fallbacks as it had, re-ranked: its
    alternatives are the chosen worker followed by that many others.
    """
    order = plan.topological_order()
    position = {s.id: i for i, s in enumerate(order)}
    names_of = [registry.capable(s.task_type) for s in order]
    usd_of = [
        np.array(
            [
                estimate_call(
                    registry[n], {"instruction": plan.instruction, "description": s.description}
                )[0]
                for n in names
            ]
        )
        for s, names in zip(order, names_of, strict=True)
    ]
    cheapest = np.array([u.min() for u in usd_of])  # (n_subtasks,)
    later = cheapest[::-1].cumsum()[::-1] - cheapest  # the cheapest of every sub-task after each
    left = preference.max_usd
    routed: dict[str, SubTask] = {}
    for i, subtask in enumerate(order):
        names, usd = names_of[i], usd_of[i]
        if router is not None:
            context = node_context(
                max_nodes=router.max_nodes,
                position=i,
                n_nodes=len(order),
                dependencies=[position[d] for d in subtask.dependencies],
                budget_left=1.0 if left is None else left / max(preference.max_usd, 1e-12),
                cost_weight=preference.cost_weight,
                cost_weight_scale=preference.cost_weight_scale,
            )
            workers = [(registry[n].description, u) for n, u in zip(names, usd, strict=True)]
            utility = router.probabilities(plan.instruction, subtask, workers, context)
        else:
            utility = SUCCESS_VALUE * _prior(subtask, names) - preference.cost_weight * usd
        spendable = None if left is None else left - float(later[i])
        utility = np.where(_affordable(usd, spendable), utility, -np.inf)
        # Ties go to the plan's own choice, then to the registry's order.
        by_utility = sorted(
            range(len(names)), key=lambda k: (-utility[k], names[k] != subtask.worker)
        )
        ranked = [names[k] for k in by_utility if np.isfinite(utility[k])]
        # A hand-written plan lists only fallbacks; a planner's alternatives include its choice.
        fallbacks = len({a.worker for a in subtask.alternatives} - {subtask.worker})
        keep = 1 + fallbacks if subtask.alternatives else 0
        routed[subtask.id] = replace(
            subtask,
            worker=ranked[0],
            alternatives=tuple(
                Alternative(n, round(float(utility[names.index(n)]), 4)) for n in ranked[:keep]
            ),
        )
        if left is not None:
            left -= float(usd[names.index(ranked[0])])
    return Plan(plan.instruction, tuple(routed[s.id] for s in plan.subtasks), plan.scores)


def _prior(subtask: SubTask, names: Sequence[str]) -> np.ndarray:
    """Quality prior of each capable worker: its score among the plan's alternatives.

    A chosen worker the plan does not score (a hand-written plan's, whose alternatives are
    its fallbacks) counts 1, or more if a fallback scores more, and unlisted workers 0, so a
    cheaper worker replaces it only when the price gap outweighs a whole success.
    """
    scores = {a.worker: a.score for a in subtask.alternatives}
    if subtask.worker not in scores:  # a hand-written choice ranks above its own fallbacks
        scores[subtask.worker] = max([1.0, *scores.values()])
    return np.array([max(scores.get(n, 0.0), 0.0) for n in names])


def _affordable(usd: np.ndarray, left: float | None) -> np.ndarray:
    """Workers whose estimated call fits in what is left; the cheapest always stays."""
    if left is None:
        return np.ones(len(usd), dtype=bool)
    fits = usd <= left + 1e-12
    if not fits.any():
        fits[usd.argmin()] = True
    return fits
