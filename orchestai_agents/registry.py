"""The worker contract: what a worker can do, what it costs, and the registry that holds them.

Every worker is a LangChain ``Runnable`` from :class:`TaskInput` to :class:`WorkerOutput`, so
``config`` (callbacks, tags, streaming) flows through it like through any chain. The adapters in
``orchestai_agents.adapters`` turn chat models, tools and plain functions into such Runnables.
"""

from __future__ import annotations

import math
import os
import reprlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from numbers import Integral
from typing import Any, NotRequired

from langchain_core.runnables import Runnable
from typing_extensions import TypedDict

from orchestai_agents.errors import UnknownWorkerError

__all__ = [
    "TEXT_FILE_SUFFIXES",
    "Capabilities",
    "CostModel",
    "LatencyProfile",
    "TaskInput",
    "Usage",
    "WorkerOutput",
    "WorkerRegistry",
    "WorkerSpec",
]


# Inputs read as plain text: by extract_text, and into the prompt of a chat step without
# dependencies (which the budget's estimate of that call counts).
TEXT_FILE_SUFFIXES = (".txt", ".md")


class TaskInput(TypedDict):
    """What a worker receives for one sub-task.

    ``context`` maps each dependency's id to its :class:`WorkerOutput` (as a dict), so a worker
    sees the text and files its predecessors produced.
    """

    node_id: str
    instruction: str
    description: str
    task_type: str
    inputs: list[str]
    context: dict[str, dict[str, Any]]
    output_dir: NotRequired[str | None]


@dataclass(frozen=True)
class Usage:
    """Tokens a call consumed (0 where the worker does not count tokens)."""

    input_tokens: int = 0
    output_tokens: int = 0

    def __post_init__(self) -> None:
        for name in ("input_tokens", "output_tokens"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, Integral) or value < 0:
                raise ValueError(
                    f"Usage.{name} must be a whole number of tokens >= 0, got {value!r}"
                )
            object.__setattr__(self, name, int(value))

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens


