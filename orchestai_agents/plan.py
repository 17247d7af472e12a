"""Plans as plain typed data: sub-tasks, their dependencies and the workers chosen for them.

A plan is what the planner produces and the compiler consumes. It is JSON-serialisable and
carries no behaviour beyond (de)serialisation and graph queries; validation lives in
:mod:`orchestai_agents.validation`. How the planner words a sub-task's description, and how a
worker reads the request's part back, are here too (:func:`request_words`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from orchestai_agents.errors import PlanValidationError

__all__ = ["Alternative", "Plan", "SubTask", "planned_description", "request_words"]

PLAN_FORMAT_VERSION = 1
# Between a planned sub-task's task-type description and the request's words.
_FOR = " For: "


def planned_description(type_description: str, request: str) -> str:
    """How the planner describes a sub-task: what its task type does, then the words of the
    request it serves (``"Summarise a text ... For: summarise the paper"``). A chat model reads
    both; :func:`request_words` gives a worker the second alone."""
    return f"{type_description}{_FOR}{request}"


def request_words(description: str) -> str:
    """What a sub-task asks, in the request's words: the part of a :func:`planned_description`
    after its task type's description, else the whole description (a hand-written step's).

    A worker that searches, ranks or titles by the step's words reads these: the task type's
    description is the same for every such step, and would pull a query towards itself.

    Example:
        >>> request_words(planned_description("Embed texts as vectors.", "find the costs"))
        'find the costs'
        >>> request_words("Rank the passages about costs")
        'Rank the passages about costs'
    """
    _, found, words = description.partition(_FOR)
    return words.strip() if found and words.strip() else description


@dataclass(frozen=True)
class Alternative:
    """A worker the selector ranked for a sub-task, with its score (higher is better)."""

    worker: str
    score: float


@dataclass(frozen=True)
class SubTask:
    """One node of a plan.

    Attributes:
        id: unique node id within the plan (letters, digits, ``_`` and ``-``).
        description: what this step does, in words; it is part of the worker's prompt.
        task_type: the capability a worker needs, e.g. ``"summarize"``.
        dependencies: ids of earlier sub-tasks whose outputs this one reads.
        complexity: estimated difficulty in [0, 1].
        worker: the chosen worker's registry name.
        alternatives: ranked fallbacks (best first), the chosen worker included or not.
    """

    id: str
    description: str
    task_type: str
    worker: str
    dependencies: tuple[str, ...] = ()
    complexity: float = 0.5
    alternatives: tuple[Alternative, ...] = ()

    def __post_init__(self) -> None:
        # Accept lists from JSON or callers while keeping the dataclass hashable and frozen.
        object.__setattr__(self, "dependencies", tuple(self.dependencies))
        object.__setattr__(
            self,
            "alternatives",
            tuple(a if isinstance(a, Alternative) else Alternative(**a) for a in self.alternatives),
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Plan:
    """A workflow DAG: sub-tasks in any order, edges given by their ``dependencies``.

    Attributes:
        instruction: the request the plan answers.
        subtasks: the nodes, in any order.
        scores: named plan-level numbers, e.g. ``{"reward": 0.25}``, kept with the plan; the
            per-worker scores of a sub-task are its ``alternatives``.

    Example:
        >>> plan = Plan(
        ...     instruction="Summarise this paper",
        ...     subtasks=(
        ...         SubTask("read", "Extract the text", "extract_text", "pdf_text"),
        ...         SubTask("sum", "Summarise it", "summarize", "smollm2", ("read",)),
        ...     ),
        ... )
        >>> plan.edges
        [('read', 'sum')]
    """

    instruction: str
    subtasks: tuple[SubTask, ...]
    scores: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(
            self,
            "subtasks",
            tuple(s if isinstance(s, SubTask) else SubTask(**s) for s in self.subtasks),
        )
        object.__setattr__(self, "scores", dict(self.scores))

    def __iter__(self) -> Iterator[SubTask]:
        return iter(self.subtasks)

    def __len__(self) -> int:
        return len(self.subtasks)

    @property
    def ids(self) -> list[str]:
        return [s.id for s in self.subtasks]

    @property
    def edges(self) -> list[tuple[str, str]]:
        """Directed (dependency, dependent) pairs."""
        return [(d, s.id) for s in self.subtasks for d in s.dependencies]

    def node(self, node_id: str) -> SubTask:
        for s in self.subtasks:
            if s.id == node_id:
                return s
        raise KeyError(f"plan has no sub-task {node_id!r}; its ids are {self.ids}")

    def sinks(self) -> list[str]:
        """Ids no other sub-task depends on: the plan's final outputs."""
        used = {d for s in self.subtasks for d in s.dependencies}
        return [s.id for s in self.subtasks if s.id not in used]

    def topological_order(self) -> list[SubTask]:
        """Sub-tasks so that each comes after its dependencies (stable on the given order).

        Raises:
            PlanValidationError: if the dependencies form a cycle or name unknown ids.
        """
        from orchestai_agents.validation import topological_order

        return topological_order(self.subtasks)

    def with_workers(self, choices: Mapping[str, str]) -> Plan:
        """A copy with the workers of the named sub-tasks replaced."""
        subtasks = tuple(
            SubTask(**{**s.to_dict(), "worker": choices.get(s.id, s.worker)}) for s in self.subtasks
        )
        return Plan(self.instruction, subtasks, self.scores)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format_version": PLAN_FORMAT_VERSION,
            "instruction": self.instruction,
            "subtasks": [s.to_dict() for s in self.subtasks],
            "scores": dict(self.scores),
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_text(self.to_json() + "\n", encoding="utf-8")
        return path

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Plan:
        """Build a plan from its dict form, with errors that say which field is wrong."""
        if not isinstance(data, Mapping):
            raise PlanValidationError(
                f"a plan must be a JSON object with 'instruction' and 'subtasks', got {type(data).__name__}"
            )
        version = data.get("format_version", PLAN_FORMAT_VERSION)
        if version != PLAN_FORMAT_VERSION:
            raise PlanValidationError(
                f"plan format_version {version!r} is not supported (expected {PLAN_FORMAT_VERSION}); "
                "re-export the plan with this version of orchestai-agents"
            )
        missing = [k for k in ("instruction", "subtasks") if k not in data]
        if missing:
            raise PlanValidationError(f"plan is missing the field(s) {missing}; add them")
        raw = data["subtasks"]
        if not isinstance(raw, Sequence) or isinstance(raw, str | bytes):
            raise PlanValidationError("plan 'subtasks' must be a list of objects")
        return cls(
            str(data["instruction"]),
            tuple(_subtask_from(i, s) for i, s in enumerate(raw)),
            _scores_from(data.get("scores", {})),
        )

    @classmethod
    def from_json(cls, text: str) -> Plan:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise PlanValidationError(
                f"plan is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); fix the file"
            ) from exc
        return cls.from_dict(data)

    @classmethod
    def load(cls, path: str | Path) -> Plan:
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise PlanValidationError(f"cannot read plan file {path}: {exc}") from exc
        return cls.from_json(text)


