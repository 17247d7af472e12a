"""orchestai-agents: a learned planner as a drop-in agent for LangChain and LangGraph.

Importing this package loads no model and imports neither stable-baselines3 nor the training
code; the planner, the workers and training load lazily from their own subpackages.
"""

from orchestai_agents.accounting import NodeRecord, RunResult
from orchestai_agents.agent import AgentInput, AgentState, PlannerLike, create_orchestai_agent
from orchestai_agents.compiler import ExecutionSettings, PlanExecutor, compile_plan
from orchestai_agents.errors import (
    BudgetExceededError,
    CheckpointError,
    ConfigError,
    HubError,
    InputFileError,
    ModelUnavailableError,
    OrchestAIError,
    PlanValidationError,
    StepInputError,
    UnknownWorkerError,
    WorkerError,
)
from orchestai_agents.execution_log import ExecutionLog
from orchestai_agents.plan import Alternative, Plan, SubTask
from orchestai_agents.registry import (
    Capabilities,
    CostModel,
    LatencyProfile,
    TaskInput,
    Usage,
    WorkerOutput,
    WorkerRegistry,
    WorkerSpec,
)
from orchestai_agents.task_types import BUILTIN_TASK_TYPES
from orchestai_agents.validation import validate_plan

__version__ = "0.1.0"

__all__ = [
    "BUILTIN_TASK_TYPES",
    "AgentInput",
    "AgentState",
    "Alternative",
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
