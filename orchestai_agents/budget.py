"""Run budgets: USD and tokens, checked before every worker call.

LangGraph has no spending cap, so the executor enforces one. Before a call, the worker's cost
model estimates it (input tokens from the prompt's length, output tokens from the worker's
``expected_output_tokens``); the call goes ahead only if what is spent, plus what running calls
have reserved, plus this estimate stays within the budget. When a node finishes, its reservation
is replaced by what it really cost, so an overspend is bounded by the estimation errors of the
calls in flight at once (one call's error when nodes run one after another).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orchestai_agents.errors import BudgetExceededError
from orchestai_agents.registry import TEXT_FILE_SUFFIXES, Usage, WorkerSpec

__all__ = ["Budget", "BudgetLedger", "estimate_call"]

_CHARS_PER_TOKEN = 4
# Sums of prices are floats: 0.05 + 0.01 > 0.06. A budget of exactly n calls must admit n.
_USD_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Budget:
    """Limits for one run; ``None`` means no limit."""

    max_usd: float | None = None
    max_tokens: int | None = None

    def __post_init__(self) -> None:
        for name, kinds, what in (
            ("max_usd", (int, float), "a number of USD"),
            ("max_tokens", (int,), "a whole number of tokens"),
        ):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, kinds)):
                raise ValueError(f"Budget.{name} must be {what} or None, got {value!r}")
        if self.max_usd is not None and not (math.isfinite(self.max_usd) and self.max_usd >= 0):
            raise ValueError(f"Budget.max_usd must be a number >= 0, got {self.max_usd}")
        if self.max_tokens is not None and self.max_tokens < 0:
            raise ValueError(f"Budget.max_tokens must be >= 0, got {self.max_tokens}")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None, default: Budget | None = None) -> Budget:
        """A budget from its dict form; limits ``data`` leaves out are ``default``'s (none)."""
        data = data or {}
        if not isinstance(data, Mapping):
            raise ValueError(
                f"a budget is a mapping like {{'max_usd': 0.5, 'max_tokens': 20000}}, got {data!r}"
            )
        unknown = set(data) - {"max_usd", "max_tokens"}
        if unknown:
            raise ValueError(
                f"unknown budget field(s) {sorted(unknown)}; use max_usd and max_tokens"
            )
        base = default.to_dict() if default is not None else {}
        return cls(**{**base, **data})

    def to_dict(self) -> dict[str, Any]:
        return {"max_usd": self.max_usd, "max_tokens": self.max_tokens}


def estimate_call(spec: WorkerSpec, task_input: Mapping[str, Any]) -> tuple[float, int]:
    """(USD, tokens) a call of ``spec`` on ``task_input`` is expected to use.

    Workers that do not consume tokens (``expected_output_tokens == 0``: tools, functions)
    count only their per-call price. Dependency text counts up to the worker's
    ``max_context_chars``; a step without dependencies counts its .txt/.md inputs instead, by
    their size in bytes (chat workers put their text into such a step's prompt).
    """
    if spec.expected_output_tokens == 0:
        return spec.cost.usd_per_call, 0
    prompt_chars = len(str(task_input.get("instruction", ""))) + len(
        str(task_input.get("description", ""))
    )
    context = task_input.get("context", {})
    context_chars = (
        sum(len(str(c.get("text", ""))) for c in context.values())
        if context
        else sum(_text_file_size(p) for p in task_input.get("inputs", []))
    )
    if spec.max_context_chars is not None:
        context_chars = min(context_chars, spec.max_context_chars)
    prompt_chars += context_chars
    usage = Usage(prompt_chars // _CHARS_PER_TOKEN + 1, spec.expected_output_tokens)
    return spec.cost.cost(usage), usage.total_tokens


def _text_file_size(path: str) -> int:
    """Bytes of a .txt/.md input (at least its characters), 0 for other or missing files."""
    if Path(path).suffix.lower() not in TEXT_FILE_SUFFIXES:
        return 0
    try:
        return Path(path).stat().st_size
    except OSError:  # missing or unreadable: the worker says so, and sends no text
        return 0


class BudgetLedger:
    """What a run has spent and reserved; thread-safe.

    Example:
        >>> ledger = BudgetLedger(Budget(max_usd=1.0))
        >>> ledger.reserve("a", usd=0.6, tokens=0)
        >>> ledger.settle("a", usd=0.5, tokens=0)
        >>> ledger.spent_usd
        0.5
    """

    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self.spent_usd = 0.0
        self.spent_tokens = 0
        self.max_overspend_usd = 0.0
        self._reserved: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def reserve(self, node_id: str, *, usd: float, tokens: int) -> None:
        """Hold ``usd`` and ``tokens`` for a call of ``node_id``, or raise if they don't fit."""
        with self._lock:
            held_usd = sum(u for u, _ in self._reserved.values())
            held_tokens = sum(t for _, t in self._reserved.values())
            limit_usd, limit_tokens = self.budget.max_usd, self.budget.max_tokens
            if (
                limit_usd is not None
                and self.spent_usd + held_usd + usd > limit_usd + _USD_TOLERANCE
            ):
                raise BudgetExceededError(
                    f"node {node_id!r} would cost about ${usd:.6f}, but only "
                    f"${max(0.0, limit_usd - self.spent_usd - held_usd):.6f} of the ${limit_usd:.6f} budget is left; "
                    "raise max_usd or choose cheaper workers"
                )
            if limit_tokens is not None and self.spent_tokens + held_tokens + tokens > limit_tokens:
                raise BudgetExceededError(
                    f"node {node_id!r} would use about {tokens} tokens, but only "
                    f"{max(0, limit_tokens - self.spent_tokens - held_tokens)} of {limit_tokens} are left; "
                    "raise max_tokens or shorten the inputs"
                )
            self._reserved[node_id] = (usd, tokens)

    def release(self, node_id: str) -> None:
        """Drop a reservation whose call failed before costing anything."""
        with self._lock:
            self._reserved.pop(node_id, None)

    def book_reservation(self, node_id: str) -> tuple[float, int]:
        """Count a reservation as spent: the call was sent (and billed) but reported nothing.

        Returns the (usd, tokens) booked.
        """
        with self._lock:
            usd, tokens = self._reserved.pop(node_id, (0.0, 0))
            self.spent_usd += usd
            self.spent_tokens += tokens
        return usd, tokens

    def settle(self, node_id: str, *, usd: float, tokens: int) -> None:
        """Replace ``node_id``'s reservation (if any) by what it really cost."""
        with self._lock:
            reserved_usd, _ = self._reserved.pop(node_id, (usd, tokens))
            self.spent_usd += usd
            self.spent_tokens += tokens
            self.max_overspend_usd = max(self.max_overspend_usd, usd - reserved_usd)

    def remaining(self) -> dict[str, float | int | None]:
        with self._lock:
            usd = None if self.budget.max_usd is None else self.budget.max_usd - self.spent_usd
            tokens = (
                None
                if self.budget.max_tokens is None
                else self.budget.max_tokens - self.spent_tokens
            )
        return {"usd": usd, "tokens": tokens}
