"""Plans as data: JSON round-trips, field-level load errors and graph queries."""

from __future__ import annotations

import json
import re

import pytest

from orchestai_agents import Alternative, Plan, PlanValidationError, SubTask
from orchestai_agents.plan import planned_description, request_words


def _diamond() -> Plan:
    return Plan(
        "Summarise the paper",
        (
            SubTask("read", "Extract the text", "extract_text", "reader", complexity=0.2),
            SubTask(
                "left",
                "Summarise",
                "summarize",
                "writer",
                ("read",),
                alternatives=(Alternative("writer2", 0.7), Alternative("writer", 0.9)),
            ),
            SubTask("right", "Draft", "generate_text", "writer", ("read",), complexity=1.0),
            SubTask("join", "Combine", "summarize", "writer", ("left", "right"), complexity=0.0),
        ),
        scores={"reward": 0.25},
    )


def _raw(**subtask_fields) -> dict:
    sub = {"id": "a", "description": "d", "task_type": "t", "worker": "echo", **subtask_fields}
    return {"format_version": 1, "instruction": "go", "subtasks": [sub]}


def test_save_then_load_gives_an_equal_plan(tmp_path):
    plan = _diamond()
    path = plan.save(tmp_path / "plan.json")
    assert Plan.load(path) == plan
    assert json.loads(path.read_text())["format_version"] == 1


def test_from_json_of_to_json_is_identity_with_unicode():
    plan = Plan("Résumé — 要約", (SubTask("a", "naïve step", "t", "echo"),))
    assert Plan.from_json(plan.to_json()) == plan
    assert "要約" in plan.to_json()


def test_subtask_lists_become_tuples_so_subtasks_stay_hashable():
    sub = SubTask("a", "d", "t", "w", ["x"], alternatives=[{"worker": "v", "score": 0.5}])
    assert sub.dependencies == ("x",)
    assert sub.alternatives == (Alternative("v", 0.5),)
    assert hash(sub) == hash(
        SubTask("a", "d", "t", "w", ("x",), alternatives=(Alternative("v", 0.5),))
    )


def test_from_dict_names_missing_plan_fields():
    with pytest.raises(PlanValidationError, match="subtasks"):
        Plan.from_dict({"instruction": "go"})


def test_from_dict_names_the_node_missing_fields():
    raw = _raw()
    del raw["subtasks"][0]["worker"]
    with pytest.raises(PlanValidationError, match=r"'a' is missing \['worker'\]") as info:
        Plan.from_dict(raw)
    assert info.value.node == "a"


def test_from_dict_names_unknown_field_and_lists_allowed_ones():
    with pytest.raises(
        PlanValidationError, match=r"'a' has unknown field\(s\) \['model'\]"
    ) as info:
        Plan.from_dict(_raw(model="gpt"))
    assert "task_type" in str(info.value)
    assert info.value.node == "a"


def test_from_dict_rejects_non_numeric_complexity_naming_node_and_field():
    with pytest.raises(PlanValidationError, match=r"'a'.*'complexity'"):
        Plan.from_dict(_raw(complexity="hard"))


@pytest.mark.parametrize("complexity", [-1, 2, "nan", -0.01, 1.01, True, "0.5"])
def test_from_dict_rejects_complexity_outside_the_unit_interval_naming_node_and_field(complexity):
    with pytest.raises(PlanValidationError, match=r"'a': 'complexity' .* in \[0, 1\]") as info:
        Plan.from_dict(_raw(complexity=complexity))
    assert info.value.node == "a"


@pytest.mark.parametrize("complexity", [0, 1.0])
def test_from_dict_accepts_complexity_on_the_bounds(complexity):
    assert Plan.from_dict(_raw(complexity=complexity)).subtasks[0].complexity == complexity


@pytest.mark.parametrize(
    ("scores", "said"),
    [
        ([], "must be an object of names to numbers, got list"),
        ({"q": {"cheap": "high"}}, "gives 'q' the value {'cheap': 'high'}; each score must be"),
        ({"reward": "0.5"}, "gives 'reward' the value '0.5'"),
        ({"reward": True}, "gives 'reward' the value True"),
        ({"reward": float("nan")}, "gives 'reward' the value nan"),
    ],
)
def test_from_dict_rejects_scores_that_are_not_names_to_finite_numbers(scores, said):
    with pytest.raises(PlanValidationError, match=re.escape(said)):
        Plan.from_dict(_raw() | {"scores": scores})


def test_from_dict_rejects_dependencies_that_are_not_a_list():
    for deps in ("read", 3, {"read": 1}):
        with pytest.raises(PlanValidationError, match="'a': 'dependencies' must be a list"):
            Plan.from_dict(_raw(dependencies=deps))


