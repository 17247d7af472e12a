"""Beam search over sub-task type sequences (repeats masked, stop scored by the stop head)."""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch.nn import functional as F

from orchestai_agents.planner.decomposer import Decomposer
from orchestai_agents.planner.memory import PlanPrior

__all__ = ["Decoded", "beam_search"]


class Decoded(NamedTuple):
    """The winning sequence per instruction, with what the decomposer computed along it.

    The step states are the ones teacher forcing on ``types`` would compute, so the heads can run
    on them without a second pass.

    Shapes:
        states: (batch, width, hidden) the state that chose each sub-task, zero after its end;
        attention: (batch, width, seq) where that step looked; width = the longest sequence
    """

    types: list[list[int]]
    states: torch.Tensor
    attention: torch.Tensor


class _Best(NamedTuple):
    score: float
    types: list[int]
    states: torch.Tensor | None  # (len, hidden)
    attention: torch.Tensor | None  # (len, seq)


@torch.no_grad()
def beam_search(
    decomposer: Decomposer,
    pooled: torch.Tensor,
    memory: torch.Tensor,
    memory_mask: torch.Tensor,
    keys: torch.Tensor,
    *,
    beam_size: int,
    max_steps: int,
    repeatable: torch.Tensor,
    prior: PlanPrior | None = None,
) -> Decoded:
    """The most likely type sequence per instruction, at least one sub-task long; a type that
    is not ``repeatable`` appears at most once.

    A sequence's score is the sum of log p(type) + log p(continue) over its steps plus log p(stop)
    at its end, so the stop head decides length without a length penalty.

    Shapes:
        pooled: (batch, enc); memory: (batch, seq, enc); memory_mask: (batch, seq); keys: (types, hidden)
        repeatable: (types,) bool
    """
    batch, n_types = pooled.shape[0], keys.shape[0]
    k = max(1, min(beam_size, n_types))
    max_steps = max_steps if repeatable.any() else min(max_steps, n_types)
    state = decomposer.initial_state(pooled)  # (1, batch, hidden)
    scores = torch.full((batch, k), float("-inf"), device=pooled.device)
    scores[:, 0] = 0.0  # one live beam at the start
    seqs = torch.zeros(batch, k, 0, dtype=torch.long, device=pooled.device)
    # Per beam, the step states and attention along its sequence: (batch, k, len, hidden / seq).
    trail = pooled.new_zeros(batch, k, 0, decomposer.start.shape[0])
    looks = pooled.new_zeros(batch, k, 0, memory.shape[1])
    used = torch.zeros(batch, k, n_types, dtype=torch.bool, device=pooled.device)
    inputs = decomposer.start.expand(batch, 1, -1)
    best = [_Best(float("-inf"), [], None, None) for _ in range(batch)]
    for step in range(max_steps + 1):
        states, logits, stop, attention, state = decomposer.run(
            inputs, state, memory, memory_mask, keys
        )
        if step == 0:  # the k beams start alike: one row each ran, now copied to all k
            states, logits, stop, attention = (
                t.repeat_interleave(k, 0) for t in (states, logits, stop, attention)
            )
            state = (state[0].repeat_interleave(k, 1), state[1].repeat_interleave(k, 1))
        logits, stop = logits[:, 0].view(batch, k, n_types), stop[:, 0].view(batch, k)
        if prior is not None:
            logits, stop = logits + prior.types[:, step, None], stop + prior.stop[:, step, None]
        if (
            step > 0
        ):  # finishing here; at the cap finishing is forced, so the stop head is not asked
            finished = scores + (F.logsigmoid(stop) if step < max_steps else 0.0)
            _record(best, finished, seqs, trail, looks)
        if step == max_steps:
            break
        step_scores = F.log_softmax(logits, dim=-1) + F.logsigmoid(-stop).unsqueeze(-1)
        step_scores = step_scores.masked_fill(used & ~repeatable, float("-inf"))
        total = (scores.unsqueeze(-1) + step_scores).view(batch, k * n_types)
        scores, flat = total.topk(k, dim=-1)  # (batch, k)
        parent, chosen = flat // n_types, flat % n_types
        if _done(best, scores):
            break
        rows = (parent + torch.arange(batch, device=pooled.device).unsqueeze(1) * k).view(-1)
        state = (state[0][:, rows], state[1][:, rows])
        seqs = torch.cat(
            [
                seqs.gather(1, parent.unsqueeze(-1).expand(-1, -1, seqs.shape[-1])),
                chosen.unsqueeze(-1),
            ],
            -1,
        )
        trail = _extend(trail, parent, states.view(batch, k, -1))
        looks = _extend(looks, parent, attention.view(batch, k, -1))
        used = used.gather(1, parent.unsqueeze(-1).expand(-1, -1, n_types))  # a new tensor
        used.scatter_(2, chosen.unsqueeze(-1), True)
        inputs = keys[chosen.view(-1)].unsqueeze(1)
    width = max(len(b.types) for b in best)
    out_states = trail.new_zeros(batch, width, trail.shape[-1])
    out_attention = looks.new_zeros(batch, width, looks.shape[-1])
    for i, b in enumerate(best):
        out_states[i, : len(b.types)] = b.states
        out_attention[i, : len(b.types)] = b.attention
    return Decoded([b.types for b in best], out_states, out_attention)


def _extend(history: torch.Tensor, parent: torch.Tensor, new: torch.Tensor) -> torch.Tensor:
    """Each new beam's history: its parent's, then its parent's ``new`` entry.

    Shapes:
        history: (batch, k, len, d); parent: (batch, k); new: (batch, k, d) -> (batch, k, len + 1, d)
    """
    kept = history.gather(1, parent[:, :, None, None].expand(-1, -1, *history.shape[2:]))
    added = new.gather(1, parent.unsqueeze(-1).expand(-1, -1, new.shape[-1]))
    return torch.cat([kept, added.unsqueeze(2)], 2)


def _record(
    best: list[_Best],
    finished: torch.Tensor,
    seqs: torch.Tensor,
    trail: torch.Tensor,
    looks: torch.Tensor,
) -> None:
    top, idx = finished.max(dim=-1)
    for b, (score, i) in enumerate(zip(top.tolist(), idx.tolist(), strict=True)):
        if score > best[b].score:
            best[b] = _Best(score, seqs[b, i].tolist(), trail[b, i], looks[b, i])


def _done(best: list[_Best], live: torch.Tensor) -> bool:
    # Live scores only fall as sequences grow, so a finished one above every live beam has won.
    return all(b.score >= top for b, top in zip(best, live.max(-1).values.tolist(), strict=True))
