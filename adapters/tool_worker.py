"""Any LangChain tool as a worker."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, get_args

from langchain_core.messages import ToolCall, ToolMessage
from langchain_core.runnables import RunnableConfig, RunnableLambda
from langchain_core.tools import BaseTool, InjectedToolCallId, StructuredTool, Tool, ToolException
from langchain_core.tools.base import get_all_basemodel_annotations
from orchestai_agents.adapters._task_text import dependency_texts
from pydantic import ValidationError
from pydantic.v1 import ValidationError as ValidationErrorV1

from orchestai_agents.errors import WorkerError
from orchestai_agents.plan import request_words
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
    gets the dependency texts (joined by blank lines) or, without dependencies, the step's words
    (:func:`~orchestai_agents.plan.request_words`: a planned step's, without its task type's
    description).

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
        return "\n\n".join(texts) if texts else request_words(task["description"])
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


def _failed(tool: BaseTool, reason: str) -> WorkerError:
    return WorkerError(
        f"tool {tool.name!r} failed: {reason}; check the tool's input or the service it calls"
    )


def _to_output(tool: BaseTool, result: Any) -> WorkerOutput:
    """The tool's reply as a WorkerOutput: a WorkerOutput as it is; a ToolMessage's content and
    the paths in its artifact; anything else (a dict, a LangGraph Command) as JSON text.

    A ToolMessage with status "error" (one a tool builds itself) raises a WorkerError with its
    content, so the step fails instead of passing the error on.
    """
    if isinstance(result, WorkerOutput):
        return result
    if not isinstance(result, ToolMessage):
        return WorkerOutput(_as_text(result))
    if result.status == "error":
        raise _failed(tool, _as_text(result.content))
    return WorkerOutput(_as_text(result.content), _artifact_files(result.artifact))


def _handled_text(handler: Any, error: Exception) -> str | None:
    """What a ``handle_tool_error`` or ``handle_validation_error`` text or callable returns
    for ``error``, followed by the error where the text leaves it out; None for ``True`` and
    ``False`` (or ``""``), which add nothing to the error's own message."""
    if not handler or handler is True:
        return None
    text = handler if isinstance(handler, str) else _as_text(handler(error))
    return text if str(error) in text else f"{text} ({error})"


@contextmanager
def _failing_in_the_tools_words(tool: BaseTool) -> Iterator[None]:
    """An error the tool (called with its handlers off) raises inside, naming the tool and
    carrying what its handler would have returned to a chat model.

    A ToolException raises a WorkerError. A rejected input stays a ValueError, which is not
    retried: its ValidationError as it is, or, where a ``handle_validation_error`` text or
    callable answers it, a ValueError with that answer.
    """
    try:
        yield
    except ToolException as e:
        raise _failed(tool, _handled_text(tool.handle_tool_error, e) or str(e)) from e
    except (ValidationError, ValidationErrorV1) as e:
        handled = _handled_text(tool.handle_validation_error, e)
        if handled is None:
            raise
        raise ValueError(
            f"tool {tool.name!r} rejected its input: {handled}; check the input_builder"
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


def _takes_its_call_id(tool: BaseTool) -> bool:
    """Whether the tool has an ``InjectedToolCallId`` argument, which LangChain fills only from
    a ToolCall (and refuses plain input without)."""
    return any(
        isinstance(marker, InjectedToolCallId)
        or (isinstance(marker, type) and issubclass(marker, InjectedToolCallId))
        for annotation in get_all_basemodel_annotations(tool.get_input_schema()).values()
        for marker in get_args(annotation)[1:]
    )


@dataclass(frozen=True)
class _ToolCalls:
    """How a worker calls its tool.

    Attributes:
        tool: the tool as given; errors name it and tell what its handlers would return.
        unhandled: the copy the worker calls, with its error handlers off.
        builder: ``(tool, task) -> tool input``.
        by_tool_call: whether the input goes in a ToolCall, for a tool that returns an artifact
            (its ToolMessage reply carries it) or takes its call id. Other tools get the plain
            input, so their own return value comes back.
    """

    tool: BaseTool
    unhandled: BaseTool
    builder: Callable[[BaseTool, TaskInput], Any]
    by_tool_call: bool

    def input(self, task: TaskInput) -> Any:
        payload = self.builder(self.tool, task)
        if not self.by_tool_call:
            return payload
        args = payload if isinstance(payload, dict) else {next(iter(self.tool.args)): payload}
        call_id = f"{task['node_id']}-{uuid.uuid4().hex[:8]}"
        return ToolCall(name=self.tool.name, args=args, id=call_id, type="tool_call")

    def run(self, task: TaskInput, config: RunnableConfig) -> WorkerOutput:
        tool_input = self.input(task)
        with _failing_in_the_tools_words(self.tool):
            result = self.unhandled.invoke(tool_input, config=config)
        return _to_output(self.tool, result)

    async def arun(self, task: TaskInput, config: RunnableConfig) -> WorkerOutput:
        tool_input = self.input(task)
        with _failing_in_the_tools_words(self.tool):
            result = await self.unhandled.ainvoke(tool_input, config=config)
        return _to_output(self.tool, result)


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
    ``create_retriever_tool``, is left out, since the next steps read only text and files. A
    tool with an ``InjectedToolCallId`` argument is called with a ToolCall too, whose id is the
    sub-task's id and a random suffix; its ToolMessage reply is read the same way (a dict such a
    tool returns arrives as LangChain's text of it).

    A failing tool fails the step, even one with ``handle_tool_error`` or
    ``handle_validation_error`` set: the worker calls a copy with them off. A ToolException, or
    a ToolMessage with ``status="error"`` the tool returns, raises a
    :class:`~orchestai_agents.errors.WorkerError` naming the tool; where the tool's
    ``handle_tool_error`` is a text or a callable, the message carries what it returns. A
    rejected input raises its ``ValidationError``, or, where ``handle_validation_error`` is a
    text or a callable, a ValueError carrying what it returns (neither is retried).

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
    calls = _ToolCalls(
        tool,
        _without_error_handlers(tool),
        input_builder or default_tool_input,
        by_tool_call=tool.response_format == "content_and_artifact" or _takes_its_call_id(tool),
    )
    return WorkerSpec(
        name=name,
        description=description or tool.description,
        runnable=RunnableLambda(calls.run, afunc=calls.arun, name=name),
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
