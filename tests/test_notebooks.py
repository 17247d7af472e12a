"""The example notebooks are committed executed, with their pictures in the outputs.

Running them is nbmake's job (``pytest --nbmake examples/``); these checks read the stored
files, so a notebook saved without its outputs, or with an error in them, fails fast here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
NOTEBOOKS = sorted(EXAMPLES.glob("*.ipynb"))


def code_cells(path: Path) -> list[dict[str, Any]]:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    return [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]


def test_the_user_facing_notebooks_exist():
    names = {path.name for path in NOTEBOOKS}
    expected = {
        "01_quickstart.ipynb",
        "02_train_planner.ipynb",
        "03_ppo_selector.ipynb",
        "04_hub.ipynb",
        "05_bring_your_own.ipynb",
    }
    assert expected <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_was_saved_executed_top_to_bottom(path: Path):
    counts = [cell["execution_count"] for cell in code_cells(path)]
    assert None not in counts, f"{path.name}: run it top to bottom and save it with its outputs"
    assert counts == sorted(counts), (
        f"{path.name}: cells were run out of order; rerun it from the top"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_outputs_hold_pictures_and_no_errors(path: Path):
    outputs = [output for cell in code_cells(path) for output in cell.get("outputs", [])]
    errors = [o for o in outputs if o["output_type"] == "error"]
    assert not errors, (
        f"{path.name}: stored error {errors[0].get('ename')}: {errors[0].get('evalue')}"
    )
    pictures = [o for o in outputs if "image/png" in o.get("data", {})]
    assert pictures, f"{path.name}: no PNG in its outputs; a notebook shows its pictures inline"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_honours_the_fast_setting_or_says_why_not(path: Path):
    sources = "".join("".join(cell["source"]) for cell in json.loads(path.read_text())["cells"])
    assert "ORCHESTAI_FAST" in sources, (
        f"{path.name}: read ORCHESTAI_FAST (CI sets it) or say why not"
    )
