"""create_orchestai_agent: input forms, the answer message, planners, fixed plans and the log."""

from __future__ import annotations

import json

import pytest
from langchain_core.messages import AIMessage, HumanMessage
from langgraph.checkpoint.memory import InMemorySaver

from orchestai_agents import (
    ExecutionLog,
    ExecutionSettings,
    Plan,
    PlannerLike,
    PlanValidationError,
    SubTask,
    WorkerOutput,
    WorkerRegistry,
    create_orchestai_agent,
)

FIXED = Plan(
    "placeholder",
    (
        SubTask("read", "Extract the text", "extract_text", "reader"),
        SubTask("sum", "Summarise it", "summarize", "writer", ("read",)),
    ),
)


class _ListPlanner:
    """Plans one ``writer`` node per word of the instruction, and remembers its calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, WorkerRegistry]] = []

    def plan(self, instruction: str, registry: WorkerRegistry) -> Plan:
        self.calls.append((instruction, registry))
        words = instruction.split()
        return Plan(
            instruction,
            tuple(SubTask(f"w{i}", w, "generate_text", "writer") for i, w in enumerate(words)),
        )


def test_messages_in_answer_message_and_structured_result_out(registry):
    agent = create_orchestai_agent(registry, plan=FIXED)
    out = agent.invoke({"messages": [HumanMessage("Summarise the paper")]})
    answer = out["messages"][-1]
    assert isinstance(answer, AIMessage)
    assert answer.content == "sum by writer"
    result = out["result"]
    assert result["instruction"] == "Summarise the paper"
    assert set(result["outputs"]) == {"read", "sum"}
    assert result["success"] is True and result["errors"] == {}
    assert result["total_usd"] == 0.0 and result["latency_s"] > 0
    assert [s["id"] for s in result["plan"]["subtasks"]] == ["read", "sum"]
    assert out["result"]["plan"]["instruction"] == "Summarise the paper"
    meta = answer.response_metadata["orchestai"]
    assert meta["run_id"] == result["run_id"]
    assert (meta["success"], meta["errors"], meta["total_usd"]) == (True, {}, 0.0)
    assert meta["latency_s"] == result["latency_s"]


def test_answer_follows_the_conversation_so_far(registry):
    agent = create_orchestai_agent(registry, plan=FIXED)
    history = [("user", "old request"), ("assistant", "old answer"), ("user", "new request")]
    out = agent.invoke({"messages": history})
    assert out["result"]["instruction"] == "new request"
    assert [m.type for m in out["messages"]] == ["human", "ai", "human", "ai"]


def test_explicit_instruction_and_inputs_form(registry, make_worker):
    seen = []
    registry.register(make_worker("spy", ("t",), fn=lambda t: seen.append(t) or WorkerOutput("ok")))
    agent = create_orchestai_agent(registry, plan=Plan("x", (SubTask("a", "look", "t", "spy"),)))
    out = agent.invoke(
        {
            "instruction": "Read these",
            "inputs": ["a.pdf", "b.csv"],
            "messages": [("user", "ignored")],
        }
    )
    assert out["result"]["instruction"] == "Read these"
    assert out["result"]["inputs"] == ["a.pdf", "b.csv"]
    assert (seen[0]["instruction"], seen[0]["inputs"]) == ("Read these", ["a.pdf", "b.csv"])


def test_a_per_call_plan_overrides_the_fixed_plan(registry):
    agent = create_orchestai_agent(registry, plan=FIXED)
    other = Plan("other", (SubTask("only", "Write", "generate_text", "writer"),))
    out = agent.invoke({"messages": [("user", "Write")], "plan": other.to_dict()})
    assert set(out["result"]["outputs"]) == {"only"}
    assert out["messages"][-1].content == "only by writer"


def test_a_per_call_plan_is_validated(registry):
    agent = create_orchestai_agent(registry, plan=FIXED)
    bad = Plan("bad", (SubTask("x", "d", "summarize", "reader"),))
    with pytest.raises(PlanValidationError, match="'x' needs task type 'summarize'"):
        agent.invoke({"instruction": "go", "plan": bad.to_dict()})


def test_no_instruction_raises_a_helpful_error_before_planning(registry):
    planner = _ListPlanner()
    agent = create_orchestai_agent(registry, planner=planner)
    with pytest.raises(PlanValidationError, match=r"needs an instruction: pass \{'messages'"):
        agent.invoke({"messages": [AIMessage("only the assistant spoke")]})
    assert planner.calls == []
    with pytest.raises(PlanValidationError, match="last user message is empty"):
        agent.invoke({"messages": [HumanMessage("   ")]})


def test_multimodal_message_content_uses_its_text_parts(registry):
    agent = create_orchestai_agent(registry, plan=FIXED)
    content = [
        {"type": "text", "text": "Describe"},
        {"type": "image_url", "image_url": {"url": "x"}},
        "this",
    ]
    out = agent.invoke({"messages": [HumanMessage(content)]})
    assert out["result"]["instruction"].split() == ["Describe", "this"]


def test_planner_is_called_with_instruction_and_registry_and_its_plan_runs(registry):
    planner = _ListPlanner()
    assert isinstance(planner, PlannerLike)
    agent = create_orchestai_agent(registry, planner=planner)
    out = agent.invoke({"messages": [("user", "alpha beta")]})
    assert planner.calls == [("alpha beta", registry)]
    assert out["messages"][-1].content == "w0 by writer\n\nw1 by writer"
    assert [s["description"] for s in out["result"]["plan"]["subtasks"]] == ["alpha", "beta"]


class _InputsPlanner(_ListPlanner):
    """A _ListPlanner whose plan also takes the request's input files, and remembers them."""

    def __init__(self) -> None:
        super().__init__()
        self.inputs: list[list[str]] = []

    def plan(self, instruction: str, registry: WorkerRegistry, *, inputs: list[str]) -> Plan:
        self.inputs.append(inputs)
        return super().plan(instruction, registry)


