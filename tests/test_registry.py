import pytest
from langchain_core.runnables import RunnableLambda

from orchestai_agents.registry import Capabilities, WorkerOutput, WorkerRegistry, WorkerSpec


def echo(name: str) -> WorkerSpec:
    return WorkerSpec(
        name,
        "Repeats the task",
        RunnableLambda(lambda t: WorkerOutput(t["description"])),
        Capabilities(frozenset({"answer"})),
    )


@pytest.mark.parametrize(
    "build", [lambda: WorkerRegistry(["x"]), lambda: WorkerRegistry().register("x")]
)
def test_a_worker_that_is_not_a_spec_is_a_type_error_saying_how_to_make_one(build) -> None:
    with pytest.raises(TypeError, match=r"(?s)WorkerSpec, got str 'x'.*function_worker"):
        build()


def test_registered_specs_are_looked_up_by_task_type() -> None:
    registry = WorkerRegistry([echo("a"), echo("b")])
    assert registry.capable("answer") == ["a", "b"]
    assert registry.register(echo("c")).name == "c"
