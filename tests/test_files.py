"""Files rewritten in place (metrics.csv, selector files, phase-3 state) are whole or untouched."""

from pathlib import Path

import pytest

from orchestai_agents._internal._files import write_replacing, write_text_replacing


def test_a_write_that_fails_leaves_the_earlier_file_and_no_partial(tmp_path: Path) -> None:
    path = tmp_path / "metrics.csv"
    path.write_text("epoch\n1\n")

    def fail_halfway(temp: Path) -> None:
        temp.write_text("epo")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left"):
        write_replacing(path, fail_halfway)
    assert path.read_text() == "epoch\n1\n"
    assert [p.name for p in tmp_path.iterdir()] == ["metrics.csv"]


def test_a_write_that_succeeds_replaces_the_file(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text("{}")
    write_text_replacing(path, '{"runs": 2}\n')
    assert path.read_text() == '{"runs": 2}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]


def test_two_writers_of_one_file_do_not_share_a_staging_file(tmp_path: Path) -> None:
    # A second writer (another process) replaces the file while the first is still writing.
    path = tmp_path / "state.json"

    def write_while_another_writes(temp: Path) -> None:
        temp.write_text("first")
        write_text_replacing(path, "second")

    write_replacing(path, write_while_another_writes)
    assert path.read_text() == "first"
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]
