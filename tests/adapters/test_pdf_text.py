from pathlib import Path

import pytest
from orchestai_agents.adapters.pdf_text import PdfTextTool, extract_pdf_pages
from orchestai_agents.adapters.tool_worker import tool_worker

from orchestai_agents.errors import InputFileError


def test_real_paper_pages_are_extracted(paper_pdf: Path) -> None:
    pages = extract_pdf_pages(paper_pdf)
    assert len(pages) == 2
    assert pages[0].startswith("Learned Planners for Tool Orchestration")
    assert "6 Conclusion" in pages[-1]


def test_worker_returns_the_text_and_a_txt_file(paper_pdf: Path, make_task) -> None:
    spec = tool_worker(PdfTextTool(), task_types=["extract_text"])
    out = spec.runnable.invoke(make_task(node_id="extract", inputs=[paper_pdf]))
    assert "Abstract" in out.text and "3 Method" in out.text
    assert Path(out.artifacts[0]).name == "extract.txt"
    assert Path(out.artifacts[0]).read_text() == out.text


def test_corrupted_pdf_is_an_input_file_error(tmp_path: Path, paper_pdf: Path, make_task) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 20)
    with pytest.raises(InputFileError, match=r"broken\.pdf: not a readable PDF"):
        PdfTextTool().execute(make_task(inputs=[broken]))


def test_truncated_pdf_is_an_input_file_error(tmp_path: Path, paper_pdf: Path) -> None:
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(paper_pdf.read_bytes()[:900])
    with pytest.raises(InputFileError, match=r"cut\.pdf"):
        extract_pdf_pages(cut)


def test_parse_past_the_time_limit_is_stopped(paper_pdf: Path) -> None:
    with pytest.raises(InputFileError, match="longer than 0 s and was stopped"):
        extract_pdf_pages(paper_pdf, timeout_s=0.01)


def test_parse_past_the_memory_limit_is_stopped(paper_pdf: Path) -> None:
    with pytest.raises(InputFileError, match="memory or CPU limit"):
        extract_pdf_pages(paper_pdf, memory_mb=8)


def test_no_pdf_among_inputs_says_what_to_pass(make_task, sales_csv: Path) -> None:
    with pytest.raises(InputFileError, match=r"no PDF file \(\.pdf\)"):
        PdfTextTool().execute(make_task(inputs=[sales_csv]))
