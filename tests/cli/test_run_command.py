"""``orchestai run`` on output paths it cannot write: refused before any worker is paid."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

Orchestai = Callable[..., tuple[int, str]]  # the conftest fixture: argv -> (status, error line)

PLAN = Path(__file__).resolve().parents[2] / "examples" / "plans" / "paper_to_slides.json"


def test_out_that_is_a_file_is_refused(orchestai: Orchestai, tmp_path: Path) -> None:
    taken = tmp_path / "out"
    taken.write_text("a user's file")

    code, said = orchestai("run", "--plan", str(PLAN), "--out", str(taken))

    assert code == 2 and "argument --out/-o" in said and "is a file, not a folder" in said
    assert taken.read_text() == "a user's file"


def test_a_log_that_is_a_folder_is_refused_before_the_run(
    orchestai: Orchestai, tmp_path: Path
) -> None:
    out = tmp_path / "out"

    code, said = orchestai("run", "--plan", str(PLAN), "--out", str(out), "--log", str(tmp_path))

    assert code == 2 and "argument --log" in said and "is a folder; give a file name" in said
    assert not out.exists()
