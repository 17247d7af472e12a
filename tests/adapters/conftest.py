"""Shared fixtures for the adapter tests: example files and a TaskInput factory."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from orchestai_agents.registry import TaskInput

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

DATA = Path(__file__).resolve().parents[2] / "examples" / "data"

TaskFactory = Callable[..., TaskInput]


@pytest.fixture
def paper_pdf() -> Path:
    return DATA / "paper.pdf"


@pytest.fixture
def sales_csv() -> Path:
    return DATA / "sales.csv"


@pytest.fixture
def make_task(tmp_path: Path) -> TaskFactory:
    """``make_task(description=..., inputs=[...], context={...})`` with defaults and output_dir=tmp_path/out."""

    def make(**fields: Any) -> TaskInput:
        task: dict[str, Any] = {
            "node_id": "step",
            "instruction": "Turn the paper into a short talk",
            "description": "Do the step",
            "task_type": "generate_text",
            "inputs": [],
            "context": {},
            "output_dir": str(tmp_path / "out"),
        }
        task.update(fields)
        task["inputs"] = [str(p) for p in task["inputs"]]
        return TaskInput(**task)  # type: ignore[typeddict-item]

    return make
