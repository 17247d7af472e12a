"""Fake worker registries for the runtime tests.

Workers are ``RunnableLambda``s (sync and async) that sleep for a known time and answer with a
text naming the node and the worker, so tests can check timing, routing and data flow without a
model. The chat worker wraps a ``GenericFakeChatModel`` so callbacks and token streaming have a
real chat-model run to observe.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections.abc import Callable, Iterable

import pytest
from langchain_core.language_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langchain_core.runnables import RunnableLambda

from orchestai_agents import (
    Capabilities,
    CostModel,
    TaskInput,
    Usage,
    WorkerOutput,
    WorkerRegistry,
    WorkerSpec,
)

WorkerFn = Callable[[TaskInput], WorkerOutput]


class Timeline:
    """Start and end times (``time.perf_counter``) of each node's worker call, thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.spans: dict[str, tuple[float, float]] = {}

    def record(self, node_id: str, start: float, end: float) -> None:
        with self._lock:
            self.spans[node_id] = (start, end)


def _fake_worker(
    name: str,
    task_types: Iterable[str] = ("t",),
    *,
    seconds: float = 0.0,
    usage: Usage | None = None,
    cost: CostModel | None = None,
    fn: WorkerFn | None = None,
    timeline: Timeline | None = None,
) -> WorkerSpec:
    """A worker that sleeps ``seconds`` then returns ``fn(task)`` or ``"<node> by <name>"``."""

    def answer(task: TaskInput) -> WorkerOutput:
        return (
            fn(task)
            if fn is not None
            else WorkerOutput(f"{task['node_id']} by {name}", usage=usage or Usage())
        )

    def run(task: TaskInput) -> WorkerOutput:
        start = time.perf_counter()
        time.sleep(seconds)
        out = answer(task)
        if timeline is not None:
            timeline.record(task["node_id"], start, time.perf_counter())
        return out

    async def arun(task: TaskInput) -> WorkerOutput:
        start = time.perf_counter()
        await asyncio.sleep(seconds)
        out = answer(task)
        if timeline is not None:
            timeline.record(task["node_id"], start, time.perf_counter())
        return out

    runnable = RunnableLambda(run, afunc=arun, name=name)
    return WorkerSpec(
        name,
        f"fake worker {name}",
        runnable,
        Capabilities(frozenset(task_types)),
        cost=cost or CostModel(),
    )


def _chat_worker(name: str, reply: str, task_types: Iterable[str] = ("t",)) -> WorkerSpec:
    """A chain worker: prompt -> ``GenericFakeChatModel`` (streams ``reply`` word by word) -> output."""

    def prompt(task: TaskInput) -> list[BaseMessage]:
        return [HumanMessage(f"{task['instruction']}: {task['description']}")]

    def to_output(message: BaseMessage) -> WorkerOutput:
        return WorkerOutput(str(message.content))

    model = GenericFakeChatModel(messages=itertools.repeat(AIMessage(reply)))
    chain = (
        RunnableLambda(prompt, name="prompt") | model | RunnableLambda(to_output, name="to_output")
    )
    return WorkerSpec(name, f"fake chat worker {name}", chain, Capabilities(frozenset(task_types)))


@pytest.fixture
def make_worker() -> Callable[..., WorkerSpec]:
    """Factory of fake function workers (see ``_fake_worker``)."""
    return _fake_worker


@pytest.fixture
def make_chat_worker() -> Callable[..., WorkerSpec]:
    """Factory of fake chat-model chain workers (see ``_chat_worker``)."""
    return _chat_worker


@pytest.fixture
def timeline() -> Timeline:
    return Timeline()


@pytest.fixture
def registry() -> WorkerRegistry:
    """Instant workers: ``reader`` extracts text, ``writer`` summarises and writes, ``echo`` does "t"."""
    return WorkerRegistry(
        [
            _fake_worker("reader", ("extract_text",)),
            _fake_worker("writer", ("summarize", "generate_text")),
            _fake_worker("writer2", ("summarize",)),
            _fake_worker("echo", ("t",)),
        ]
    )
