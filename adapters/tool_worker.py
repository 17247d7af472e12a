"""Any LangChain tool as a worker."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from langchain_core.messages import ToolCall, ToolMessage
from langchain_core.runnables import RunnableConfig, RunnableLambda
from langchain_core.tools import BaseTool, StructuredTool, Tool, ToolException
from orchestai_agents.adapters._task_text import dependency_texts

from orchestai_agents.errors import WorkerError
from orchestai_agents.registry import (
    Capabilities,
    CostModel,
    LatencyProfile,
    TaskInput,
    WorkerOutput,
    WorkerSpec,
)

__all__ = ["default_tool_input", "tool_worker"]

_TASK_FIELDS = frozenset(TaskInput.__annotations__)


def default_tool_input(tool: BaseTool, task: TaskInput) -> dict[str, Any] | str:
    """The tool input for ``task``.

    A tool whose arguments are all TaskInput fields gets those fields; a tool with one argument
    gets the dependency texts (joined by blank lines) or, without dependencies, the description.

    Example:
        >>> from langchain_core.tools import tool
        >>> @tool
        ... def shout(text: str) -> str:
        ...     '''Shout the text.'''
        ...     return text.upper()
        >>> default_tool_input(shout, {"node_id": "n", "instruction": "", "description": "hey",
        ...     "task_type": "generate_text", "inputs": [], "context": {}})
        'hey'
    """
    arguments = set(tool.args)
    if arguments and arguments <= _TASK_FIELDS:
        return {k: task[k] for k in arguments if k in task}  # type: ignore[literal-required]
    if len(arguments) == 1:
        texts = [text for _, text in dependency_texts(task)]
        return "\n\n".join(texts) if texts else task["description"]
    raise TypeError(
        f"tool {tool.name!r} takes arguments {sorted(arguments)}, which are neither TaskInput "
        f"fields {sorted(_TASK_FIELDS)} nor a single string; pass input_builder=... to tool_worker"
    )


def _as_text(content: Any) -> str:
    return content if isinstance(content, str) else json.dumps(content, default=str)


def _artifact_files(artifact: Any) -> tuple[str, ...]:
    """The file paths (str or os.PathLike) in a tool's artifact (one item or a list), as the tool
    reports them: a URL or a relative path too. Other artifact objects, such as a retriever's
    Documents, stay with the tool."""
    items = artifact if isinstance(artifact, list | tuple) else [artifact]
    return tuple(os.fspath(a) for a in items if isinstance(a, str | os.PathLike))


def _to_output(result: Any) -> WorkerOutput:
    """The tool's reply as a WorkerOutput: a WorkerOutput as it is; a ToolMessage's content and
    the paths in its artifact; anything else (a dict, a LangGraph Command) as JSON text.

    A ToolMessage with status "error" (one a tool builds itself) raises a ToolException, so the
    step fails instead of passing the error on.
    """
    if isinstance(result, WorkerOutput):
        return result
    if not isinstance(result, ToolMessage):
        return WorkerOutput(_as_text(result))
    if result.status == "error":
        raise ToolException(_as_text(result.content))
    return WorkerOutput(_as_text(result.content), _artifact_files(result.artifact))


@contextmanager
def _failing_as_worker_error(tool: BaseTool) -> Iterator[None]:
    """A ToolException inside, as a WorkerError that names the tool."""
    try:
        yield
    except ToolException as e:
        raise WorkerError(
            f"tool {tool.name!r} failed: {e}; check the tool's input or the service it calls"
        ) from e


def _without_error_handlers(tool: BaseTool) -> BaseTool:
    """The tool with its error handlers off, so that an error fails the step.

    ``handle_tool_error`` and ``handle_validation_error`` return an error as the tool's result,
    for a chat model to read. Only a ToolCall's reply (a ToolMessage with ``status="error"``)
    would tell it from a result, and that reply holds a dict or a WorkerOutput the tool returns
    as LangChain's text (a repr where JSON fails), not the object.
    """
    if not (tool.handle_tool_error or tool.handle_validation_error):
        return tool
    return tool.model_copy(update={"handle_tool_error": False, "handle_validation_error": False})


def _tool_input(
    tool: BaseTool, builder: Callable[[BaseTool, TaskInput], Any], task: TaskInput
) -> Any:
    """The task as a ToolCall for a tool that returns an artifact (its ToolMessage reply carries
    it), else as the plain input (the tool's own return value comes back)."""
    payload = builder(tool, task)
    if tool.response_format != "content_and_artifact":
        return payload
    args = payload if isinstance(payload, dict) else {next(iter(tool.args)): payload}
    return ToolCall(
        name=tool.name, args=args, id=f"{task['node_id']}-{uuid.uuid4().hex[:8]}", type="tool_call"
    )


def _run(
    tool: BaseTool,
    builder: Callable[[BaseTool, TaskInput], Any],
    task: TaskInput,
    config: RunnableConfig,
) -> WorkerOutput:
    with _failing_as_worker_error(tool):
        return _to_output(tool.invoke(_tool_input(tool, builder, task), config=config))


async def _arun(
    tool: BaseTool,
    builder: Callable[[BaseTool, TaskInput], Any],
    task: TaskInput,
    config: RunnableConfig,
) -> WorkerOutput:
    with _failing_as_worker_error(tool):
        return _to_output(await tool.ainvoke(_tool_input(tool, builder, task), config=config))


def tool_worker(
    tool: BaseTool,
    *,
    name: str | None = None,
    description: str | None = None,
    task_types: Iterable[str],
    input_builder: Callable[[BaseTool, TaskInput], Any] | None = None,
    cost: CostModel | None = None,
    latency: LatencyProfile | None = None,
    input_modalities: Iterable[str] = ("text",),
    output_modalities: Iterable[str] = ("text",),
) -> WorkerSpec:
    """Wrap a tool as a worker.

    What the tool returns becomes the worker's text: a string as it is, anything else as JSON
    (``json.dumps(..., default=str)``); a returned WorkerOutput is the worker's output. A
    ``response_format="content_and_artifact"`` tool is called with a ToolCall, and its artifact
    gives the worker's artifacts: the paths (str or os.PathLike, alone or in a list), kept as the
    tool reports them. Any other artifact object, such as the Documents of LangChain's
    ``create_retriever_tool``, is left out, since the next steps read only text and files.

    A failing tool fails the step, even one with ``handle_tool_error`` or
    ``handle_validation_error`` set: the worker calls a copy with them off. A ToolException, or
    a ToolMessage with ``status="error"`` the tool returns, raises a
    :class:`~orchestai_agents.errors.WorkerError`.

    Args:
        tool: any LangChain tool.
        name: registry name; defaults to the tool's name.
        description: defaults to the tool's description.
        task_types: the task types it can do.
        input_builder: ``(tool, task) -> tool input``; defaults to :func:`default_tool_input`.
        cost: USD per call; defaults to free.
        latency: expected latency; defaults to unknown (zero).
        input_modalities: what the worker reads.
        output_modalities: what it produces.

    Example:
        >>> from langchain_core.tools import tool
        >>> @tool
        ... def shout(text: str) -> str:
        ...     '''Shout the text.'''
        ...     return text.upper()
        >>> spec = tool_worker(shout, task_types=["generate_text"])
        >>> spec.runnable.invoke({"node_id": "n", "instruction": "", "description": "hey",
        ...     "task_type": "generate_text", "inputs": [], "context": {}}).text
        'HEY'
    """
    name = name or tool.name
    args = (_without_error_handlers(tool), input_builder or default_tool_input)
    return WorkerSpec(
        name=name,
        description=description or tool.description,
        runnable=RunnableLambda(partial(_run, *args), afunc=partial(_arun, *args), name=name),
        capabilities=Capabilities(
            frozenset(task_types), frozenset(input_modalities), frozenset(output_modalities)
        ),
        cost=cost or CostModel(),
        latency=latency or LatencyProfile(),
        expected_output_tokens=0,
        blocking=_runs_synchronously(tool),
    )


def _runs_synchronously(tool: BaseTool) -> bool:
    """Whether the tool's ``ainvoke`` runs its sync ``_run`` in a thread: it has no coroutine
    and no ``_arun`` of its own."""
    if getattr(tool, "coroutine", None) is not None:
        return False
    return type(tool)._arun in (BaseTool._arun, StructuredTool._arun, Tool._arun)
