import pytest
from orchestai_agents.adapters.classify import ZeroShotClassifierTool, parse_labels

from orchestai_agents.errors import WorkerError
from orchestai_agents.plan import planned_description
from orchestai_agents.task_types import BUILTIN_TASK_TYPES


@pytest.mark.parametrize(
    ("description", "labels"),
    [
        ("Classify it. labels: sport, cooking, politics", ["sport", "cooking", "politics"]),
        ("Which topic? Categories: a | b; c.", ["a", "b", "c"]),
        ("Classes: yes,no\nThen explain.", ["yes", "no"]),
        ("No list here", []),
    ],
)
def test_parse_labels(description: str, labels: list[str]) -> None:
    assert parse_labels(description) == labels


def test_fewer_than_two_labels_is_refused(make_task) -> None:
    with pytest.raises(WorkerError, match=r"found labels \['only'\].*at least two"):
        ZeroShotClassifierTool().execute(
            make_task(description="labels: only", context={"x": {"text": "t"}})
        )


@pytest.mark.slow
def test_real_zero_shot_classification(make_task) -> None:
    tool = ZeroShotClassifierTool()
    cooking = make_task(
        description="Topic? labels: sport, cooking, finance",
        context={"x": {"text": "Whisk the eggs with sugar, then bake the cake for forty minutes."}},
    )
    text, _ = tool.execute(cooking)
    assert text.splitlines()[0] == "cooking"
    sport = make_task(
        description="Topic? labels: sport, cooking, finance",
        context={"x": {"text": "The striker scored twice and the team won the league final."}},
    )
    assert tool.execute(sport)[0].startswith("sport\n\nscores: sport=")


@pytest.mark.slow
def test_a_planned_step_without_dependencies_classifies_the_request_words(make_task) -> None:
    # Its text is the step's own words: not the classify type's description the planner puts
    # first, which would be classified with them.
    asked = "The striker scored twice in the final. Labels: sport, cooking, finance"
    planned = planned_description(BUILTIN_TASK_TYPES["classify"], asked)
    tool = ZeroShotClassifierTool()
    assert tool.execute(make_task(description=planned)) == tool.execute(
        make_task(description=asked)
    )