@dataclass(frozen=True)
class WorkerOutput:
    """What a worker returns: text for the next steps, files it wrote, and what it consumed."""

    text: str
    artifacts: tuple[str, ...] = ()
    usage: Usage = field(default_factory=Usage)

    def __post_init__(self) -> None:
        if not isinstance(self.text, str):
            raise TypeError(f"WorkerOutput.text must be a str, got {type(self.text).__name__}")
        if isinstance(self.artifacts, str | bytes | os.PathLike):
            raise TypeError(
                f"WorkerOutput.artifacts must be a list of file paths, got the single path "
                f"{self.artifacts!r}; wrap it in a list"
            )
        if not all(isinstance(a, str | os.PathLike) for a in self.artifacts):
            raise TypeError(
                f"WorkerOutput.artifacts must be file paths, got {list(self.artifacts)!r}"
            )
        object.__setattr__(self, "artifacts", tuple(os.fspath(a) for a in self.artifacts))
        if not isinstance(self.usage, Usage):
            raise TypeError(f"WorkerOutput.usage must be a Usage, got {type(self.usage).__name__}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "artifacts": list(self.artifacts),
            "usage": {
                "input_tokens": self.usage.input_tokens,
                "output_tokens": self.usage.output_tokens,
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> WorkerOutput:
        usage = data.get("usage") or {}
        return cls(str(data.get("text", "")), data.get("artifacts", ()), Usage(**usage))


@dataclass(frozen=True)
class Capabilities:
    """The task types a worker can do and the modalities it reads and writes."""

    task_types: frozenset[str]
    input_modalities: frozenset[str] = frozenset({"text"})
    output_modalities: frozenset[str] = frozenset({"text"})

    def __post_init__(self) -> None:
        for name in ("task_types", "input_modalities", "output_modalities"):
            value = getattr(self, name)
            if isinstance(value, str):
                raise TypeError(
                    f"Capabilities.{name} must be a collection of strings, not the string {value!r}"
                )
            object.__setattr__(self, name, frozenset(value))
        if not self.task_types:
            raise ValueError(
                "Capabilities.task_types is empty: a worker must be able to do at least one task type"
            )


@dataclass(frozen=True)
class CostModel:
    """USD a call costs: per input token, per output token and per call."""

    usd_per_input_token: float = 0.0
    usd_per_output_token: float = 0.0
    usd_per_call: float = 0.0

    def __post_init__(self) -> None:
        for name in ("usd_per_input_token", "usd_per_output_token", "usd_per_call"):
            if not (math.isfinite(getattr(self, name)) and getattr(self, name) >= 0):
                raise ValueError(
                    f"CostModel.{name} must be a number >= 0, got {getattr(self, name)}"
                )

    @classmethod
    def per_million_tokens(cls, input_usd: float, output_usd: float) -> CostModel:
        """The way providers quote prices: USD per million input and output tokens."""
        return cls(input_usd / 1e6, output_usd / 1e6)

    def cost(self, usage: Usage) -> float:
        return (
            self.usd_per_call
            + usage.input_tokens * self.usd_per_input_token
            + usage.output_tokens * self.usd_per_output_token
        )


@dataclass(frozen=True)
class LatencyProfile:
    """Expected seconds per call: a fixed part plus a part per output token."""

    seconds_per_call: float = 0.0
    seconds_per_output_token: float = 0.0

    def estimate(self, output_tokens: int = 0) -> float:
        return self.seconds_per_call + output_tokens * self.seconds_per_output_token


@dataclass(frozen=True)
class WorkerSpec:
    """A registered worker.

    Attributes:
        name: registry key, referenced by plans.
        description: what the worker does, in words (the open-vocabulary planner embeds it).
        runnable: ``Runnable[TaskInput, WorkerOutput]``.
        capabilities: task types and modalities.
        cost: the USD cost model.
        latency: the expected latency.
        expected_output_tokens: used for cost and latency estimates before a call.
        max_context_chars: characters of dependency text the worker sends at most (chat
            workers shorten long inputs), so estimates count no more; ``None``: all of it.
        blocking: whether a call does its work synchronously (a sync function, a chat model
            or tool without an async implementation). Under ``ainvoke`` such a call runs on a
            thread of its own, and one that times out is abandoned, not retried: nothing can
            cancel it. The adapters set it; ``None`` infers it from the runnable.
    """

    name: str
    description: str
    runnable: Runnable[TaskInput, WorkerOutput]
    capabilities: Capabilities
    cost: CostModel = field(default_factory=CostModel)
    latency: LatencyProfile = field(default_factory=LatencyProfile)
    expected_output_tokens: int = 256
    max_context_chars: int | None = None
    blocking: bool | None = None

    def can_do(self, task_type: str) -> bool:
        return task_type in self.capabilities.task_types

    def estimate_usd(self, input_tokens: int) -> float:
        return self.cost.cost(Usage(input_tokens, self.expected_output_tokens))

    def describe(self) -> dict[str, Any]:
        """JSON-ready summary (no runnable), for listings and model cards."""
        return {
            "name": self.name,
            "description": self.description,
            "task_types": sorted(self.capabilities.task_types),
            "input_modalities": sorted(self.capabilities.input_modalities),
            "output_modalities": sorted(self.capabilities.output_modalities),
            "usd_per_input_token": self.cost.usd_per_input_token,
            "usd_per_output_token": self.cost.usd_per_output_token,
            "usd_per_call": self.cost.usd_per_call,
            "seconds_per_call": self.latency.seconds_per_call,
        }


class WorkerRegistry(Mapping[str, WorkerSpec]):
    """Workers by name, with look-ups by task type.

    Example:
        >>> from langchain_core.runnables import RunnableLambda
        >>> registry = WorkerRegistry()
        >>> registry.register(WorkerSpec(
        ...     "echo", "Repeats the task", RunnableLambda(lambda t: WorkerOutput(t["description"])),
        ...     Capabilities(frozenset({"answer"})),
        ... ))
        >>> registry.capable("answer")
        ['echo']
    """

    def __init__(self, workers: Iterable[WorkerSpec] = ()) -> None:
        self._workers: dict[str, WorkerSpec] = {}
        for spec in workers:
            self.register(spec)

    def register(self, spec: WorkerSpec, *, replace: bool = False) -> WorkerSpec:
        if not isinstance(spec, WorkerSpec):
            raise TypeError(
                f"a worker must be a WorkerSpec, got {type(spec).__name__} {reprlib.repr(spec)}; "
                "make one with function_worker, chat_worker or tool_worker from "
                "orchestai_agents.adapters"
            )
        if not spec.name or not isinstance(spec.name, str):
            raise ValueError("a worker needs a non-empty string name")
        if spec.name in self._workers and not replace:
            raise ValueError(
                f"a worker named {spec.name!r} is already registered; pick another name or pass replace=True"
            )
        self._workers[spec.name] = spec
        return spec

    def __getitem__(self, name: str) -> WorkerSpec:
        try:
            return self._workers[name]
        except KeyError:
            raise UnknownWorkerError(
                f"no worker named {name!r}; registered workers: {sorted(self._workers)}. "
                "Register it first or pick one of these."
            ) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._workers)

    def __len__(self) -> int:
        return len(self._workers)

    def capable(self, task_type: str) -> list[str]:
        """Names of the workers that can do ``task_type``, in registration order."""
        return [n for n, s in self._workers.items() if s.can_do(task_type)]

    @property
    def task_types(self) -> list[str]:
        return sorted({t for s in self._workers.values() for t in s.capabilities.task_types})

    def merged(self, other: WorkerRegistry) -> WorkerRegistry:
        """A new registry with this one's workers, then ``other``'s (which win on a name clash)."""
        merged = WorkerRegistry(self.values())
        for spec in other.values():
            merged.register(spec, replace=True)
        return merged
