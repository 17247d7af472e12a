"""End to end with the real workers: the shipped PDF -> extracted text -> SmolLM2 summary -> slide deck."""

from pathlib import Path

import pytest
from orchestai_agents.adapters.builtin import default_registry
from pptx import Presentation


@pytest.mark.slow
def test_paper_pdf_becomes_a_deck_with_slides_from_the_pdf(paper_pdf: Path, make_task) -> None:
    registry = default_registry()
    instruction = "Make a short presentation from this research paper"
    extract = registry["pdf_text"].runnable.invoke(
        make_task(
            node_id="extract",
            instruction=instruction,
            task_type="extract_text",
            description="Extract the text of the paper",
            inputs=[paper_pdf],
        )
    )
    summary = registry["smollm2"].runnable.invoke(
        make_task(
            node_id="summary",
            instruction=instruction,
            task_type="summarize",
            description="Summarise the paper in three sentences",
            inputs=[paper_pdf],
            context={"extract": extract.to_dict()},
        )
    )
    assert summary.text and summary.usage.output_tokens > 0
    assert 200 < summary.usage.input_tokens <= 2048  # the paper, cut to SmolLM2's prompt budget
    deck_out = registry["slides"].runnable.invoke(
        make_task(
            node_id="deck",
            instruction=instruction,
            task_type="make_slides",
            description="Build the deck",
            context={"summary": summary.to_dict(), "extract": extract.to_dict()},
        )
    )
    deck = Presentation(deck_out.artifacts[0])
    flat_pdf = " ".join(extract.text.split())
    from_pdf = [
        slide
        for slide in list(deck.slides)[1:]
        if any(
            p.text and p.text.rstrip("…") in flat_pdf
            for shape in slide.placeholders
            if shape.placeholder_format.idx == 1
            for p in shape.text_frame.paragraphs
        )
    ]
    assert len(from_pdf) >= 3
    paper_title = "Learned Planners for Tool Orchestration: Decompose, Wire, Route"
    assert deck.slides[0].shapes.title.text == paper_title
