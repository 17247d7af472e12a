"""orchestai publish --dry-run on the shipped planner: the files an upload sends, and its card."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from orchestai_agents.cli.main import main

DEFAULT = Path(__file__).resolve().parents[1] / "orchestai_agents" / "planner" / "default"


@pytest.mark.slow
def test_publish_dry_run_lists_the_checkpoint_and_its_card(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["publish", str(DEFAULT), "--repo", "someone/planner", "--dry-run", "--json"])

    assert code == 0
    shown = json.loads(capsys.readouterr().out)
    assert set(shown["files"]) == {"README.md", "config.json", "model.safetensors"}
    assert shown["files"]["model.safetensors"] > 100_000
    assert "## Metrics" in shown["model_card"] and "## Training data" in shown["model_card"]


def test_publish_refuses_a_folder_that_is_no_checkpoint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["publish", str(tmp_path), "--repo", "someone/planner", "--dry-run"])

    assert code == 2
    assert str(tmp_path) in capsys.readouterr().err
