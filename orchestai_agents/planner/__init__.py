"""The learned planner: encoder, decomposer, graph and worker selector."""

from orchestai_agents.planner.selector import Selector, SelectorConfig, SelectorOutput

__all__ = ["Selector", "SelectorConfig", "SelectorOutput"]
