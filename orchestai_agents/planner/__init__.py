"""The learned planner: encoder, decomposer, graph and worker selector."""

from orchestai_agents.planner.config import (
    DecomposerConfig,
    EncoderConfig,
    GraphConfig,
    PlannerConfig,
)
from orchestai_agents.planner.inventory import Inventory
from orchestai_agents.planner.model import Planner, PlannerOutput, PlanningTargets, PredictedGraph
from orchestai_agents.planner.routing import Router, RoutingPreference, route_plan
from orchestai_agents.planner.selector import Selector, SelectorConfig, SelectorOutput
from orchestai_agents.planner.shipped import DEFAULT_PLANNER_DIR, load_default_planner

__all__ = [
    "DEFAULT_PLANNER_DIR",
    "DecomposerConfig",
    "EncoderConfig",
    "GraphConfig",
    "Inventory",
    "Planner",
    "PlannerConfig",
    "PlannerOutput",
    "PlanningTargets",
    "PredictedGraph",
    "Router",
    "RoutingPreference",
    "Selector",
    "SelectorConfig",
    "SelectorOutput",
    "load_default_planner",
    "route_plan",
]
