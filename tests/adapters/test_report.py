from pathlib import Path

import pytest
from orchestai_agents.adapters.report import ReportTool

from orchestai_agents.errors import WorkerError
from orchestai_agents.plan import planned_description


def test_report_combines_texts_and_links_files(tmp_path: Path, make_task) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "chart.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (out / "deck.pptx").write_bytes(b"pk")
    task = make_task(
        node_id="report",
        instruction="Sales review",
        context={
            "table_stats": {"text": "Revenue rises 2% a month.", "artifacts": []},
            "chart": {
                "text": "Line chart",
                "artifacts": [str(out / "chart.png"), str(out / "deck.pptx")],
            },
        },
    )
    text, files = ReportTool().execute(task)
    assert files == [str(out / "report.md")]
    assert Path(files[0]).read_text() == text
    assert text.startswith("# Sales review")
    assert "## Table stats\n\nRevenue rises 2% a month." in text
    assert "![chart](chart.png)" in text and "- [deck.pptx](deck.pptx)" in text


def test_a_planned_report_says_what_was_asked_in_the_requests_words(make_task) -> None:
    description = planned_description("Write a markdown report file.", "report the sales trend")
    task = make_task(description=description, context={"stats": {"text": "Revenue rises."}})
    text, _ = ReportTool().execute(task)
    assert text.splitlines()[2] == "_report the sales trend_"


def test_report_without_inputs_is_refused(make_task) -> None:
    with pytest.raises(WorkerError, match="nothing to report"):
        ReportTool().execute(make_task())


def test_a_step_never_writes_over_a_file_it_was_given(tmp_path: Path, make_task) -> None:
    out = tmp_path / "out"
    out.mkdir()
    mine = out / "report.md"
    mine.write_text("the user's own notes")
    task = make_task(
        node_id="report", inputs=[mine], context={"a": {"text": "hi", "artifacts": []}}
    )
    _, written = ReportTool().execute(task)
    assert written == [str(out / "report-2.md")]
    assert mine.read_text() == "the user's own notes"


def test_a_step_never_writes_over_a_file_already_in_the_output_folder(
    tmp_path: Path, make_task
) -> None:
    # A plan node named README writing report.md-style output into the user's project folder
    # had replaced the user's README.md.
    out = tmp_path / "project"
    out.mkdir()
    (out / "README.md").write_text("# my project")
    (out / "README-2.md").write_text("an earlier run's report")
    task = make_task(
        node_id="README", output_dir=str(out), context={"a": {"text": "hi", "artifacts": []}}
    )
    _, written = ReportTool().execute(task)
    assert written == [str(out / "README-3.md")]
    assert (out / "README.md").read_text() == "# my project"
    assert (out / "README-2.md").read_text() == "an earlier run's report"
