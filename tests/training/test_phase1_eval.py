"""Benchmark evaluation: each data set is read and checked before planning (an empty side of its
split refused, saying why), and planned over its requests' own candidates or the given tools."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from orchestai_agents.training import phase1_eval
from orchestai_agents.training.datasets import DatasetFormatError, in_test_split

from orchestai_agents.planner import Inventory


def write(path: Path, side: str, n: int) -> Path:
    """NesTools lines whose ids the 80/20 id split all puts on ``side``."""
    record_ids = [i for i in range(1000) if in_test_split(str(i)) == (side == "test")][:n]
    call = {"api_name": "search", "parameters": {}, "responses": []}
    lines = [
        json.dumps({"test_id": i, "task": f"t{i}", "api": [{"api_name": "search"}], "call": [call]})
        for i in record_ids
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_file_whose_ids_all_hash_into_train_has_nothing_to_score(tmp_path: Path) -> None:
    path = write(tmp_path / "calls.jsonl", "train", 4)
    with pytest.raises(DatasetFormatError) as raised:
        phase1_eval.test_split(str(path))
    said = str(raised.value)
    assert said.startswith(f"{path}: its test split is empty: with no split file")
    assert "(about 1 in 5 to test; see split_by_id), and every id here went to train" in said
    assert said.endswith("add records with distinct ids")  # NesTools takes no split_ids.json


def test_the_baseline_without_training_records_is_refused_as_the_data_loads(tmp_path: Path) -> None:
    path = write(tmp_path / "calls.jsonl", "test", 2)
    with pytest.raises(DatasetFormatError) as raised:
        phase1_eval.load_benchmarks([str(path)])
    said = str(raised.value)
    assert said.startswith(f"{path}: its train split is empty") and "went to test" in said
    assert said.endswith("or evaluate without the 1-NN baseline (--no-baseline)")


def test_requests_with_their_own_candidates_are_planned_over_them_unless_tools_are_given(
    tmp_path: Path,
) -> None:
    path = write(tmp_path / "calls.jsonl", "test", 2)
    write(tmp_path / "train.jsonl", "train", 2)
    path.write_text(path.read_text() + (tmp_path / "train.jsonl").read_text())
    tools = Inventory.of_tools({"search": "Search the web."})

    [own] = phase1_eval.load_benchmarks([str(path)])
    [given] = phase1_eval.load_benchmarks([str(path)], inventory=tools)

    assert (len(own.train), len(own.test)) == (2, 2)
    assert own.inventory is None and given.inventory is tools
