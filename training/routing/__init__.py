"""Routing data: recorded outcome tables, their prompt embeddings, replay and live back-ends,
the phase-1 routing selector, baseline routers and routing metrics."""

from orchestai_agents.training.routing.backends import (
    EpisodeWorkflow,
    LiveBackend,
    NodeOutcome,
    OutcomeBackend,
    ReplayBackend,
)
from orchestai_agents.training.routing.outcomes import (
    OutcomeTable,
    load_outcome_table,
    load_routerbench,
)

__all__ = [
    "EpisodeWorkflow",
    "LiveBackend",
    "NodeOutcome",
    "OutcomeBackend",
    "OutcomeTable",
    "ReplayBackend",
    "load_outcome_table",
    "load_routerbench",
]
