"""Phase-1 training data: a data set whose train split cannot teach anything is refused, saying why."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from orchestai_agents.training.datasets import DatasetFormatError, in_test_split
from orchestai_agents.training.phase1_data import load_training_data


def ids(side: str, n: int) -> list[str]:
    """The first ``n`` ids that the 80/20 id split puts on ``side``."""
    return [i for i in map(str, range(1000)) if in_test_split(i) == (side == "test")][:n]


def write(path: Path, record_ids: list[str], nodes: list[dict] | None = None) -> Path:
    nodes = [{"task": "search"}] if nodes is None else nodes
    lines = [
        json.dumps({"id": i, "user_request": f"r{i}", "task_nodes": nodes, "task_links": []})
        for i in record_ids
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_file_whose_ids_all_hash_into_test_is_named_with_the_cause(tmp_path: Path) -> None:
    path = write(tmp_path / "data.jsonl", ids("test", 3))
    with pytest.raises(DatasetFormatError) as raised:
        load_training_data([str(path)])
    said = str(raised.value)
    assert said.startswith(f"{path}: its train split is empty: with no split file")
    assert "by a hash of its id" in said and "every id here went to test" in said
    assert "add records with distinct ids, or list the test ids in a split_ids.json" in said


def test_a_split_file_listing_every_id_is_named(tmp_path: Path) -> None:
    write(tmp_path / "data.json", ["a", "b"])
    (tmp_path / "split_ids.json").write_text(json.dumps({"test_ids": ["a", "b"]}))
    with pytest.raises(DatasetFormatError) as raised:
        load_training_data([str(tmp_path)])
    assert str(raised.value).startswith(
        f"{tmp_path / 'split_ids.json'}: lists every id of data.json as a test id, so its train "
        "split is empty"
    )


def test_training_records_without_a_single_step_are_named(tmp_path: Path) -> None:
    path = write(tmp_path / "data.jsonl", ids("train", 4) + ids("test", 1), nodes=[])
    with pytest.raises(DatasetFormatError) as raised:
        load_training_data([str(path)])
    assert str(raised.value).startswith(
        f"{path}: none of its 4 training records has a step (every task_nodes, call or output "
        "list is empty)"
    )


def test_a_train_split_with_steps_loads(tmp_path: Path) -> None:
    path = write(tmp_path / "data.jsonl", ids("train", 2) + ids("test", 1))
    train, val, inventory = load_training_data([str(path)])
    assert [w.id for w in train] == ids("train", 2) and val == []
    assert inventory.task_types == ("search",)


def test_data_to_evaluate_without_a_single_step_is_named(tmp_path: Path) -> None:
    # orchestai evaluate builds the inventory from every record: with none it had said only
    # "an inventory needs at least one task type".
    from orchestai_agents.training.phase1_data import dataset_inventory

    path = write(tmp_path / "data.jsonl", ids("train", 4) + ids("test", 1), nodes=[])
    with pytest.raises(DatasetFormatError, match=r"none of its 5 records has a step"):
        dataset_inventory(str(path))
    assert dataset_inventory(str(write(path, ids("train", 2)))).task_types == ("search",)
