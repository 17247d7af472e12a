"""The task types the built-in workers cover, each known by a description.

Task types are open vocabulary: the planner embeds these descriptions, so a user can add task
types (and workers for them) without retraining. This table is only the built-in default.
"""

from __future__ import annotations

from types import MappingProxyType

__all__ = ["BUILTIN_TASK_TYPES"]

BUILTIN_TASK_TYPES = MappingProxyType(
    {
        "extract_text": "Extract the text of a document such as a PDF research paper or report.",
        "summarize": "Summarise a text into a short overview of its key points.",
        "generate_text": "Write new text such as an answer, an email, an outline or a draft from instructions and context.",
        "answer_question": "Answer a question using the given text or document as context.",
        "translate": "Translate a text into another language.",
        "classify": "Classify a text into one of several given categories or labels.",
        "embed": "Embed texts as vectors to measure semantic similarity or rank passages for search.",
        "analyze_table": "Load a CSV or spreadsheet table and compute statistics, aggregates and trends.",
        "render_chart": "Draw a chart image (line, bar) from a table of numbers.",
        "make_slides": "Build a slide deck (PowerPoint PPTX) from text, bullet points and images.",
        "write_report": "Write a formatted markdown report file that combines text, numbers and figures.",
        "caption_image": "Describe or caption the content of an image.",
        "transcribe_audio": "Transcribe speech in an audio recording into text.",
    }
)
