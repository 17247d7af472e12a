"""The project's own annotated data: workflows over the built-in workers, for the default planner.

Rewrite the committed data set from its recipes with ``python -m orchestai_agents.training.data``.
"""

from orchestai_agents.training.data.builtin_workers import BUILTIN_WORKERS, builtin_worker_for
from orchestai_agents.training.data.builtin_workflows import load_builtin_workflows

__all__ = ["BUILTIN_WORKERS", "builtin_worker_for", "load_builtin_workflows"]
