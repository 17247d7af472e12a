import tracemalloc
from typing import Any

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.language_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.runnables import RunnableConfig
from orchestai_agents.adapters.chat_worker import (
    CHARS_PER_TOKEN,
    DEFAULT_SYSTEM_PROMPT,
    chat_worker,
    task_messages,
)
from pydantic import Field

from orchestai_agents.plan import planned_description
from orchestai_agents.registry import CostModel, Usage
from orchestai_agents.task_types import BUILTIN_TASK_TYPES


class UsageFakeChat(GenericFakeChatModel):
    """A fake chat model that reports token usage and has a priced model name."""

    model_name: str = "gpt-4o-mini"

    def _generate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kwargs: Any
    ) -> Any:
        result = super()._generate(messages, stop, run_manager, **kwargs)
        result.generations[0].message.usage_metadata = {
            "input_tokens": 1000,
            "output_tokens": 500,
            "total_tokens": 1500,
        }
        return result


class Recorder(BaseCallbackHandler):
    def __init__(self) -> None:
        self.chat_starts: list[list[str]] = []

    def on_chat_model_start(
        self, serialized: Any, messages: Any, *, tags: list[str] | None = None, **kwargs: Any
    ) -> None:
        self.chat_starts.append(tags or [])


class RecordingChat(GenericFakeChatModel):
    """A fake chat model that keeps the text of the last message of each call."""

    seen: list[str] = Field(default_factory=list)

    def _generate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kwargs: Any
    ) -> Any:
        self.seen.append(messages[-1].text)
        return super()._generate(messages, stop, run_manager, **kwargs)


def fake(*replies: str) -> GenericFakeChatModel:
    return GenericFakeChatModel(messages=iter([AIMessage(r) for r in replies]))


def test_messages_put_dependencies_first_and_the_step_last(make_task) -> None:
    task = make_task(
        description="Summarise the paper",
        task_type="summarize",
        inputs=["/data/paper.pdf"],
        context={"extract": {"text": "Planners plan.", "artifacts": [], "usage": {}}},
    )
    system, human = task_messages(task, system_prompt="Be brief.")
    assert system.content == "Be brief."
    lines = human.content.splitlines()
    assert lines[0] == "Overall goal: Turn the paper into a short talk"
    assert "Input files: paper.pdf" in lines
    assert "Result of step extract:" in human.content and "Planners plan." in human.content
    assert lines[-1] == "Your step (summarize): Summarise the paper"


def test_a_step_prompt_gives_the_plain_layout_texts_then_its_line(make_task) -> None:
    planned = planned_description(BUILTIN_TASK_TYPES["summarize"], "Make slides from the paper")
    task = make_task(
        description=planned,
        task_type="summarize",
        inputs=["/data/paper.pdf"],
        context={
            "a": {"text": "Planners plan.", "artifacts": [], "usage": {}},
            "b": {"text": "Workers work.", "artifacts": [], "usage": {}},
        },
    )
    system, human = task_messages(task, step_prompt="Summarise the text above. For: {request}")
    assert system.content == DEFAULT_SYSTEM_PROMPT
    assert human.content == (
        "Planners plan.\n\nWorkers work.\n\n"
        "Summarise the text above. For: Make slides from the paper"
    )


def test_a_step_prompt_without_texts_reads_the_instruction(make_task) -> None:
    task = make_task(instruction="Tell me a joke about owls", description="Tell me a joke")
    human = task_messages(task, step_prompt="Using the text above: {request}")[1].content
    assert human == "Tell me a joke about owls\n\nUsing the text above: Tell me a joke"


def test_the_worker_uses_the_step_prompt_of_each_task_type_it_has_one_for(make_task) -> None:
    chat = RecordingChat(messages=iter([AIMessage("a"), AIMessage("b")]))
    spec = chat_worker(
        chat,
        name="f",
        description="d",
        task_types=["summarize", "translate"],
        cost=CostModel(),
        step_prompts={"summarize": "Shorten the text above."},
    )
    context = {"x": {"text": "Owls hunt at night.", "artifacts": [], "usage": {}}}
    spec.runnable.invoke(make_task(task_type="summarize", description="s", context=context))
    spec.runnable.invoke(make_task(task_type="translate", description="t", context=context))
    assert chat.seen[0] == "Owls hunt at night.\n\nShorten the text above."
    assert chat.seen[1].startswith("Overall goal:")


def test_dependency_text_is_cut_to_the_budget(make_task) -> None:
    task = make_task(context={"a": {"text": "x" * 5000}, "b": {"text": "y" * 5000}})
    human = task_messages(task, max_context_chars=1000)[1].content
    assert human.count("x") + human.count("y") <= 1000
    assert human.count("x") > 300 and human.count("y") > 300  # shared fairly
    assert "characters omitted" in human


