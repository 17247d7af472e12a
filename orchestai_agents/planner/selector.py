"""The worker selector: an actor-critic head that scores workers for one sub-task.

The state is the instruction embedding, the sub-task (node) embedding and optional context
features (graph position, budget left, the caller's cost preference). Workers are scored by
their description embeddings, so workers unseen in training can be scored at inference
(open vocabulary). Logits of workers that cannot do the task are masked out.

Phase 1 trains it with cross-entropy on the gold worker; phase 2 (``training/phase2.py``)
fine-tunes the same weights with PPO, and the result is written back as safetensors.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import NamedTuple

import torch
from torch import nn

from orchestai_agents._internal._files import write_replacing, write_text_replacing
from orchestai_agents.errors import CheckpointError, ConfigError

__all__ = [
    "DEFAULT_COST_WEIGHT_SCALE",
    "MASKED_LOGIT",
    "SELECTOR_CONFIG_FILE",
    "SELECTOR_WEIGHTS_FILE",
    "Selector",
    "SelectorConfig",
    "SelectorOutput",
    "context_width",
    "cost_preference",
    "load_selector",
    "node_context",
    "save_selector",
]

# sb3-contrib masks with the same constant, so re-masking a Selector's logits changes nothing.
MASKED_LOGIT = -1e8
SELECTOR_WEIGHTS_FILE = "selector.safetensors"
SELECTOR_CONFIG_FILE = "selector_config.json"
# The cost weight (USD weight against a success worth 10) that maps to preference 1.0.
DEFAULT_COST_WEIGHT_SCALE = 3e4


@dataclass(frozen=True)
class SelectorConfig:
    """Sizes of the selector.

    Attributes:
        instruction_dim: width of the instruction embedding (384 for MiniLM).
        node_dim: width of a sub-task embedding.
        worker_dim: width of a worker's feature vector: its description embedding, plus any
            numeric worker features the caller appends (e.g. log price).
        context_dim: width of the extra state features, 0 when the state is only instruction and
            node; :func:`context_width` gives it for workflows of up to ``max_nodes`` sub-tasks
            and :func:`node_context` builds it (graph context, budget left, cost preference).
        hidden: width of the state, worker and pair representations.
        dropout: dropout on the state representation while training.
    """

    instruction_dim: int = 384
    node_dim: int = 384
    worker_dim: int = 384
    context_dim: int = 0
    hidden: int = 256
    dropout: float = 0.0

    def __post_init__(self) -> None:
        for name in ("instruction_dim", "node_dim", "worker_dim", "hidden"):
            if getattr(self, name) < 1:
                raise ConfigError(f"SelectorConfig.{name} must be >= 1, got {getattr(self, name)}")
        if self.context_dim < 0:
            raise ConfigError(f"SelectorConfig.context_dim must be >= 0, got {self.context_dim}")
        if not 0.0 <= self.dropout < 1.0:
            raise ConfigError(f"SelectorConfig.dropout must lie in [0, 1), got {self.dropout}")

    @property
    def state_dim(self) -> int:
        """Width of the concatenated state input."""
        return self.instruction_dim + self.node_dim + self.context_dim


class SelectorOutput(NamedTuple):
    """What the selector returns.

    Shapes:
        logits: (batch, n_workers), ``MASKED_LOGIT`` where the mask is False
        value: (batch,), the critic's estimate of the return from this state
    """

    logits: torch.Tensor
    value: torch.Tensor


class Selector(nn.Module):
    """Scores every worker for a sub-task and estimates the state's value.

    A state tower encodes (instruction, node, context); a worker tower encodes each worker's
    features; a pair MLP scores every (state, worker) pair. The critic reads the state only.

    Shapes:
        instruction: (batch, instruction_dim)
        node: (batch, node_dim)
        workers: (n_workers, worker_dim), shared by the batch
        mask: (batch, n_workers) bool, True where the worker can do the sub-task
        context: (batch, context_dim), required when ``context_dim > 0``

    Example:
        >>> sel = Selector(SelectorConfig(instruction_dim=8, node_dim=8, worker_dim=4, hidden=16))
        >>> out = sel(torch.zeros(2, 8), torch.zeros(2, 8), torch.randn(3, 4),
        ...           torch.tensor([[True, False, True], [True, True, True]]))
        >>> out.logits.shape, out.value.shape
        (torch.Size([2, 3]), torch.Size([2]))
    """

    def __init__(self, config: SelectorConfig) -> None:
        super().__init__()
        self.config = config
        h = config.hidden
        self.state_net = nn.Sequential(
            nn.Linear(config.state_dim, h),
            nn.GELU(),
            nn.Dropout(config.dropout),
            nn.Linear(h, h),
            nn.GELU(),
        )
        self.worker_net = nn.Sequential(nn.Linear(config.worker_dim, h), nn.GELU(), nn.Linear(h, h))
        self.pair_state = nn.Linear(h, h)
        self.pair_worker = nn.Linear(h, h, bias=False)
        self.score = nn.Linear(h, 1)
        self.value_head = nn.Sequential(nn.Linear(h, h), nn.GELU(), nn.Linear(h, 1))

    def forward(
        self,
        instruction: torch.Tensor,
        node: torch.Tensor,
        workers: torch.Tensor,
        mask: torch.Tensor,
        context: torch.Tensor | None = None,
    ) -> SelectorOutput:
        parts = [instruction, node]
        if self.config.context_dim:
            if context is None:
                raise ValueError(
                    f"this selector reads {self.config.context_dim} context features; pass context="
                )
            parts.append(context)
        state = self.state_net(torch.cat(parts, dim=-1))  # (batch, hidden)
        worker = self.worker_net(workers)  # (n_workers, hidden)
        # (batch, n_workers, hidden): additive terms give per-worker biases, the product gives
        # state-worker interactions (which worker suits this prompt at this cost preference).
        pair = (
            self.pair_state(state)[:, None]
            + self.pair_worker(worker)[None]
            + state[:, None] * worker[None]
        )
        logits = self.score(nn.functional.gelu(pair)).squeeze(-1)  # (batch, n_workers)
        logits = logits.masked_fill(~mask.bool(), MASKED_LOGIT)
        return SelectorOutput(logits, self.value_head(state).squeeze(-1))


def context_width(max_nodes: int) -> int:
    """``context_dim`` of a selector that reads :func:`node_context` for ``max_nodes`` sub-tasks."""
    return 2 * max_nodes + 4


def cost_preference(cost_weight: float, scale: float = DEFAULT_COST_WEIGHT_SCALE) -> float:
    """A cost weight (USD weight per unit of success) as the selector sees it: log-scaled to [0, 1]."""
    return min(math.log1p(max(cost_weight, 0.0)) / math.log1p(scale), 1.0)


def node_context(
    *,
    max_nodes: int,
    position: int,
    n_nodes: int,
    dependencies: Sequence[int] = (),
    budget_left: float = 1.0,
    cost_weight: float = 0.0,
    cost_weight_scale: float = DEFAULT_COST_WEIGHT_SCALE,
) -> list[float]:
    """The selector's context for sub-task ``position`` of a workflow routed in topological order.

    Layout (``context_width(max_nodes)`` values): which earlier slots the node depends on
    (max_nodes), which slots are already routed (max_nodes), position / max_nodes,
    n_nodes / max_nodes, the fraction of the USD budget left, and :func:`cost_preference`.
    The cost weight is the call-time knob: one trained selector serves every preference.
    Every value lies in [0, 1]: a workflow longer than ``max_nodes`` reads as one of
    ``max_nodes`` at its last slot, and an overspent budget as none left, the same in training
    (the environment, phase 3) and at call time (:func:`route_plan`).
    """
    position, n_nodes = min(position, max_nodes - 1), min(n_nodes, max_nodes)
    deps = [0.0] * max_nodes
    for d in dependencies:
        if d < max_nodes:
            deps[d] = 1.0
    routed = [1.0 if i < position else 0.0 for i in range(max_nodes)]
    return [
        *deps,
        *routed,
        position / max_nodes,
        n_nodes / max_nodes,
        min(max(budget_left, 0.0), 1.0),
        cost_preference(cost_weight, cost_weight_scale),
    ]


def save_selector(selector: Selector, folder: str | Path) -> Path:
    """Write ``selector.safetensors`` and ``selector_config.json`` into ``folder``.

    Each file is written beside its final name and moved into place with ``os.replace``, so an
    interrupted save leaves the selector that was there loadable.
    """
    from safetensors.torch import save_file

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().cpu().contiguous() for k, v in selector.state_dict().items()}
    config = json.dumps(asdict(selector.config), indent=2) + "\n"
    write_replacing(
        folder / SELECTOR_WEIGHTS_FILE,
        lambda temp: save_file(state, str(temp), metadata={"format": "pt"}),
    )
    write_text_replacing(folder / SELECTOR_CONFIG_FILE, config)
    return folder


def load_selector(folder: str | Path, *, map_location: str | torch.device = "cpu") -> Selector:
    """Build a :class:`Selector` from a folder written by :func:`save_selector` (strict load).

    Raises:
        CheckpointError: if a file is missing, unreadable or the weights do not match the
            config; the message points at the copy ``orchestai learn`` keeps in ``previous/``
            when there is one.
    """
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    folder = Path(folder)
    weights, config_file = folder / SELECTOR_WEIGHTS_FILE, folder / SELECTOR_CONFIG_FILE
    for path in (weights, config_file):
        if not path.is_file():
            raise CheckpointError(
                f"{path} is missing; train a selector into it with `orchestai route --data "
                f"TABLE --checkpoint {folder!s}` (or save_selector in Python)"
            )
    try:
        config = SelectorConfig(**json.loads(config_file.read_text()))
    except (TypeError, ValueError) as exc:
        raise CheckpointError(
            f"{config_file} is not a valid SelectorConfig: {exc}; {_restore_hint(folder)}"
        ) from exc
    selector = Selector(config)
    try:
        state = load_file(str(weights), device=str(map_location))
    except SafetensorError as exc:  # a truncated or overwritten file
        raise CheckpointError(
            f"{weights} is not a readable safetensors file ({exc}); {_restore_hint(folder)}"
        ) from exc
    try:
        selector.load_state_dict(state, strict=True)
    except RuntimeError as exc:
        raise CheckpointError(
            f"{weights} does not match {config_file}: {exc}; {_restore_hint(folder)}"
        ) from exc
    return selector


def _restore_hint(folder: Path) -> str:
    previous = folder / "previous"
    if (previous / SELECTOR_WEIGHTS_FILE).is_file():
        return f"the previous selector is in {previous}: copy its files into {folder}"
    return "write the selector again (orchestai route, or save_selector)"
