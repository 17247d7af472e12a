"""Faults per node: retries with backoff, permanent errors, ranked fallback, deadlines, partial
results and cancellation. The cases are ``benchmarks.reliability.FAULTS``, so the table counts
exactly what these tests check."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest
from langchain_core.runnables import RunnableLambda
from langchain_core.tools import tool
from orchestai_agents.adapters import function_worker, tool_worker

from benchmarks.reliability import (
    FAULTS,
    TASK,
    CallCounter,
    abandoned_sync_calls_finishing_late,
    cancel_mid_run,
    echo_agent,
    fault_partial_results,
    node,
    settings,
    worker,
)
from orchestai_agents import (
    Alternative,
    Capabilities,
    ExecutionLog,
    Plan,
    SubTask,
    WorkerOutput,
    WorkerRegistry,
    WorkerSpec,
    create_orchestai_agent,
)


@pytest.mark.parametrize("name", list(FAULTS))
def test_fault_is_survived(name: str) -> None:
    outcome = FAULTS[name]()
    assert outcome.ok, outcome.detail


def test_partial_results_reach_the_execution_log(tmp_path: Path) -> None:
    log = tmp_path / "executions.jsonl"
    assert fault_partial_results(log_path=log).ok
    (record,) = [json.loads(line) for line in log.read_text().splitlines()]
    assert sorted(record["outputs"]) == ["a", "d"]
    assert {n["node_id"]: n["success"] for n in record["nodes"]} == {
        "a": True,
        "b": False,
        "c": False,
        "d": True,
    }


@pytest.mark.parametrize("stream", [False, True], ids=["ainvoke", "astream"])
async def test_cancelled_run_leaves_the_log_readable(tmp_path: Path, stream: bool) -> None:
    log = tmp_path / "executions.jsonl"
    assert fault_partial_results(log_path=log).ok  # one earlier run in the log
    counter, late = await cancel_mid_run(log, stream=stream)
    assert late == 0, "work started after the run was cancelled"
    assert 1 <= counter.of("w") < 4
    assert len(ExecutionLog(log)) == 1  # the earlier run, intact; nothing half-written
    await echo_agent(log).ainvoke({"instruction": "after the cancel"})
    assert [r.instruction for r in ExecutionLog(log)][-1] == "after the cancel"


def test_timed_out_sync_call_is_not_resent() -> None:
    """The abandoned call may still be running (and billed): a retry would pile calls up."""
    counter = CallCounter()
    registry = WorkerRegistry([worker("slow", counter=counter, seconds=0.5)])
    agent = create_orchestai_agent(
        registry, plan=Plan("x", (node("a", "slow"),)), settings=settings(node_timeout_s=0.1)
    )
    result = agent.invoke({"instruction": "x"})["result"]
    assert not result["success"] and "Timeout" in result["errors"]["a"]
    assert counter.of("slow") == 1


def _sync_only(how: str, calls: list[str]) -> WorkerSpec:
    """A worker whose call sleeps 0.5 s in sync code, wrapped ``how``."""

    def slow(task: dict) -> WorkerOutput:
        calls.append(task["node_id"])
        time.sleep(0.5)
        return WorkerOutput("late")

    if how == "runnable":
        return WorkerSpec(
            "slow", "slow, sync only", RunnableLambda(slow), Capabilities(frozenset({TASK}))
        )
    if how == "function_worker":
        return function_worker(slow, name="slow", description="slow", task_types=[TASK])

    @tool
    def sleepy(text: str) -> str:
        """Sleep, then answer."""
        return slow({"node_id": "a"}).text

    return tool_worker(sleepy, name="slow", task_types=[TASK])


@pytest.mark.parametrize("how", ["runnable", "function_worker", "tool_worker"])
def test_a_sync_worker_timed_out_on_the_async_path_is_not_resent(how: str) -> None:
    """ainvoke runs a sync function on a thread that cancelling does not stop: abandoned too.
    The adapters wrap a sync function in an async-capable runnable, which hid that."""
    calls: list[str] = []
    spec = _sync_only(how, calls)
    agent = create_orchestai_agent(
        WorkerRegistry([spec]),
        plan=Plan("x", (node("a", "slow"),)),
        settings=settings(node_timeout_s=0.1),
    )
    result = asyncio.run(agent.ainvoke({"instruction": "x"}))["result"]
    assert not result["success"] and "Timeout" in result["errors"]["a"]
    assert calls == ["a"]


def test_a_timed_out_calls_cost_is_in_the_node_record() -> None:
    """The deadline books the timed-out call as spent; the record and the run's total say so."""
    registry = WorkerRegistry(
        [worker("slow", seconds=0.5, usd_per_call=0.02), worker("free", usd_per_call=0.0)]
    )
    plan = Plan("x", (node("a", "slow", alternatives={"free": 0.5}),))
    agent = create_orchestai_agent(
        registry, plan=plan, settings=settings(node_timeout_s=0.1, retry=None)
    )
    result = agent.invoke({"instruction": "x", "budget": {"max_usd": 1.0}})["result"]
    (record,) = result["nodes"]
    assert record["success"] and record["attempts"] == ["slow", "free"]
    assert record["usd"] == pytest.approx(0.02) and result["total_usd"] == pytest.approx(0.02)
    assert result["metadata"]["remaining"]["usd"] == pytest.approx(0.98)  # booked once


@pytest.mark.parametrize(
    ("returned", "complaint"),
    [
        ({"text": "drawn", "artifacts": "/tmp/chart.png"}, "list of file paths"),
        ({"text": "ok", "usage": {"input_tokens": -(10**7)}}, "tokens >= 0"),
        ({"text": "ok", "usage": {"input_tokens": "12"}}, "tokens >= 0"),
    ],
)
def test_a_malformed_worker_result_fails_over_to_the_fallback(
    returned: dict, complaint: str
) -> None:
    from orchestai_agents.adapters import function_worker

    bad = function_worker(lambda task: returned, name="bad", description="bad", task_types=["t"])
    registry = WorkerRegistry([bad, worker("good", task_types=["t"], usd_per_call=0.0)])
    plan = Plan(
        "x", (SubTask("a", "step a", "t", "bad", alternatives=(Alternative("good", 0.5),)),)
    )
    result = create_orchestai_agent(registry, plan=plan, settings=settings()).invoke(
        {"instruction": "x"}
    )["result"]
    (record,) = result["nodes"]
    assert record["success"] and record["worker"] == "good" and record["usd"] == 0.0
    assert complaint in record["error"]


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="compiler._call_with_deadline abandons a timed-out sync call on a daemon thread: the call "
    "runs on after the run has returned (and a real one is billed). Issue 6 asks that sync or "
    "CPU-heavy workers run where they can be stopped at the deadline (a subprocess, or the async path)",
)
def test_timed_out_sync_call_does_not_keep_running() -> None:
    assert abandoned_sync_calls_finishing_late() == 0
