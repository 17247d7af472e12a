"""Any Python function of a TaskInput as a worker."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

from langchain_core.runnables import RunnableLambda
from langchain_core.runnables.utils import is_async_callable

from orchestai_agents.registry import (
    Capabilities,
    CostModel,
    LatencyProfile,
    TaskInput,
    WorkerOutput,
    WorkerSpec,
)

__all__ = ["as_worker_output", "function_worker"]

WorkerResult = str | WorkerOutput | Mapping[str, Any]


def as_worker_output(result: WorkerResult) -> WorkerOutput:
    """A function's result as a WorkerOutput: a str is its text, a dict is read by ``WorkerOutput.from_dict``.

    Example:
        >>> as_worker_output({"text": "done", "artifacts": ["a.png"]}).artifacts
        ('a.png',)
    """
    if isinstance(result, WorkerOutput):
        return result
    if isinstance(result, str):
        return WorkerOutput(result)
    if isinstance(result, Mapping):
        return WorkerOutput.from_dict(result)
    raise TypeError(
        f"a worker function returned {type(result).__name__}; return a str, a WorkerOutput or a dict "
        "with 'text' (and optionally 'artifacts', 'usage')"
    )


def function_worker(
    fn: Callable[..., WorkerResult] | Callable[..., Awaitable[WorkerResult]],
    *,
    name: str,
    description: str,
    task_types: Iterable[str],
    cost: CostModel | None = None,
    latency: LatencyProfile | None = None,
    input_modalities: Iterable[str] = ("text",),
    output_modalities: Iterable[str] = ("text",),
) -> WorkerSpec:
    """Wrap ``fn(task)`` (or ``fn(task, config)``, sync or async) as a worker.

    Args:
        fn: takes a TaskInput, returns a str, a WorkerOutput or a dict like ``WorkerOutput.to_dict()``.
            Declare a ``config`` parameter to receive the RunnableConfig and pass it on.
        name: registry name.
        description: what it does, in words.
        task_types: the task types it can do.
        cost: USD per call; defaults to free.
        latency: expected latency; defaults to unknown (zero).
        input_modalities: what the worker reads.
        output_modalities: what it produces.

    Example:
        >>> spec = function_worker(lambda t: t["description"].upper(), name="upper",
        ...     description="Upper-cases the step", task_types=["generate_text"])
        >>> spec.runnable.invoke({"node_id": "n", "instruction": "", "description": "hi",
        ...     "task_type": "generate_text", "inputs": [], "context": {}}).text
        'HI'
    """
    call: RunnableLambda[TaskInput, Any] = RunnableLambda(fn, name=name)
    runnable = (call | RunnableLambda(as_worker_output)).with_config(run_name=name)
    return WorkerSpec(
        name=name,
        description=description,
        runnable=runnable,
        capabilities=Capabilities(
            frozenset(task_types), frozenset(input_modalities), frozenset(output_modalities)
        ),
        cost=cost or CostModel(),
        latency=latency or LatencyProfile(),
        expected_output_tokens=0,
        blocking=not is_async_callable(fn),
    )