_SUBTASK_FIELDS = {
    "id",
    "description",
    "task_type",
    "worker",
    "dependencies",
    "complexity",
    "alternatives",
}


def _subtask_from(index: int, raw: Any) -> SubTask:
    if not isinstance(raw, Mapping):
        raise PlanValidationError(f"subtasks[{index}] must be an object, got {type(raw).__name__}")
    node = str(raw.get("id", f"subtasks[{index}]"))
    unknown = set(raw) - _SUBTASK_FIELDS
    if unknown:
        raise PlanValidationError(
            f"sub-task {node!r} has unknown field(s) {sorted(unknown)}; allowed: {sorted(_SUBTASK_FIELDS)}",
            node=node,
        )
    missing = [k for k in ("id", "description", "task_type", "worker") if k not in raw]
    if missing:
        raise PlanValidationError(f"sub-task {node!r} is missing {missing}", node=node)
    deps = raw.get("dependencies", ())
    if isinstance(deps, str) or not isinstance(deps, Sequence):
        raise PlanValidationError(
            f"sub-task {node!r}: 'dependencies' must be a list of ids", node=node
        )
    complexity = _number(raw.get("complexity", 0.5))
    if complexity is None or not 0.0 <= complexity <= 1.0:
        raise PlanValidationError(
            f"sub-task {node!r}: 'complexity' is its estimated difficulty, a number in [0, 1]; "
            f"got {raw.get('complexity')!r}",
            node=node,
        )
    alternatives = []
    for a in raw.get("alternatives", ()):
        score = _number(a.get("score")) if isinstance(a, Mapping) else None
        if score is None or "worker" not in a:
            raise PlanValidationError(
                f"sub-task {node!r}: each alternative is an object with 'worker' and 'score' (a "
                f"finite number); got {a!r}",
                node=node,
            )
        alternatives.append(Alternative(str(a["worker"]), score))
    return SubTask(
        id=str(raw["id"]),
        description=str(raw["description"]),
        task_type=str(raw["task_type"]),
        worker=str(raw["worker"]),
        dependencies=tuple(str(d) for d in deps),
        complexity=complexity,
        alternatives=tuple(alternatives),
    )


def _scores_from(raw: Any) -> dict[str, float]:
    """The plan's ``scores``: an object of names to finite numbers, e.g. ``{"reward": 0.25}``."""
    if not isinstance(raw, Mapping):
        raise PlanValidationError(
            f"plan 'scores' must be an object of names to numbers, got {type(raw).__name__}"
        )
    scores = {str(name): _number(value) for name, value in raw.items()}
    for name, value in raw.items():
        if scores[str(name)] is None:
            raise PlanValidationError(
                f"plan 'scores' gives {name!r} the value {value!r}; each score must be a finite number"
            )
    return scores  # type: ignore[return-value]


def _number(value: Any) -> float | None:
    """``value`` as a float when JSON gave a finite number, else ``None`` (a bool is no number)."""
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None
