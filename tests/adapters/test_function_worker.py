import pytest
from langchain_core.runnables import RunnableConfig
from orchestai_agents.adapters.function_worker import as_worker_output, function_worker

from orchestai_agents.registry import Usage, WorkerOutput


def test_str_dict_and_worker_output_results(make_task) -> None:
    as_text = function_worker(
        lambda t: t["description"] + "!", name="a", description="d", task_types=["generate_text"]
    )
    assert as_text.runnable.invoke(make_task(description="go")).text == "go!"
    as_dict = function_worker(
        lambda t: {
            "text": "t",
            "artifacts": ["x.png"],
            "usage": {"input_tokens": 3, "output_tokens": 4},
        },
        name="b",
        description="d",
        task_types=["render_chart"],
    )
    assert as_dict.runnable.invoke(make_task()) == WorkerOutput("t", ("x.png",), Usage(3, 4))


def test_function_receives_the_config(make_task) -> None:
    def tagged(task: dict, config: RunnableConfig) -> str:
        return ",".join(config.get("tags", []))

    spec = function_worker(tagged, name="c", description="d", task_types=["generate_text"])
    assert "node:step" in spec.runnable.invoke(make_task(), {"tags": ["node:step"]}).text


async def test_async_function(make_task) -> None:
    async def afn(task: dict) -> str:
        return "async " + task["node_id"]

    spec = function_worker(afn, name="d", description="d", task_types=["generate_text"])
    assert (await spec.runnable.ainvoke(make_task())).text == "async step"


def test_wrong_result_type_says_what_to_return() -> None:
    with pytest.raises(TypeError, match="returned int; return a str, a WorkerOutput or a dict"):
        as_worker_output(42)  # type: ignore[arg-type]


def test_a_sync_function_is_marked_blocking_and_an_async_one_is_not():
    # Under ainvoke a blocking worker gets a thread of its own, and a timed-out call of it is
    # abandoned, not retried (compiler.PlanExecutor._ainvoke).
    async def shout(task):
        return task["description"].upper()

    sync = function_worker(lambda t: "x", name="s", description="", task_types=["t"])
    native = function_worker(shout, name="a", description="", task_types=["t"])
    assert (sync.blocking, native.blocking) == (True, False)
