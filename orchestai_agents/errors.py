"""The toolkit's error hierarchy: every message names what was wrong and what to do."""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "BudgetExceededError",
    "CheckpointError",
    "ConfigError",
    "DatasetFormatError",
    "HubError",
    "InputFileError",
    "OrchestAIError",
    "PlanValidationError",
    "StepInputError",
    "UnknownWorkerError",
    "WorkerError",
]


class OrchestAIError(Exception):
    """Base class of every error this toolkit raises on purpose."""


class PlanValidationError(OrchestAIError, ValueError):
    """A plan is not a valid DAG over known, capable workers.

    Attributes:
        node: id of the offending sub-task, when one is to blame.
    """

    def __init__(self, message: str, *, node: str | None = None) -> None:
        super().__init__(message)
        self.node = node


class UnknownWorkerError(OrchestAIError, KeyError):
    """A worker name is not in the registry."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class WorkerError(OrchestAIError, RuntimeError):
    """A worker failed on a sub-task."""


class StepInputError(WorkerError, ValueError):
    """A sub-task lacks what its worker needs (labels to choose from, texts to report on).

    Retrying the same call cannot help, so the node is not retried; it falls back to its
    alternatives, if any.
    """


class ModelUnavailableError(WorkerError):
    """A worker's model cannot be had here: offline and not in the cache, no such model on the
    Hub, or its package is not installed.

    Retrying cannot help, so the node is not retried; it falls back to its alternatives, if any.
    """


class InputFileError(OrchestAIError, ValueError):
    """An input file is missing, unreadable, corrupted or outside the allowed folders."""


class BudgetExceededError(OrchestAIError):
    """The next call would spend past the run's USD or token budget."""


class CheckpointError(OrchestAIError, ValueError):
    """A checkpoint is missing, incomplete, tampered with or of an unsafe format."""


class ConfigError(OrchestAIError, ValueError):
    """An option, or a combination of options, that a component cannot run with."""


class HubError(OrchestAIError, RuntimeError):
    """The Hugging Face Hub could not be reached, or refused a request (token, permissions)."""


class DatasetFormatError(InputFileError):
    """A data or inventory file is missing, not JSON, or a record lacks what its format requires.

    Attributes:
        path: the offending file.
        line: 1-based line (JSON lines) or record number (JSON arrays), when one is to blame.
    """

    def __init__(self, path: str | Path, message: str, *, line: int | None = None) -> None:
        where = f"{path}, line {line}" if line is not None else str(path)
        super().__init__(f"{where}: {message}")
        self.path = Path(path)
        self.line = line
