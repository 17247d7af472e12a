"""Slide decks with python-pptx, built from earlier steps' texts and images."""

from __future__ import annotations

import re
from pathlib import Path

from orchestai_agents.adapters._task_text import context_artifacts, dependency_texts
from orchestai_agents.adapters._text_split import clip, sentences
from orchestai_agents.adapters.pdf_text import (
    DOCUMENT_FILE_SUFFIXES,
    extract_pdf_pages,
    read_text_file,
)
from orchestai_agents.adapters.task_tool import TaskTool
from pptx import Presentation
from pptx.presentation import Presentation as PresentationType
from pptx.util import Emu

from orchestai_agents.errors import StepInputError
from orchestai_agents.modalities import PDF_FILE_SUFFIXES
from orchestai_agents.plan import request_words
from orchestai_agents.registry import TaskInput

__all__ = ["SlidesTool", "slide_bullets", "text_sections"]

_NAMED_HEADING = re.compile(
    r"^(abstract|introduction|background|related work|methods?|approach|experiments?|results|evaluation|"
    r"discussion|limitations|conclusions?|summary|future work|references|acknowledg\w*)$",
    re.IGNORECASE,
)
_NUMBERED_HEADING = re.compile(r"^(\d+(\.\d+)*\.?|[IVX]+\.)\s+[A-Z][^.!?]{1,70}$")
_SKIPPED = re.compile(
    r"^(\d+(\.\d+)*\.?\s+)?(references|bibliography|acknowledg\w*)$", re.IGNORECASE
)
_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
_TITLE_BLOCK_CHARS = 300
# A title line that ends like this wraps onto the next line ("Tool Orchestration: Decompose,").
_TITLE_WRAPS = re.compile(r"([,:;–-]|\b(a|an|and|for|in|of|on|the|to|via|with))$", re.IGNORECASE)
_TABLE_RULE = re.compile(r"^\|?\s*:?-{3,}")
_LIST_ITEM = re.compile(r"^(?:[-*+•]|\d{1,2}[.)])\s+")


def _heading(line: str) -> str | None:
    line = line.strip()
    if line.startswith("#"):
        return line.lstrip("#").strip() or None
    if len(line) <= 80 and (_NAMED_HEADING.match(line) or _NUMBERED_HEADING.match(line)):
        return line
    return None


def text_sections(text: str, default_title: str) -> list[tuple[str, str]]:
    """``(heading, body)`` pairs, split at heading lines (markdown ``#``, "2 Method", "Abstract").

    Text before the first heading is a section titled ``default_title``; empty sections and
    reference lists are dropped.

    Example:
        >>> text_sections("Intro text.\\n1 Method\\nWe do X.\\nReferences\\n[1] A.", "Paper")
        [('Paper', 'Intro text.'), ('1 Method', 'We do X.')]
    """
    found: list[tuple[str, list[str]]] = [(default_title, [])]
    for line in text.splitlines():
        heading = _heading(line)
        if heading:
            found.append((heading, []))
        else:
            found[-1][1].append(line)
    sections = [(title, "\n".join(lines).strip()) for title, lines in found]
    return [(title, body) for title, body in sections if body and not _SKIPPED.match(title)]


def _split_title_block(
    sections: list[tuple[str, str]], default_title: str
) -> tuple[str | None, list[tuple[str, str]]]:
    """A short text before a document's first heading (its title and authors) and the other sections."""
    first_title, first_body = sections[0] if sections else ("", "")
    if len(sections) > 2 and first_title == default_title and len(first_body) < _TITLE_BLOCK_CHARS:
        return first_body, sections[1:]
    return None, sections


def _title_and_byline(block: str) -> tuple[str, str]:
    """A title block's title (its first line and the lines it wraps onto) and the rest (authors)."""
    lines = [line.strip() for line in block.splitlines() if line.strip()]
    n = 1
    while n < len(lines) and _TITLE_WRAPS.search(lines[n - 1]):
        n += 1
    return " ".join(lines[:n]), " ".join(lines[n:])


def _fold_lines(body: str) -> str:
    """Join a section's wrapped lines into running text (PDF extraction breaks every line)."""
    return re.sub(r"-\n(?=[a-z])", "", body).replace("\n", " ")


def _table_bullets(lines: list[str]) -> list[str]:
    """One bullet per row of a markdown table: its first cell, then the others (named by their
    column when there are several)."""
    header, *rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in lines
        if not _TABLE_RULE.match(line.strip())
    ]
    named = len(header) > 2
    bullets = []
    for label, *cells in rows:
        values = ", ".join(
            f"{name} {cell}" if named else cell
            for name, cell in zip(header[1:], cells, strict=False)
        )
        bullets.append(f"{label}: {values}" if label else values)
    return bullets


def _blocks(body: str) -> list[tuple[str, list[str]]]:
    """A section's lines grouped as ``("table", rows)``, ``("item", lines)`` (a list item and the
    lines it wraps onto) or ``("text", lines)`` (a paragraph)."""
    blocks: list[tuple[str, list[str]]] = []
    before = ""  # the kind of the line before; "" after a blank line
    for line in map(str.strip, body.splitlines()):
        if not line:
            before = ""
            continue
        kind = "table" if line.startswith("|") else "item" if _LIST_ITEM.match(line) else "text"
        if kind == before == "table" or (kind == "text" and before in ("item", "text")):
            blocks[-1][1].append(line)
        else:
            blocks.append((kind, [line]))
        before = kind
    return blocks


