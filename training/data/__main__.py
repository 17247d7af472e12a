"""``python -m orchestai_agents.training.data``: rewrite the built-in workflows data set."""

from orchestai_agents.training.data.builtin_workflows import write_builtin_workflows

write_builtin_workflows()
