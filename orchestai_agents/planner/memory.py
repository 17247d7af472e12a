"""Plan memory: the plans of the most similar training requests, as a prior for the decomposer.

Retrieval alone (copy the nearest request's plan) is a strong planner on tool-use data; the
decomposer reads the retrieved plans as features instead of copying them. For the k nearest
training requests (cosine of mean-pooled encoder embeddings) it gets, per task type, the
similarity-weighted share of neighbours whose plan contains it, and contains it at the current
step, plus the share whose plan ends at the current step. Learned weights decide how much to trust
them. Types are stored by name, so the memory also applies to a new inventory that shares names.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn
from torch.nn import functional as F

from orchestai_agents.planner.config import MemoryConfig
from orchestai_agents.planner.half import HalfLinear

__all__ = ["PlanMemory", "PlanPrior"]


class PlanPrior(NamedTuple):
    """Additive biases for the decomposer's logits.

    Shapes:
        types: (batch, steps, n_types); stop: (batch, steps)
    """

    types: torch.Tensor
    stop: torch.Tensor


class PlanMemory(nn.Module):
    """Request embeddings and plans of the training set, stored as buffers in the checkpoint.

    Shapes:
        keys: (size, enc) unit-length request embeddings
        plans: (size, max_len) task-type indices into ``config.inventory`` order, -1 padded
    """

    def __init__(self, config: MemoryConfig, encoder_size: int) -> None:
        super().__init__()
        self.config = config
        self.register_buffer("keys", torch.zeros(config.size, encoder_size, dtype=torch.float16))
        self._keys: torch.Tensor | None = None  # float, transposed copy of the keys
        self._half: HalfLinear | None = None  # the keys packed for fbgemm's fp16 kernel
        self.register_buffer(
            "plans", torch.full((config.size, config.max_len), -1, dtype=torch.long)
        )
        self.type_weight = nn.Parameter(torch.tensor(2.0))
        self.step_weight = nn.Parameter(torch.tensor(2.0))
        self.stop_weight = nn.Parameter(torch.tensor(2.0))
        self.log_temperature = nn.Parameter(torch.tensor(-3.0))

    def _load_from_state_dict(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        self._keys = self._half = None  # new stored keys: drop the inference copies
        super()._load_from_state_dict(*args, **kwargs)

    @property
    def enabled(self) -> bool:
        return self.config.size > 0 and self.config.neighbours > 0

    @torch.no_grad()
    def fill(self, embeddings: torch.Tensor, plans: torch.Tensor) -> None:
        """Store the training set; embeddings (size, enc), plans (size, <= max_len) with -1 padding."""
        if embeddings.shape[0] != self.config.size:
            raise ValueError(f"memory holds {self.config.size} plans, got {embeddings.shape[0]}")
        self.keys.copy_(F.normalize(embeddings.float(), dim=-1).to(self.keys.dtype))
        self._keys = self._half = None
        self.plans.fill_(-1)
        self.plans[:, : plans.shape[1]] = plans[:, : self.config.max_len]

    def _similarities(self, queries: torch.Tensor, half: bool) -> torch.Tensor:
        """Cosine of unit-length ``queries`` (batch, enc) with every key -> (batch, size)."""
        if half:
            packed = self._half  # read once: loading weights in another thread may drop it
            if packed is None:
                packed = self._half = HalfLinear(self.keys)
            return packed(queries)
        if (
            self._keys is None
            or self._keys.device != self.keys.device
            # made under inference_mode (planning), it cannot take part in training's autograd
            or (self._keys.is_inference() and not torch.is_inference_mode_enabled())
        ):
            # (enc, size); fill() and loading a state dict drop it, so it follows the stored keys
            self._keys = self.keys.float().T.contiguous()
        return queries @ self._keys

    def prior(
        self,
        pooled: torch.Tensor,
        type_map: torch.Tensor,
        n_types: int,
        steps: int,
        exclude: torch.Tensor | None = None,
        *,
        half: bool = False,
    ) -> PlanPrior:
        """Biases for ``steps`` decoding steps.

        Args:
            pooled: (batch, enc) request embeddings.
            type_map: (memory types,) index of each stored type in the current inventory, -1 if absent.
            exclude: (batch,) memory row of the request itself (training), -1 for none.
            half: compare with the keys through fbgemm's fp16 kernel (CPU inference; see
                :mod:`~orchestai_agents.planner.half`). The keys are stored as fp16, so this is
                the same product as in float32, reading half the bytes.
        """
        sims = self._similarities(F.normalize(pooled.float(), dim=-1), half)  # (batch, size)
        if exclude is not None:
            sims = sims.masked_fill(
                F.one_hot(exclude.clamp(min=0), sims.shape[1]).bool() & (exclude >= 0)[:, None],
                -2.0,
            )
        k = min(self.config.neighbours, sims.shape[1])
        top, idx = sims.topk(k, dim=-1)  # (batch, k)
        weights = torch.softmax(top / self.log_temperature.exp(), dim=-1)
        stored = self.plans[idx]  # (batch, k, max_len)
        # Each stored step's column in the inventory; steps past a plan's end and types the
        # inventory lacks go to an extra column, cut off below.
        column = type_map[stored.clamp(min=0)]
        column = torch.where((stored >= 0) & (column >= 0), column, n_types)
        batch, neighbours, width = column.shape
        # Scattered rather than summed over one-hot rows (batch, k, max_len, types), which would
        # hold 32 x 8 x 20 x 2,579 = 13 million entries per training batch of the joint data sets.
        at_step = weights.new_zeros(batch, width, n_types + 1).scatter_add(
            2, column.transpose(1, 2), weights.unsqueeze(1).expand(-1, width, -1)
        )[..., :n_types]  # (batch, max_len, types)
        named = weights.new_zeros(batch, neighbours, n_types + 1).scatter(2, column, 1.0)
        anywhere = torch.einsum("bk,bkt->bt", weights, named[..., :n_types])  # (batch, types)
        length = (stored >= 0).sum(-1)  # (batch, k)
        ends = torch.einsum(
            "bk,bks->bs", weights, F.one_hot(length, self.config.max_len + 1).float()
        )
        at_step = F.pad(at_step, (0, 0, 0, max(0, steps - at_step.shape[1])))[:, :steps]
        ends = F.pad(ends, (0, max(0, steps - ends.shape[1])))[:, :steps]
        types = self.type_weight * anywhere.unsqueeze(1) + self.step_weight * at_step
        return PlanPrior(types, self.stop_weight * ends)