class _ForwardingPlanner:
    """Passes every keyword on, as a logging or retrying wrapper around another planner would."""

    def __init__(self, inner: PlannerLike) -> None:
        self.inner = inner

    def plan(self, instruction: str, registry: WorkerRegistry, **options: list[str]) -> Plan:
        return self.inner.plan(instruction, registry, **options)


def test_a_planner_that_takes_inputs_is_given_the_requests_input_files(registry):
    planner = _InputsPlanner()
    agent = create_orchestai_agent(registry, planner=planner)
    agent.invoke({"instruction": "alpha", "inputs": ["notes.txt", "sales.csv"]})
    agent.invoke({"messages": [("user", "beta")]})  # no files: none to plan with
    assert planner.inputs == [["notes.txt", "sales.csv"], []]
    assert [c[0] for c in planner.calls] == ["alpha", "beta"]


def test_a_wrapper_passing_keywords_on_to_a_planner_without_inputs_still_plans(registry):
    """A ``**kwargs`` is no promise that the planner underneath takes ``inputs``."""
    inner = _ListPlanner()
    agent = create_orchestai_agent(registry, planner=_ForwardingPlanner(inner))
    out = agent.invoke({"instruction": "gamma", "inputs": ["meeting.wav"]})
    assert inner.calls == [("gamma", registry)]
    assert out["result"]["success"]


def test_an_invalid_plan_from_the_planner_is_refused(registry):
    class Cyclic:
        def plan(self, instruction, registry):
            return Plan(
                instruction,
                (SubTask("a", "d", "t", "echo", ("b",)), SubTask("b", "d", "t", "echo", ("a",))),
            )

    agent = create_orchestai_agent(registry, planner=Cyclic())
    with pytest.raises(PlanValidationError, match="cycle"):
        agent.invoke({"instruction": "go"})


def test_invalid_fixed_plan_is_rejected_when_the_agent_is_created(registry):
    plan = Plan("x", (SubTask("a", "d", "summarize", "gpt9"),))
    with pytest.raises(
        PlanValidationError, match="'a' names worker 'gpt9', which is not registered"
    ):
        create_orchestai_agent(registry, plan=plan)


def test_workers_may_be_given_as_a_list_of_specs(make_worker):
    agent = create_orchestai_agent(
        [make_worker("echo")], plan=Plan("x", (SubTask("a", "d", "t", "echo"),))
    )
    assert agent.invoke({"instruction": "go"})["messages"][-1].content == "a by echo"


def test_a_fixed_plan_may_be_given_in_its_dict_form(registry):
    agent = create_orchestai_agent(registry, plan=FIXED.to_dict())
    out = agent.invoke({"messages": [("user", "Summarise the paper")]})
    assert [s["id"] for s in out["result"]["plan"]["subtasks"]] == ["read", "sum"]
    assert out["messages"][-1].content == "sum by writer"
    with pytest.raises(PlanValidationError, match=r"missing the field\(s\) \['subtasks'\]"):
        create_orchestai_agent(registry, plan={"instruction": "x"})


def test_a_planner_without_a_plan_method_is_refused_when_the_agent_is_created(registry):
    with pytest.raises(
        TypeError, match=r"planner must have a method plan\(instruction, registry\)"
    ):
        create_orchestai_agent(registry, planner=object())
    with pytest.raises(TypeError, match="got object"):
        create_orchestai_agent(registry, plan=FIXED, planner=object())


@pytest.mark.parametrize("workers", [{"w": 1}, "echo", 5, [1]])
def test_workers_in_another_form_are_refused_naming_the_accepted_forms(workers):
    with pytest.raises(TypeError, match="workers must be a WorkerRegistry, a list of WorkerSpec"):
        create_orchestai_agent(workers, plan=FIXED)


