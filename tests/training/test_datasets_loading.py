"""The front door: data sets by name or path, format detection, the deterministic id split."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from orchestai_agents.training.datasets import (
    DatasetFormatError,
    default_datasets_root,
    detect_format,
    in_test_split,
    load_nestful,
    load_nestools,
    load_planning_dataset,
    split_by_id,
)
from orchestai_agents.training.workflows import AnnotatedWorkflow, WorkflowNode

import training.datasets

SHARED = Path(__file__).resolve().parents[3] / "shared" / "datasets"
needs_shared = pytest.mark.skipif(
    not (SHARED / "planning").is_dir(), reason=f"no shared data sets at {SHARED}"
)

TASKBENCH = {"id": "1", "user_request": "r", "task_nodes": [{"task": "a"}], "task_links": []}
NESTOOLS = {
    "test_id": 1,
    "task": "t",
    "api": [],
    "call": [{"api_name": "a", "parameters": {}, "responses": []}],
}
NESTFUL = {"input": "i", "output": [{"name": "a", "arguments": {}, "label": "var1"}]}


def test_public_names_are_pinned() -> None:
    assert sorted(training.datasets.__all__) == [
        "DATASET_NAMES", "DatasetFormatError", "Split", "Tool", "default_datasets_root", "detect_format",
        "empty_split_error", "in_test_split", "load_nestful", "load_nestful_specs", "load_nestools",
        "load_planning_dataset", "load_taskbench", "load_tool_inventory", "parse_nestful_record",
        "parse_nestools_record", "parse_taskbench_record", "split_by_id", "taskbench_split",
    ]  # fmt: skip


def test_in_test_split_is_sha1_mod_5() -> None:
    ids = [str(i) for i in range(200)]
    expected = [i for i in ids if int(hashlib.sha1(i.encode()).hexdigest(), 16) % 5 == 0]
    assert [i for i in ids if in_test_split(i)] == expected
    assert 25 <= len(expected) <= 55  # about a fifth


def test_split_by_id_keeps_order_and_partitions() -> None:
    workflows = [AnnotatedWorkflow(str(i), "r", (WorkflowNode("a"),)) for i in range(50)]
    train, test = split_by_id(workflows)
    assert sorted(w.id for w in train + test) == sorted(w.id for w in workflows)
    assert all(in_test_split(w.id) for w in test) and not any(in_test_split(w.id) for w in train)
    assert [w.id for w in test] == sorted((w.id for w in test), key=int)


@pytest.mark.parametrize(
    ("name", "content", "fmt"),
    [
        ("data.json", json.dumps(TASKBENCH) + "\n", "taskbench"),
        ("calls.jsonl", json.dumps(NESTOOLS) + "\n", "nestools"),
        ("calls.json", json.dumps([NESTFUL]), "nestful"),
    ],
)
def test_detect_format_and_load_a_users_file(
    tmp_path: Path, name: str, content: str, fmt: str
) -> None:
    path = tmp_path / name
    path.write_text(content)
    assert detect_format(path) == fmt
    [w] = load_planning_dataset(path)
    assert w.node_names == ["a"]


def test_detect_format_rejects_other_json(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text(json.dumps({"question": "q"}) + "\n")
    with pytest.raises(DatasetFormatError, match=r"unrecognised planning format .*\['question'\]"):
        detect_format(path)


def test_detect_format_says_a_file_that_is_not_utf8_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_bytes(b'\n{"id": "caf\xe9"}\n')
    with pytest.raises(DatasetFormatError, match=r"x.jsonl, line 2: not UTF-8 text"):
        detect_format(path)


@pytest.mark.parametrize(
    "head", ["\n", " \n\t\n", "\ufeff", "\ufeff\n"], ids=["blank", "blanks", "bom", "bom-blank"]
)
@pytest.mark.parametrize(
    ("name", "content"),
    [("data.jsonl", json.dumps(TASKBENCH) + "\n"), ("calls.json", json.dumps([NESTFUL], indent=2))],
    ids=["json-lines", "json-array"],
)
def test_a_leading_blank_line_or_byte_order_mark_is_no_error(
    tmp_path: Path, head: str, name: str, content: str
) -> None:
    path = tmp_path / name
    path.write_text(head + content, encoding="utf-8")
    [w] = load_planning_dataset(path)
    assert w.node_names == ["a"]


@pytest.mark.parametrize("indent", [None, 2])
def test_a_json_array_where_json_lines_are_expected_is_named(
    tmp_path: Path, indent: int | None
) -> None:
    path = tmp_path / "data.json"
    path.write_text(json.dumps([TASKBENCH, {**TASKBENCH, "id": "2"}], indent=indent))
    with pytest.raises(DatasetFormatError) as raised:
        load_planning_dataset(path)
    assert str(raised.value) == (
        f"{path}, line 1: this is a JSON array; give JSON lines (one record per line, e.g. what "
        "jq -c '.[]' data.json prints)"
    )


@pytest.mark.parametrize(
    ("content", "said"), [("\n \n", "is empty"), ("[]", "is an empty JSON array")]
)
def test_a_file_without_records_is_named(tmp_path: Path, content: str, said: str) -> None:
    path = tmp_path / "x.json"
    path.write_text(content)
    with pytest.raises(
        DatasetFormatError, match=rf"x.json: {said}; expected TaskBench or NesTools"
    ):
        detect_format(path)


@pytest.mark.parametrize("read", [detect_format, load_nestools, load_nestful])
def test_a_file_one_may_not_read_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, read: Callable[[Path], object]
) -> None:
    # The tests may run as root, whom chmod 000 does not stop: refuse to open the file instead.
    path = tmp_path / "calls.jsonl"
    path.write_text(json.dumps(NESTOOLS) + "\n")
    real_open = Path.open

    def refused(self: Path, *args: object, **kwargs: object) -> object:
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refused)
    with pytest.raises(
        DatasetFormatError, match=re.escape(f"{path}: cannot read it (Permission denied); ")
    ):
        read(path)


REPEATED = "records are split into train and test, and scored, by id, so no two may share one"


@pytest.mark.parametrize("split", ["all", "train", "test"])
@pytest.mark.parametrize(
    ("name", "content", "said"),
    [
        (
            "data.jsonl",  # 1 and "1" are one id to the split; a blank line still counts
            f"{json.dumps(TASKBENCH)}\n\n{json.dumps({**TASKBENCH, 'id': 2})}\n"
            f"{json.dumps({**TASKBENCH, 'id': 1})}\n",
            "line 4: id '1' repeats line 1; ",
        ),
        (
            "calls.jsonl",
            "".join(json.dumps({**NESTOOLS, "test_id": i}) + "\n" for i in (7, 8, 7)),
            "line 3: id '7' repeats line 1; ",
        ),
        (
            "calls.json",  # the fourth record, without an id, takes its position: 3
            json.dumps([{**NESTFUL, "sample_id": 3}, NESTFUL, NESTFUL, NESTFUL]),
            "line 4: id '3' repeats record 1; ",
        ),
    ],
    ids=["taskbench", "nestools", "nestful"],
)
def test_a_repeated_id_names_the_file_and_both_records(
    tmp_path: Path, name: str, content: str, said: str, split: str
) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(DatasetFormatError) as raised:
        load_planning_dataset(path, split)  # type: ignore[arg-type]
    assert str(raised.value).startswith(f"{path}, {said}{REPEATED}")
    assert "give each record its own id, or delete the repeated record" in str(raised.value)


def test_a_repeated_id_is_refused_where_split_ids_json_splits(tmp_path: Path) -> None:
    lines = [{**TASKBENCH, "id": i} for i in ("a", "b", "a")]
    (tmp_path / "data.json").write_text("".join(json.dumps(line) + "\n" for line in lines))
    (tmp_path / "split_ids.json").write_text(json.dumps({"test_ids": ["a"]}))
    with pytest.raises(DatasetFormatError, match=r"data.json, line 3: id 'a' repeats line 1; "):
        load_planning_dataset(tmp_path, "test")


def test_user_folder_without_split_file_uses_the_id_split(tmp_path: Path) -> None:
    lines = [json.dumps({**TASKBENCH, "id": str(i)}) for i in range(30)]
    (tmp_path / "data.json").write_text("\n".join(lines))
    test = load_planning_dataset(tmp_path, split="test")
    assert [w.id for w in test] == [str(i) for i in range(30) if in_test_split(str(i))]


def test_unknown_name_and_bad_split(tmp_path: Path) -> None:
    with pytest.raises(DatasetFormatError, match="not a known data set name"):
        load_planning_dataset("no-such-set")
    with pytest.raises(ValueError, match="split must be"):
        load_planning_dataset("ultratool", split="dev")  # type: ignore[arg-type]
    with pytest.raises(DatasetFormatError, match="set ORCHESTAI_DATASETS"):
        load_planning_dataset("nestools", datasets_root=tmp_path)


def test_environment_variable_sets_the_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ORCHESTAI_DATASETS", str(tmp_path))
    assert default_datasets_root() == tmp_path
    folder = tmp_path / "planning" / "nestools"
    folder.mkdir(parents=True)
    (folder / "test_data.jsonl").write_text(json.dumps(NESTOOLS) + "\n")
    assert [w.id for w in load_planning_dataset("nestools")] == ["1"]


@needs_shared
@pytest.mark.parametrize(
    ("name", "n_train", "n_test"),
    [("ultratool", 3027, 500), ("nestools", 804, 196), ("complexfuncbench", 805, 195)],
)
def test_named_splits_of_the_shared_data(name: str, n_train: int, n_test: int) -> None:
    train = load_planning_dataset(name, split="train", datasets_root=SHARED)
    test = load_planning_dataset(name, split="test", datasets_root=SHARED)
    everything = load_planning_dataset(name, datasets_root=SHARED)
    assert (len(train), len(test)) == (n_train, n_test)
    assert len({w.id for w in everything}) == len(everything) == n_train + n_test
    assert not {w.id for w in train} & {w.id for w in test}
    assert {w.source for w in train + test} == {name}
