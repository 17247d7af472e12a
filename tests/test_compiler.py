"""The compiled plan graph: records, data flow, critical-path timing, retries, fallback, config."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from typing import Any

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command, RetryPolicy, interrupt
from orchestai_agents.adapters import function_worker

from orchestai_agents import (
    Alternative,
    CostModel,
    ExecutionSettings,
    ModelUnavailableError,
    Plan,
    PlanValidationError,
    StepInputError,
    SubTask,
    Usage,
    WorkerOutput,
    WorkerRegistry,
    compile_plan,
)
from orchestai_agents.compiler import is_transient

FAST_RETRY = ExecutionSettings(
    retry=RetryPolicy(max_attempts=3, initial_interval=0.001, jitter=False, retry_on=is_transient)
)
MODES = ["invoke", "ainvoke"]


def _sub(node_id: str, worker: str, *deps: str, **kw: Any) -> SubTask:
    return SubTask(node_id, f"step {node_id}", "t", worker, deps, **kw)


def _run(graph, mode: str, payload: dict | None = None) -> dict[str, Any]:
    payload = payload or {}
    if mode == "invoke":
        return graph.invoke(payload)["result"]
    return asyncio.run(graph.ainvoke(payload))["result"]


def _fastest(graph, mode: str, limit: float, tries: int = 3) -> tuple[float, dict[str, Any]]:
    """Best wall time of up to ``tries`` runs, stopping once one beats ``limit``.

    The machine is shared, so one run can lose the CPU for a while; a structural slowdown
    (a superstep barrier, a concurrency cap) shows in every run and still fails.
    """
    best = float("inf")
    for _ in range(tries):
        start = time.perf_counter()
        result = _run(graph, mode)
        best = min(best, time.perf_counter() - start)
        if best < limit:
            break
    return best, result


def _failing(calls: list[str], exc: Exception, times: int = 10**6):
    """A worker body that raises ``exc`` for its first ``times`` calls, then answers."""

    def fn(task):
        calls.append(task["node_id"])
        if len(calls) <= times:
            raise exc
        return WorkerOutput("recovered")

    return fn


# -- records and data flow --------------------------------------------------------------------


def test_records_cost_tokens_and_seconds_per_node(make_worker):
    # 0.001 per call + 1000 * 2e-6 + 200 * 1e-5 = 0.001 + 0.002 + 0.002 = 0.005 USD per call.
    cost = CostModel(usd_per_input_token=2e-6, usd_per_output_token=1e-5, usd_per_call=0.001)
    registry = WorkerRegistry(
        [make_worker("paid", seconds=0.05, usage=Usage(1000, 200), cost=cost)]
    )
    result = compile_plan(Plan("go", (_sub("a", "paid"), _sub("b", "paid", "a"))), registry).invoke(
        {}
    )["result"]
    a, b = result["nodes"]
    assert (a["node_id"], a["worker"], a["task_type"], a["success"], a["error"]) == (
        "a",
        "paid",
        "t",
        True,
        None,
    )
    assert a["usd"] == pytest.approx(0.005) and b["usd"] == pytest.approx(0.005)
    assert (a["input_tokens"], a["output_tokens"]) == (1000, 200)
    assert 0.05 <= a["seconds"] < 0.3
    assert result["total_usd"] == pytest.approx(0.010)
    assert result["total_tokens"] == 2400
    assert result["latency_s"] >= a["seconds"] + b["seconds"]


def test_final_output_joins_sink_texts_and_artifacts_in_plan_order(make_worker):
    registry = WorkerRegistry(
        [
            make_worker("echo"),
            make_worker("files", fn=lambda t: WorkerOutput("deck", artifacts=("out/deck.pptx",))),
        ]
    )
    plan = Plan("go", (_sub("a", "echo"), _sub("b", "files", "a"), _sub("c", "echo", "a")))
    result = compile_plan(plan, registry).invoke({})["result"]
    assert result["final_output"] == "deck\n\nFiles: out/deck.pptx\n\nc by echo"
    assert set(result["outputs"]) == {"a", "b", "c"}


def test_worker_receives_instruction_inputs_and_dependency_outputs(make_worker):
    seen: dict[str, dict] = {}

    def record(task):
        seen[task["node_id"]] = task
        return WorkerOutput(f"text of {task['node_id']}", usage=Usage(3, 4))

    registry = WorkerRegistry([make_worker("rec", fn=record)])
    plan = Plan(
        "default instruction", (_sub("a", "rec"), _sub("b", "rec"), _sub("c", "rec", "a", "b"))
    )
    graph = compile_plan(plan, registry)
    graph.invoke({"instruction": "make slides", "inputs": ["paper.pdf"], "output_dir": "/tmp/out"})
    c = seen["c"]
    assert (c["instruction"], c["description"], c["task_type"]) == ("make slides", "step c", "t")
    assert c["inputs"] == ["paper.pdf"] and c["output_dir"] == "/tmp/out"
    assert c["context"] == {
        "a": {
            "text": "text of a",
            "artifacts": [],
            "usage": {"input_tokens": 3, "output_tokens": 4},
        },
        "b": {
            "text": "text of b",
            "artifacts": [],
            "usage": {"input_tokens": 3, "output_tokens": 4},
        },
    }
    assert seen["a"]["context"] == {}
    graph.invoke({})
    assert seen["a"]["instruction"] == "default instruction"


def test_a_worker_that_edits_its_context_does_not_reach_its_siblings(make_worker):
    seen: dict[str, list[str]] = {}

    def meddle(task):
        if task["context"]:
            seen[task["node_id"]] = list(task["context"]["a"]["artifacts"])
            task["context"]["a"]["artifacts"].append(f"written by {task['node_id']}")
        return WorkerOutput("ok", artifacts=["a.txt"] if task["node_id"] == "a" else [])

    registry = WorkerRegistry([make_worker("w", fn=meddle)])
    plan = Plan("x", (_sub("a", "w"), _sub("b", "w", "a"), _sub("c", "w", "a")))
    result = compile_plan(plan, registry).invoke({})["result"]
    assert seen == {"b": ["a.txt"], "c": ["a.txt"]}
    assert result["outputs"]["a"]["artifacts"] == ["a.txt"]


def test_compile_refuses_an_invalid_plan_before_running(make_worker):
    calls: list[str] = []
    registry = WorkerRegistry([make_worker("echo", fn=_failing(calls, RuntimeError(), times=0))])
    with pytest.raises(PlanValidationError, match="'b' depends on 'zz'"):
        compile_plan(Plan("go", (_sub("a", "echo"), _sub("b", "echo", "zz"))), registry)
    assert calls == []


# -- timing -----------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_uneven_dag_takes_the_critical_path_not_the_sum_of_supersteps(make_worker, mode):
    # a(0.2)->a2(0.2)->join beside b(0.4)->join: critical path 0.4 s; supersteps would take 0.6 s.
    registry = WorkerRegistry(
        [make_worker("s02", seconds=0.2), make_worker("s04", seconds=0.4), make_worker("now")]
    )
    plan = Plan(
        "go",
        (
            _sub("a", "s02"),
            _sub("a2", "s02", "a"),
            _sub("b", "s04"),
            _sub("join", "now", "a2", "b"),
        ),
    )
    wall, result = _fastest(compile_plan(plan, registry), mode, limit=0.55)
    assert result["success"]
    assert 0.4 <= wall < 0.55


@pytest.mark.parametrize("mode", MODES)
def test_wide_fan_out_runs_all_branches_at_once(make_worker, mode):
    # More branches than the default thread-pool cap min(32, cpus + 4), so a cap would show as
    # a second 0.3 s wave.
    width = max(12, min(32, (os.cpu_count() or 1) + 4) + 1)
    registry = WorkerRegistry([make_worker("slow", seconds=0.3)])
    plan = Plan("go", tuple(_sub(f"n{i}", "slow") for i in range(width)))
    wall, result = _fastest(compile_plan(plan, registry), mode, limit=0.5)
    assert len(result["outputs"]) == width
    assert wall < 0.5


def test_sync_workers_on_the_async_path_are_not_capped_by_a_thread_pool():
    # ainvoke ran a sync worker on the event loop's default executor, min(32, cpus + 4)
    # threads: wider fan-outs ran in waves, and each abandoned call held a thread for good.
    width = max(12, min(32, (os.cpu_count() or 1) + 4) + 1)
    slow = function_worker(
        lambda task: time.sleep(0.3) or "done",
        name="slow",
        description="sleeps",
        task_types=["t"],
    )
    plan = Plan("go", tuple(_sub(f"n{i}", "slow") for i in range(width)))
    wall, result = _fastest(compile_plan(plan, WorkerRegistry([slow])), "ainvoke", limit=0.5)
    assert len(result["outputs"]) == width
    assert wall < 0.5


def test_an_abandoned_sync_call_does_not_hold_up_later_async_runs():
    release = threading.Event()
    width = min(32, (os.cpu_count() or 1) + 4) + 1
    hung = function_worker(
        lambda task: release.wait(10) and "late",
        name="hung",
        description="hangs",
        task_types=["t"],
    )
    quick = function_worker(lambda task: "ok", name="quick", description="", task_types=["q"])
    registry = WorkerRegistry([hung, quick])
    settings = ExecutionSettings(node_timeout_s=0.05)
    hang = Plan("go", tuple(_sub(f"h{i}", "hung") for i in range(width)))

    async def both() -> tuple[dict, float]:
        first = await compile_plan(hang, registry, settings=settings).ainvoke({})
        start = time.perf_counter()
        plan = Plan("go", (SubTask("q", "quick step", "q", "quick"),))
        await asyncio.wait_for(compile_plan(plan, registry, settings=settings).ainvoke({}), 2.0)
        return first["result"], time.perf_counter() - start

    try:
        first, seconds = asyncio.run(both())
    finally:
        release.set()
    assert not first["success"] and all("NodeTimeoutError" in n["error"] for n in first["nodes"])
    assert seconds < 1.0


# -- retries and fallback ---------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_transient_errors_are_retried_until_success(make_worker, mode):
    calls: list[str] = []
    registry = WorkerRegistry(
        [make_worker("flaky", fn=_failing(calls, ConnectionError("reset"), times=2))]
    )
    result = _run(
        compile_plan(Plan("go", (_sub("a", "flaky"),)), registry, settings=FAST_RETRY), mode
    )
    (record,) = result["nodes"]
    assert calls == ["a", "a", "a"]
    assert (record["success"], record["error"], record["attempts"]) == (True, None, ["flaky"])
    assert result["outputs"]["a"]["text"] == "recovered"


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("error", [ValueError, StepInputError, ModelUnavailableError])
def test_errors_a_retry_cannot_mend_are_not_retried(make_worker, mode, error):
    calls: list[str] = []
    registry = WorkerRegistry([make_worker("bad", fn=_failing(calls, error("bad input")))])
    result = _run(
        compile_plan(Plan("go", (_sub("a", "bad"),)), registry, settings=FAST_RETRY), mode
    )
    assert calls == ["a"]
    assert result["nodes"][0]["error"] == f"bad: {error.__name__}: bad input"
    assert result["success"] is False


@pytest.mark.parametrize("mode", MODES)
def test_a_retried_nodes_seconds_cover_every_attempt(make_worker, mode):
    calls: list[str] = []
    failing = _failing(calls, ConnectionError("reset"), times=2)

    def slow(task):
        time.sleep(0.1)
        return failing(task)

    registry = WorkerRegistry([make_worker("flaky", fn=slow)])
    result = _run(
        compile_plan(Plan("go", (_sub("a", "flaky"),)), registry, settings=FAST_RETRY), mode
    )
    assert len(calls) == 3 and result["nodes"][0]["seconds"] >= 0.3


def test_retries_stop_after_max_attempts(make_worker):
    calls: list[str] = []
    registry = WorkerRegistry([make_worker("down", fn=_failing(calls, TimeoutError("slow")))])
    result = _run(
        compile_plan(Plan("go", (_sub("a", "down"),)), registry, settings=FAST_RETRY), "invoke"
    )
    assert calls == ["a"] * 3
    assert result["nodes"][0]["error"] == "down: TimeoutError: slow"


@pytest.mark.parametrize("mode", MODES)
def test_falls_back_to_the_best_ranked_alternative(make_worker, mode):
    calls: list[str] = []
    registry = WorkerRegistry(
        [
            make_worker("primary", fn=_failing(calls, ValueError("refused"))),
            make_worker("low"),
            make_worker("high"),
        ]
    )
    alternatives = (Alternative("low", 0.2), Alternative("primary", 0.95), Alternative("high", 0.9))
    plan = Plan("go", (_sub("a", "primary", alternatives=alternatives),))
    result = _run(compile_plan(plan, registry, settings=FAST_RETRY), mode)
    (record,) = result["nodes"]
    assert record["worker"] == "high"
    assert record["success"] is True
    assert record["error"] == "primary: ValueError: refused"
    assert record["attempts"] == ["primary", "high"]
    assert result["outputs"]["a"]["text"] == "a by high"


@pytest.mark.parametrize("mode", MODES)
def test_falls_back_only_after_the_retries_of_a_transient_failure(make_worker, mode):
    calls: list[str] = []
    registry = WorkerRegistry(
        [make_worker("down", fn=_failing(calls, ConnectionError("refused"))), make_worker("alt")]
    )
    plan = Plan("go", (_sub("a", "down", alternatives=(Alternative("alt", 0.5),)),))
    (record,) = _run(compile_plan(plan, registry, settings=FAST_RETRY), mode)["nodes"]
    assert calls == ["a"] * 3
    assert (record["success"], record["worker"], record["attempts"]) == (
        True,
        "alt",
        ["down", "alt"],
    )
    assert record["error"] == "down: ConnectionError: refused"


def test_fallback_can_be_switched_off(make_worker):
    registry = WorkerRegistry(
        [make_worker("primary", fn=_failing([], ValueError("refused"))), make_worker("alt")]
    )
    plan = Plan("go", (_sub("a", "primary", alternatives=(Alternative("alt", 0.9),)),))
    settings = ExecutionSettings(retry=None, fallback=False)
    (record,) = compile_plan(plan, registry, settings=settings).invoke({})["result"]["nodes"]
    assert (record["success"], record["worker"], record["attempts"]) == (
        False,
        "primary",
        ["primary"],
    )


@pytest.mark.parametrize("mode", MODES)
def test_dependents_of_a_failed_node_are_skipped_and_other_outputs_kept(make_worker, mode):
    registry = WorkerRegistry(
        [make_worker("echo"), make_worker("bad", fn=_failing([], ValueError("no")))]
    )
    plan = Plan(
        "go",
        (
            _sub("ok", "echo"),
            _sub("fail", "bad"),
            _sub("after", "echo", "fail"),
            _sub("later", "echo", "after", "ok"),
        ),
    )
    result = _run(compile_plan(plan, registry, settings=FAST_RETRY), mode)
    assert result["success"] is False
    assert set(result["outputs"]) == {"ok"}
    assert result["outputs"]["ok"]["text"] == "ok by echo"
    assert result["errors"] == {
        "fail": "bad: ValueError: no",
        "after": "skipped: dependency fail failed",
        "later": "skipped: dependency after failed",
    }
    assert [n["node_id"] for n in result["nodes"]] == ["ok", "fail", "after", "later"]


def test_a_worker_returning_something_else_fails_with_a_type_error_naming_it(make_worker):
    calls: list[str] = []

    def plain_string(task):
        calls.append(task["node_id"])
        return "just text"

    paid = CostModel(usd_per_call=0.25)
    registry = WorkerRegistry([make_worker("raw", fn=plain_string, cost=paid)])
    result = compile_plan(Plan("go", (_sub("a", "raw"),)), registry, settings=FAST_RETRY).invoke(
        {}
    )["result"]
    error = result["nodes"][0]["error"]
    assert error.startswith("raw: TypeError: worker 'raw' returned str, not a WorkerOutput")
    assert calls == ["a"]  # a TypeError is a bug, not worth retrying
    # The call was made, so its estimate is booked (it had been recorded as free).
    assert result["nodes"][0]["usd"] == pytest.approx(0.25) == result["total_usd"]


class _Crash(BaseException):
    """Stands for the process dying mid-run: no node may catch it."""


def test_a_checkpointed_run_resumes_without_rerunning_finished_nodes(make_worker):
    calls: list[str] = []

    def crash_b_once(task):
        calls.append(task["node_id"])
        if calls.count("b") == 1 and task["node_id"] == "b":
            raise _Crash
        return WorkerOutput(f"{task['node_id']} done")

    registry = WorkerRegistry([make_worker("w", fn=crash_b_once)])
    plan = Plan("go", (_sub("a", "w"), _sub("b", "w", "a"), _sub("c", "w")))
    graph = compile_plan(plan, registry, checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "run-1"}}
    with pytest.raises(_Crash):
        graph.invoke({}, config)
    result = graph.invoke(None, config)["result"]
    assert result["success"] and set(result["outputs"]) == {"a", "b", "c"}
    assert sorted(calls) == ["a", "b", "b", "c"]


def test_a_worker_interrupt_pauses_the_run_and_resumes_with_the_answer(make_worker):
    def ask(task):
        return WorkerOutput(f"approved: {interrupt('approve?')}")

    registry = WorkerRegistry([make_worker("human", fn=ask)])
    graph = compile_plan(Plan("go", (_sub("a", "human"),)), registry, checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "t1"}}
    paused = graph.invoke({}, config)
    assert [i.value for i in paused["__interrupt__"]] == ["approve?"]
    result = graph.invoke(Command(resume="yes"), config)["result"]
    assert result["outputs"]["a"]["text"] == "approved: yes"


# -- config propagation -----------------------------------------------------------------------


class _Recorder(BaseCallbackHandler):
    def __init__(self) -> None:
        self.chat_starts: list[dict[str, Any]] = []
        self.chain_names: list[str] = []

    def on_chat_model_start(self, serialized, messages, **kwargs: Any) -> None:
        self.chat_starts.append({"messages": messages, **kwargs})

    def on_chain_start(self, serialized, inputs, **kwargs: Any) -> None:
        self.chain_names.append(kwargs.get("name") or "")


@pytest.mark.parametrize("mode", MODES)
def test_callbacks_tags_and_metadata_reach_the_workers_chat_model(make_chat_worker, mode):
    registry = WorkerRegistry([make_chat_worker("chat", "a fine summary")])
    graph = compile_plan(Plan("Summarise", (_sub("s", "chat"),)), registry)
    recorder = _Recorder()
    config = {"callbacks": [recorder], "tags": ["my-tag"], "metadata": {"user": "u1"}}
    out = graph.invoke({}, config) if mode == "invoke" else asyncio.run(graph.ainvoke({}, config))
    assert out["result"]["outputs"]["s"]["text"] == "a fine summary"
    (start,) = recorder.chat_starts
    assert start["messages"][0][0].content == "Summarise: step s"
    assert "my-tag" in start["tags"]
    assert start["metadata"]["user"] == "u1"
    assert {"prompt", "to_output"} <= set(recorder.chain_names)


def test_a_dropped_graph_frees_its_workers(make_worker):
    """Nothing the compiler keeps holds on to an executor (and so its workers' models)."""
    import gc
    import weakref

    from langchain_core.runnables.utils import get_function_nonlocals

    class Model:
        pass

    def run_once() -> weakref.ref:
        model = Model()
        worker = make_worker("w", fn=lambda task, model=model: WorkerOutput("ok"))
        compile_plan(Plan("go", (_sub("a", "w"),)), WorkerRegistry([worker])).invoke({})
        return weakref.ref(model)

    model = run_once()
    get_function_nonlocals.cache_clear()  # LangChain's own cache (256 functions) holds a few
    gc.collect()
    assert model() is None
