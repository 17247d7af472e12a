"""The agent as a drop-in LangGraph/LangChain component (issue 2, item 6).

It runs as a node of a parent ``StateGraph``, behind a tool of ``langchain.agents.create_agent``,
inside an LCEL chain, and through invoke, ainvoke, batch, stream and astream_events v2.
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain.agents import create_agent
from langchain_core.language_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, ToolMessage
from langchain_core.runnables import RunnableLambda
from langchain_core.tools import tool
from langgraph.graph import END, START, MessagesState, StateGraph

from orchestai_agents import Plan, SubTask, WorkerOutput, WorkerRegistry, create_orchestai_agent

PLAN = Plan(
    "placeholder",
    (
        SubTask("read", "Extract the text", "t", "echo"),
        SubTask("sum", "Summarise it", "t", "chat", ("read",)),
    ),
)
REPLY = "three short points"


@pytest.fixture
def agent(make_worker, make_chat_worker):
    echo = make_worker("echo", fn=lambda t: WorkerOutput(f"{t['node_id']}: {t['instruction']}"))
    return create_orchestai_agent(
        WorkerRegistry([echo, make_chat_worker("chat", REPLY)]), plan=PLAN
    )


@pytest.fixture
def echo_agent(make_worker):
    """An agent whose answer repeats the instruction, to tell concurrent runs apart."""
    echo = make_worker(
        "echo", seconds=0.05, fn=lambda t: WorkerOutput(f"answer to {t['instruction']}")
    )
    return create_orchestai_agent([echo], plan=Plan("x", (SubTask("only", "d", "t", "echo"),)))


class _ToolCallingFake(GenericFakeChatModel):
    """A fake chat model that accepts tools and replays scripted messages (tool calls first)."""

    def bind_tools(self, tools: Any, **kwargs: Any) -> _ToolCallingFake:
        return self


# -- composition ------------------------------------------------------------------------------


def test_agent_runs_as_a_node_of_a_parent_state_graph(agent):
    def after(state: MessagesState) -> dict[str, Any]:
        return {"messages": [AIMessage(f"parent saw: {state['messages'][-1].content}")]}

    parent = StateGraph(MessagesState)
    parent.add_node("orchestai", agent)
    parent.add_node("after", after)
    parent.add_edge(START, "orchestai")
    parent.add_edge("orchestai", "after")
    parent.add_edge("after", END)
    out = parent.compile().invoke({"messages": [("user", "Summarise the paper")]})
    contents = [m.content for m in out["messages"]]
    assert contents == ["Summarise the paper", REPLY, f"parent saw: {REPLY}"]
    assert "orchestai" in out["messages"][1].response_metadata


def test_agent_behind_a_tool_of_create_agent(agent):
    calls: list[str] = []

    @tool
    def orchestai(request: str) -> str:
        """Run a multi-step plan of workers for a request and return the answer."""
        calls.append(request)
        return agent.invoke({"messages": [("user", request)]})["messages"][-1].content

    model = _ToolCallingFake(
        messages=iter(
            [
                AIMessage(
                    "",
                    tool_calls=[
                        {"name": "orchestai", "args": {"request": "Summarise it"}, "id": "call-1"}
                    ],
                ),
                AIMessage("The paper makes three points."),
            ]
        )
    )
    out = create_agent(model, [orchestai]).invoke(
        {"messages": [("user", "What does the paper say?")]}
    )
    assert calls == ["Summarise it"]
    tool_messages = [m for m in out["messages"] if isinstance(m, ToolMessage)]
    assert [(m.tool_call_id, m.content) for m in tool_messages] == [("call-1", REPLY)]
    assert out["messages"][-1].content == "The paper makes three points."


def test_agent_inside_an_lcel_chain(agent):
    chain = (
        RunnableLambda(lambda text: {"messages": [("user", text)]})
        | agent
        | RunnableLambda(lambda out: (out["messages"][-1].content, out["result"]["instruction"]))
    )
    assert chain.invoke("Summarise the paper") == (REPLY, "Summarise the paper")


# -- invocation styles ------------------------------------------------------------------------


async def test_ainvoke_gives_the_same_answer_as_invoke(agent):
    request = {"messages": [("user", "Summarise the paper")]}
    sync_out = agent.invoke(request)
    async_out = await agent.ainvoke(request)
    assert async_out["messages"][-1].content == sync_out["messages"][-1].content == REPLY
    assert async_out["result"]["outputs"] == sync_out["result"]["outputs"]


def test_batch_keeps_each_request_with_its_own_answer(echo_agent):
    outs = echo_agent.batch([{"messages": [("user", "apples")]}, {"messages": [("user", "pears")]}])
    assert [o["messages"][-1].content for o in outs] == ["answer to apples", "answer to pears"]
    assert [o["result"]["instruction"] for o in outs] == ["apples", "pears"]
    assert outs[0]["result"]["run_id"] != outs[1]["result"]["run_id"]


async def test_abatch_keeps_each_request_with_its_own_answer(echo_agent):
    outs = await echo_agent.abatch([{"instruction": "apples"}, {"instruction": "pears"}])
    assert [o["messages"][-1].content for o in outs] == ["answer to apples", "answer to pears"]


# -- streaming --------------------------------------------------------------------------------


def test_stream_updates_include_each_plan_node(agent):
    chunks = list(agent.stream({"messages": [("user", "Summarise")]}, stream_mode="updates"))
    keys = [key for chunk in chunks for key in chunk]
    assert {"plan", "execute", "respond"} <= set(keys)
    by_node = {key: value for chunk in chunks for key, value in chunk.items()}
    assert by_node["read"]["output"]["text"] == "read: Summarise"
    assert by_node["sum"]["record"]["worker"] == "chat"
    assert keys.index("read") < keys.index("sum") < keys.index("respond")


def test_stream_messages_yields_the_chat_workers_tokens(agent):
    chunks = [
        (message, meta)
        for message, meta in agent.stream(
            {"messages": [("user", "Summarise")]}, stream_mode="messages"
        )
        if isinstance(message, AIMessageChunk)
    ]
    assert len(chunks) > 1  # token by token, not one final message
    assert "".join(str(m.content) for m, _ in chunks) == REPLY
    assert {meta["langgraph_node"] for _, meta in chunks} == {
        "sum"
    }  # the plan node that ran the chat worker


def test_stream_custom_reports_node_start_and_end(agent):
    events = list(agent.stream({"messages": [("user", "Summarise")]}, stream_mode="custom"))
    starts = [(e["node"], e["worker"]) for e in events if e["event"] == "node_start"]
    ends = {e["record"]["node_id"]: e["record"] for e in events if e["event"] == "node_end"}
    assert starts == [("read", "echo"), ("sum", "chat")]
    assert set(ends) == {"read", "sum"} and all(r["success"] for r in ends.values())
    kinds = [(e["event"], e.get("node") or e["record"]["node_id"]) for e in events]
    assert kinds.index(("node_end", "read")) < kinds.index(("node_start", "sum"))


async def test_astream_events_v2_include_chat_model_stream(agent):
    events = [
        e async for e in agent.astream_events({"messages": [("user", "Summarise")]}, version="v2")
    ]
    tokens = [e["data"]["chunk"].content for e in events if e["event"] == "on_chat_model_stream"]
    assert "".join(tokens) == REPLY
    ends = [e for e in events if e["event"] == "on_chain_end" and e["name"] == "orchestai_agent"]
    assert ends and ends[-1]["data"]["output"]["messages"][-1].content == REPLY
