"""Budgets: checked before every call from the worker's estimate, booked at the real cost.

Workers here report usage equal to their estimate unless a test says otherwise, so a correct
ledger never spends a cent past the budget; with under-estimates the overspend is bounded by the
errors of the calls in flight at once.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from langchain_core.runnables import RunnableLambda

from benchmarks.reliability import (
    USD_PER_CALL,
    CallCounter,
    budget_run,
    crash_and_resume,
    diamond_plan,
    node,
    settings,
    spent_usd,
    timed_out_calls_sent,
    worker,
)
from orchestai_agents import (
    Capabilities,
    CostModel,
    Plan,
    TaskInput,
    Usage,
    WorkerOutput,
    WorkerRegistry,
    WorkerSpec,
    compile_plan,
    create_orchestai_agent,
)
from orchestai_agents.budget import Budget, estimate_call

NODES = 8  # diamond_plan(6): src, six in parallel, sink


@pytest.mark.parametrize("calls", [0, 1, 2.5, 4, 7.5, 10])
def test_exact_estimates_never_overspend(calls: float) -> None:
    max_usd = calls * USD_PER_CALL
    result = budget_run(max_usd)
    assert spent_usd(result) <= max_usd + 1e-12
    assert result["metadata"]["max_overspend_usd"] == 0.0
    refused = [e for e in result["errors"].values() if "BudgetExceededError" in e]
    succeeded = sum(n["success"] for n in result["nodes"])
    assert succeeded == min(int(calls), NODES)
    if calls < NODES:
        assert refused and all("raise max_usd" in e for e in refused)


def test_budget_of_exactly_n_calls_admits_n() -> None:
    assert sum(n["success"] for n in budget_run(6 * USD_PER_CALL)["nodes"]) == 6


@pytest.mark.parametrize("width", [1, 6])
def test_underestimates_overspend_at_most_the_calls_in_flight(width: int) -> None:
    error = 0.004  # each call really costs this much more than its estimate
    for calls in (1, 2, 3.5, 5):
        max_usd = calls * USD_PER_CALL
        result = budget_run(max_usd, width=width, extra_usd=error)
        assert spent_usd(result) - max_usd <= width * error + 1e-9
        assert result["metadata"]["max_overspend_usd"] <= error + 1e-9


def _token_worker(name: str, expected_output_tokens: int = 50) -> WorkerSpec:
    """A chat-like worker whose reported usage is exactly its own estimate."""
    specs: dict[str, WorkerSpec] = {}

    def run(task: TaskInput) -> WorkerOutput:
        _, tokens = estimate_call(specs[name], task)
        return WorkerOutput(
            f"{task['node_id']} " + "x" * 40,
            usage=Usage(tokens - expected_output_tokens, expected_output_tokens),
        )

    specs[name] = WorkerSpec(
        name,
        "tokens",
        RunnableLambda(run),
        Capabilities({"t"}),
        cost=CostModel.per_million_tokens(1.0, 2.0),
        expected_output_tokens=expected_output_tokens,
    )
    return specs[name]


@pytest.mark.parametrize("max_tokens", [0, 60, 200, 500, 10_000])
def test_token_budget_is_never_exceeded(max_tokens: int) -> None:
    agent = create_orchestai_agent(
        WorkerRegistry([_token_worker("llm")]), plan=diamond_plan(6, "llm"), settings=settings()
    )
    result = agent.invoke({"instruction": "count tokens", "budget": {"max_tokens": max_tokens}})[
        "result"
    ]
    assert result["total_tokens"] <= max_tokens
    if not result["success"]:
        assert any("raise max_tokens" in e for e in result["errors"].values())


def test_budget_too_small_fails_the_node_before_any_call() -> None:
    counter = CallCounter()
    registry = WorkerRegistry([worker("w", counter=counter)])
    plan = Plan("x", (node("a", "w"), node("b", "w", ["a"])))
    result = create_orchestai_agent(registry, plan=plan, settings=settings()).invoke(
        {"instruction": "x", "budget": {"max_usd": USD_PER_CALL / 2}}
    )["result"]
    assert counter.of("w") == 0
    assert (
        "BudgetExceededError" in result["errors"]["a"] and "raise max_usd" in result["errors"]["a"]
    )
    assert result["errors"]["b"].startswith("skipped")
    assert result["total_usd"] == 0.0


def test_the_estimate_counts_only_the_context_a_chat_worker_sends() -> None:
    from langchain_core.language_models import GenericFakeChatModel
    from langchain_core.messages import AIMessage
    from orchestai_agents.adapters import chat_worker

    def spec(max_context_chars: int) -> WorkerSpec:
        model = GenericFakeChatModel(messages=iter([AIMessage("ok")]))
        return chat_worker(
            model,
            name="chat",
            description="chat",
            task_types=["summarize"],
            cost=CostModel(usd_per_input_token=1e-5),
            max_context_chars=max_context_chars,
        )

    task = {"instruction": "sum", "description": "sum", "context": {"a": {"text": "x" * 200_000}}}
    short, long = estimate_call(spec(12_000), task), estimate_call(spec(400_000), task)
    assert short[1] < 12_100 // 4 + 300 < long[1]  # 4 characters a token, 256 output tokens
    assert short[0] < long[0] / 10


def test_a_root_chat_step_counts_the_text_inputs_it_reads(tmp_path) -> None:
    from langchain_core.language_models import GenericFakeChatModel
    from langchain_core.messages import AIMessage
    from orchestai_agents.adapters import chat_worker

    notes, scan = tmp_path / "notes.txt", tmp_path / "scan.pdf"
    notes.write_text("x" * 8_000)
    scan.write_bytes(b"%PDF" + b"0" * 8_000)  # not read into the prompt: not counted
    spec = chat_worker(
        GenericFakeChatModel(messages=iter([AIMessage("ok")])),
        name="chat",
        description="chat",
        task_types=["summarize"],
        cost=CostModel(usd_per_input_token=1e-5),
    )
    root = {"instruction": "sum", "description": "sum", "inputs": [str(notes), str(scan)]}
    bare = {**root, "inputs": [str(scan), str(tmp_path / "missing.md")]}
    later = {**root, "context": {"a": {"text": "short"}}}

    counted, without, after = (estimate_call(spec, t)[1] for t in (root, bare, later))

    assert counted - without == 8_000 // 4  # 4 characters a token
    assert after - without < 10  # a later step reads its dependency, not the inputs


def _premium_or_budget(counter: CallCounter) -> tuple[WorkerRegistry, Plan]:
    registry = WorkerRegistry(
        [
            worker("premium", counter=counter, usd_per_call=0.10),
            worker("budget", counter=counter, usd_per_call=0.01),
        ]
    )
    return registry, Plan("x", (node("a", "premium", alternatives={"budget": 0.4}),))


def test_the_agent_routes_to_the_alternative_that_fits_the_budget() -> None:
    counter = CallCounter()
    registry, plan = _premium_or_budget(counter)
    agent = create_orchestai_agent(
        registry, plan=plan, settings=settings(budget=Budget(max_usd=1.0))
    )
    for budget in ({"max_usd": 0.05}, None):
        state = {"instruction": "x", "budget": budget} if budget else {"instruction": "x"}
        expected = "budget" if budget else "premium"
        record = agent.invoke(state)["result"]["nodes"][0]
        assert (record["worker"], record["error"]) == (expected, None)
    # the settings' budget steers routing too when the call names none
    capped = create_orchestai_agent(
        registry, plan=plan, settings=settings(budget=Budget(max_usd=0.05))
    )
    assert capped.invoke({"instruction": "x"})["result"]["nodes"][0]["worker"] == "budget"
    assert counter.of("premium") == 1 and counter.of("budget") == 2


def test_a_compiled_plan_falls_back_to_the_cheaper_alternative_when_it_fits() -> None:
    counter = CallCounter()
    registry, plan = _premium_or_budget(counter)
    graph = compile_plan(plan, registry, settings=settings(budget=Budget(max_usd=0.05)))
    result = graph.invoke({"instruction": "x"})["result"]
    record = result["nodes"][0]
    assert result["success"] and record["worker"] == "budget"
    assert "BudgetExceededError" in record["error"]
    assert counter.of("premium") == 0 and result["total_usd"] == pytest.approx(0.01)


def test_a_compiled_plan_takes_a_budget_per_call() -> None:
    counter = CallCounter()
    registry, plan = _premium_or_budget(counter)
    graph = compile_plan(plan, registry, settings=settings(budget=Budget(max_usd=1.0)))
    result = graph.invoke({"instruction": "x", "budget": {"max_usd": 0.05}})["result"]
    assert result["nodes"][0]["worker"] == "budget" and result["total_usd"] == pytest.approx(0.01)
    assert result["metadata"]["budget"]["max_usd"] == 0.05
    assert counter.of("premium") == 0


def test_a_request_that_caps_only_tokens_keeps_the_default_usd_cap() -> None:
    counter = CallCounter()
    registry, plan = _premium_or_budget(counter)
    graph = compile_plan(plan, registry, settings=settings(budget=Budget(max_usd=0.05)))
    result = graph.invoke({"instruction": "x", "budget": {"max_tokens": 10_000}})["result"]
    assert result["metadata"]["budget"] == {"max_usd": 0.05, "max_tokens": 10_000}
    assert counter.of("premium") == 0 and result["total_usd"] == pytest.approx(0.01)


def test_budget_applies_to_batched_and_async_runs_separately() -> None:
    registry = WorkerRegistry([worker("w")])
    agent = create_orchestai_agent(registry, plan=diamond_plan(2, "w"), settings=settings())
    budgets = [{"max_usd": k * USD_PER_CALL} for k in (1, 2, 4)]

    async def runs() -> list[dict[str, Any]]:
        return list(
            await asyncio.gather(
                *(agent.ainvoke({"instruction": "x", "budget": b}) for b in budgets)
            )
        )

    for state, budget in zip(asyncio.run(runs()), budgets, strict=True):
        assert spent_usd(state["result"]) <= budget["max_usd"] + 1e-12
        assert state["result"]["metadata"]["budget"]["max_usd"] == budget["max_usd"]


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
def test_timed_out_calls_count_against_the_budget(use_async: bool) -> None:
    """A timed-out call was sent and is billed: it is booked, so no second call fits."""
    sent = timed_out_calls_sent(use_async, max_calls=1.5)
    assert sent <= 1, f"{sent} calls sent with a budget for one"


@pytest.mark.slow
def test_budget_survives_a_resume(tmp_path: Path) -> None:
    """Budget for three calls; killed with the second in flight; the resume must not start afresh."""
    max_usd = 3 * USD_PER_CALL
    report = crash_and_resume(tmp_path, [2], {"max_usd": max_usd})
    result = report.result
    assert spent_usd(result) <= max_usd + 1e-12
    assert "BudgetExceededError" in result["errors"]["n3"]
    assert sorted(result["outputs"]) == ["n0", "n1", "n2"]
    # Really paid: the booked calls plus at most the one in flight at the kill.
    assert sum(report.paid.values()) * USD_PER_CALL <= max_usd + USD_PER_CALL + 1e-12
    assert report.finished_paid_twice == 0
