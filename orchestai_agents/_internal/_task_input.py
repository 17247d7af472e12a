"""Assembling a worker's input from the request and its dependencies' outputs."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from orchestai_agents.plan import SubTask
from orchestai_agents.registry import TaskInput


def build_task_input(
    node: SubTask,
    *,
    instruction: str,
    inputs: Sequence[str],
    context: Mapping[str, Mapping[str, Any]],
    output_dir: str | None,
) -> TaskInput:
    return TaskInput(
        node_id=node.id,
        instruction=instruction,
        description=node.description,
        task_type=node.task_type,
        inputs=list(inputs),
        # A copy of its own: a worker that edits its context must not reach its siblings'.
        context={k: copy.deepcopy(dict(v)) for k, v in context.items()},
        output_dir=output_dir,
    )


def final_text(outputs: Mapping[str, Mapping[str, Any]], sinks: Sequence[str]) -> str:
    """The answer a user sees: the sink nodes' texts, then the files they wrote."""
    parts = []
    for node_id in sinks:
        out = outputs.get(node_id)
        if out is None:
            continue
        text = str(out.get("text", "")).strip()
        files = list(out.get("artifacts", ()))
        if files:
            text = (text + "\n\n" if text else "") + "Files: " + ", ".join(files)
        if text:
            parts.append(text)
    return "\n\n".join(parts)
