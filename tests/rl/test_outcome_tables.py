from __future__ import annotations

import numpy as np
import pytest
from langchain_core.runnables import RunnableLambda
from orchestai_agents.training.env import EnvConfig, OrchestrationEnv
from orchestai_agents.training.routing.backends import LiveBackend, OutcomeBackend, ReplayBackend
from orchestai_agents.training.routing.outcomes import (
    load_outcome_table,
    model_registry,
    query_text,
)

from orchestai_agents.accounting import NodeRecord, RunResult
from orchestai_agents.errors import OrchestAIError
from orchestai_agents.plan import Plan, SubTask
from orchestai_agents.registry import (
    Capabilities,
    CostModel,
    WorkerOutput,
    WorkerRegistry,
    WorkerSpec,
)

CSV = """id,prompt,task,small,big,small|total_cost,big|total_cost
q1,What is 2+2?,math,1,1,0.001,0.01
q2,Name a prime.,math,0,1,0.001,0.01
q3,Translate hi,lang,,1,0.001,0.01
q4,Say hello,lang,1,0,0.002,0.02
"""


def test_loader_reads_a_user_table_and_drops_incomplete_rows(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text(CSV)
    table = load_outcome_table(path, id_column="id", task_column="task")
    assert table.models == ("small", "big")
    assert table.ids == ("q1", "q2", "q4") and table.dropped == 1
    np.testing.assert_array_equal(table.success, [[True, True], [False, True], [True, False]])
    assert table.cost[:, 1].sum() == pytest.approx(0.04)
    assert table.tasks == ("math", "math", "lang")
    assert table.seconds.shape == (3, 2) and not table.seconds.any()


def test_loader_names_the_missing_columns(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("prompt,small\nhi,1\n")
    with pytest.raises(OrchestAIError, match="no model columns"):
        load_outcome_table(path)
    with pytest.raises(OrchestAIError, match=r"missing columns \['big', 'big\|total_cost'\]"):
        load_outcome_table(path, models=["big"])


def test_query_text_keeps_the_last_block_of_a_few_shot_prompt():
    prompt = "['Q: one?\\nA: 1\\n\\nQ: two?\\nA: 2\\n\\nQ: three?\\nA:']"
    assert query_text(prompt) == "Q: three?\nA:"


def test_replay_propagates_failures_downstream(table, embeddings, features):
    from orchestai_agents.training.routing.backends import ReplayBackend

    bad_row, bad_model = map(int, np.argwhere(~table.success)[0])
    good_row = int(np.flatnonzero(table.success[:, 2])[0])
    wf_rows, deps = [bad_row, good_row], ((), (0,))
    propagating = ReplayBackend(table, embeddings, features)
    outcomes = propagating.execute(propagating.workflow(wf_rows, deps), [bad_model, 2])
    assert [o.success for o in outcomes] == [False, False]
    independent = ReplayBackend(table, embeddings, features, propagate_failures=False)
    outcomes = independent.execute(independent.workflow(wf_rows, deps), [bad_model, 2])
    assert [o.success for o in outcomes] == [False, True]


def _registry() -> WorkerRegistry:
    echo = RunnableLambda(lambda task: WorkerOutput(task["description"]))
    return WorkerRegistry(
        [
            WorkerSpec(
                "cheap",
                "a small model",
                echo,
                Capabilities(frozenset({"answer"})),
                CostModel(usd_per_call=0.001),
            ),
            WorkerSpec(
                "dear",
                "a big model",
                echo,
                Capabilities(frozenset({"answer", "code"})),
                CostModel(usd_per_call=0.1),
            ),
        ]
    )


def _fake_embed(texts):
    vectors = np.array(
        [[len(t) % 7 + 1.0, t.count(" ") + 1.0, 1.0, 0.5] for t in texts], np.float32
    )
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


class FakeRunner:
    """Stands in for the compiled graph: the 'dear' worker always succeeds, 'cheap' fails."""

    def __init__(self) -> None:
        self.plans: list[Plan] = []

    def __call__(self, plan: Plan) -> RunResult:
        self.plans.append(plan)
        nodes = tuple(
            NodeRecord(
                s.id,
                s.worker,
                s.task_type,
                1.5,
                0.1 if s.worker == "dear" else 0.001,
                success=s.worker == "dear",
            )
            for s in plan.topological_order()
        )
        return RunResult("r", plan.instruction, plan.to_dict(), {}, nodes, "", 3.0)


def _answer_then_code() -> Plan:
    """Two sub-tasks: 'a' any worker can answer, then 'b' only 'dear' can code."""
    return Plan(
        "answer then code",
        (
            SubTask("a", "answer it", "answer", "cheap"),
            SubTask("b", "write code", "code", "dear", ("a",)),
        ),
    )


def test_live_backend_runs_the_chosen_plan_and_applies_the_success_check():
    plan = _answer_then_code()
    runner = FakeRunner()
    verdicts = []
    backend = LiveBackend(
        [plan], _registry(), _fake_embed, lambda p, r: verdicts.append(r) or True, runner=runner
    )
    assert isinstance(backend, OutcomeBackend)
    env = OrchestrationEnv(backend, EnvConfig(max_nodes=2))
    obs, _ = env.reset(seed=0)
    np.testing.assert_array_equal(obs["mask"], [1, 1])
    obs, _, _, _, _ = env.step(1)
    np.testing.assert_array_equal(obs["mask"], [0, 1])  # only 'dear' can code
    _, reward, done, _, info = env.step(1)
    assert done and info["success"] and len(verdicts) == 1
    assert [s.worker for s in runner.plans[0].subtasks] == ["dear", "dear"]
    # 10 + 0.2 bonus - 0.1 * 0.2 USD - 0.01 * 3 s
    assert reward == pytest.approx(10.2 - 0.02 - 0.03)


def test_live_backend_runs_through_the_compiled_graph():
    """No fake runner: the plan is compiled with compile_plan and run by LangGraph."""
    plan = Plan("answer it", (SubTask("a", "answer it", "answer", "cheap"),))
    backend = LiveBackend(
        [plan], _registry(), _fake_embed, lambda p, r: "answer it" in r.final_output
    )
    env = OrchestrationEnv(backend, EnvConfig(max_nodes=1))
    env.reset(seed=0)
    _, reward, done, _, info = env.step(0)
    assert done and info["success"] and info["usd"] == pytest.approx(0.001)
    assert reward == pytest.approx(10.1 - 0.1 * 0.001 - 0.01 * info["seconds"])


def test_a_tables_models_become_priced_workers_to_route_to(table):
    workers = model_registry(table)
    assert list(workers) == list(table.models) and workers.capable("answer_question") == list(
        table.models
    )
    assert [workers[m].cost.usd_per_call for m in table.models] == pytest.approx([0.001, 0.01, 0.1])
    assert workers["dear"].description == "The language model dear."


def test_a_choice_the_mask_refused_runs_nothing_live_and_fails_the_workflow():
    plan = _answer_then_code()
    runner = FakeRunner()
    backend = LiveBackend([plan], _registry(), _fake_embed, lambda p, r: True, runner=runner)
    env = OrchestrationEnv(backend, EnvConfig(max_nodes=2))
    env.reset(seed=0)
    env.step(1)
    _, reward, done, _, info = env.step(0)  # 'cheap' cannot code: masked
    assert done and not info["success"] and info["usd"] == 0.0 and info["choices"] == [1, -1]
    assert runner.plans == []  # no worker was called, nothing paid
    assert reward == pytest.approx(0.0)


def test_a_plan_no_registered_worker_can_do_is_named():
    plan = Plan("draw it", (SubTask("a", "draw a cat", "draw", "cheap"),))
    backend = LiveBackend([plan], _registry(), _fake_embed, lambda p, r: True, runner=FakeRunner())
    with pytest.raises(ValueError, match=r"no worker in the registry can do sub-task\(s\) \['a'\]"):
        backend.sample(np.random.default_rng(0), 1)


def test_a_refused_choice_fails_its_dependents_on_replay(table, embeddings, features):
    backend = ReplayBackend(table, embeddings, features)
    workflow = backend.workflow([0, 1], dependencies=((), (0,)))
    outcomes = backend.execute(workflow, [-1, 2])  # node 1 runs, but its input never came
    assert outcomes[0] == (False, 0.0, 0.0)
    assert not outcomes[1].success and outcomes[1].usd == pytest.approx(0.1)
