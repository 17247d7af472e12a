import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.documents import Document
from langchain_core.messages import ToolMessage
from langchain_core.retrievers import BaseRetriever
from langchain_core.tools import (
    InjectedToolCallId,
    StructuredTool,
    ToolException,
    create_retriever_tool,
    tool,
)
from langgraph.types import Command
from orchestai_agents.adapters import default_registry
from orchestai_agents.adapters.task_tool import TaskTool
from orchestai_agents.adapters.tool_worker import default_tool_input, tool_worker
from pydantic import ValidationError

from orchestai_agents.compiler import is_transient
from orchestai_agents.errors import WorkerError
from orchestai_agents.plan import planned_description
from orchestai_agents.registry import TaskInput, WorkerOutput


@tool
def shout(text: str) -> str:
    """Shout the text."""
    return text.upper()


def _add(a: int, b: int) -> int:
    return a + b


adder = StructuredTool.from_function(_add, name="add", description="Add two numbers.")


class EchoFileTool(TaskTool):
    """Writes the description to a file and returns it with the file as an artifact."""

    name: str = "echo_file"
    description: str = "Echo to a file."

    def execute(self, task: TaskInput) -> tuple[str, list[str]]:
        out = self.output_path(task, ".txt")
        out.write_text(task["description"])
        return f"wrote {task['description']}", [str(out)]


class ToolStarts(BaseCallbackHandler):
    def __init__(self) -> None:
        self.names: list[str] = []

    def on_tool_start(self, serialized: dict[str, Any], input_str: str, **kwargs: Any) -> None:
        self.names.append(serialized["name"])


def test_single_string_tool_gets_the_description_without_dependencies(make_task) -> None:
    assert (
        tool_worker(shout, task_types=["generate_text"])
        .runnable.invoke(make_task(description="hey"))
        .text
        == "HEY"
    )


def test_single_string_tool_gets_a_planned_steps_request_words(make_task) -> None:
    task = make_task(description=planned_description("Shout a text.", "hey there"))
    assert default_tool_input(shout, task) == "hey there"


def test_single_string_tool_gets_the_dependency_texts(make_task) -> None:
    task = make_task(context={"a": {"text": "first"}, "b": {"text": "second"}})
    assert default_tool_input(shout, task) == "first\n\nsecond"


def test_task_tool_gets_task_fields_and_returns_its_files_as_artifacts(
    make_task, tmp_path: Path
) -> None:
    out = tool_worker(EchoFileTool(), task_types=["write_report"]).runnable.invoke(
        make_task(node_id="n1", description="hello")
    )
    assert out.text == "wrote hello"
    assert out.artifacts == (str(tmp_path / "out" / "n1.txt"),)
    assert Path(out.artifacts[0]).read_text() == "hello"


def test_tool_with_other_arguments_needs_an_input_builder(make_task) -> None:
    with pytest.raises(TypeError, match=r"tool 'add' takes arguments \['a', 'b'\].*input_builder"):
        tool_worker(adder, task_types=["generate_text"]).runnable.invoke(make_task())
    spec = tool_worker(
        adder,
        task_types=["generate_text"],
        input_builder=lambda t, task: {"a": 2, "b": len(task["inputs"])},
    )
    assert spec.runnable.invoke(make_task(inputs=["x", "y"])).text == "4"


def test_config_callbacks_reach_the_tool(make_task) -> None:
    starts = ToolStarts()
    tool_worker(shout, task_types=["generate_text"]).runnable.invoke(
        make_task(), {"callbacks": [starts]}
    )
    assert starts.names == ["shout"]


async def test_ainvoke_runs_the_tool(make_task) -> None:
    out = await tool_worker(EchoFileTool(), task_types=["write_report"]).runnable.ainvoke(
        make_task(description="async")
    )
    assert out.text == "wrote async" and len(out.artifacts) == 1


def test_name_and_description_default_to_the_tool() -> None:
    spec = tool_worker(shout, task_types=["generate_text"])
    assert (spec.name, spec.description) == ("shout", "Shout the text.")


def test_tools_without_async_code_are_marked_blocking():
    @tool
    def sync_tool(text: str) -> str:
        """Echo."""
        return text

    @tool
    async def async_tool(text: str) -> str:
        """Echo."""
        return text

    flags = [tool_worker(t, task_types=["t"]).blocking for t in (sync_tool, async_tool)]
    assert flags == [True, False]
    assert default_registry()["pdf_text"].blocking  # built-in tools run sync code


def _unavailable(text: str) -> str:
    raise ToolException("HTTP 503: service unavailable")


