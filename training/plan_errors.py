"""Where a planner goes wrong: each prediction sorted into one kind of error, with the tools behind it.

The planning metrics say how often a plan is right; this says what the wrong ones did, so the
next change can aim at the largest kind. Tools and links are compared as sets, as the metrics do:

- ``exact``: the gold tools and the gold links.
- ``links``: the gold tools, other links (order or dependencies wrong).
- ``missing``: only gold tools, but not all of them (the plan stopped short).
- ``extra``: every gold tool and more.
- ``wrong``: at least one tool that is not in the gold plan and one gold tool missing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from .metrics import PredictedPlan, coerce_prediction
from .workflows import AnnotatedWorkflow

__all__ = ["ERROR_KINDS", "PlanErrors", "plan_errors"]

ERROR_KINDS = ("exact", "links", "missing", "extra", "wrong")


@dataclass
class PlanErrors:
    """Predictions counted by :data:`ERROR_KINDS`, and the tools behind the errors.

    Attributes:
        kinds: requests per kind.
        missing: gold tools a plan left out, counted over the ``missing`` and ``wrong`` requests.
        extra: tools a plan added, counted over the ``extra`` and ``wrong`` requests.
        swaps: (gold tool, tool used instead) of the ``wrong`` requests with exactly one of each.
    """

    kinds: Counter[str] = field(default_factory=Counter)
    missing: Counter[str] = field(default_factory=Counter)
    extra: Counter[str] = field(default_factory=Counter)
    swaps: Counter[tuple[str, str]] = field(default_factory=Counter)

    def add(self, prediction: PredictedPlan | None, gold: AnnotatedWorkflow) -> str:
        """Count one prediction; returns its kind."""
        nodes, links = coerce_prediction(prediction)
        predicted, expected = set(nodes), set(gold.node_names)
        left_out, added = expected - predicted, predicted - expected
        if not left_out and not added:
            kind = "exact" if set(links) == set(gold.named_links) else "links"
        else:
            kind = "wrong" if left_out and added else "missing" if left_out else "extra"
        self.kinds[kind] += 1
        # Sets iterate in an order that changes with the hash seed: tools tied on count would be
        # listed in another order on every run.
        self.missing.update(sorted(left_out))
        self.extra.update(sorted(added))
        if len(left_out) == len(added) == 1:
            self.swaps[(*left_out, *added)] += 1
        return kind

    def summary(self, top: int = 3) -> str:
        """One line: the share of each kind, then the commonest tools behind the errors."""
        n = sum(self.kinds.values())
        shares = ", ".join(f"{k} {100 * self.kinds[k] / n:.1f}%" for k in ERROR_KINDS)
        tops = [
            f"{title}: "
            + ", ".join(f"{_name(item)} {count}" for item, count in counter.most_common(top))
            for title, counter in (
                ("left out", self.missing),
                ("added", self.extra),
                ("swapped", self.swaps),
            )
            if counter
        ]
        return "; ".join([f"{n} requests: {shares}", *tops])

    def to_dict(self) -> dict:
        return {
            "kinds": {k: self.kinds[k] for k in ERROR_KINDS},
            "missing": dict(self.missing.most_common()),
            "extra": dict(self.extra.most_common()),
            "swaps": [[gold, used, n] for (gold, used), n in self.swaps.most_common()],
        }


def _name(item: str | tuple[str, str]) -> str:
    return item if isinstance(item, str) else f"{item[0]} -> {item[1]}"


def plan_errors(
    predictions: Sequence[PredictedPlan | None], gold: Sequence[AnnotatedWorkflow]
) -> PlanErrors:
    """Sort each prediction (matched to ``gold`` by position) into its kind of error.

    Raises:
        ValueError: the two sequences differ in length.
    """
    if len(predictions) != len(gold):
        raise ValueError(f"got {len(predictions)} predictions for {len(gold)} gold workflows")
    errors = PlanErrors()
    for prediction, workflow in zip(predictions, gold, strict=True):
        errors.add(prediction, workflow)
    return errors
