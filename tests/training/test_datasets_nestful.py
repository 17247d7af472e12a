"""The NESTFUL loader (ComplexFuncBench): $varK...$ references become data-flow links."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from orchestai_agents.training.datasets import DatasetFormatError, load_nestful

CFB = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "planning" / "complexfuncbench"


def call(name: str, arguments: dict, label: str) -> dict:
    return {"name": name, "arguments": arguments, "label": label}


RECORD = {
    "input": " Compare two car rentals near the hotel.",
    "output": [
        call("Search_Location", {"query": "hotel"}, "var1"),
        call("Search_Rentals", {"lat": "$var1.coordinates.latitude$", "day": "2024-10-14"}, "var2"),
        call("Search_Rentals", {"lat": "$var1.coordinates.latitude$", "day": "2024-10-15"}, "var3"),
        call("Compare", {"a": "$var2$", "b": ["$var3.price$"], "fee": "$5 fee"}, "var4"),
    ],
}


def write(tmp_path: Path, *records: object) -> Path:
    path = tmp_path / "bench-data.json"
    path.write_text(json.dumps(list(records)))
    return path


def test_references_become_links(tmp_path: Path) -> None:
    [w] = load_nestful(write(tmp_path, RECORD))
    assert (w.id, w.request, w.source) == ("0", "Compare two car rentals near the hotel.", "bench")
    assert w.node_names == ["Search_Location", "Search_Rentals", "Search_Rentals", "Compare"]
    assert w.links == ((0, 1), (0, 2), (1, 3), (2, 3))  # fan-out then fan-in
    assert w.named_links.count(("Search_Location", "Search_Rentals")) == 2


def test_ids_and_spec_descriptions(tmp_path: Path) -> None:
    spec = tmp_path / "bench-spec.json"
    spec.write_text(json.dumps([{"name": "Compare", "description": "Compare two offers."}]))
    workflows = load_nestful(
        write(tmp_path, RECORD, {**RECORD, "sample_id": "s-9"}), spec_path=spec
    )
    assert [w.id for w in workflows] == ["0", "s-9"]
    assert workflows[0].nodes[3].description == "Compare two offers."


@pytest.mark.parametrize(
    ("entry", "got"),
    [
        ({"name": ["Compare"]}, "its 'name' is a list"),
        ({"name": None}, "its 'name' is a NoneType"),
        ({"description": "d"}, "it has no 'name' (fields: ['description'])"),
        ("Compare", "it is a str"),
    ],
)
def test_a_spec_entry_without_a_string_name_is_named(
    tmp_path: Path, entry: object, got: str
) -> None:
    spec = tmp_path / "bench-spec.json"
    spec.write_text(json.dumps([{"name": "Compare", "description": "Compare two offers."}, entry]))
    with pytest.raises(DatasetFormatError) as raised:
        load_nestful(write(tmp_path, RECORD), spec_path=spec)
    assert str(raised.value) == (
        f"{spec}: API spec entry 2 should be an object with a string 'name', but {got}; "
        "fix or remove that entry"
    )


@pytest.mark.parametrize(
    ("field", "value", "got"),
    [("sample_id", None, "null"), ("sample_id", {"a": 1}, '{"a": 1}'), ("id", True, "true")],
)
def test_an_id_that_is_no_string_or_integer_names_the_record(
    tmp_path: Path, field: str, value: object, got: str
) -> None:
    """Every null id became "None": one id for all, so all fell on one side of the split."""
    path = write(tmp_path, RECORD, {**RECORD, field: value})
    with pytest.raises(DatasetFormatError) as raised:
        load_nestful(path)
    assert str(raised.value) == (
        f"{path}, line 2: field {field!r} should be a string or integer id, got {got}; give each "
        "record its own id, or drop the field to number records by position"
    )


def test_dangling_reference_names_the_record(tmp_path: Path) -> None:
    bad = {"input": "x", "output": [call("A", {"q": "$var3.id$"}, "var1")]}
    with pytest.raises(
        DatasetFormatError, match=r"bench-data.json, line 2: call 0 \(A\) reads \$var3"
    ):
        load_nestful(write(tmp_path, RECORD, bad))


def test_not_an_array(tmp_path: Path) -> None:
    path = tmp_path / "d.json"
    path.write_text(json.dumps({"input": "x"}))
    with pytest.raises(DatasetFormatError, match="expected a JSON array"):
        load_nestful(path)


@pytest.mark.skipif(not CFB.is_dir(), reason=f"ComplexFuncBench is not at {CFB}")
def test_real_complexfuncbench_counts_match_its_source_note() -> None:
    workflows = load_nestful(CFB / "complexfuncbench-data.stripped.json")
    assert len(workflows) == 1000
    assert sum(len(w.nodes) for w in workflows) == 5070  # "avg 5.07 calls"
    assert sum(bool(w.links) for w in workflows) == 750  # "750 of 1,000 have dependencies"
    assert sum(w.shape == "dag" for w in workflows) == 579  # "579 are not simple chains"
