"""``orchestai route`` on bad input: exit status 2 and one line naming what was wrong, before
any selector is trained."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

Orchestai = Callable[..., tuple[int, str]]  # the conftest fixture: argv -> (status, error line)


def _table(path: Path) -> Path:
    rows = ["prompt,small,big,small|total_cost,big|total_cost"]
    rows += [f"question {i},{i % 2},1,0.001,0.01" for i in range(20)]
    path.write_text("\n".join(rows) + "\n")
    return path


def test_a_file_that_is_no_table_is_named(orchestai: Orchestai, tmp_path: Path) -> None:
    notes = tmp_path / "notes.csv"
    notes.write_text('title\n"a, b" and "c\nmore, text, here, now\n')

    code, said = orchestai("route", "--data", str(notes), "--out", str(tmp_path / "out"))

    assert code == 2 and "notes.csv: cannot be read as a CSV outcome table" in said
    assert "'<model>|total_cost' columns" in said


def test_a_folder_without_test_rows_is_named(orchestai: Orchestai, tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    _table(tmp_path / "data" / "mine_train.csv")

    code, said = orchestai("route", "--data", str(tmp_path / "data"), "--out", str(tmp_path / "o"))

    assert code == 2 and "holds *_train.csv files but no *_test.csv" in said


def test_an_unknown_reference_model_is_refused_before_training(
    orchestai: Orchestai, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    code, said = orchestai(
        "route", "--data", str(_table(tmp_path / "t.csv")), "--out", str(out),
        "--reference-model", "huge",
    )  # fmt: skip

    assert code == 2 and "reference model 'huge' is not in the table" in said
    assert "its models are small, big" in said
    assert not (out / "phase1").exists()


def test_an_unknown_device_is_refused(orchestai: Orchestai, tmp_path: Path) -> None:
    code, said = orchestai(
        "route", "--data", str(_table(tmp_path / "t.csv")), "--out", str(tmp_path / "o"),
        "--device", "tpu",
    )  # fmt: skip

    assert code == 2 and "device 'tpu' is not a torch device" in said


def test_output_paths_that_cannot_be_written_are_refused(
    orchestai: Orchestai, tmp_path: Path
) -> None:
    table = str(_table(tmp_path / "t.csv"))

    code, said = orchestai("route", "--data", table, "--out", table)
    assert code == 2 and "argument --out" in said and "is a file, not a folder" in said

    code, said = orchestai("route", "--data", table, "--choices-out", str(tmp_path))
    assert code == 2 and "argument --choices-out" in said and "is a folder" in said


def test_a_folder_without_tables_is_named(orchestai: Orchestai, tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()

    code, said = orchestai("route", "--data", str(tmp_path / "data"), "--out", str(tmp_path / "o"))

    assert code == 2 and "is a folder without NAME_train.csv and NAME_test.csv" in said
