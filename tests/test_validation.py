"""Validation refuses plans that are not DAGs over known, capable workers, naming node and fix."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orchestai_agents import (
    Alternative,
    Plan,
    PlanValidationError,
    SubTask,
    WorkerRegistry,
    compile_plan,
    validate_plan,
)
from orchestai_agents.validation import MAX_SUBTASKS


def _plan(*subtasks: SubTask) -> Plan:
    return Plan("go", subtasks)


def _sub(node_id: str, *deps: str, worker: str = "echo", task_type: str = "t", **kw) -> SubTask:
    return SubTask(node_id, f"step {node_id}", task_type, worker, deps, **kw)


# -- structure --------------------------------------------------------------------------------


def test_accepts_a_valid_plan_and_returns_it(registry):
    plan = _plan(
        _sub("read", worker="reader", task_type="extract_text"),
        _sub(
            "sum",
            "read",
            worker="writer",
            task_type="summarize",
            alternatives=(Alternative("writer2", 0.4),),
        ),
    )
    assert validate_plan(plan, registry) is plan
    assert validate_plan(plan) is plan  # structure only, without a registry


def test_refuses_an_empty_plan():
    with pytest.raises(PlanValidationError, match="no sub-tasks"):
        validate_plan(_plan())


def test_refuses_more_than_max_subtasks():
    plan = _plan(*(_sub(f"n{i}") for i in range(MAX_SUBTASKS + 1)))
    with pytest.raises(PlanValidationError, match=f"at most {MAX_SUBTASKS}"):
        validate_plan(plan)


def test_refuses_a_two_node_cycle_naming_both_nodes():
    with pytest.raises(PlanValidationError, match="cycle") as info:
        validate_plan(_plan(_sub("a", "b"), _sub("b", "a")))
    assert "'a'" in str(info.value) and "'b'" in str(info.value)
    assert info.value.node in {"a", "b"}


def test_cycle_message_names_only_the_nodes_on_the_cycle():
    with pytest.raises(PlanValidationError) as info:
        validate_plan(_plan(_sub("x", "y"), _sub("y", "x"), _sub("c", "y")))
    assert "'c'" not in str(info.value)
    assert info.value.node in {"x", "y"}


def test_refuses_a_self_loop_and_says_what_to_remove():
    with pytest.raises(PlanValidationError, match="'a' depends on itself; remove 'a'") as info:
        validate_plan(_plan(_sub("a", "a")))
    assert info.value.node == "a"


def test_refuses_a_dangling_dependency_naming_node_and_missing_id():
    with pytest.raises(
        PlanValidationError, match="'b' depends on 'ghost', which is not in the plan"
    ) as info:
        validate_plan(_plan(_sub("a"), _sub("b", "ghost")))
    assert info.value.node == "b"


def test_refuses_a_dependency_listed_twice():
    with pytest.raises(PlanValidationError, match="'b' lists a dependency twice"):
        validate_plan(_plan(_sub("a"), _sub("b", "a", "a")))


def test_refuses_duplicate_ids():
    with pytest.raises(PlanValidationError, match="'a' appears twice") as info:
        validate_plan(_plan(_sub("a"), _sub("a")))
    assert info.value.node == "a"


@pytest.mark.parametrize("bad_id", ["", "a b", "a:b", "x" * 65, "é"])
def test_refuses_malformed_ids(bad_id):
    with pytest.raises(PlanValidationError, match="is not valid; use 1-64 letters"):
        validate_plan(_plan(_sub(bad_id)))


@pytest.mark.parametrize("node_id", ["plan", "execute", "respond", "prepare", "__interrupt__"])
def test_refuses_the_graphs_own_node_names_and_langgraphs_as_ids(node_id):
    with pytest.raises(PlanValidationError, match=f"'{node_id}' is reserved") as info:
        validate_plan(_plan(_sub("a"), _sub(node_id, "a")))
    assert info.value.node == node_id
    assert "['execute', 'plan', 'prepare', 'respond']" in str(info.value)


@pytest.mark.parametrize("node_id", ["plan_1", "1_execute", "_respond", "x__"])
def test_accepts_ids_that_merely_contain_a_reserved_name(node_id):
    validate_plan(_plan(_sub(node_id)))


@pytest.mark.parametrize("complexity", [-0.01, 1.01, math.nan])
def test_refuses_complexity_outside_unit_interval(complexity):
    with pytest.raises(PlanValidationError, match=r"'a' has complexity .* \[0, 1\]"):
        validate_plan(_plan(_sub("a", complexity=complexity)))


@pytest.mark.parametrize("complexity", [0.0, 1.0])
def test_accepts_complexity_on_the_bounds(complexity):
    validate_plan(_plan(_sub("a", complexity=complexity)))


# -- workers ----------------------------------------------------------------------------------


def test_refuses_unknown_worker_and_lists_registered_ones(registry):
    with pytest.raises(
        PlanValidationError, match="'a' names worker 'gpt9', which is not registered"
    ) as info:
        validate_plan(_plan(_sub("a", worker="gpt9")), registry)
    assert "'echo'" in str(info.value) and "'reader'" in str(info.value)
    assert info.value.node == "a"


def test_refuses_unknown_alternative_worker(registry):
    plan = _plan(_sub("a", worker="echo", alternatives=(Alternative("gpt9", 0.9),)))
    with pytest.raises(PlanValidationError, match="names worker 'gpt9'"):
        validate_plan(plan, registry)


def test_refuses_incapable_worker_and_lists_capable_ones(registry):
    plan = _plan(_sub("s", worker="reader", task_type="summarize"))
    with pytest.raises(
        PlanValidationError, match="needs task type 'summarize', which worker 'reader' cannot do"
    ) as info:
        validate_plan(plan, registry)
    assert "['writer', 'writer2']" in str(info.value)
    assert info.value.node == "s"


def test_refuses_incapable_alternative(registry):
    plan = _plan(
        _sub(
            "s", worker="writer", task_type="summarize", alternatives=(Alternative("reader", 0.1),)
        )
    )
    with pytest.raises(PlanValidationError, match="worker 'reader' cannot do"):
        validate_plan(plan, registry)


def test_says_when_no_worker_at_all_can_do_the_task_type(registry):
    plan = _plan(_sub("x", worker="echo", task_type="transcribe_audio"))
    with pytest.raises(PlanValidationError, match="no registered worker can; register one"):
        validate_plan(plan, registry)


# -- properties on random DAGs ----------------------------------------------------------------


@st.composite
def random_dags(draw, max_nodes: int = 8) -> Plan:
    """DAGs whose edges go from lower to higher creation index, listed in shuffled order."""
    n = draw(st.integers(1, max_nodes))
    subtasks = []
    for j in range(n):
        deps = draw(st.lists(st.integers(0, j - 1), unique=True, max_size=3)) if j else []
        subtasks.append(_sub(f"n{j}", *(f"n{i}" for i in sorted(deps))))
    return _plan(*draw(st.permutations(subtasks)))


@settings(max_examples=30, deadline=None)
@given(random_dags())
def test_every_random_dag_is_accepted(plan):
    assert validate_plan(plan) is plan
    order = [s.id for s in plan.topological_order()]
    assert sorted(order) == sorted(plan.ids)
    assert all(order.index(d) < order.index(s) for d, s in plan.edges)


@settings(max_examples=30, deadline=None)
@given(random_dags(), st.data())
def test_a_back_edge_on_a_path_is_refused_as_a_cycle(plan, data):
    with_deps = [s for s in plan if s.dependencies]
    if not with_deps:
        plan = _plan(_sub("n0"), _sub("n1", "n0"))
        with_deps = [plan.node("n1")]
    head = data.draw(st.sampled_from(with_deps))
    # Walk back from `head` through dependencies to an ancestor; `ancestor -> ... -> head` exists.
    ancestor = head
    while ancestor.dependencies and (ancestor is head or data.draw(st.booleans())):
        ancestor = plan.node(data.draw(st.sampled_from(ancestor.dependencies)))
    looped = tuple(
        SubTask(s.id, s.description, s.task_type, s.worker, (*s.dependencies, head.id))
        if s.id == ancestor.id
        else s
        for s in plan
    )
    with pytest.raises(PlanValidationError, match="cycle") as info:
        validate_plan(Plan(plan.instruction, looped))
    assert f"'{head.id}'" in str(info.value) and f"'{ancestor.id}'" in str(info.value)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(plan=random_dags(max_nodes=6))
def test_every_valid_dag_compiles_and_runs_each_node_after_its_dependencies(
    plan, make_worker, timeline
):
    timeline.spans.clear()
    registry = WorkerRegistry([make_worker("echo", seconds=0.001, timeline=timeline)])
    result = compile_plan(plan, registry).invoke({})["result"]
    assert result["success"], result["errors"]
    assert set(timeline.spans) == set(plan.ids)
    for dep, node in plan.edges:
        assert timeline.spans[node][0] >= timeline.spans[dep][1], (
            f"{node} started before {dep} ended"
        )


def test_an_id_with_a_trailing_newline_is_refused():
    with pytest.raises(PlanValidationError, match="is not valid"):
        validate_plan(_plan(_sub("a\n"), _sub("a")))


def test_an_alternative_without_a_finite_score_is_refused():
    odd = _sub("a", alternatives=(Alternative("reader", math.nan),))
    with pytest.raises(PlanValidationError, match=r"scores alternative\(s\) \['reader'\]"):
        validate_plan(_plan(odd))
