"""The NesTools loader: API_call_k placeholders become data-flow links."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from orchestai_agents.training.datasets import DatasetFormatError, load_nestools
from orchestai_agents.training.workflows import AnnotatedWorkflow

NESTOOLS = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "datasets"
    / "planning"
    / "nestools"
    / "test_data.jsonl"
)


def call(name: str, parameters: dict, responses: list[str]) -> dict:
    return {"api_name": name, "parameters": parameters, "responses": responses}


RECORD = {
    "test_id": 5,
    "task": "Scan the book, find it, then start the AR tour. ",
    "api": [
        {"api_name": "scan", "api_description": "Scan an ISBN."},
        *({"api_name": name} for name in ("locate", "tour", "log")),
    ],
    "call": [
        call("scan", {"isbn": "978"}, ["API_call_0", "API_call_1"]),
        call("locate", {"info": "API_call_0"}, ["API_call_2"]),
        # fan-in, one placeholder inside a list; call 0 feeds call 2 twice but links once
        call(
            "tour",
            {"ok": "API_call_1", "where": ["API_call_2"], "again": "API_call_0"},
            ["API_call_3"],
        ),
        call("log", {"note": "done"}, []),
    ],
}


def with_calls(*calls: dict) -> dict:
    """RECORD with these calls, each listed among its candidate APIs."""
    return {**RECORD, "api": [{"api_name": c["api_name"]} for c in calls], "call": list(calls)}


def write(path: Path, *records: dict) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def test_placeholders_become_links(tmp_path: Path) -> None:
    [w] = load_nestools(write(tmp_path / "n.jsonl", RECORD))
    assert (w.id, w.request, w.source) == (
        "5",
        "Scan the book, find it, then start the AR tour.",
        "nestools",
    )
    assert w.node_names == ["scan", "locate", "tour", "log"]
    assert w.links == ((0, 1), (0, 2), (1, 2))
    assert w.shape == "dag"
    assert [n.description for n in w.nodes] == ["Scan an ISBN.", "", "", ""]


def test_api_call_1_is_not_api_call_10(tmp_path: Path) -> None:
    calls = [call(f"f{i}", {}, [f"API_call_{i}"]) for i in range(11)]
    calls.append(call("last", {"x": "API_call_10"}, []))
    [w] = load_nestools(write(tmp_path / "n.jsonl", with_calls(*calls)))
    assert w.links == ((10, 11),)


def test_unknown_placeholder_names_the_line(tmp_path: Path) -> None:
    bad = with_calls(call("a", {"x": "API_call_7"}, []))
    with pytest.raises(DatasetFormatError, match=r"line 2: call 0 \(a\) consumes API_call_7"):
        load_nestools(write(tmp_path / "n.jsonl", RECORD, bad))


def test_missing_field_names_the_line(tmp_path: Path) -> None:
    with pytest.raises(DatasetFormatError, match=r"line 1: record has no 'task' field"):
        load_nestools(write(tmp_path / "n.jsonl", {k: v for k, v in RECORD.items() if k != "task"}))


def test_each_request_keeps_its_own_candidate_apis(tmp_path: Path) -> None:
    [w] = load_nestools(write(tmp_path / "n.jsonl", RECORD))
    assert [(c.name, c.description) for c in w.candidates] == [
        ("scan", "Scan an ISBN."),
        ("locate", ""),
        ("tour", ""),
        ("log", ""),
    ]
    assert AnnotatedWorkflow.from_dict(w.to_dict()) == w


def test_a_malformed_api_list_names_the_line(tmp_path: Path) -> None:
    with pytest.raises(DatasetFormatError, match=r"line 1: field 'api' should be a list"):
        load_nestools(write(tmp_path / "n.jsonl", {**RECORD, "api": [{"name": "scan"}]}))


def test_a_call_outside_the_records_candidate_apis_names_the_line(tmp_path: Path) -> None:
    """Training masks every type but a record's candidates: such a gold call cannot be learned."""
    bad = {**RECORD, "api": RECORD["api"][:2]}
    with pytest.raises(DatasetFormatError) as raised:
        load_nestools(write(tmp_path / "n.jsonl", RECORD, bad))
    assert str(raised.value) == (
        f"{tmp_path / 'n.jsonl'}, line 2: call 2 (tour) is not among the record's candidate APIs "
        "in 'api' (scan, locate); add its schema to 'api' or fix its 'api_name'"
    )


@pytest.mark.skipif(not NESTOOLS.is_file(), reason=f"NesTools is not at {NESTOOLS}")
def test_real_nestools_counts_match_its_source_note() -> None:
    workflows = load_nestools(NESTOOLS)
    assert len(workflows) == 1000
    assert sum(bool(w.links) for w in workflows) == 830  # "830 of 1,000 have dependencies"
    assert sum(w.shape == "dag" for w in workflows) == 368  # "368 are not simple chains"
