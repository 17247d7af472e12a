"""The base of the built-in tools: a BaseTool whose arguments are the fields of a TaskInput."""

from __future__ import annotations

from abc import abstractmethod
from pathlib import Path
from typing import Any, Literal

from langchain_core.callbacks import CallbackManagerForToolRun
from langchain_core.tools import BaseTool
from orchestai_agents.adapters._file_access import FileAccess
from orchestai_agents.adapters._task_text import context_artifacts
from pydantic import BaseModel, Field

from orchestai_agents.registry import TaskInput

__all__ = ["TaskArgs", "TaskTool"]


class TaskArgs(BaseModel):
    """A TaskInput as tool arguments (what a tool-calling model or a worker passes)."""

    node_id: str = Field(default="step", description="Id of the sub-task; names the files written.")
    instruction: str = Field(default="", description="The user's overall instruction.")
    description: str = Field(default="", description="What this step must do.")
    task_type: str = Field(default="", description="The step's task type.")
    inputs: list[str] = Field(default_factory=list, description="Paths of the user's input files.")
    context: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="Earlier steps' outputs by id: text, artifacts (file paths), usage.",
    )
    output_dir: str | None = Field(
        default=None, description="Folder to write files into; a temp folder if empty."
    )

    def as_task(self) -> TaskInput:
        return TaskInput(**self.model_dump())  # type: ignore[typeddict-item]


class TaskTool(BaseTool):
    """A built-in tool: reads a TaskInput, returns ``(text, [paths of files written])``.

    Subclasses implement :meth:`execute`. Every file read or written must lie inside
    ``allowed_dirs`` (default: the working directory and the system temp folder).
    """

    args_schema: type[BaseModel] = TaskArgs
    response_format: Literal["content", "content_and_artifact"] = "content_and_artifact"
    allowed_dirs: list[str] | None = None

    @property
    def files(self) -> FileAccess:
        return FileAccess.of(self.allowed_dirs)

    def task_files(self, task: TaskInput, suffixes: tuple[str, ...], *, what: str) -> list[Path]:
        """The user's inputs, then earlier steps' artifacts, with one of ``suffixes``; checked and resolved."""
        candidates = [*task.get("inputs", []), *context_artifacts(task)]
        return self.files.pick(candidates, suffixes, what=what)

    def output_path(self, task: TaskInput, suffix: str) -> Path:
        """``<output_dir>/<node_id><suffix>``, inside the allowed folders; ``<node_id>-2<suffix>``
        (and so on) when that name is taken.

        A step never writes over a file that is already there: one of its inputs, an earlier
        step's output, an earlier run's, or a file of the user's that shares the name. The name
        is checked as a link too: a symlink already at that name would otherwise be followed,
        and the write would land wherever it points.
        """
        folder = self.files.output_dir(task.get("output_dir"))
        stem = "".join(
            c if c.isalnum() or c in "-_" else "_" for c in task.get("node_id") or self.name
        )
        name, n = f"{stem}{suffix}", 1
        while (folder / name).exists() or (folder / name).is_symlink():
            n += 1
            name = f"{stem}-{n}{suffix}"
        return self.files.inside(folder / name)

    @abstractmethod
    def execute(self, task: TaskInput) -> tuple[str, list[str]]:
        """Do the step: the text for the next steps and the paths of the files written."""

    def _run(
        self, run_manager: CallbackManagerForToolRun | None = None, **fields: Any
    ) -> tuple[str, list[str]]:
        return self.execute(TaskArgs(**fields).as_task())
