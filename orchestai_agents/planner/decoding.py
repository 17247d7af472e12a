"""Beam search over sub-task type sequences (repeats masked, stop scored by the stop head)."""

from __future__ import annotations

import torch
from torch.nn import functional as F

from orchestai_agents.planner.decomposer import Decomposer
from orchestai_agents.planner.memory import PlanPrior

__all__ = ["beam_search"]


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
) -> list[list[int]]:
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
    h, c = decomposer.initial_state(pooled)  # (1, batch, hidden)
    state = (h.repeat_interleave(k, 1), c.repeat_interleave(k, 1))
    scores = torch.full((batch, k), float("-inf"), device=pooled.device)
    scores[:, 0] = 0.0  # one live beam at the start
    seqs = torch.zeros(batch, k, 0, dtype=torch.long, device=pooled.device)
    used = torch.zeros(batch, k, n_types, dtype=torch.bool, device=pooled.device)
    inputs = decomposer.start.expand(batch * k, 1, -1)
    best: list[tuple[float, list[int]]] = [(float("-inf"), []) for _ in range(batch)]
    for step in range(max_steps + 1):
        _, logits, stop, _, state = decomposer.run(inputs, state, memory, memory_mask, keys)
        logits, stop = logits[:, 0].view(batch, k, n_types), stop[:, 0].view(batch, k)
        if prior is not None:
            logits, stop = logits + prior.types[:, step, None], stop + prior.stop[:, step, None]
        if (
            step > 0
        ):  # finishing here; at the cap finishing is forced, so the stop head is not asked
            finished = scores + (F.logsigmoid(stop) if step < max_steps else 0.0)
            _record(best, finished, seqs)
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
        used = used.gather(1, parent.unsqueeze(-1).expand(-1, -1, n_types))  # a new tensor
        used.scatter_(2, chosen.unsqueeze(-1), True)
        inputs = keys[chosen.view(-1)].unsqueeze(1)
    return [seq for _, seq in best]


def _record(
    best: list[tuple[float, list[int]]], finished: torch.Tensor, seqs: torch.Tensor
) -> None:
    top, idx = finished.max(dim=-1)
    for b, (score, i) in enumerate(zip(top.tolist(), idx.tolist(), strict=True)):
        if score > best[b][0]:
            best[b] = (score, seqs[b, i].tolist())


def _done(best: list[tuple[float, list[int]]], live: torch.Tensor) -> bool:
    # Live scores only fall as sequences grow, so a finished one above every live beam has won.
    return all(
        score >= top for (score, _), top in zip(best, live.max(-1).values.tolist(), strict=True)
    )
