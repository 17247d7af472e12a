"""``create_orchestai_agent``: the planner and the plan executor as one compiled LangGraph graph."""

from __future__ import annotations

import inspect
import reprlib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Protocol, runtime_checkable

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Checkpointer
from typing_extensions import TypedDict

from orchestai_agents._internal._checkpoints import strict_checkpointer
from orchestai_agents.accounting import RunResult
from orchestai_agents.compiler import ExecutionSettings, PlanExecutor
from orchestai_agents.errors import PlanValidationError
from orchestai_agents.execution_log import ExecutionLog
from orchestai_agents.plan import Plan
from orchestai_agents.registry import WorkerRegistry, WorkerSpec
from orchestai_agents.validation import validate_plan

__all__ = ["AgentInput", "AgentState", "PlannerLike", "create_orchestai_agent"]


@runtime_checkable
class PlannerLike(Protocol):
    """Anything that turns an instruction into a plan over a registry's workers.

    A ``plan`` that also takes an ``inputs`` keyword (as
    :meth:`~orchestai_agents.planner.Planner.plan` does) gets the paths of the request's input
    files, so it can plan only what the workers can do with them.
    """

    def plan(self, instruction: str, registry: WorkerRegistry) -> Plan: ...


class AgentInput(TypedDict, total=False):
    """What the agent takes: chat messages, or an explicit instruction, or both.

    Attributes:
        messages: the conversation; the last human message is the instruction.
        instruction: the instruction, explicitly (wins over messages).
        inputs: paths of the user's input files.
        output_dir: where workers write files.
        plan: a plan (dict) to run as given, bypassing the planner for this call.
        budget: ``{"max_usd": ..., "max_tokens": ...}`` for this run (a limit it leaves out
            keeps the settings'); ``max_usd`` also steers the routing: a worker whose estimated
            call no longer fits is not chosen, so it is not tried first.
        cost_preference: 0 (default) routes each sub-task for quality, 1 for the lowest price;
            the planner's trained router (or, without one, the plan's worker scores against
            estimated prices) re-chooses the workers for this run, with no retraining.
    """

    messages: Annotated[list[AnyMessage], add_messages]
    instruction: str | None
    inputs: list[str]
    output_dir: str | None
    plan: dict[str, Any] | None
    budget: dict[str, Any] | None
    cost_preference: float | None


class AgentState(AgentInput, total=False):
    """The agent's state: its input plus the run's structured result."""

    result: dict[str, Any]


class _AgentOutput(TypedDict, total=False):
    messages: Annotated[list[AnyMessage], add_messages]
    result: dict[str, Any]


def create_orchestai_agent(
    workers: WorkerRegistry | Iterable[WorkerSpec] | None = None,
    *,
    plan: Plan | Mapping[str, Any] | None = None,
    planner: PlannerLike | None = None,
    settings: ExecutionSettings | None = None,
    checkpointer: Checkpointer = None,
    execution_log: ExecutionLog | str | Path | None = None,
    name: str = "orchestai_agent",
) -> CompiledStateGraph:
    """Build the drop-in agent: plan -> execute -> respond, as a compiled LangGraph graph.

    Args:
        workers: a :class:`WorkerRegistry` or a list of :class:`WorkerSpec`; ``None`` means
            the built-in offline workers.
        plan: a fixed plan to run for every request (its instruction is replaced by the
            request's): a :class:`Plan`, or its JSON-like dict form (as :meth:`Plan.to_dict`
            writes it), read with :meth:`Plan.from_dict`. Hand-written plans are a supported
            feature.
        planner: something with ``plan(instruction, registry) -> Plan`` (a
            :class:`PlannerLike`), e.g. the learned :class:`~orchestai_agents.planner.Planner`.
            Used when no fixed plan is given; if its ``plan`` takes ``inputs``, it gets the
            request's ``inputs`` (none given: ``[]``), so the learned planner plans no task
            type that no worker can be fed from them.
        settings: retries, fallback and concurrency of the executor.
        checkpointer: a LangGraph checkpointer for durable, resumable runs.
        execution_log: where to append one JSON line per run (continual learning reads it).

    Returns:
        A compiled graph. Input: ``{"messages": [...]}`` and/or ``{"instruction": ...,
        "inputs": [...], "output_dir": ...}``. Output: ``messages`` with the final answer as an
        ``AIMessage`` (a summary in its ``response_metadata["orchestai"]``) and ``result`` (a
        :meth:`RunResult.to_dict`, the executed plan included).

    Raises:
        TypeError: ``workers`` is not one of the forms above, or ``planner`` has no ``plan``
            method.
        PlanValidationError: the fixed plan is malformed or does not fit the workers.

    Example:
        >>> agent = create_orchestai_agent(registry, plan=Plan.load("plan.json"))  # doctest: +SKIP
        >>> out = agent.invoke({"messages": [("user", "Make slides")], "inputs": ["paper.pdf"]})  # doctest: +SKIP
        >>> out["messages"][-1].content  # doctest: +SKIP
    """
    registry = _registry(workers)
    if planner is not None and not isinstance(planner, PlannerLike):
        raise TypeError(
            "planner must have a method plan(instruction, registry) -> Plan (see PlannerLike), "
            f"e.g. orchestai_agents.planner.Planner; got {type(planner).__name__}"
        )
    fixed = None if plan is None else validate_plan(_as_plan(plan), registry)
    if fixed is None and planner is None:
        planner = _default_planner()
    with_inputs = planner is not None and _takes_inputs(planner)
    executor = PlanExecutor(registry, settings)
    log = ExecutionLog(execution_log) if isinstance(execution_log, str | Path) else execution_log
    if log is not None:
        log.repair()  # a file that is no log is refused before any worker is paid

    def plan_node(state: AgentState) -> dict[str, Any]:
        given = Plan.from_dict(state["plan"]) if state.get("plan") else fixed
        instruction = _instruction(state, default=given.instruction if given is not None else None)
        if given is not None:
            chosen = Plan(instruction, given.subtasks, given.scores)
        else:
            files = {"inputs": list(state.get("inputs") or [])} if with_inputs else {}
            chosen = planner.plan(instruction, registry, **files)
        chosen = _route(
            validate_plan(chosen, registry),
            registry,
            state.get("cost_preference"),
            executor.settings.budget_for(state.get("budget")).max_usd,
            planner,
        )
        return {"plan": chosen.to_dict(), "instruction": instruction}

    def respond(state: AgentState) -> dict[str, Any]:
        result = RunResult.from_dict(state["result"])
        if log is not None:
            log.append(result)
        # These are per call: cleared so the next turn of a thread plans (and routes) anew.
        per_call = ("instruction", "plan", "budget", "cost_preference")
        return {"messages": [_answer(result)], **dict.fromkeys(per_call)}

    builder = StateGraph(AgentState, input_schema=AgentInput, output_schema=_AgentOutput)
    builder.add_node("plan", plan_node)
    builder.add_node("execute", executor.node())
    builder.add_node("respond", respond)
    builder.add_edge(START, "plan")
    builder.add_edge("plan", "execute")
    builder.add_edge("execute", "respond")
    builder.add_edge("respond", END)
    graph = builder.compile(checkpointer=strict_checkpointer(checkpointer), name=name)
    return graph.with_config(max_concurrency=executor.settings.max_concurrency)


