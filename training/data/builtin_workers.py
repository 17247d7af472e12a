"""The built-in workers and the task types each one can do.

The annotated built-in workflows name a worker on every node; this table is what makes that
annotation checkable, and what the default planner's worker mask is built from.
"""

from __future__ import annotations

from types import MappingProxyType

__all__ = ["BUILTIN_WORKERS", "builtin_worker_for"]

BUILTIN_WORKERS = MappingProxyType(
    {
        "pdf_text": ("extract_text",),
        "smollm2": ("summarize", "generate_text", "answer_question", "translate"),
        "minilm_embed": ("embed",),
        "minilm_classify": ("classify",),
        "table_analyst": ("analyze_table",),
        "chart": ("render_chart",),
        "slides": ("make_slides",),
        "report": ("write_report",),
        "image_captioner": ("caption_image",),
        "speech_to_text": ("transcribe_audio",),
    }
)


def builtin_worker_for(task_type: str) -> str:
    """The built-in worker that does ``task_type`` (each task type has exactly one)."""
    for worker, task_types in BUILTIN_WORKERS.items():
        if task_type in task_types:
            return worker
    raise KeyError(f"no built-in worker does task type {task_type!r}; see BUILTIN_WORKERS")
