"""``orchestai evaluate`` on bad input: exit status 2 and one line naming the flag or folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

Orchestai = Callable[..., tuple[int, str]]  # the conftest fixture: argv -> (status, error line)


def test_data_that_names_nothing_is_refused(orchestai: Orchestai) -> None:
    code, said = orchestai("evaluate", "--data", ",")

    assert code == 2 and "argument --data" in said and "names nothing" in said


def test_a_missing_planner_folder_is_named(orchestai: Orchestai, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-planner"

    code, said = orchestai("evaluate", "--planner", str(missing), "--data", "builtin")

    assert code == 2 and f"{missing} is neither a planner folder nor a Hub repo" in said
