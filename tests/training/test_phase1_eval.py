"""Benchmark evaluation: a data set with an empty side of its split is refused, saying why."""

from __future__ import annotations

import json
from pathlib import Path
from typing import cast

import pytest
from orchestai_agents.training import phase1_eval
from orchestai_agents.training.datasets import DatasetFormatError, in_test_split

from orchestai_agents.planner import Planner


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


def test_the_baseline_without_training_records_is_refused_before_planning(tmp_path: Path) -> None:
    path = write(tmp_path / "calls.jsonl", "test", 2)
    planner = cast(Planner, None)  # refused before the planner is asked anything
    with pytest.raises(DatasetFormatError) as raised:
        phase1_eval.evaluate_benchmarks(planner, [str(path)])
    said = str(raised.value)
    assert said.startswith(f"{path}: its train split is empty") and "went to test" in said
    assert said.endswith("or evaluate without the 1-NN baseline (--no-baseline)")