@pytest.mark.parametrize("response_format", ["content", "content_and_artifact"])
def test_an_error_the_tool_catches_fails_the_worker(
    make_task, response_format: Literal["content", "content_and_artifact"]
) -> None:
    search = StructuredTool.from_function(
        _unavailable,
        name="search",
        description="Search the web.",
        handle_tool_error=True,
        response_format=response_format,
    )
    with pytest.raises(WorkerError, match=r"tool 'search' failed: HTTP 503: service unavailable"):
        tool_worker(search, task_types=["answer_question"]).runnable.invoke(make_task())


async def test_an_error_the_tool_catches_fails_the_worker_under_ainvoke(make_task) -> None:
    search = StructuredTool.from_function(
        _unavailable, name="search", description="Search the web.", handle_tool_error=True
    )
    with pytest.raises(WorkerError, match="HTTP 503"):
        await tool_worker(search, task_types=["answer_question"]).runnable.ainvoke(make_task())


class FixedRetriever(BaseRetriever):
    def _get_relevant_documents(self, query: str, *, run_manager: Any = None) -> list[Document]:
        return [Document(page_content="Routing cuts cost by half.")]


def test_a_retriever_tool_gives_its_text_and_keeps_its_documents(make_task) -> None:
    search = create_retriever_tool(
        FixedRetriever(), "search_docs", "Search the docs", response_format="content_and_artifact"
    )
    out = tool_worker(search, task_types=["answer_question"]).runnable.invoke(make_task())
    assert (out.text, out.artifacts) == ("Routing cuts cost by half.", ())


def test_the_paths_in_an_artifact_are_kept_as_the_tool_reports_them(
    make_task, tmp_path: Path
) -> None:
    url, relative = "https://example.com/chart.png", "out/chart.png"
    artifact = [str(tmp_path / "a.txt"), tmp_path / "b.txt", url, relative, 3, Document("d")]

    def _files(text: str) -> tuple[str, list[Any]]:
        return text, artifact

    files = StructuredTool.from_function(
        _files, name="files", description="Files.", response_format="content_and_artifact"
    )
    out = tool_worker(files, task_types=["write_report"]).runnable.invoke(make_task())
    assert out.artifacts == (str(tmp_path / "a.txt"), str(tmp_path / "b.txt"), url, relative)


def test_a_tool_returning_a_langgraph_command_gives_its_text(make_task) -> None:
    @tool
    def route(text: str) -> Command:
        """Route to the next agent."""
        return Command(goto="writer")

    out = tool_worker(route, task_types=["generate_text"]).runnable.invoke(make_task())
    assert out.text == "\"Command(goto='writer')\""  # JSON text, as for any other object


def _due(text: str) -> dict[str, Any]:
    return {"invoice": "Nº 7", "due": date(2024, 1, 2)}


@pytest.mark.parametrize("handle_tool_error", [False, True])
def test_a_dict_result_becomes_json_text(make_task, handle_tool_error: bool) -> None:
    due = StructuredTool.from_function(
        _due, name="due", description="When is it due?", handle_tool_error=handle_tool_error
    )
    out = tool_worker(due, task_types=["answer_question"]).runnable.invoke(make_task())
    assert out.text == '{"invoice": "N\\u00ba 7", "due": "2024-01-02"}'
    assert due.handle_tool_error is handle_tool_error  # the caller's tool is left as it was


async def test_a_worker_output_the_tool_returns_is_the_output(make_task, tmp_path: Path) -> None:
    expected = WorkerOutput("sales by month", (str(tmp_path / "chart.png"),))

    @tool
    def chart(text: str) -> WorkerOutput:
        """Chart the table."""
        return expected

    spec = tool_worker(chart, task_types=["render_chart"])
    assert spec.runnable.invoke(make_task()) == expected
    assert await spec.runnable.ainvoke(make_task()) == expected


def _not_found(text: str) -> ToolMessage:
    return ToolMessage("HTTP 404: no such page", tool_call_id="lookup-1", status="error")


# LangChain passes a ToolMessage the tool builds itself on as it is, whatever the handler says.
@pytest.mark.parametrize("handle_tool_error", [False, "Lookup failed"])
def test_an_error_tool_message_the_tool_returns_fails_the_worker(
    make_task, handle_tool_error: bool | str
) -> None:
    lookup = StructuredTool.from_function(
        _not_found,
        name="lookup",
        description="Look the text up.",
        handle_tool_error=handle_tool_error,
    )
    with pytest.raises(WorkerError, match=r"tool 'lookup' failed: HTTP 404: no such page;"):
        tool_worker(lookup, task_types=["answer_question"]).runnable.invoke(make_task())


