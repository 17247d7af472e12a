"""``orchestai plan`` on bad input: exit status 2 and one line naming the file or flag, before
any planner is loaded."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

Orchestai = Callable[..., tuple[int, str]]  # the conftest fixture: argv -> (status, error line)


@pytest.fixture
def requests(tmp_path: Path) -> Path:
    path = tmp_path / "requests.jsonl"
    path.write_text(json.dumps({"id": "1", "user_request": "summarise a file"}) + "\n")
    return path


@pytest.mark.parametrize("content", [b"", b"\n\n"])
def test_a_requests_file_without_requests_is_refused(
    orchestai: Orchestai, tmp_path: Path, content: bytes
) -> None:
    empty = tmp_path / "requests.jsonl"
    empty.write_bytes(content)

    code, said = orchestai("plan", "--requests", str(empty), "--out", str(tmp_path / "o.jsonl"))

    assert code == 2 and f"{empty} holds no requests" in said
    assert not (tmp_path / "o.jsonl").exists()


def test_a_requests_file_that_is_not_text_is_refused(orchestai: Orchestai, tmp_path: Path) -> None:
    binary = tmp_path / "requests.jsonl"
    binary.write_bytes(b'\xff\xfe{"id"')

    code, said = orchestai("plan", "--requests", str(binary), "--out", str(tmp_path / "o.jsonl"))

    assert code == 2 and f"cannot read {binary}" in said and "utf-8" in said


def test_out_that_is_a_folder_is_refused(orchestai: Orchestai, requests: Path) -> None:
    code, said = orchestai("plan", "--requests", str(requests), "--out", str(requests.parent))

    assert code == 2 and "argument --out" in said and "is a folder; give a file name" in said


def test_out_under_a_file_is_refused(orchestai: Orchestai, requests: Path) -> None:
    code, said = orchestai("plan", "--requests", str(requests), "--out", f"{requests}/plans.jsonl")

    assert code == 2 and "argument --out" in said and "which is a file" in said


def test_out_in_a_folder_one_may_not_write_in_is_refused(
    orchestai: Orchestai, requests: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The tests run as root, who may write anywhere; os.access stands in for a read-only folder.
    locked = requests.parent / "locked"
    locked.mkdir()
    monkeypatch.setattr(os, "access", lambda path, mode: Path(path) != locked)

    code, said = orchestai("plan", "--requests", str(requests), "--out", f"{locked}/new/p.jsonl")

    assert code == 2 and f"cannot write in '{locked}'" in said and "check its permissions" in said


def test_a_missing_planner_folder_is_named(orchestai: Orchestai, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-planner"

    code, said = orchestai("plan", "make slides", "--planner", str(missing))

    assert code == 2 and f"{missing} is neither a planner folder nor a Hub repo" in said


def test_a_file_given_as_planner_is_refused(orchestai: Orchestai, requests: Path) -> None:
    code, said = orchestai("plan", "make slides", "--planner", str(requests))

    assert code == 2 and f"{requests} is a file; pass the planner folder" in said


@pytest.mark.parametrize(
    ("decomposer", "named"), [({"hidden_sise": 64}, "hidden_sise"), (5, "got int")]
)
def test_a_planner_config_json_with_a_bad_section_is_named(
    orchestai: Orchestai, tmp_path: Path, decomposer: object, named: str
) -> None:
    folder = tmp_path / "planner"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"decomposer": decomposer}))

    code, said = orchestai("plan", "make slides", "--planner", str(folder))

    assert code == 2 and f"{folder}/config.json describes no valid planner" in said
    assert named in said and "re-save" in said
