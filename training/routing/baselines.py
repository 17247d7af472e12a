"""Reference routers: fixed models, per-task models, a kNN router, random choice and the oracle.

Every router maps test rows to model indices. Routers with a cost knob take ``cost_weight`` in
the reward's units (USD weight per unit of success), so their sweeps line up with the selector's.
"""

from __future__ import annotations

import numpy as np
from orchestai_agents.training.routing.outcomes import OutcomeTable

__all__ = ["KNNRouter", "PerTaskRouter", "oracle_choices", "random_point"]


class PerTaskRouter:
    """One fixed model per task label (a static pipeline), chosen on the train rows.

    With ``cost_weight`` 0 this is the best single model per task (ties go to the cheaper).
    """

    def __init__(self, train: OutcomeTable) -> None:
        self.tasks = sorted(set(train.tasks))
        labels = np.array(train.tasks)
        self.accuracy = np.stack(
            [train.success[labels == t].mean(0) for t in self.tasks]
        )  # (tasks, models)
        self.usd = np.stack([train.cost[labels == t].mean(0) for t in self.tasks])
        self.fallback = (train.success.mean(0), train.cost.mean(0))

    def models(self, cost_weight: float = 0.0) -> dict[str, int]:
        """The model index per task at this cost weight."""
        scores = self.accuracy - cost_weight * self.usd - 1e-9 * self.usd  # tie-break on price
        return {t: int(scores[i].argmax()) for i, t in enumerate(self.tasks)}

    def route(self, table: OutcomeTable, cost_weight: float = 0.0) -> np.ndarray:
        chosen = self.models(cost_weight)
        acc, usd = self.fallback
        default = int((acc - cost_weight * usd).argmax())
        return np.array([chosen.get(t, default) for t in table.tasks])


class KNNRouter:
    """Predict each model's accuracy and cost as their mean over the k nearest train prompts
    (cosine similarity of embeddings), then pick argmax(accuracy - cost_weight * cost).

    ``k`` is clipped to the number of train rows (all of them are the neighbours then).
    """

    def __init__(self, train: OutcomeTable, train_embeddings: np.ndarray, k: int = 40) -> None:
        self.train, self.embeddings, self.k = train, train_embeddings, min(k, len(train))

    def predict(self, embeddings: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(rows, models) predicted accuracy and USD."""
        similarity = embeddings @ self.embeddings.T  # (rows, train rows)
        nearest = np.argpartition(-similarity, self.k - 1, axis=1)[:, : self.k]
        return self.train.success[nearest].mean(1), self.train.cost[nearest].mean(1)

    def route(self, embeddings: np.ndarray, cost_weight: float = 0.0) -> np.ndarray:
        accuracy, usd = self.predict(embeddings)
        return (accuracy - cost_weight * usd).argmax(1)


def oracle_choices(table: OutcomeTable) -> np.ndarray:
    """The cheapest model that succeeds on each row; the cheapest model when none does."""
    usd = np.where(table.success, table.cost, np.inf)
    return np.where(table.success.any(1), usd.argmin(1), table.cost.argmin(1))


def random_point(table: OutcomeTable) -> tuple[float, float]:
    """Expected (accuracy, USD) of picking a model uniformly at random per row."""
    return float(table.success.mean()), float(table.cost.mean(1).sum())