@pytest.mark.parametrize(
    "alternative",
    [
        {"worker": "writer2"},
        {"score": 0.5},
        {"worker": "writer2", "score": float("nan")},
        {"worker": "writer2", "score": float("inf")},
        {"worker": "writer2", "score": True},
        "writer2",
    ],
)
def test_from_dict_rejects_alternative_without_a_worker_and_a_finite_score(alternative):
    """validate_plan refuses a non-finite score, but the log reader and phase 3 never call it."""
    with pytest.raises(PlanValidationError, match=r"'a': .*'worker' and 'score' .*finite"):
        Plan.from_dict(_raw(alternatives=[alternative]))


def test_from_dict_rejects_subtask_that_is_not_an_object():
    raw = {"instruction": "go", "subtasks": ["a"]}
    with pytest.raises(PlanValidationError, match=r"subtasks\[0\] must be an object"):
        Plan.from_dict(raw)


def test_from_dict_rejects_subtasks_given_as_string_or_non_object_plan():
    with pytest.raises(PlanValidationError, match="must be a list"):
        Plan.from_dict({"instruction": "go", "subtasks": "a,b"})
    with pytest.raises(PlanValidationError, match="JSON object"):
        Plan.from_dict([1, 2])


def test_from_json_reports_line_and_column_of_bad_json():
    text = '{\n  "instruction": "go",\n  "subtasks": [,]\n}'
    with pytest.raises(PlanValidationError, match=r"line 3, column 16"):
        Plan.from_json(text)


def test_wrong_format_version_is_refused_with_the_expected_one():
    raw = _raw()
    raw["format_version"] = 2
    with pytest.raises(PlanValidationError, match=r"format_version 2 .*expected 1"):
        Plan.from_dict(raw)


def test_load_of_missing_file_names_the_path(tmp_path):
    path = tmp_path / "nope.json"
    with pytest.raises(PlanValidationError, match=r"nope\.json"):
        Plan.load(path)


def test_edges_are_dependency_dependent_pairs():
    assert _diamond().edges == [
        ("read", "left"),
        ("read", "right"),
        ("left", "join"),
        ("right", "join"),
    ]


def test_sinks_are_nodes_nobody_depends_on():
    assert _diamond().sinks() == ["join"]
    plan = Plan(
        "i",
        (
            SubTask("a", "d", "t", "w"),
            SubTask("b", "d", "t", "w"),
            SubTask("c", "d", "t", "w", ("a",)),
        ),
    )
    assert plan.sinks() == ["b", "c"]


def test_topological_order_puts_dependencies_first_and_is_stable():
    plan = Plan(
        "i",
        (
            SubTask("join", "d", "t", "w", ("left", "right")),
            SubTask("right", "d", "t", "w", ("read",)),
            SubTask("left", "d", "t", "w", ("read",)),
            SubTask("read", "d", "t", "w"),
        ),
    )
    assert [s.id for s in plan.topological_order()] == ["read", "right", "left", "join"]


def test_topological_order_of_a_cycle_raises():
    plan = Plan("i", (SubTask("a", "d", "t", "w", ("b",)), SubTask("b", "d", "t", "w", ("a",))))
    with pytest.raises(PlanValidationError, match="cycle"):
        plan.topological_order()


def test_node_lookup_names_known_ids_when_missing():
    plan = _diamond()
    assert plan.node("left").worker == "writer"
    with pytest.raises(KeyError, match="'read', 'left'"):
        plan.node("nope")


def test_with_workers_replaces_only_the_named_nodes():
    plan = _diamond()
    swapped = plan.with_workers({"left": "writer2"})
    assert swapped.node("left").worker == "writer2"
    assert swapped.node("left").alternatives == plan.node("left").alternatives
    assert [s.worker for s in swapped if s.id != "left"] == [
        s.worker for s in plan if s.id != "left"
    ]
    assert swapped.scores == plan.scores and swapped.instruction == plan.instruction
    assert plan.node("left").worker == "writer"  # the original is untouched


@pytest.mark.parametrize(
    ("description", "words"),
    [
        (planned_description("Summarise a text.", "boil the notes down"), "boil the notes down"),
        # A hand-written step's description is all its own words.
        ("Rank the passages about cost", "Rank the passages about cost"),
        # Words that repeat the marker stay whole: the task type's description never holds it.
        (planned_description("Write a text.", "a memo For: the board"), "a memo For: the board"),
        (planned_description("Write a text.", " "), "Write a text. For:  "),
    ],
)
def test_request_words_leave_out_what_the_task_type_does(description, words):
    assert request_words(description) == words
