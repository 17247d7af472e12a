"""The package's public surface is pinned, and importing it stays light."""

from __future__ import annotations

import json
import subprocess
import sys

import orchestai_agents

EXPORTED = [
    "AgentInput",
    "AgentState",
    "Alternative",
    "BUILTIN_TASK_TYPES",
    "BudgetExceededError",
    "Capabilities",
    "CheckpointError",
    "ConfigError",
    "CostModel",
    "ExecutionLog",
    "ExecutionSettings",
    "HubError",
    "InputFileError",
    "LatencyProfile",
    "ModelUnavailableError",
    "NodeRecord",
    "OrchestAIError",
    "Plan",
    "PlanExecutor",
    "PlanValidationError",
    "PlannerLike",
    "RunResult",
    "StepInputError",
    "SubTask",
    "TaskInput",
    "UnknownWorkerError",
    "Usage",
    "WorkerError",
    "WorkerOutput",
    "WorkerRegistry",
    "WorkerSpec",
    "__version__",
    "compile_plan",
    "create_orchestai_agent",
    "validate_plan",
]


def test_exported_names_are_pinned():
    assert sorted(orchestai_agents.__all__) == EXPORTED
    assert len(set(orchestai_agents.__all__)) == len(orchestai_agents.__all__)


def test_every_exported_name_exists():
    missing = [name for name in orchestai_agents.__all__ if not hasattr(orchestai_agents, name)]
    assert missing == []


def test_errors_share_one_base_and_keep_builtin_meanings():
    from orchestai_agents import errors

    for name in errors.__all__:
        assert issubclass(getattr(errors, name), orchestai_agents.OrchestAIError)
    assert issubclass(orchestai_agents.PlanValidationError, ValueError)
    assert issubclass(orchestai_agents.UnknownWorkerError, KeyError)
    assert issubclass(orchestai_agents.StepInputError, orchestai_agents.WorkerError)


_HEAVY = (
    "stable_baselines3",
    "sb3_contrib",
    "gymnasium",
    "transformers.models",
    "transformers.modeling_utils",
)
_LAZY = ("orchestai_agents.planner", "orchestai_agents.adapters", "orchestai_agents.training")


def test_import_loads_no_rl_stack_no_model_code_and_no_lazy_subpackage():
    code = "import json, sys, orchestai_agents; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    modules = json.loads(out.stdout)
    heavy = [m for m in modules if m.startswith(_HEAVY)]
    lazy = [m for m in modules if m.startswith(_LAZY)]
    assert heavy == [], f"import orchestai_agents pulled in {heavy[:5]}"
    assert lazy == [], f"import orchestai_agents pulled in {lazy[:5]}"
