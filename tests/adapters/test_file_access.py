import shutil
import tempfile
from pathlib import Path

import pytest
from orchestai_agents.adapters._file_access import FileAccess
from orchestai_agents.adapters.table_analyst import TableAnalystTool

from orchestai_agents.errors import InputFileError


def test_file_inside_allowed_folder_is_resolved(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x")
    assert (
        FileAccess.of([tmp_path]).readable(tmp_path / "sub" / ".." / "a.txt")
        == (tmp_path / "a.txt").resolve()
    )


def test_dotdot_escape_is_refused(tmp_path: Path) -> None:
    (tmp_path / "inner").mkdir()
    (tmp_path / "secret.txt").write_text("x")
    with pytest.raises(InputFileError, match="outside the allowed folders"):
        FileAccess.of([tmp_path / "inner"]).readable(tmp_path / "inner" / ".." / "secret.txt")


def test_symlink_pointing_outside_is_refused(tmp_path: Path) -> None:
    allowed, outside = tmp_path / "allowed", tmp_path / "outside"
    allowed.mkdir()
    outside.mkdir()
    (outside / "data.csv").write_text("a\n1\n")
    (allowed / "link.csv").symlink_to(outside / "data.csv")
    with pytest.raises(InputFileError, match="outside the allowed folders"):
        FileAccess.of([allowed]).readable(allowed / "link.csv")


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"nope\.csv does not exist"):
        FileAccess.of([tmp_path]).readable(tmp_path / "nope.csv")


def test_output_dir_outside_is_refused_and_none_makes_a_temp_dir(tmp_path: Path) -> None:
    access = FileAccess.of([tmp_path / "ok"])
    with pytest.raises(InputFileError, match="outside the allowed folders"):
        access.output_dir(str(tmp_path / "elsewhere"))
    assert not (tmp_path / "elsewhere").exists()
    made = access.output_dir(None)
    assert made.is_dir()
    made.rmdir()


def test_without_output_dir_a_tool_writes_into_a_temp_folder_the_next_steps_can_read(
    tmp_path: Path, sales_csv: Path, make_task, monkeypatch: pytest.MonkeyPatch
) -> None:
    data, system_tmp = tmp_path / "data", tmp_path / "tmp"
    data.mkdir()
    system_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_tmp))  # outside the allowed folder
    shutil.copy(sales_csv, data)
    tool = TableAnalystTool(allowed_dirs=[str(data)])
    _, artifacts = tool.execute(make_task(inputs=[data / "sales.csv"], output_dir=None))
    (written,) = map(Path, artifacts)
    assert [p.resolve() for p in system_tmp.iterdir()] == [written.parent] and written.is_file()
    assert FileAccess.of([data]).readable(written) == written


def test_a_temp_output_folder_is_allowed_only_under_the_same_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    made = FileAccess.of([tmp_path / "a"]).output_dir(None)
    (made / "secret.txt").write_text("tenant a")
    assert FileAccess.of([tmp_path / "a"]).readable(made / "secret.txt")
    with pytest.raises(InputFileError, match="outside the allowed folders"):
        FileAccess.of([tmp_path / "b"]).readable(made / "secret.txt")


def test_a_deleted_temp_output_folder_is_forgotten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    access = FileAccess.of([tmp_path / "a"])
    made = access.output_dir(None)
    made.rmdir()
    with pytest.raises(InputFileError):  # the check that finds the folder gone forgets it
        access.readable(made / "x.txt")
    made.mkdir()  # a folder of the same name, made by someone else
    with pytest.raises(InputFileError, match="outside the allowed folders"):
        access.inside(made / "x.txt")


def test_tool_refuses_an_input_outside_its_folders(
    tmp_path: Path, sales_csv: Path, make_task
) -> None:
    tool = TableAnalystTool(allowed_dirs=[str(tmp_path)])
    with pytest.raises(InputFileError, match="outside the allowed folders"):
        tool.execute(make_task(inputs=[sales_csv]))


def test_pick_without_a_matching_file_says_what_to_pass(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"no PDF file \(\.pdf\) among"):
        FileAccess.of([tmp_path]).pick(["notes.txt"], (".pdf",), what="PDF")
