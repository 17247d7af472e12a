"""Markdown reports that combine earlier steps' texts with links to their files."""

from __future__ import annotations

import os
from pathlib import Path

from orchestai_agents.adapters._task_text import context_artifacts, dependency_texts
from orchestai_agents.adapters.task_tool import TaskTool

from orchestai_agents.errors import StepInputError
from orchestai_agents.plan import request_words
from orchestai_agents.registry import TaskInput

__all__ = ["ReportTool"]

_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".svg")


class ReportTool(TaskTool):
    """Writes ``<node_id>.md``: a title, the step's words, one section per dependency's text,
    then its files.

    Images are embedded and other files linked, by paths relative to the report.

    Example:
        >>> ReportTool().invoke({"instruction": "Sales report", "output_dir": "/tmp/rep",
        ...     "context": {"table": {"text": "Revenue rises."}}})  # doctest: +SKIP
    """

    name: str = "report"
    description: str = (
        "Write a markdown report file combining earlier steps' texts, numbers and figures."
    )

    def execute(self, task: TaskInput) -> tuple[str, list[str]]:
        texts = dependency_texts(task)
        files = [self.files.readable(p) for p in context_artifacts(task)]
        if not texts and not files:
            raise StepInputError(
                f"step {task['node_id']!r}: nothing to report; give it dependencies that produce text or files"
            )
        out = self.output_path(task, ".md")
        parts = [f"# {task['instruction'] or 'Report'}"]
        if task["description"]:
            parts.append(f"_{request_words(task['description'])}_")
        parts += [
            f"## {node.replace('_', ' ').capitalize()}\n\n{text.strip()}" for node, text in texts
        ]
        if files:
            parts.append(
                "## Files\n\n" + "\n".join(self._link(f, out.parent) for f in files if f != out)
            )
        text = "\n\n".join(parts) + "\n"
        out.write_text(text, encoding="utf-8")
        return text, [str(out)]

    @staticmethod
    def _link(path: Path, folder: Path) -> str:
        relative = Path(os.path.relpath(path, folder)).as_posix()
        if path.suffix.lower() in _IMAGE_SUFFIXES:
            return f"![{path.stem}]({relative})"
        return f"- [{path.name}]({relative})"
