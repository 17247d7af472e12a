"""Document text: PDFs parsed with pypdf in a child process with time and memory limits, and
plain-text files decoded."""

from __future__ import annotations

import codecs
import json
import re
import subprocess
import sys
from pathlib import Path

from orchestai_agents.adapters._file_access import FileAccess
from orchestai_agents.adapters.task_tool import TaskTool

from orchestai_agents.errors import InputFileError
from orchestai_agents.modalities import PDF_FILE_SUFFIXES
from orchestai_agents.registry import TEXT_FILE_SUFFIXES, TaskInput

__all__ = [
    "DOCUMENT_FILE_SUFFIXES",
    "PdfTextTool",
    "extract_pdf_pages",
    "read_text_file",
    "text_file_inputs",
]

DOCUMENT_FILE_SUFFIXES = (*PDF_FILE_SUFFIXES, *TEXT_FILE_SUFFIXES)
"""What the text extractor reads, and what the slides tool reads a source document from."""

_CHILD = Path(__file__).with_name("_pdf_child.py")
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


def extract_pdf_pages(path: Path, *, timeout_s: float = 30.0, memory_mb: int = 1024) -> list[str]:
    """The text of each page of ``path``, parsed in a separate process.

    The child gets ``timeout_s`` of wall time (and as much CPU time) and ``memory_mb`` of
    address space, so a corrupted or hostile PDF fails with an InputFileError instead of hanging
    or exhausting the caller.

    Example:
        >>> pages = extract_pdf_pages(Path("examples/data/paper.pdf"))  # doctest: +SKIP
    """
    command = [
        sys.executable,
        "-I",
        str(_CHILD),
        str(path),
        str(max(1, int(timeout_s))),
        str(memory_mb * 2**20),
    ]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout_s, check=False
        )
    except subprocess.TimeoutExpired:
        raise InputFileError(
            f"{path}: parsing the PDF took longer than {timeout_s:.0f} s and was stopped; the file is "
            "probably corrupted or hostile (re-export it, or raise timeout_s if it is just very large)"
        ) from None
    if done.returncode != 0:
        reason = (
            done.stderr.strip().splitlines()[-1]
            if done.stderr.strip()
            else f"exit status {done.returncode}"
        )
        if done.returncode < 0 or "MemoryError" in done.stderr:
            reason = f"stopped at the {memory_mb} MB memory or CPU limit ({reason})"
        raise InputFileError(f"{path}: not a readable PDF: {reason}. Check or re-export the file.")
    # JSON joins a surrogate pair into its character; a half left alone (a broken ToUnicode map)
    # could not be written as UTF-8, so it becomes U+FFFD.
    return [_LONE_SURROGATE.sub("\ufffd", page) for page in json.loads(done.stdout)["pages"]]


def read_text_file(path: Path, max_chars: int | None = None) -> str:
    """The text of a plain-text file: UTF-8 (a BOM dropped) or UTF-16 with a BOM, else Windows-1252.

    A file with NUL bytes and no UTF-16 BOM is binary and refused with an InputFileError.
    With ``max_chars``, only the file's first ``max_chars`` characters are read and returned (the
    binary and encoding checks then look at those bytes only), so a huge file costs no more
    memory than the text kept.

    Example:
        >>> text = read_text_file(Path("notes.txt"))  # doctest: +SKIP
    """
    with path.open("rb") as file:
        # A character takes at most 4 bytes in UTF-8 and UTF-16, and a BOM at most 3.
        data = file.read() if max_chars is None else file.read(4 * max_chars + 3)
        whole = max_chars is None or not file.read(1)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = _decode(data, "utf-16", "replace", whole)
    elif b"\0" in data:
        raise InputFileError(
            f"{path}: binary data, not text; pass the text as UTF-8, or the document itself (a PDF)"
        )
    else:
        try:
            text = _decode(data, "utf-8-sig", "strict", whole)
        except UnicodeDecodeError:
            # Not UTF-8: most likely a legacy Windows file, whose accents and quotes cp1252 keeps.
            text = data.decode("cp1252", errors="replace")
    return text[:max_chars]


def _decode(data: bytes, encoding: str, errors: str, whole: bool) -> str:
    """``data`` decoded; unless it is the ``whole`` file, a character cut at its end is dropped."""
    return codecs.getincrementaldecoder(encoding)(errors).decode(data, final=whole)


def text_file_inputs(task: TaskInput, files: FileAccess) -> list[tuple[Path, str]]:
    """``(path, text)`` of each .txt/.md file among the user's inputs, checked by ``files``."""
    paths = [
        files.readable(p)
        for p in task.get("inputs", [])
        if Path(p).suffix.lower() in TEXT_FILE_SUFFIXES
    ]
    return [(path, read_text_file(path)) for path in paths]


class PdfTextTool(TaskTool):
    """Extracts the text of the PDF and .txt/.md inputs (or such files from earlier steps) and
    saves it as a .txt file.

    Example:
        >>> tool = PdfTextTool()
        >>> tool.invoke({"inputs": ["examples/data/paper.pdf"]})[:40]  # doctest: +SKIP
    """

    name: str = "pdf_text"
    description: str = (
        "Extract the text of PDF documents (research papers, reports) with pypdf, "
        "or read plain-text (.txt, .md) files."
    )
    timeout_s: float = 30.0
    memory_mb: int = 1024

    def _text(self, path: Path) -> str:
        if path.suffix.lower() in TEXT_FILE_SUFFIXES:
            text = read_text_file(path).strip()
            if not text:
                raise InputFileError(f"{path}: the file is empty; pass one with text in it")
            return text
        pages = extract_pdf_pages(path, timeout_s=self.timeout_s, memory_mb=self.memory_mb)
        text = "\n\n".join(p.strip() for p in pages if p.strip())
        if not text:
            raise InputFileError(
                f"{path}: the PDF has no extractable text (a scanned image?); OCR it first"
            )
        return text

    def execute(self, task: TaskInput) -> tuple[str, list[str]]:
        paths = self.task_files(task, DOCUMENT_FILE_SUFFIXES, what="PDF or text")
        joined = "\n\n".join(self._text(path) for path in paths)
        out = self.output_path(task, ".txt")
        out.write_text(joined, encoding="utf-8")
        return joined, [str(out)]
