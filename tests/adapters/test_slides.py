from pathlib import Path

import pytest
from orchestai_agents.adapters.chart import ChartTool
from orchestai_agents.adapters.pdf_text import PdfTextTool
from orchestai_agents.adapters.slides import SlidesTool, slide_bullets, text_sections
from orchestai_agents.adapters.table_analyst import TableAnalystTool
from pptx import Presentation

from orchestai_agents.errors import WorkerError
from orchestai_agents.plan import planned_description
from orchestai_agents.task_types import BUILTIN_TASK_TYPES


def _slides(path: Path) -> list[tuple[str, list[str]]]:
    """(title, body paragraphs) per slide."""
    deck = Presentation(str(path))
    out = []
    for slide in deck.slides:
        title = slide.shapes.title.text if slide.shapes.title is not None else ""
        body = [
            p.text
            for s in slide.placeholders
            if s.placeholder_format.idx == 1
            for p in s.text_frame.paragraphs
        ]
        out.append((title, body))
    return out


def test_sections_split_at_headings_and_drop_references() -> None:
    text = "Preamble.\nAbstract\nWe plan.\n2 Method\nWe learn\nto route.\nReferences\n[1] Someone."
    assert text_sections(text, "Doc") == [
        ("Doc", "Preamble."),
        ("Abstract", "We plan."),
        ("2 Method", "We learn\nto route."),
    ]


def test_markdown_tables_and_list_items_become_one_bullet_each() -> None:
    body = (
        "Trends below.\n"
        "|  | revenue | units |\n|---|---|---|\n| mean | 1.8e+04 | 557.5 |\n| max | 2.3e+04 | 695 |\n"
        "- revenue: rising, +10 per day\n"
        "- units: rising,\nfast\n"
        "1. First. Really.\n"
        "\nAfter the list. Done."
    )
    assert slide_bullets(body) == [
        "Trends below.",
        "mean: revenue 1.8e+04, units 557.5",
        "max: revenue 2.3e+04, units 695",
        "revenue: rising, +10 per day",
        "units: rising, fast",
        "First. Really.",
        "After the list.",
        "Done.",
    ]


def test_table_analysis_slides_show_rows_and_trends_not_markdown(
    sales_csv: Path, make_task
) -> None:
    analysis, _ = TableAnalystTool().execute(make_task(node_id="analyze", inputs=[sales_csv]))
    _, files = SlidesTool().execute(make_task(context={"analyze": {"text": analysis}}))
    slides = dict(_slides(Path(files[0]))[1:])
    assert [b.split(":")[0] for b in slides["Columns"]] == [
        "month",
        "quarter",
        "revenue_usd",
        "units",
    ]
    assert slides["Statistics"][0].startswith("count: revenue_usd ")
    assert [b.split(":")[0] for b in slides["Trends"]] == ["revenue_usd", "units"]
    assert not any("|" in b or b.startswith("- ") for body in slides.values() for b in body)


def test_paper_becomes_a_deck_whose_slides_quote_the_pdf(paper_pdf: Path, make_task) -> None:
    pdf_text, _ = PdfTextTool().execute(make_task(inputs=[paper_pdf]))
    task = make_task(
        node_id="deck",
        context={
            "summary": {"text": "Planning is learned. It is fast."},
            "extract": {"text": pdf_text},
        },
    )
    text, files = SlidesTool().execute(task)
    slides = _slides(Path(files[0]))
    # The paper's title (wrapped over two lines in the PDF) is the deck's, its authors the subtitle.
    assert slides[0] == (
        "Learned Planners for Tool Orchestration: Decompose, Wire, Route",
        ["A. Example and B. Sample, OrchestAI Project"],
    )
    assert "Extract" not in [title for title, _ in slides]  # the title block is no slide
    assert slides[1] == ("Summary", ["Planning is learned.", "It is fast."])
    titles = [title for title, _ in slides]
    assert {"Abstract", "1 Introduction", "3 Method", "6 Conclusion"} <= set(titles)
    flat_pdf = " ".join(pdf_text.split())
    quoting = [t for t, body in slides[2:] if body and all(b.rstrip("…") in flat_pdf for b in body)]
    assert len(quoting) >= 3
    assert text.startswith(f"Slide deck deck.pptx: {len(slides)} slides.")


def test_source_pdf_grounds_the_deck_when_only_a_summary_is_passed_on(
    paper_pdf: Path, make_task
) -> None:
    task = make_task(inputs=[paper_pdf], context={"summary": {"text": "Planning is learned."}})
    _, files = SlidesTool().execute(task)
    titles = [title for title, _ in _slides(Path(files[0]))]
    assert titles[1] == "Summary" and "3 Method" in titles and len(titles) >= 5


def test_source_already_passed_on_is_not_repeated(paper_pdf: Path, make_task) -> None:
    pdf_text, _ = PdfTextTool().execute(make_task(inputs=[paper_pdf]))
    task = make_task(inputs=[paper_pdf], context={"extract": {"text": pdf_text}})
    _, files = SlidesTool().execute(task)
    titles = [title for title, _ in _slides(Path(files[0]))]
    assert titles.count("3 Method") == 1


def test_utf16_markdown_input_is_decoded(tmp_path: Path, make_task) -> None:
    notes = tmp_path / "notes.md"
    notes.write_bytes("# Plan\nWe route. We plan.\n# Coûts\nIt is cheap.\n".encode("utf-16"))
    _, files = SlidesTool().execute(make_task(inputs=[notes]))
    assert _slides(Path(files[0]))[1:] == [
        ("Plan", ["We route.", "We plan."]),
        ("Coûts", ["It is cheap."]),
    ]


def test_chart_png_becomes_a_picture_slide(sales_csv: Path, make_task) -> None:
    _, pngs = ChartTool().execute(make_task(node_id="chart", inputs=[sales_csv]))
    _, files = SlidesTool().execute(
        make_task(node_id="deck", context={"chart": {"text": "", "artifacts": pngs}})
    )
    deck = Presentation(files[0])
    assert len(deck.slides) == 2
    pictures = [s for s in deck.slides[1].shapes if s.shape_type == 13]  # MSO_SHAPE_TYPE.PICTURE
    assert len(pictures) == 1 and pictures[0].width <= deck.slide_width


def test_text_without_a_title_block_leaves_the_instruction_as_title(make_task) -> None:
    _, files = SlidesTool().execute(make_task(context={"summary": {"text": "It works."}}))
    assert _slides(Path(files[0]))[0] == ("Turn the paper into a short talk", ["Do the step"])


def test_a_planned_deck_without_a_title_block_is_subtitled_with_the_request_words(
    make_task,
) -> None:
    asked = "a short talk for the team"
    description = planned_description(BUILTIN_TASK_TYPES["make_slides"], asked)
    task = make_task(description=description, context={"summary": {"text": "It works."}})
    _, files = SlidesTool().execute(task)
    assert _slides(Path(files[0]))[0][1] == [asked]


def test_nothing_to_show_is_refused(make_task) -> None:
    with pytest.raises(WorkerError, match="nothing to put on slides"):
        SlidesTool().execute(make_task())
