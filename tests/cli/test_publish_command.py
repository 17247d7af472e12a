"""orchestai publish --dry-run on the shipped planner: the files an upload sends, and its card; and
what it refuses."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from orchestai_agents.cli.main import main

DEFAULT = Path(__file__).resolve().parents[2] / "orchestai_agents" / "planner" / "default"
Orchestai = Callable[..., tuple[int, str]]  # the conftest fixture: argv -> (status, error line)


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


@pytest.mark.parametrize("where", ["missing", "a file"])
def test_publish_names_a_checkpoint_that_is_no_folder(
    orchestai: Orchestai, tmp_path: Path, where: str
) -> None:
    path = tmp_path / "planner"
    if where == "a file":
        path.write_text("{}")

    code, said = orchestai("publish", str(path), "--repo", "someone/planner", "--dry-run")

    assert (
        code == 2
        and said.startswith(f"error: {path}")
        and ("no such folder" in said or "is a file" in said)
    )


def test_publish_refuses_a_repo_id_the_hub_would_refuse(orchestai: Orchestai) -> None:
    code, said = orchestai("publish", str(DEFAULT), "--repo", "my planner!", "--dry-run")

    assert code == 2 and "argument --repo: 'my planner!' is not a Hub repo id" in said


def test_a_push_the_hub_cannot_take_is_named_and_the_checkpoint_kept(
    orchestai: Orchestai, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Offline, huggingface_hub refuses the first request; the user gets what to check."""
    import shutil

    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    checkpoint = shutil.copytree(DEFAULT, tmp_path / "planner")
    before = sorted(p.name for p in checkpoint.iterdir())

    code, said = orchestai("publish", str(checkpoint), "--repo", "someone/planner")

    assert code == 2 and said.startswith("error: could not push to someone/planner: ")
    assert "offline mode is enabled" in said and "HF_TOKEN" in said
    assert sorted(p.name for p in checkpoint.iterdir()) == before


def test_publish_names_a_model_folder_that_is_no_planner(orchestai: Orchestai) -> None:
    from orchestai_agents.encoders import default_encoder_path

    encoder = default_encoder_path()  # a BERT folder: its config.json is no planner config

    code, said = orchestai("publish", encoder, "--repo", "someone/planner", "--dry-run")

    assert code == 2 and f"{encoder}/config.json describes no valid planner" in said
    assert "unknown key(s) ['_name_or_path'" in said and "`orchestai train`" in said


def test_publish_names_a_hub_repo_that_does_not_exist(
    orchestai: Orchestai, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Hub answers 404 RepoNotFound (the header huggingface_hub classifies by): one error line,
    not huggingface_hub's traceback."""
    import huggingface_hub
    from huggingface_hub.utils._http import default_client_factory

    with default_client_factory() as client:  # its HTTP library: httpx2 in huggingface_hub 2.x
        http = sys.modules[type(client).__module__.partition(".")[0]]
    not_found = http.MockTransport(
        lambda request: http.Response(404, headers={"X-Error-Code": "RepoNotFound"})
    )
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    huggingface_hub.set_client_factory(lambda: http.Client(transport=not_found))
    try:
        code, said = orchestai("publish", "org/missing", "--repo", "org/x", "--dry-run")
    finally:
        huggingface_hub.set_client_factory(default_client_factory)
        huggingface_hub.close_session()

    assert code == 2 and said.startswith("error: Hub repo org/missing (revision main) does not ")
    assert "hf auth login" in said


@pytest.mark.slow
def test_publish_refuses_a_planner_whose_encoder_is_a_local_folder(
    orchestai: Orchestai, tmp_path: Path
) -> None:
    from orchestai_agents.encoders import default_encoder_path
    from orchestai_agents.planner import EncoderConfig, Planner, PlannerConfig

    local = str(default_encoder_path())  # the offline MiniLM, by its folder on this machine
    config = PlannerConfig(encoder=EncoderConfig(name_or_path=local), inventory={"a": "A tool"})
    Planner(config).save_pretrained(tmp_path / "ckpt")

    code, said = orchestai("publish", str(tmp_path / "ckpt"), "--repo", "me/p", "--dry-run")

    assert code == 2 and f"the planner's encoder is the local folder {local}" in said
