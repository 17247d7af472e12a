"""``orchestai evaluate``: the shipped planner's errors by kind beside its scores; on bad input,
exit status 2 and one line naming the flag or folder."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from orchestai_agents.cli.main import main

Orchestai = Callable[..., tuple[int, str]]  # the conftest fixture: argv -> (status, error line)


def test_data_that_names_nothing_is_refused(orchestai: Orchestai) -> None:
    code, said = orchestai("evaluate", "--data", ",")

    assert code == 2 and "argument --data" in said and "names nothing" in said


@pytest.mark.parametrize("data", ["builtin,foo", "foo"])
def test_an_unknown_data_set_is_refused_before_anything_is_scored(
    orchestai: Orchestai, data: str
) -> None:
    code, said = orchestai("evaluate", "--data", data)

    assert code == 2 and "'foo' is neither a data set name" in said
    assert "ultratool, nestools, complexfuncbench, builtin" in said


def test_a_missing_planner_folder_is_named(orchestai: Orchestai, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-planner"

    code, said = orchestai("evaluate", "--planner", str(missing), "--data", "builtin")

    assert code == 2 and f"{missing}: no such folder" in said


@pytest.fixture
def planner_never_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bad data must be refused before the planner loads (seconds), not after."""
    import orchestai_agents.planner

    def loaded() -> None:
        pytest.fail("the planner loaded before the data was checked")

    monkeypatch.setattr(orchestai_agents.planner, "load_default_planner", loaded)


@pytest.mark.usefixtures("planner_never_loads")
def test_data_whose_test_split_is_empty_is_named_with_the_cause(
    orchestai: Orchestai, tmp_path: Path
) -> None:
    from orchestai_agents.training.datasets import in_test_split

    data = tmp_path / "data.jsonl"
    record_ids = [i for i in range(100) if not in_test_split(str(i))][:4]
    data.write_text(
        "".join(
            json.dumps({"id": i, "user_request": "r", "task_nodes": ["a"], "task_links": []}) + "\n"
            for i in record_ids
        )
    )

    code, said = orchestai("evaluate", "--data", str(data))

    assert code == 2 and f"{data}: its test split is empty" in said
    assert "every id here went to train" in said and "split_ids.json" in said


@pytest.mark.usefixtures("planner_never_loads")
def test_data_with_a_repeated_id_is_named_before_the_planner_loads(
    orchestai: Orchestai, tmp_path: Path
) -> None:
    data = tmp_path / "data.jsonl"
    data.write_text(
        "".join(
            json.dumps({"id": i, "user_request": "r", "task_nodes": ["a"], "task_links": []}) + "\n"
            for i in ("a", "b", "a")
        )
    )

    code, said = orchestai("evaluate", "--data", f"builtin,{data}")

    assert code == 2 and f"{data}, line 3: id 'a' repeats line 1; " in said


@pytest.mark.slow
def test_the_errors_by_kind_agree_with_the_scores(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", "--data", "builtin", "--no-baseline", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)

    kinds = report["errors"]["builtin"]["kinds"]
    scores = next(r for r in report["results"] if r["group"] == "all")
    # A request has the gold tool set exactly when its error kind is exact or links.
    assert sum(kinds.values()) == scores["n"]
    assert kinds["exact"] + kinds["links"] == round(scores["accuracy"] * scores["n"] / 100)
    assert main(["evaluate", "--data", "builtin", "--no-baseline"]) == 0
    assert (
        f"the planner's plans on builtin, by kind of error: {scores['n']} requests: exact "
        in capsys.readouterr().out
    )


def test_the_baseline_is_left_out_when_tools_are_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tools = tmp_path / "tool_desc.json"
    tools.write_text(
        json.dumps(
            {
                "nodes": [
                    {"id": "send_sms", "desc": "Send a text message."},
                    {"id": "book_flight", "desc": "Book a flight."},
                ]
            }
        )
    )

    assert main(["evaluate", "--data", "builtin", "--tools", str(tools), "--json"]) == 0

    said = capsys.readouterr()
    planners = {row["planner"] for row in json.loads(said.out)["results"]}
    assert planners == {"orchestai planner"}
    assert "the 1-NN baseline is left out with --tools" in said.err


@pytest.mark.slow
def test_float32_scores_the_float_encoder_and_leaves_the_shared_planner_int8(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from orchestai_agents.planner import load_default_planner

    def node_f1(*flags: str) -> float:
        assert main(["evaluate", "--data", "builtin", "--no-baseline", "--json", *flags]) == 0
        report = json.loads(capsys.readouterr().out)
        return next(r for r in report["results"] if r["group"] == "all")["node_f1"]

    int8, float32 = node_f1(), node_f1("--float32")

    assert int8 != float32  # the shipped planner plans with the int8 encoder it was trained on
    shared = load_default_planner()
    assert shared.encoder.config.quantize and shared.config.decomposer.half_precision
    assert node_f1() == int8
