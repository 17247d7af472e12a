import sys
from pathlib import Path

import pytest
from orchestai_agents.adapters.pdf_text import PdfTextTool, extract_pdf_pages, read_text_file
from orchestai_agents.adapters.tool_worker import tool_worker
from pypdf import PdfWriter

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


def test_no_pdf_or_text_among_inputs_says_what_to_pass(make_task, sales_csv: Path) -> None:
    with pytest.raises(InputFileError, match=r"no PDF or text file \(\.md, \.pdf, \.txt\)"):
        PdfTextTool().execute(make_task(inputs=[sales_csv]))


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ("\ufeffRevenue rose 12%.\n".encode(), "Revenue rose 12%."),
        ("Café “notes”".encode("utf-16"), "Café “notes”"),
        ("Café “notes”".encode("cp1252"), "Café “notes”"),
    ],
    ids=["utf-8 with BOM", "utf-16", "cp1252"],
)
def test_text_file_is_decoded_and_saved_as_txt(
    tmp_path: Path, make_task, data: bytes, text: str
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_bytes(data)
    out, files = PdfTextTool().execute(make_task(node_id="extract", inputs=[notes]))
    assert out == text
    assert Path(files[0]).name == "extract.txt" and Path(files[0]).read_text() == text


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ("\ufeffRevenue rose 12%.".encode(), "Revenue"),
        ("€".encode(), "€" * 7),  # 3 bytes a character: the bytes read end inside one
        ("Café “notes” 😀".encode("utf-16"), "Café “n"),
        ("Café “notes”".encode("cp1252"), "Café “n"),
    ],
    ids=["utf-8 with BOM", "utf-8", "utf-16", "cp1252"],
)
def test_text_file_read_to_a_limit_keeps_the_decoding(
    tmp_path: Path, data: bytes, text: str
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_bytes(data * 50)
    assert read_text_file(notes, 7) == text


def test_text_file_read_to_a_limit_reads_only_its_start(tmp_path: Path) -> None:
    # The binary check sees only the bytes read: NULs far past the limit are never reached.
    notes = tmp_path / "notes.txt"
    notes.write_bytes(b"Agenda: " * 100 + b"\0" * 1000)
    assert read_text_file(notes, 16) == "Agenda: Agenda: "
    with pytest.raises(InputFileError, match="binary data"):
        read_text_file(notes)


def test_pdf_and_markdown_inputs_are_both_extracted(
    tmp_path: Path, paper_pdf: Path, make_task
) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("# Notes\nAsk about routing costs.\n")
    text, _ = PdfTextTool().execute(make_task(inputs=[paper_pdf, notes]))
    assert text.startswith("Learned Planners for Tool Orchestration")
    assert text.endswith("# Notes\nAsk about routing costs.")


def test_binary_file_named_txt_is_refused(tmp_path: Path, make_task) -> None:
    fake = tmp_path / "photo.txt"
    fake.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(InputFileError, match=r"photo\.txt: binary data, not text"):
        PdfTextTool().execute(make_task(inputs=[fake]))


def test_text_file_outside_the_allowed_folders_is_refused(tmp_path: Path, make_task) -> None:
    (tmp_path / "secret").mkdir()
    notes = tmp_path / "secret" / "notes.txt"
    notes.write_text("private")
    tool = PdfTextTool(allowed_dirs=[str(tmp_path / "out")])
    with pytest.raises(InputFileError, match="outside the allowed folders"):
        tool.execute(make_task(inputs=[notes]))


def _encrypt(source: Path, target: Path, algorithm: str) -> Path:
    """``source`` encrypted with only an owner password: any viewer opens it without asking."""
    writer = PdfWriter(clone_from=source)
    writer.encrypt(user_password="", owner_password="owner", algorithm=algorithm)
    writer.write(target)
    return target


@pytest.mark.parametrize("algorithm", ["AES-128", "AES-256"])
def test_aes_pdf_with_only_an_owner_password_is_read(
    tmp_path: Path, paper_pdf: Path, algorithm: str
) -> None:
    pages = extract_pdf_pages(_encrypt(paper_pdf, tmp_path / "aes.pdf", algorithm))
    assert pages == extract_pdf_pages(paper_pdf)


def test_missing_aes_dependency_says_what_to_install(
    tmp_path: Path, paper_pdf: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A Python on which `import cryptography` fails, as on an install without pypdf's extra.
    python = tmp_path / "python"
    python.write_text(
        f"#!{sys.executable}\n"
        "import runpy, sys\n"
        "sys.modules['cryptography'] = None\n"
        "sys.argv = sys.argv[2:]  # this script and -I\n"
        "runpy.run_path(sys.argv[0], run_name='__main__')\n"
    )
    python.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(python))
    with pytest.raises(
        InputFileError, match=r"aes\.pdf: .*install it with pip install 'pypdf\[crypto\]'"
    ):
        extract_pdf_pages(_encrypt(paper_pdf, tmp_path / "aes.pdf", "AES-128"))


def _pdf_with_to_unicode(path: Path, to_unicode: dict[bytes, str], shown: bytes) -> Path:
    """A one-page PDF showing the codes ``shown`` in a font whose ToUnicode map is ``to_unicode``
    (code -> UTF-16BE hex, which may be a malformed lone surrogate)."""
    pairs = b"".join(
        b"<%s> <%s>\n" % (code.hex().encode(), hex_.encode()) for code, hex_ in to_unicode.items()
    )
    cmap = (
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        b"1 begincodespacerange <00> <FF> endcodespacerange\n"
        b"%d beginbfchar\n%sendbfchar\nendcmap CMapName currentdict /CMap defineresource pop end end\n"
        % (len(to_unicode), pairs)
    )
    content = b"BT /F1 24 Tf 72 720 Td (%s) Tj ET" % shown
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(cmap), cmap),
    ]
    data, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(data))
        data += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    data += b"xref\n0 %d\n0000000000 65535 f \n%s" % (len(objects) + 1, xref)
    data += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        data.index(b"xref"),
    )
    path.write_bytes(data)
    return path


def test_lone_surrogate_is_replaced_and_pairs_are_kept(tmp_path: Path, make_task) -> None:
    # Codes A and B map to the two UTF-16 halves of U+1F600; the last A is a half on its own.
    pdf = _pdf_with_to_unicode(
        tmp_path / "halves.pdf", {b"A": "D83D", b"B": "DE00", b"C": "0048"}, b"CABA"
    )
    text, files = PdfTextTool().execute(make_task(inputs=[pdf]))
    assert text == "H\U0001f600\ufffd"
    assert Path(files[0]).read_text(encoding="utf-8") == text


def test_empty_text_file_is_refused(tmp_path: Path, make_task) -> None:
    blank = tmp_path / "blank.md"
    blank.write_text(" \n")
    with pytest.raises(InputFileError, match=r"blank\.md: the file is empty"):
        PdfTextTool().execute(make_task(inputs=[blank]))