def test_a_dict_of_worker_specs_is_refused_rather_than_read_as_its_names(make_worker):
    with pytest.raises(TypeError, match=r"got \{'echo': WorkerSpec"):
        create_orchestai_agent({"echo": make_worker("echo")}, plan=FIXED)


def test_failed_steps_are_reported_in_the_answer(registry, make_worker):
    def refuse(task):
        raise ValueError("cannot read")

    registry.register(make_worker("broken", ("extract_text",), fn=refuse))
    plan = Plan(
        "x",
        (
            SubTask("read", "d", "extract_text", "broken"),
            SubTask("sum", "d", "summarize", "writer", ("read",)),
        ),
    )
    agent = create_orchestai_agent(registry, plan=plan, settings=ExecutionSettings(retry=None))
    answer = agent.invoke({"instruction": "go"})["messages"][-1]
    assert answer.content.startswith("Some steps failed: read: broken: ValueError: cannot read")
    assert "sum: skipped: dependency read failed" in answer.content
    assert answer.response_metadata["orchestai"]["success"] is False


def test_execution_log_gets_one_json_line_per_run(registry, tmp_path):
    path = tmp_path / "logs" / "runs.jsonl"
    agent = create_orchestai_agent(registry, plan=FIXED, execution_log=path)
    first = agent.invoke({"instruction": "one"})["result"]
    agent.invoke({"instruction": "two"})
    lines = path.read_text().splitlines()
    assert len(lines) == 2
    assert json.loads(lines[0])["run_id"] == first["run_id"]
    assert [r.instruction for r in ExecutionLog(path)] == ["one", "two"]
    assert [n.node_id for n in next(iter(ExecutionLog(path))).nodes] == ["read", "sum"]


def test_a_checkpointed_conversation_answers_each_new_message(make_worker):
    echo = make_worker("echo", fn=lambda t: WorkerOutput(f"you said {t['instruction']}"))
    agent = create_orchestai_agent(
        [echo], plan=Plan("x", (SubTask("a", "d", "t", "echo"),)), checkpointer=InMemorySaver()
    )
    config = {"configurable": {"thread_id": "chat-1"}}
    agent.invoke({"messages": [("user", "first")]}, config)
    out = agent.invoke({"messages": [("user", "second")]}, config)
    assert out["messages"][-1].content == "you said second"


def test_a_turns_cost_preference_and_budget_do_not_carry_to_the_next_turn(make_worker):
    from orchestai_agents import Alternative, CostModel

    priced = [
        make_worker("dear", ("answer_question",), cost=CostModel(usd_per_call=0.01)),
        make_worker("cheap", ("answer_question",), cost=CostModel(usd_per_call=0.0001)),
    ]
    ranked = (Alternative("dear", 0.6), Alternative("cheap", 0.4))
    plan = Plan("q", (SubTask("a", "Answer", "answer_question", "dear", alternatives=ranked),))
    agent = create_orchestai_agent(priced, plan=plan, checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "chat-1"}}
    first = agent.invoke(
        {"messages": [("user", "draft")], "cost_preference": 1.0, "budget": {"max_usd": 0.001}},
        config,
    )
    assert first["messages"][-1].content == "a by cheap"
    second = agent.invoke({"messages": [("user", "now the best answer")]}, config)
    assert second["messages"][-1].content == "a by dear"
    assert second["result"]["metadata"]["budget"]["max_usd"] is None


def test_cost_preference_re_routes_one_call_without_touching_the_next(make_worker):
    from orchestai_agents import Alternative, CostModel

    priced = [
        make_worker("dear", ("answer_question",), cost=CostModel(usd_per_call=0.01)),
        make_worker("cheap", ("answer_question",), cost=CostModel(usd_per_call=0.0001)),
    ]
    ranked = (Alternative("dear", 0.6), Alternative("cheap", 0.4))
    plan = Plan("q", (SubTask("a", "Answer", "answer_question", "dear", alternatives=ranked),))
    agent = create_orchestai_agent(priced, plan=plan)
    cheap = agent.invoke({"instruction": "2 + 2?", "cost_preference": 1.0})
    assert cheap["messages"][-1].content == "a by cheap"
    assert cheap["result"]["plan"]["subtasks"][0]["worker"] == "cheap"
    assert agent.invoke({"instruction": "2 + 2?"})["messages"][-1].content == "a by dear"
    capped = agent.invoke({"instruction": "2 + 2?", "budget": {"max_usd": 0.005}})
    assert capped["messages"][-1].content == "a by cheap" and capped["result"]["success"]
    with pytest.raises(
        ValueError, match=r"cost_preference must be a number in \[0, 1\], got 'low'"
    ):
        agent.invoke({"instruction": "2 + 2?", "cost_preference": "low"})
