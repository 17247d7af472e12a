import pytest
from orchestai_agents.adapters.classify import ZeroShotClassifierTool, parse_labels, spoken_labels

from orchestai_agents.errors import StepInputError, WorkerError
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


@pytest.mark.parametrize(
    ("text", "labels"),
    [
        ("Classify these notes as urgent or not urgent", ["urgent", "not urgent"]),
        (
            "Classify this support ticket: billing, technical or account access?",
            ["billing", "technical", "account access"],
        ),
        (
            "Classify the attached contract as an NDA, an employment contract or a service agreement.",
            ["NDA", "employment contract", "service agreement"],
        ),
        ("tell me whether it is urgent or not urgent.", ["urgent", "not urgent"]),
        (
            "Tag the call as a qualified or unqualified lead based on what's said.",
            ["qualified", "unqualified lead"],
        ),
        ("give it a label (fund or do not fund), sum it up", ["fund", "do not fund"]),
        (
            "label it hot, warm or cold lead, summarise it, and use both",
            ["hot", "warm", "cold lead"],
        ),
        (
            "pick a category from bedroom, kitchen or living room.",
            ["bedroom", "kitchen", "living room"],
        ),
        (
            "Sort the CV into one of these: junior, mid-level or senior.",
            ["junior", "mid-level", "senior"],
        ),
        ("Is this message urgent or routine?", ["urgent", "routine"]),
        ("Is the email spam or not spam?", ["spam", "not spam"]),
        (
            "Classify this: the server is down, fix it now! urgent or routine?",
            ["urgent", "routine"],
        ),
        (
            "The server is down. Urgent, normal or low priority?",
            ["Urgent", "normal", "low priority"],
        ),
        ("Summarise it and translate it into French.", []),
        ("Did it rain? Tom said so.", []),
        ("Classify the abstract.", []),
    ],
)
def test_spoken_labels(text: str, labels: list[str]) -> None:
    assert spoken_labels(text) == labels


def test_no_labels_anywhere_is_refused_without_a_retry(make_task) -> None:
    task = make_task(
        instruction="Classify the abstract", description="Classify the abstract", context={}
    )
    with pytest.raises(StepInputError, match=r"found labels \[\].*'as urgent or routine'"):
        ZeroShotClassifierTool().execute(task)


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


@pytest.mark.slow
def test_a_planned_step_reads_labels_and_text_past_the_clause_it_was_cut_at(make_task) -> None:
    # The planner describes the step by the request's clause, cut at the first comma:
    # "Classify this support ticket: billing". The labels and the pasted ticket follow it.
    instruction = (
        "Classify this support ticket: billing, technical or account access?\n"
        "I was charged twice for my subscription this month and want a refund."
    )
    planned = planned_description(
        BUILTIN_TASK_TYPES["classify"], "Classify this support ticket: billing"
    )
    text, _ = ZeroShotClassifierTool().execute(
        make_task(instruction=instruction, description=planned, context={})
    )
    assert text.splitlines()[0] == "billing"
    assert {"billing", "technical", "account access"} == {
        pair.split("=")[0] for pair in text.split("scores: ")[1].split(", ")
    }


@pytest.mark.slow
def test_labels_asked_before_the_steps_own_words_are_read(make_task) -> None:
    # The shipped planner describes this step by the quoted message alone.
    instruction = "Is this message urgent or routine? 'Lunch menu for next week attached.'"
    planned = planned_description(
        BUILTIN_TASK_TYPES["classify"], "'Lunch menu for next week attached.'"
    )
    text, _ = ZeroShotClassifierTool().execute(
        make_task(instruction=instruction, description=planned, context={})
    )
    assert {"urgent", "routine"} == {
        pair.split("=")[0] for pair in text.split("scores: ")[1].split(", ")
    }