def slide_bullets(body: str) -> list[str]:
    """Bullets for a section's text: one per markdown table row, list item and sentence, in order.

    Example:
        >>> slide_bullets("| | dtype |\\n|---|---|\\n| month | str |\\n- up\\n- down\\n\\nIt ends. Now.")
        ['month: str', 'up', 'down', 'It ends.', 'Now.']
    """
    bullets = []
    for kind, lines in _blocks(body):
        if kind == "table" and len(lines) > 1 and _TABLE_RULE.match(lines[1]):
            bullets += _table_bullets(lines)
        elif kind == "item":
            bullets.append(_LIST_ITEM.sub("", _fold_lines("\n".join(lines))))
        else:
            bullets += sentences(_fold_lines("\n".join(lines)))
    return bullets


class SlidesTool(TaskTool):
    """Builds a .pptx deck: a title slide, bullet slides from the dependencies' texts, picture slides.

    The texts are the dependencies' and those of the PDF/.txt/.md inputs no dependency passed on
    already, shortest (summaries) first. Each is split into sections at its headings; each
    section becomes a slide whose bullets are its first markdown table rows, list items and
    sentences (:func:`slide_bullets`). A document's title block (short text before its first
    heading) becomes the title slide: its first line (and the lines it wraps onto) the title, the
    rest (authors) the subtitle; without one, the instruction is the title. Every PNG/JPEG file
    of earlier steps becomes a picture slide. The deck is written to ``<node_id>.pptx`` and its
    outline returned as text.

    Example:
        >>> SlidesTool().invoke({"instruction": "Paper talk", "output_dir": "/tmp/deck",
        ...     "context": {"summary": {"text": "It works. It is fast."}}})  # doctest: +SKIP
    """

    name: str = "slides"
    description: str = (
        "Build a PowerPoint (.pptx) slide deck from texts and images with python-pptx."
    )
    bullets_per_slide: int = 5
    bullet_chars: int = 160
    max_content_slides: int = 15

    def _source_texts(self, task: TaskInput) -> list[tuple[str, str]]:
        """``(file stem, text)`` of the user's PDF/.txt/.md inputs that no dependency passed on already.

        A plan may feed the slides only a summary; the source document still grounds the deck.
        """
        passed_on = " ".join(" ".join(text.split()) for _, text in dependency_texts(task))
        found = []
        for name in task.get("inputs", []):
            suffix = Path(name).suffix.lower()
            if suffix not in DOCUMENT_FILE_SUFFIXES:
                continue
            path = self.files.readable(name)
            text = (
                "\n\n".join(extract_pdf_pages(path))
                if suffix in PDF_FILE_SUFFIXES
                else read_text_file(path)
            )
            if " ".join(text.split())[:300] not in passed_on:
                found.append((path.stem, text))
        return found

    def _outline(
        self, task: TaskInput
    ) -> tuple[list[tuple[str, str]], list[tuple[str, list[str]]]]:
        """The documents' ``(title, byline)``, and ``(slide title, bullets)`` with the shortest
        texts first."""
        title_blocks, outline = [], []
        texts = sorted(
            [*dependency_texts(task), *self._source_texts(task)], key=lambda pair: len(pair[1])
        )
        for node, text in texts:
            # The planner numbers its node ids ("2_summarize"): the step number is no title.
            default_title = re.sub(r"^\d+[_-]", "", node).replace("_", " ").capitalize()
            title_block, sections = _split_title_block(
                text_sections(text, default_title), default_title
            )
            title_blocks += [_title_and_byline(title_block)] if title_block else []
            for title, body in sections:
                bullets = [clip(b, self.bullet_chars) for b in slide_bullets(body)]
                outline.append((clip(title, 70), bullets[: self.bullets_per_slide]))
        return title_blocks, outline[: self.max_content_slides]

    def _add_bullets(self, deck: PresentationType, title: str, bullets: list[str]) -> None:
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.shapes.title.text = title
        frame = slide.placeholders[1].text_frame
        frame.text = bullets[0]
        for bullet in bullets[1:]:
            frame.add_paragraph().text = bullet

    def _add_picture(self, deck: PresentationType, image: Path) -> None:
        slide = deck.slides.add_slide(deck.slide_layouts[5])
        slide.shapes.title.text = image.stem.replace("_", " ").capitalize()
        slide_width, slide_height = int(deck.slide_width or 0), int(deck.slide_height or 0)
        top, height = Emu(int(slide_height * 0.22)), Emu(int(slide_height * 0.72))
        picture = slide.shapes.add_picture(str(image), 0, top, height=height)
        if picture.width > slide_width:  # too wide: fit the width instead
            picture.height = Emu(int(picture.height * slide_width / picture.width))
            picture.width = Emu(slide_width)
        picture.left = Emu((slide_width - picture.width) // 2)

    def execute(self, task: TaskInput) -> tuple[str, list[str]]:
        title_blocks, outline = self._outline(task)
        images = [self.files.readable(p) for p in context_artifacts(task, _IMAGE_SUFFIXES)]
        if not outline and not images:
            raise StepInputError(
                f"step {task['node_id']!r}: nothing to put on slides; give it dependencies that produce text or images"
            )
        deck = Presentation()
        title_slide = deck.slides.add_slide(deck.slide_layouts[0])
        deck_title, subtitle = (
            title_blocks[0] if title_blocks else ("", request_words(task["description"]))
        )
        title_slide.shapes.title.text = clip(
            deck_title or task["instruction"] or "Presentation", 120
        )
        title_slide.placeholders[1].text = clip(subtitle or task["instruction"], 200)
        for title, bullets in outline:
            self._add_bullets(deck, title, bullets)
        for image in images:
            self._add_picture(deck, image)
        out = self.output_path(task, ".pptx")
        deck.save(str(out))
        lines = [f"Slide deck {out.name}: {len(deck.slides)} slides."]
        lines += [f"- {title}: {' '.join(bullets)}" for title, bullets in outline]
        lines += [f"- picture: {image.name}" for image in images]
        return "\n".join(lines), [str(out)]