def test_reported_usage_is_priced_from_the_model_name(make_task) -> None:
    spec = chat_worker(
        UsageFakeChat(messages=iter([AIMessage("ok")])),
        name="mini",
        description="d",
        task_types=["summarize"],
    )
    out = spec.runnable.invoke(make_task())
    assert out.text == "ok"
    assert out.usage == Usage(1000, 500)
    # gpt-4o-mini: 0.15 USD per 1M input tokens, 0.60 per 1M output tokens
    assert spec.cost.cost(out.usage) == pytest.approx(1000 * 0.15e-6 + 500 * 0.60e-6)


def test_usage_is_estimated_from_characters_when_the_model_reports_none(make_task) -> None:
    spec = chat_worker(
        fake("abcdefgh"), name="f", description="d", task_types=["summarize"], cost=CostModel()
    )
    task = make_task()
    out = spec.runnable.invoke(task)
    assert out.usage.output_tokens == 8 // CHARS_PER_TOKEN
    expected_in = sum(-(-len(m.text) // CHARS_PER_TOKEN) for m in task_messages(task))
    assert out.usage.input_tokens == expected_in


class ModelIdFakeChat(GenericFakeChatModel):
    """Keeps its name where langchain_aws's ChatBedrockConverse does."""

    model_id: str = Field(alias="model")


def test_a_model_named_by_model_id_is_priced(recwarn: pytest.WarningsRecorder) -> None:
    model = ModelIdFakeChat(model="anthropic.claude-3-5-sonnet-20241022-v2:0", messages=iter([]))
    spec = chat_worker(model, name="claude", description="d", task_types=["summarize"])
    # claude-3-5-sonnet: 3 USD per 1M input tokens, 15 per 1M output tokens
    assert spec.cost.cost(Usage(1_000_000, 1_000_000)) == pytest.approx(18.0)
    assert not recwarn.list


def test_unknown_model_name_warns_once_at_registration() -> None:
    with pytest.warns(UserWarning, match="GenericFakeChatModel"):
        spec = chat_worker(fake("x"), name="f", description="d", task_types=["summarize"])
    assert spec.cost == CostModel()


def test_config_callbacks_and_tags_reach_the_chat_model(make_task) -> None:
    recorder = Recorder()
    spec = chat_worker(
        fake("hi"), name="f", description="d", task_types=["summarize"], cost=CostModel()
    )
    spec.runnable.invoke(make_task(), {"callbacks": [recorder], "tags": ["node:step"]})
    assert recorder.chat_starts == [["node:step"]]


async def test_ainvoke_and_streaming_events_reach_the_model(make_task) -> None:
    spec = chat_worker(
        fake("one two three"), name="f", description="d", task_types=["summarize"], cost=CostModel()
    )
    chunks = [
        event["data"]["chunk"].content
        async for event in spec.runnable.astream_events(make_task(), version="v2")
        if event["event"] == "on_chat_model_stream"
    ]
    assert "".join(chunks) == "one two three"
    assert len(chunks) > 1


def test_spec_carries_capabilities_latency_and_name(make_task) -> None:
    spec = chat_worker(
        fake("x"),
        name="writer",
        description="writes",
        task_types=["generate_text", "translate"],
        cost=CostModel(),
    )
    assert spec.name == "writer" and spec.can_do("translate") and not spec.can_do("embed")
    assert spec.runnable.name == "writer"


_ONLY_REQUEST = r"step_prompts\['summarize'\].*only\s+\{request\}"


@pytest.mark.parametrize(
    ("settings", "match"),
    [
        ({"max_context_chars": -1}, "max_context_chars"),
        ({"step_prompts": {"summarize": "Summarise {text}"}}, _ONLY_REQUEST),
        ({"step_prompts": {"summarize": "Use {0}"}}, _ONLY_REQUEST),
        ({"step_prompts": {"summarize": "Unclosed {request"}}, _ONLY_REQUEST),
    ],
)
def test_bad_settings_are_refused(settings: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        chat_worker(
            fake("x"),
            name="f",
            description="d",
            task_types=["summarize"],
            cost=CostModel(),
            **settings,
        )


def test_tokens_stream_out_of_a_langgraph_node(make_task) -> None:
    from langgraph.graph import END, START, StateGraph
    from typing_extensions import TypedDict

    class State(TypedDict):
        text: str

    spec = chat_worker(
        fake("alpha beta gamma"),
        name="f",
        description="d",
        task_types=["summarize"],
        cost=CostModel(),
    )

    def node(state: State, config: RunnableConfig) -> State:
        return {"text": spec.runnable.invoke(make_task(), config).text}

    graph = StateGraph(State)
    graph.add_node("summarize", node)
    graph.add_edge(START, "summarize")
    graph.add_edge("summarize", END)
    pieces = [
        chunk.content
        for chunk, meta in graph.compile().stream({"text": ""}, stream_mode="messages")
    ]
    assert "".join(pieces) == "alpha beta gamma" and len(pieces) > 1


def test_chat_models_without_async_generation_are_marked_blocking():
    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    free = CostModel()
    sync_only = GenericFakeChatModel(messages=iter([AIMessage("hi")]))  # _generate only
    native = FakeListChatModel(responses=["hi"])  # has _astream of its own
    flags = [
        chat_worker(m, name="m", description="", task_types=["t"], cost=free).blocking
        for m in (sync_only, native)
    ]
    assert flags == [True, False]


def test_text_inputs_are_sent_with_their_text(tmp_path, make_task) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_bytes("Ship the café menu on Friday.".encode("cp1252"))
    task = make_task(inputs=[notes, tmp_path / "photo.png"], description="Summarise notes.txt")
    human = task_messages(task, allowed_dirs=[tmp_path])[1].content
    assert "Input files: notes.txt, photo.png" in human
    assert "Text of notes.txt:\nShip the café menu on Friday." in human
    assert human.splitlines()[-1] == "Your step (generate_text): Summarise notes.txt"


def test_text_inputs_share_the_context_budget(tmp_path, make_task) -> None:
    (tmp_path / "notes.md").write_text("x" * 5000, encoding="utf-8")
    (tmp_path / "minutes.txt").write_text("y" * 5000, encoding="utf-8")
    task = make_task(inputs=[tmp_path / "notes.md", tmp_path / "minutes.txt"])
    human = task_messages(task, max_context_chars=1000, allowed_dirs=[tmp_path])[1].content
    assert human.count("x") + human.count("y") <= 1000
    assert human.count("x") > 300 and human.count("y") > 300


def test_a_step_with_dependencies_gets_their_results_not_the_input_text(
    tmp_path, make_task
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("Meeting notes. " * 400, encoding="utf-8")
    task = make_task(
        inputs=[notes],
        description="Translate the summary into French",
        context={"summarize": {"text": "Short summary: the team met."}},
    )
    human = task_messages(task, max_context_chars=2000, allowed_dirs=[tmp_path])[1].content
    assert "Meeting notes." not in human
    assert "Input files: notes.txt" in human
    assert "Result of step summarize:\nShort summary: the team met." in human


def test_unreadable_text_inputs_are_named_with_why_and_the_step_still_runs(
    tmp_path, make_task
) -> None:
    outside = tmp_path / "private" / "notes.txt"
    outside.parent.mkdir()
    outside.write_text("secret", encoding="utf-8")
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    (allowed / "blob.txt").write_bytes(b"\x00\x01\x02")
    model = RecordingChat(messages=iter([AIMessage("ok")]))
    spec = chat_worker(
        model,
        name="f",
        description="d",
        task_types=["summarize"],
        cost=CostModel(),
        allowed_dirs=[allowed],
    )
    task = make_task(inputs=[outside, allowed / "gone.md", allowed / "blob.txt"])
    assert spec.runnable.invoke(task).text == "ok"
    (human,) = model.seen
    assert (
        "Input files: notes.txt (not read: outside the allowed folders), "
        "gone.md (not read: no such file or directory), blob.txt (not read: binary data, not text)"
    ) in human
    assert "secret" not in human


def test_a_step_unrelated_to_an_unreadable_input_runs(make_task) -> None:
    """A worker with the default folders, given an input outside them, still writes the poem."""
    spec = chat_worker(
        fake("Roses are red"), name="f", description="d", task_types=["t"], cost=CostModel()
    )
    task = make_task(inputs=["/nonexistent-orchestai/notes.txt"], description="Write a poem")
    assert spec.runnable.invoke(task).text == "Roses are red"


def test_only_the_budget_of_a_big_text_input_is_read(tmp_path, make_task) -> None:
    big = tmp_path / "big.txt"
    with big.open("w", encoding="utf-8") as file:
        for _ in range(2000):
            file.write("lorem ipsum dolor sit amet " * 400)  # 21.6 MB in all
    tracemalloc.start()
    try:
        human = task_messages(
            make_task(inputs=[big]), max_context_chars=1000, allowed_dirs=[tmp_path]
        )[1].content
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000
    assert "Input files: big.txt (only its first 1000 characters read)" in human
    assert "Text of big.txt:\nlorem ipsum dolor sit amet lorem" in human
