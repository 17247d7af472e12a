"""``orchestai_agents.planner.plans``: the request's clause each planned sub-task is for."""

from __future__ import annotations

import pytest

from orchestai_agents.planner.plans import clause_at


@pytest.mark.parametrize(
    ("text", "word", "clause"),
    [
        ("Extract the text, then summarise it and make slides.", "summarise", "summarise it"),
        ("Extract the text, then summarise it and make slides.", "slides", "make slides"),
        ("Read the PDF. Translate it into French!", "French", "Translate it into French"),
        # A dot inside a file name or a number ends nothing.
        ("Boil interview_notes.txt down to a few lines", "Boil", None),
        ("Chart sales.csv; round to 2.5 percent", "round", "round to 2.5 percent"),
    ],
)
def test_the_clause_around_the_word_the_step_attended_to(
    text: str, word: str, clause: str | None
) -> None:
    start = text.index(word)
    assert clause_at(text, (start, start + len(word))) == (clause or text)


def test_an_empty_span_gives_the_whole_request() -> None:
    assert clause_at("  Summarise the notes.  ", (3, 3)) == "Summarise the notes."
