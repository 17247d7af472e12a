"""The decomposer: an LSTM that emits sub-tasks one at a time, attending over the instruction.

Task types are scored against embeddings of their descriptions (open vocabulary): the type head is a
cosine similarity between the step state and each type's projected description embedding, so a new
inventory needs no new weights.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch
from torch import nn
from torch.nn import functional as F

from orchestai_agents.planner.config import DecomposerConfig
from orchestai_agents.planner.memory import PlanPrior

__all__ = ["Decomposer", "DecomposerSteps", "TokenAttention"]


class TokenAttention(nn.Module):
    """Multi-head attention from step states straight onto the encoder's token states.

    Standard attention's key and value projections are folded into the query and output
    projections (``q.(W_k t) = (W_k^T q).t`` and ``W_o sum(a W_v t) = (W_o W_v) sum(a t)``), so
    nothing is computed per token: training and beam search cost O(steps * seq * enc), not
    O(seq * enc * hidden) per step.

    Shapes:
        query (batch, steps, hidden), tokens (batch, seq, enc), mask (batch, seq)
        -> context (batch, steps, hidden), weights (batch, steps, seq) averaged over heads
    """

    def __init__(self, hidden: int, encoder_size: int, heads: int) -> None:
        super().__init__()
        self.heads, self.encoder_size = heads, encoder_size
        self.query = nn.Linear(hidden, heads * encoder_size)
        self.out = nn.Linear(heads * encoder_size, hidden)

    def forward(
        self, query: torch.Tensor, tokens: torch.Tensor, mask: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        batch, steps, _ = query.shape
        # Heads go beside the steps, so both products are plain bmm without broadcasting copies.
        q = self.query(query).reshape(batch, steps * self.heads, self.encoder_size)
        scores = (
            q @ tokens.transpose(1, 2) / math.sqrt(self.encoder_size)
        )  # (batch, steps*heads, seq)
        weights = torch.softmax(scores.masked_fill(~mask.bool()[:, None], float("-inf")), dim=-1)
        context = (weights @ tokens).reshape(batch, steps, self.heads * self.encoder_size)
        return self.out(context), weights.view(batch, steps, self.heads, -1).mean(2)


class DecomposerSteps(NamedTuple):
    """Per-step outputs of the decomposer for a (teacher-forced or decoded) sequence.

    Shapes:
        type_logits: (batch, steps, n_types); step t scores the type of sub-task t
        stop_logits: (batch, steps); step t says "stop before sub-task t"
        nodes: (batch, steps - 1, hidden) embedding of sub-task t (state + its type)
        dep_logits: (batch, steps - 1, steps - 1); [b, i, j] scores "i depends on j", meaningful for j < i
        complexity: (batch, steps - 1) in [0, 1]
        attention: (batch, steps, seq) where each step looked in the instruction
    """

    type_logits: torch.Tensor
    stop_logits: torch.Tensor
    nodes: torch.Tensor
    dep_logits: torch.Tensor
    complexity: torch.Tensor
    attention: torch.Tensor


class Decomposer(nn.Module):
    """LSTM decoder over the instruction with heads for type, stop, dependencies and complexity.

    Args:
        config: sizes and decoding options.
        encoder_size: width of the encoder's token and description embeddings.
        known_types: size of the training inventory (rows of the learned type embeddings).
    """

    def __init__(self, config: DecomposerConfig, encoder_size: int, known_types: int = 0) -> None:
        super().__init__()
        d = config.hidden_size
        self.config = config
        self.type_proj = nn.Sequential(nn.Linear(encoder_size, d), nn.GELU(), nn.Linear(d, d))
        rows = known_types if config.known_type_embeddings else 0
        self.known_types = nn.Embedding(
            rows + 1, d, padding_idx=rows
        )  # last row: unknown type, zero
        nn.init.zeros_(self.known_types.weight)
        self.init_state = nn.Linear(encoder_size, 2 * d)
        self.start = nn.Parameter(torch.zeros(d))
        self.lstm = nn.LSTM(d, d, batch_first=True)
        self.attention = TokenAttention(d, encoder_size, config.attention_heads)
        self.step = nn.Sequential(
            nn.Linear(2 * d, d), nn.GELU(), nn.Dropout(config.dropout), nn.Linear(d, d)
        )
        self.logit_scale = nn.Parameter(torch.tensor(math.log(20.0)))
        self.stop_head = nn.Linear(d, 1)
        self.node = nn.Sequential(nn.Linear(2 * d, d), nn.GELU(), nn.Linear(d, d))
        self.dep_query = nn.Linear(d, d)
        self.dep_key = nn.Linear(d, d)
        self.complexity_head = nn.Linear(d, 1)
        self.match_weight = nn.Parameter(torch.tensor(5.0 if config.lexical_match else 0.0))

    def type_keys(
        self, type_embeddings: torch.Tensor, known: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Keys of the task types, unit length.

        Shapes:
            type_embeddings: (n_types, enc); known: (n_types,) row of each type in the training
            inventory, -1 for a new type -> (n_types, hidden)
        """
        keys = self.type_proj(type_embeddings)
        if known is not None:
            unknown = self.known_types.num_embeddings - 1
            keys = keys + self.known_types(
                torch.where(known >= 0, known, unknown).clamp(max=unknown)
            )
        return F.normalize(keys, dim=-1)

    def initial_state(self, pooled: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h, c = torch.tanh(self.init_state(pooled)).chunk(2, dim=-1)  # (batch, hidden) each
        return h.unsqueeze(0).contiguous(), c.unsqueeze(0).contiguous()

    def run(
        self,
        inputs: torch.Tensor,
        state: tuple[torch.Tensor, torch.Tensor],
        memory: torch.Tensor,
        memory_mask: torch.Tensor,
        keys: torch.Tensor,
    ) -> tuple[
        torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, tuple[torch.Tensor, torch.Tensor]
    ]:
        """Advance the LSTM over ``inputs`` and score types and stopping.

        Shapes:
            inputs: (rows, steps, hidden) the previous sub-task's type key (or the start vector);
                rows = batch, or batch * beams with each instruction's beams adjacent
            memory: (batch, seq, enc) token states, memory_mask: (batch, seq) true for real tokens
            keys: (n_types, hidden)
            returns states (batch, steps, hidden), type logits (batch, steps, n_types),
            stop logits (batch, steps), attention (batch, steps, seq) and the LSTM state
        """
        # One decoding step: the fused cell is ~10x faster. A half_copy's LSTM is a HalfLSTM.
        if isinstance(self.lstm, nn.LSTM) and inputs.shape[1] == 1 and not self.training:
            lstm = self.lstm
            h, c = torch.lstm_cell(
                inputs[:, 0],
                (state[0][0], state[1][0]),
                lstm.weight_ih_l0,
                lstm.weight_hh_l0,
                lstm.bias_ih_l0,
                lstm.bias_hh_l0,
            )
            out, state = h.unsqueeze(1), (h.unsqueeze(0), c.unsqueeze(0))
        else:
            out, state = self.lstm(inputs, state)  # (rows, steps, hidden)
        # Rows may be beams of the same instruction (rows = batch * beams, one step each): they
        # share one memory entry instead of copies of it.
        beams = out.shape[0] // memory.shape[0]
        query = out.reshape(memory.shape[0], beams * out.shape[1], -1)
        context, attention = self.attention(query, memory, memory_mask)
        context, attention = context.reshape(out.shape), attention.reshape(*out.shape[:2], -1)
        states = self.step(torch.cat([out, context], dim=-1))  # (batch, steps, hidden)
        logits = self.logit_scale.exp() * F.normalize(states, dim=-1) @ keys.T
        return states, logits, self.stop_head(states).squeeze(-1), attention, state

    @staticmethod
    def chosen_keys(keys: torch.Tensor, type_ids: torch.Tensor) -> torch.Tensor:
        """Each sub-task's type key, zero after a sequence's end.

        Shapes:
            keys: (n_types, hidden); type_ids: (batch, n) with -100 after the end -> (batch, n, hidden)
        """
        return keys[type_ids.clamp(min=0)] * (type_ids >= 0).unsqueeze(-1)

    def heads(
        self, states: torch.Tensor, chosen_keys: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Node embeddings, dependency logits and complexity for the emitted sub-tasks.

        Shapes:
            states, chosen_keys: (batch, n, hidden) -> nodes (batch, n, hidden),
            dep logits (batch, n, n), complexity (batch, n)
        """
        nodes = self.node(torch.cat([states, chosen_keys], dim=-1))
        dep = (
            self.dep_query(nodes) @ self.dep_key(nodes).transpose(1, 2) / math.sqrt(nodes.shape[-1])
        )
        return nodes, dep, torch.sigmoid(self.complexity_head(nodes).squeeze(-1))

    def teacher_forced(
        self,
        pooled: torch.Tensor,
        memory: torch.Tensor,
        memory_mask: torch.Tensor,
        keys: torch.Tensor,
        type_ids: torch.Tensor,
        prior: PlanPrior | None = None,
    ) -> DecomposerSteps:
        """All steps given the gold types.

        Shapes:
            pooled: (batch, enc); type_ids: (batch, n) with -100 after the last sub-task
            returns steps = n + 1 (the last one can only stop)
        """
        batch = pooled.shape[0]
        chosen = self.chosen_keys(keys, type_ids)
        inputs = torch.cat([self.start.expand(batch, 1, -1), chosen], dim=1)  # (batch, n+1, hidden)
        states, logits, stop, attention, _ = self.run(
            inputs, self.initial_state(pooled), memory, memory_mask, keys
        )
        if prior is not None:
            logits, stop = logits + prior.types, stop + prior.stop
        nodes, dep, complexity = self.heads(states[:, :-1], chosen)
        return DecomposerSteps(logits, stop, nodes, dep, complexity, attention)