def _registry(workers: WorkerRegistry | Iterable[WorkerSpec] | None) -> WorkerRegistry:
    if workers is None:
        from orchestai_agents.adapters import default_registry

        return default_registry()
    if isinstance(workers, WorkerRegistry):
        return workers
    # A dict or a string iterates its keys or characters, never worker specs.
    if isinstance(workers, Iterable) and not isinstance(workers, Mapping | str):
        specs = list(workers)
        if all(isinstance(s, WorkerSpec) for s in specs):
            return WorkerRegistry(specs)
    raise TypeError(
        "workers must be a WorkerRegistry, a list of WorkerSpec (the adapters' function_worker, "
        "chat_worker and tool_worker make them) or None for the built-in workers; "
        f"got {reprlib.repr(workers)}"
    )


def _as_plan(plan: Plan | Mapping[str, Any]) -> Plan:
    return plan if isinstance(plan, Plan) else Plan.from_dict(plan)


def _default_planner() -> PlannerLike:
    from orchestai_agents.planner import load_default_planner

    return load_default_planner()


def _takes_inputs(planner: PlannerLike) -> bool:
    """Whether ``planner.plan`` names an ``inputs`` parameter (a PlannerLike need not). A
    ``**kwargs`` alone does not count: a wrapper may pass it on to a planner without one."""
    try:
        parameter = inspect.signature(planner.plan).parameters.get("inputs")
    except (TypeError, ValueError):  # a builtin or C callable without a signature
        return False
    keyword = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return parameter is not None and parameter.kind in keyword


def _route(
    plan: Plan,
    registry: WorkerRegistry,
    preference: Any,
    max_usd: float | None,
    planner: PlannerLike | None,
) -> Plan:
    """The plan with workers re-chosen for this call's cost preference and USD cap, if any."""
    if not preference and max_usd is None:
        return plan
    from orchestai_agents.planner.routing import RoutingPreference, route_plan

    try:
        weight = float(preference or 0.0)
    except (TypeError, ValueError):
        raise ValueError(
            f"cost_preference must be a number in [0, 1], got {preference!r}"
        ) from None
    wanted = RoutingPreference(weight, max_usd)
    return route_plan(plan, registry, wanted, getattr(planner, "router", None))


def _instruction(state: AgentState, default: str | None) -> str:
    """The explicit instruction, else the last user message, else a given plan's instruction."""
    return _checked_text(_raw_instruction(state, default))


def _checked_text(text: str) -> str:
    """Refuse text that cannot be stored, before anything runs or is paid for."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise PlanValidationError(
            f"the instruction holds bytes that are not valid UTF-8 (position {exc.start}: "
            f"{text[exc.start : exc.end]!r}); re-type it or save it as UTF-8"
        ) from None
    return text


def _raw_instruction(state: AgentState, default: str | None) -> str:
    if state.get("instruction"):
        return str(state["instruction"])
    humans = [m for m in state.get("messages") or [] if isinstance(m, HumanMessage)]
    if not humans and default:
        return default
    if not humans:
        raise PlanValidationError(
            "the agent needs an instruction: pass {'messages': [('user', '...')]} or {'instruction': '...'}"
        )
    content = humans[-1].content
    text = content if isinstance(content, str) else " ".join(_text_parts(content))
    if not text.strip():
        raise PlanValidationError("the last user message is empty; say what the agent should do")
    return text


def _text_parts(content: Sequence[Any]) -> list[str]:
    return [
        p if isinstance(p, str) else str(p.get("text", ""))
        for p in content
        if isinstance(p, str | dict)
    ]


def _answer(result: RunResult) -> AIMessage:
    if result.success:
        text = result.final_output or "Done."
    else:
        failed = "; ".join(f"{node}: {err}" for node, err in result.errors.items())
        text = (
            result.final_output + "\n\n" if result.final_output else ""
        ) + f"Some steps failed: {failed}"
    summary = {
        "run_id": result.run_id,
        "total_usd": result.total_usd,
        "latency_s": result.latency_s,
        "success": result.success,
        "errors": result.errors,
        "artifacts": result.artifacts,
    }
    return AIMessage(content=text, name="orchestai", response_metadata={"orchestai": summary})