def test_an_input_the_tool_rejects_fails_the_worker(make_task) -> None:
    checked = StructuredTool.from_function(
        _add, name="add", description="Add two numbers.", handle_validation_error=True
    )
    spec = tool_worker(
        checked, task_types=["generate_text"], input_builder=lambda t, task: {"a": "two", "b": 1}
    )
    with pytest.raises(ValidationError, match="should be a valid integer"):
        spec.runnable.invoke(make_task())


@pytest.mark.parametrize(
    ("handler", "reason"),
    [
        ("Search is down, try later", "Search is down, try later (HTTP 503: service unavailable)"),
        (lambda e: f"Search failed with {e}", "Search failed with HTTP 503: service unavailable"),
    ],
)
def test_a_caught_error_fails_the_worker_with_what_the_tools_handler_returns(
    make_task, handler: Any, reason: str
) -> None:
    search = StructuredTool.from_function(
        _unavailable, name="search", description="Search the web.", handle_tool_error=handler
    )
    with pytest.raises(WorkerError, match=re.escape(f"tool 'search' failed: {reason};")):
        tool_worker(search, task_types=["answer_question"]).runnable.invoke(make_task())


@pytest.mark.parametrize("handler", ["Give two whole numbers", lambda e: "Give two whole numbers"])
def test_an_input_the_tool_rejects_fails_the_worker_with_what_its_handler_returns(
    make_task, handler: Any
) -> None:
    checked = StructuredTool.from_function(
        _add, name="add", description="Add two numbers.", handle_validation_error=handler
    )
    spec = tool_worker(
        checked, task_types=["generate_text"], input_builder=lambda t, task: {"a": "two", "b": 1}
    )
    with pytest.raises(
        ValueError, match=r"tool 'add' rejected its input: Give two whole numbers \(1 validation"
    ) as caught:
        spec.runnable.invoke(make_task())
    assert not is_transient(caught.value)  # a retry would send the same input


@tool
def stamp(text: str, tool_call_id: Annotated[str, InjectedToolCallId]) -> str:
    """Stamp the text with the id of its call."""
    return f"{text} [{tool_call_id}]"


async def test_a_tool_taking_its_call_id_gets_one_of_its_own_per_call(make_task) -> None:
    spec = tool_worker(stamp, task_types=["generate_text"])
    task = make_task(node_id="n1", description="hey")
    texts = [spec.runnable.invoke(task).text, (await spec.runnable.ainvoke(task)).text]
    assert all(re.fullmatch(r"hey \[n1-[0-9a-f]{8}\]", text) for text in texts), texts
    assert texts[0] != texts[1]


def test_a_tool_message_built_with_the_call_id_gives_its_text_and_files(
    make_task, tmp_path: Path
) -> None:
    @tool
    def save(text: str, tool_call_id: Annotated[str, InjectedToolCallId]) -> ToolMessage:
        """Save the text to a file."""
        (tmp_path / "saved.txt").write_text(text)
        return ToolMessage("saved", artifact=[tmp_path / "saved.txt"], tool_call_id=tool_call_id)

    out = tool_worker(save, task_types=["write_report"]).runnable.invoke(make_task())
    assert (out.text, out.artifacts) == ("saved", (str(tmp_path / "saved.txt"),))


def test_a_command_from_a_tool_taking_its_call_id_gives_its_text(make_task) -> None:
    @tool
    def hand_off(text: str, tool_call_id: Annotated[str, InjectedToolCallId]) -> Command:
        """Hand the text to the writer."""
        return Command(goto="writer", update={"handed_off_by": tool_call_id})

    out = tool_worker(hand_off, task_types=["generate_text"]).runnable.invoke(
        make_task(node_id="n1")
    )
    assert out.text.startswith('"Command(') and re.search(r"'n1-[0-9a-f]{8}'", out.text)


def test_an_error_a_tool_taking_its_call_id_catches_fails_the_worker(make_task) -> None:
    def _lookup(text: str, tool_call_id: Annotated[str, InjectedToolCallId]) -> str:
        raise ToolException("HTTP 503: service unavailable")

    lookup = StructuredTool.from_function(
        _lookup, name="lookup", description="Look it up.", handle_tool_error="Lookup failed"
    )
    with pytest.raises(WorkerError, match=r"tool 'lookup' failed: Lookup failed \(HTTP 503"):
        tool_worker(lookup, task_types=["answer_question"]).runnable.invoke(make_task())
